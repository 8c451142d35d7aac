"""What every use case works with: the store, the prompts and the clock."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from bot.model import Channel, Person
from bot.ports import Clock, Noise, PromptCatalog, SignInLinks, Store

DEFAULT_RETENTION = timedelta(days=180)


@dataclass(frozen=True, kw_only=True)
class Context:
    store: Store
    catalog: PromptCatalog
    clock: Clock
    noise: Noise
    retention: timedelta = DEFAULT_RETENTION  # how long raw answers and notes are kept
    links: SignInLinks | None = None  # sign-in links to the web view; None: it isn't set up

    def locale_for(self, person: Person | None, channel: Channel | None) -> str:
        """The person's language if Ripple speaks it, else the channel's, else English."""
        available = self.catalog.locales()
        for candidate in (
            person.locale if person else None,
            channel.config.locale if channel else None,
        ):
            if candidate is None:
                continue
            language = candidate.replace("_", "-").split("-")[0].lower()
            if language in available:
                return language
        return "en"

    def zone_for(self, person: Person | None, channel: Channel) -> str:
        return (person.timezone if person else None) or channel.config.timezone
