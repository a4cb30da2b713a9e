"""Energy use on drive cycles: cycles, the compiled kernel and the orchestrator."""
