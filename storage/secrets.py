"""Slack tokens encrypted at rest: Fernet under RIPPLE_SECRET_KEY's keys, newest first."""

from __future__ import annotations

from collections.abc import Sequence

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

# Marks a stored value as encrypted. A value without it was stored before encryption was
# turned on: it is read as it is, and encrypted the next time it is written.
PREFIX = "fernet:"


class TokenKeyError(RuntimeError):
    """A stored token can't be decrypted with the keys Ripple was given."""


def is_encrypted(stored: str) -> bool:
    return stored.startswith(PREFIX)


class TokenCipher:
    """Encrypts under the first key and decrypts under any, so keys can be rotated."""

    def __init__(self, keys: Sequence[str]) -> None:
        if not keys:
            raise ValueError("a token cipher needs at least one key")
        self._fernet = MultiFernet([Fernet(key) for key in keys])

    @classmethod
    def from_setting(cls, value: str) -> TokenCipher:
        """The keys as RIPPLE_SECRET_KEY lists them: comma-separated, newest first."""
        return cls([part.strip() for part in value.split(",")])

    def encrypt(self, token: str) -> str:
        return PREFIX + self._fernet.encrypt(token.encode()).decode()

    def decrypt(self, stored: str) -> str:
        """The token; a value stored before encryption comes back unchanged."""
        if not is_encrypted(stored):
            return stored
        try:
            return self._fernet.decrypt(stored.removeprefix(PREFIX).encode()).decode()
        except InvalidToken:
            raise TokenKeyError(UNDECRYPTABLE) from None

    def reencrypt(self, stored: str) -> str:
        """The same token under the first key, whichever key (or none) it was stored under."""
        if not is_encrypted(stored):
            return self.encrypt(stored)
        try:
            return PREFIX + self._fernet.rotate(stored.removeprefix(PREFIX).encode()).decode()
        except InvalidToken:
            raise TokenKeyError(UNDECRYPTABLE) from None


UNDECRYPTABLE = (
    "a stored Slack token can't be decrypted with any key in RIPPLE_SECRET_KEY; "
    "list the key it was stored under too (RIPPLE_SECRET_KEY=new,old)"
)
NO_KEY = (
    "the stored Slack tokens are encrypted, and RIPPLE_SECRET_KEY is not set; "
    "set it to the key they were stored under"
)
