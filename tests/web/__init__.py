"""The web view: sign-in links from chat, sessions, and what its pages show to whom."""
