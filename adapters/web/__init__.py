"""The web view: managers' summaries and admins' settings, signed in by a link from chat."""
