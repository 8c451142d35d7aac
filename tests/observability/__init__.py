"""What an operator sees of a running Ripple: /metrics, request ids and quiet, structured logs."""
