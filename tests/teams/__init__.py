"""Teams adapter tests."""
