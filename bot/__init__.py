"""Ripple's core: the capacity-aware check-in engine, free of any platform or database code."""
