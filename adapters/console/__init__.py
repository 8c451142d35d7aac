"""The console adapter: Ripple in a terminal, for the demo and for trying a check-in."""
