"""Ripple's words: question sets and message catalogs as YAML, one folder per locale."""

from pathlib import Path

PROMPTS_DIR = Path(__file__).resolve().parent
