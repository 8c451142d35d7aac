"""Adapters: thin translations between platforms and Ripple's core."""
