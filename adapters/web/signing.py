"""Signed sign-in links and session cookies for the web view (itsdangerous, one salt each).

Both carry the time they were made, on Ripple's clock, and are checked against it, so
tests can age them without waiting. A link holds a random nonce the core redeems once.
"""

from __future__ import annotations

import enum
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from itsdangerous import BadData, SignatureExpired, TimestampSigner, URLSafeTimedSerializer

from bot.webview import LINK_LIFETIME, SESSION_LIFETIME

LINK_SALT = "ripple.web.sign-in"
SESSION_SALT = "ripple.web.session"
SIGN_IN_PATH = "/web/sign-in"


class LinkProblem(enum.StrEnum):
    EXPIRED = "expired"
    INVALID = "invalid"  # tampered, cut short, or signed with another secret


@dataclass(frozen=True, kw_only=True)
class LinkClaim:
    """Who a well-signed, unexpired link signs in, and the nonce that makes it single-use."""

    person_id: str
    nonce: str


@dataclass(frozen=True, kw_only=True)
class Session:
    """Who is signed in; ``csrf`` is the value their forms must send back."""

    person_id: str
    csrf: str


class _SignerAt(TimestampSigner):
    """A timestamp signer whose "now" is given, not read from the system clock."""

    def __init__(self, *args: Any, at: datetime, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._at = int(at.timestamp())

    def get_timestamp(self) -> int:
        return self._at


class WebSigning:
    """Makes and reads the web view's links and session cookies; the core's ``SignInLinks``.

    ``keys`` are secrets, newest first: the first signs, every one is accepted, so the
    secret can be rotated without signing everyone out.
    """

    def __init__(self, *, keys: list[str], public_url: str) -> None:
        if not keys or not all(keys):
            raise ValueError("the web view needs at least one secret key")
        self._keys = list(reversed(keys))  # itsdangerous signs with the last one
        self.public_url = public_url.rstrip("/")
        parts = urlsplit(self.public_url)
        self.origin = f"{parts.scheme}://{parts.netloc}"
        self.secure = parts.scheme == "https"

    def _serializer(self, salt: str, at: datetime) -> URLSafeTimedSerializer:
        return URLSafeTimedSerializer(
            self._keys, salt=salt, signer=_SignerAt, signer_kwargs={"at": at}
        )

    def link(self, person_id: str, *, now: datetime) -> str:
        token = self._serializer(LINK_SALT, now).dumps(
            {"p": person_id, "n": secrets.token_urlsafe(16)}
        )
        return f"{self.public_url}{SIGN_IN_PATH}?t={token}"

    def read_link(self, token: str, *, now: datetime) -> LinkClaim | LinkProblem:
        data = self._load(token, salt=LINK_SALT, now=now, lifetime=LINK_LIFETIME)
        if isinstance(data, LinkProblem):
            return data
        person_id, nonce = data.get("p"), data.get("n")
        if not (isinstance(person_id, str) and person_id and isinstance(nonce, str) and nonce):
            return LinkProblem.INVALID
        return LinkClaim(person_id=person_id, nonce=nonce)

    def session(self, person_id: str, *, now: datetime) -> str:
        """A cookie value that says ``person_id`` signed in at ``now``."""
        return self._serializer(SESSION_SALT, now).dumps(
            {"p": person_id, "c": secrets.token_urlsafe(16)}
        )

    def read_session(self, cookie: str | None, *, now: datetime) -> Session | None:
        if not cookie:
            return None
        data = self._load(cookie, salt=SESSION_SALT, now=now, lifetime=SESSION_LIFETIME)
        if isinstance(data, LinkProblem):
            return None
        person_id, csrf = data.get("p"), data.get("c")
        if not (isinstance(person_id, str) and person_id and isinstance(csrf, str) and csrf):
            return None
        return Session(person_id=person_id, csrf=csrf)

    def _load(
        self, token: str, *, salt: str, now: datetime, lifetime: timedelta
    ) -> dict[str, Any] | LinkProblem:
        try:
            data = self._serializer(salt, now).loads(token, max_age=int(lifetime.total_seconds()))
        except SignatureExpired:
            return LinkProblem.EXPIRED
        except BadData:
            return LinkProblem.INVALID
        return data if isinstance(data, dict) else LinkProblem.INVALID


def same_value(given: str | None, expected: str) -> bool:
    """Whether a form's token is the session's, compared in constant time."""
    return given is not None and hmac.compare_digest(given.encode(), expected.encode())
