"""One-way marks: digests that let Ripple recognise a value again without keeping it."""

from __future__ import annotations

import hashlib


def mark(value: str, *, purpose: str) -> str:
    """A SHA-256 digest of ``value``, separated by ``purpose`` so marks of one kind never
    match another's. The format is stored, so it must never change."""
    return hashlib.sha256(f"ripple:{purpose}:{value}".encode()).hexdigest()


def event_mark(event_id: str) -> str:
    """How a processed platform event id is kept: it may carry a person's platform id."""
    return mark(event_id, purpose="event")


def tombstone_mark(person_id: str) -> str:
    """How an erased person is remembered, so a roster sync does not bring them back."""
    return mark(person_id, purpose="tombstone")


def sign_in_mark(nonce: str) -> str:
    """How a used sign-in link is remembered, so it signs nobody in a second time."""
    return mark(nonce, purpose="sign-in")
