"""Insights: counts, what each viewer may see of a published round, nudges and rendering."""
