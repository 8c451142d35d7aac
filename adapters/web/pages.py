"""Renders the web view's pages: Jinja2 templates (autoescaped), in the reader's language."""

from __future__ import annotations

from functools import cache, partial
from pathlib import Path
from typing import Any, Final
from urllib.parse import quote

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from starlette.responses import HTMLResponse, Response

from bot.ports import PromptCatalog

HERE = Path(__file__).resolve().parent
STYLESHEET: Final = HERE / "static" / "ripple.css"

# Nothing from elsewhere, no scripts, no inline styles; forms post only back to Ripple.
CONTENT_SECURITY_POLICY: Final = (
    "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)
HEADERS: Final = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    # The sign-in token is in the first address; no page ever tells another site where it was.
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
}


@cache
def _environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(HERE / "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def channel_path(channel_id: str) -> str:
    return "/web/channels/" + quote(channel_id, safe=":@")


def admin_path(channel_id: str) -> str:
    return "/web/admin/" + quote(channel_id, safe=":@")


def page(
    template: str,
    *,
    catalog: PromptCatalog,
    locale: str,
    status: int = 200,
    csrf: str | None = None,
    **values: Any,
) -> HTMLResponse:
    """A page in ``locale``; ``csrf`` (the session's form token) shows the sign-out button."""
    html = (
        _environment()
        .get_template(template)
        .render(
            say=partial(catalog.message, locale=locale),
            locale=locale,
            csrf=csrf,
            channel_path=channel_path,
            admin_path=admin_path,
            **values,
        )
    )
    return HTMLResponse(html, status_code=status, headers=HEADERS)


def stylesheet() -> Response:
    return Response(_css(), media_type="text/css", headers=HEADERS)


@cache
def _css() -> bytes:
    return STYLESHEET.read_bytes()


def preferred_locale(accept_language: str | None, *, available: frozenset[str]) -> str:
    """The language a browser asks for (Accept-Language), among those Ripple speaks."""
    ranked: list[tuple[float, int, str]] = []
    for position, item in enumerate((accept_language or "").split(",")[:20]):
        tag, _, params = item.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                continue
        language = tag.strip().replace("_", "-").split("-")[0].lower()
        if language in available and quality > 0:
            ranked.append((-quality, position, language))
    return min(ranked)[2] if ranked else "en"
