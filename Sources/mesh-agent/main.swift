print("mesh-agent: not built yet")
