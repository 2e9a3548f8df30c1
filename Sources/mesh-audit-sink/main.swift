print("mesh-audit-sink: not built yet")
