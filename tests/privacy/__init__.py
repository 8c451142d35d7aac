"""Privacy properties that hold across adapters: what never reaches the logs."""
