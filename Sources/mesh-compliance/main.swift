print("mesh-compliance: not built yet")
