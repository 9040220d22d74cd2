"""Cheap accumulators filled on the hot path, and the catalogue of metric names and units."""
