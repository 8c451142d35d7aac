"""Failures the fake Slack can be told to answer: one-off, per recipient, or rate-limit bursts."""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass, field
from typing import Any

Answer = tuple[int, dict[str, Any], dict[str, str]]  # HTTP status, JSON body, headers

SERVER_ERRORS = {500: "fatal_error", 503: "service_unavailable"}


def error_answer(error: str) -> Answer:
    """Slack reports most failures as HTTP 200 with ``ok: false``."""
    return 200, {"ok": False, "error": error}, {}


def _dm_key(name: str) -> str:
    """Users and their DM channels share a key, so either one names the recipient."""
    return f"D{name[1:]}" if name[:1] in ("U", "W", "D") else name


def recipients(params: dict[str, Any]) -> set[str]:
    """Who a call is aimed at: the channels and users it names, users as their DM key."""
    named = [params.get(key) for key in ("channel", "user", "user_id")]
    users = params.get("users")
    named.extend(users.split(",") if isinstance(users, str) else users or [])
    return {_dm_key(name) for name in named if isinstance(name, str) and name}


@dataclass(frozen=True)
class Fault:
    status: int = 429
    retry_after: int = 1
    error: str | None = None

    def answer(self) -> Answer:
        if self.error is not None:
            return error_answer(self.error)
        if self.status == 429:
            headers = {"Retry-After": str(self.retry_after)}
            return 429, {"ok": False, "error": "ratelimited"}, headers
        body = {"ok": False, "error": SERVER_ERRORS.get(self.status, "internal_error")}
        return self.status, body, {}


@dataclass(frozen=True)
class RecipientFault:
    method: str
    recipient: str
    error: str


@dataclass
class RateLimit:
    """Cycles of ``every`` answered calls followed by ``burst`` calls answered 429."""

    every: int
    burst: int
    retry_after: int
    bursts: int | None
    attempts: int = 0

    def limits_next_call(self) -> bool:
        cycle, position = divmod(self.attempts, self.every + self.burst)
        self.attempts += 1
        return position >= self.every and (self.bursts is None or cycle < self.bursts)


@dataclass
class FaultPlan:
    """Every failure still to come; ``FakeSlack`` consults it before answering a call."""

    queued: dict[str, deque[Fault]] = field(default_factory=dict)
    per_recipient: list[RecipientFault] = field(default_factory=list)
    rate_limits: dict[str, RateLimit] = field(default_factory=dict)
    # After a 429, Slack keeps answering 429 to the method until its Retry-After has passed.
    held_until: dict[str, float] = field(default_factory=dict)
    # A method's limit in calls a minute, kept over a sliding minute of answered calls.
    per_minute: dict[str, int] = field(default_factory=dict)
    answered: dict[str, deque[float]] = field(default_factory=dict)

    def queue(self, method: str, fault: Fault, *, count: int) -> None:
        self.queued.setdefault(method, deque()).extend([fault] * count)

    def next_fault(self, method: str, *, now: float) -> Fault | None:
        """A 429 while ``method`` is held, else a queued failure, else a rate-limit 429;
        each call to ``method`` outside a hold is one attempt."""
        held = self.held_until.get(method, now) - now
        if held > 0:
            return Fault(retry_after=math.ceil(held))
        queued = self.queued.get(method)
        fault = queued.popleft() if queued else None
        limit = self.rate_limits.get(method)
        if fault is None and limit is not None and limit.limits_next_call():
            fault = Fault(retry_after=limit.retry_after)
        if fault is None and method in self.per_minute:
            fault = self._over_the_minute(method, now=now)
        if fault is not None and fault.error is None and fault.status == 429:
            self.held_until[method] = now + fault.retry_after
        return fault

    def _over_the_minute(self, method: str, *, now: float) -> Fault | None:
        answered = self.answered.setdefault(method, deque())
        while answered and now - answered[0] >= 60.0:
            answered.popleft()
        if len(answered) >= self.per_minute[method]:
            return Fault(retry_after=max(1, math.ceil(answered[0] + 60.0 - now)))
        answered.append(now)
        return None

    def recipient_error(self, method: str, params: dict[str, Any]) -> str | None:
        aimed_at = recipients(params)
        for fault in self.per_recipient:
            if fault.method == method and _dm_key(fault.recipient) in aimed_at:
                return fault.error
        return None

    def clear(self) -> None:
        self.queued.clear()
        self.per_recipient.clear()
        self.rate_limits.clear()
        self.held_until.clear()
        self.per_minute.clear()
        self.answered.clear()
