"""A request refused at a platform's edge: the status, the reason for the log, the answer."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass

from fastapi import Request, Response
from fastapi.responses import JSONResponse
from pydantic import ValidationError

MAX_BODY_BYTES = 1024 * 1024
# What the caller is told, by status: never more than that it was refused, and why in general.
ANSWERS: Mapping[int, str] = {
    401: "unauthorized",
    413: "request body too large",
    415: "unsupported content type",
}


@dataclass(frozen=True, kw_only=True)
class Refusal:
    """Why a request went no further; ``reason`` is for the log and never quotes the body."""

    status: int
    reason: str
    answer: str | None = None  # what the caller is told, if not the status's usual answer

    def response(self) -> Response:
        return JSONResponse({"error": self.answer or ANSWERS[self.status]}, status_code=self.status)


def media_type(content_type: str) -> str:
    """The media type of a Content-Type header, without parameters, in lower case."""
    return content_type.split(";", 1)[0].strip().lower()


def declared_too_large(request: Request) -> Refusal | None:
    """A body whose declared Content-Length is over the limit, refused before it is read."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        return Refusal(status=413, reason=f"a declared body of {declared} bytes")
    return None


def too_large(body: bytes) -> Refusal | None:
    """A body over the limit, whatever its Content-Length said."""
    if len(body) > MAX_BODY_BYTES:
        return Refusal(status=413, reason=f"a body of {len(body)} bytes")
    return None


def unsupported_type(request: Request, *, accepted: Collection[str]) -> Refusal | None:
    """A body of a media type the platform never sends to this endpoint."""
    kind = media_type(request.headers.get("content-type", ""))
    if kind not in accepted:
        return Refusal(status=415, reason=f"content type {kind[:60]!r}")
    return None


def invalid_where(exc: Exception) -> str:
    """The first field a validation error names, without the value it quotes."""
    if isinstance(exc, ValidationError):
        first = exc.errors(include_url=False, include_context=False, include_input=False)[0]
        return f"{'.'.join(str(part) for part in first['loc'])}: {first['type']}"
    return type(exc).__name__
