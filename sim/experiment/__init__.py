"""Replications on any executor; later compare (common random numbers) and sweeps."""
