"""Ripple on Slack."""
