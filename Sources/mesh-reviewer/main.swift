print("mesh-reviewer: not built yet")
