"""The HTTP host: Ripple's FastAPI app, where platform adapters mount their routes."""
