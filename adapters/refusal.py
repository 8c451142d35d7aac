"""A request refused at a platform's edge: the status, the reason for the log, the answer."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from fastapi import Response
from fastapi.responses import JSONResponse

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
