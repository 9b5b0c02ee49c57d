"""The DR lifecycle: the pair's state, the switches (promote, settle, rebuild, failback, release) and drills."""
