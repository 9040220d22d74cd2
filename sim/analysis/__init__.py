"""Analytic results (queueing, inventory) that the simulator is validated against."""
