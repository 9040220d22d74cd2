"""Cheap accumulators filled on the hot path, and the metrics flows declare (declare.py)."""
