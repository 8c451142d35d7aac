"""Microsoft Teams: the Agents SDK wiring, its cards, and the Teams app package."""
