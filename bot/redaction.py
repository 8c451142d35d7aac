"""Keeps what people answered and wrote out of the logs that libraries write."""

from __future__ import annotations

import logging
import traceback

# Ripple's own loggers say only what Ripple chose to say. Every other logger (the platform
# SDKs, HTTP clients, the database driver, Bolt's app logger, which is named after the app)
# may dump whole requests, responses or query parameters, and those carry answers, notes
# and the replies that echo them.
OWN_NAMESPACES = ("bot", "adapters", "storage")
BODY_MARKERS = (
    "body:",
    "data:",
    "json:",
    "payload",
    "text:",
    "text=",
    '"text"',
    "'text'",
    "{",
    "[",
    "(",
    "sign-in?",  # a web view sign-in link, in the server's access log: its token signs in
)
REDACTED = "[body redacted]"


def is_own(name: str) -> bool:
    return any(name == own or name.startswith(f"{own}.") for own in OWN_NAMESPACES)


def redact(message: str) -> str:
    """The message up to its first body marker; anything after it may quote a person."""
    lowered = message.lower()
    cuts = [at for at in (lowered.find(marker) for marker in BODY_MARKERS) if at >= 0]
    if not cuts:
        return message
    return message[: min(cuts)] + REDACTED


def redacted_traceback(exc: BaseException) -> str:
    """Where it failed, without the exception's message: validation errors quote their input."""
    frames = "".join(traceback.format_tb(exc.__traceback__))
    return f"Traceback (most recent call last):\n{frames}{type(exc).__qualname__}: {REDACTED}"


class PayloadRedactor(logging.Filter):
    """Cuts message bodies out of other libraries' records; never drops a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        if is_own(record.name):
            return True
        try:
            message = record.getMessage()
        except Exception:  # a malformed record must not break the caller that logged it
            message = REDACTED
        record.msg = redact(message)
        record.args = None
        if record.exc_info and record.exc_info[1] is not None:
            # Formatters print exc_text when it is set, instead of formatting exc_info.
            record.exc_text = redacted_traceback(record.exc_info[1])
        return True


def install_redaction(*, logger: logging.Logger | None = None) -> PayloadRedactor:
    """Put the redactor on every handler of ``logger`` (the root logger by default).

    It sits on handlers, not on the logger, because a logger's filters don't see the
    records that its child loggers propagate up to it.
    """
    redactor = PayloadRedactor()
    for handler in (logger or logging.getLogger()).handlers:
        if not any(isinstance(f, PayloadRedactor) for f in handler.filters):
            handler.addFilter(redactor)
    return redactor
