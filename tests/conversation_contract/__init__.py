"""One scripted conversation, played through every adapter, must leave the same stored state.

``script`` holds the conversation and the platform-neutral record of what it left; each
``*_player`` module plays it through one adapter (``core_player`` through the core alone,
which gives the expected record); ``test_every_adapter`` compares them.
"""
