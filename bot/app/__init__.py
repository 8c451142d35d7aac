"""Ripple's shell: settings, the prompt files' loader, the composition root and the CLI.

The only package that wires the core (``bot``) to ``adapters`` and ``storage``; nothing
in the core, the adapters or storage imports it.
"""
