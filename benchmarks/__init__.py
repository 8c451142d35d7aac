"""Benchmarks: how fast and how big Ripple's hot paths are (`make bench`)."""
