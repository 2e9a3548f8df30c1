print("mesh-orchestrator: not built yet")
