"""The running model: a scenario spec built into SimPy processes and callbacks."""
