"""Tests of the trend chart drawn for manager digests."""
