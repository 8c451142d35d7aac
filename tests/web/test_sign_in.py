"""Signing in to the web view by a link from chat, and out again; how long each lasts."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

from adapters.web.signing import WebSigning
from bot.app.bootstrap import build_app, build_ripple
from bot.redaction import redact
from storage.store import SqlStore
from tests.web.world import (
    CHANNEL,
    MANAGER,
    PUBLIC_URL,
    SECRET,
    WEB_SECRET_OTHER,
    page_text,
    web_world,
)

EXPIRED = "This link has expired. Ask Ripple for a new one: send it “web” in chat."
USED = "This link has already been used."
BROKEN = "This link doesn't work."
NOT_SIGNED_IN = "To see this page, sign in with a link from Ripple"


def cookie_header(response: httpx.Response) -> str:
    return "; ".join(response.headers.get_list("set-cookie"))


async def test_a_link_signs_in_sets_a_session_cookie_and_leaves_the_address_bar(tmp_path: Path):
    async with web_world(tmp_path) as world:
        await world.team()
        browser = world.browser()

        response = await browser.get(await world.link(MANAGER))

        assert response.status_code == 303
        assert response.headers["location"] == "/web/"  # the token leaves the address bar
        cookie = cookie_header(response)
        assert cookie.startswith("ripple_web=")
        for attribute in ("HttpOnly", "Secure", "SameSite=lax", "Path=/web", "Max-Age=28800"):
            assert attribute in cookie
        overview = await browser.get("/web/")
        assert overview.status_code == 200
        assert "Summaries of #design" in overview.text


async def test_a_link_works_for_fifteen_minutes_then_says_it_expired(tmp_path: Path):
    async with web_world(tmp_path) as world:
        await world.team()
        stale = await world.link(MANAGER)
        fresh = await world.link(MANAGER)  # a second later

        world.clock.advance(timedelta(minutes=15))  # fresh is 15 minutes old, stale a second more
        assert (await world.browser().get(fresh)).status_code == 303
        browser = world.browser()
        response = await browser.get(stale)

        assert response.status_code == 410
        assert EXPIRED in page_text(response)
        assert "set-cookie" not in response.headers
        assert (await browser.get("/web/")).status_code == 401


async def test_a_tampered_link_or_one_signed_elsewhere_is_refused(tmp_path: Path):
    async with web_world(tmp_path) as world:
        await world.team()
        link = await world.link(MANAGER)
        token = link.split("?t=", 1)[1]
        payload, stamp, signature = token.split(".")
        # Someone edits the person in the payload and keeps the signature.
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        claims["p"] = "console:p0"
        edited = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
        other = WebSigning(keys=[WEB_SECRET_OTHER], public_url=PUBLIC_URL)
        forged = [
            f"{PUBLIC_URL}/web/sign-in?t={edited}.{stamp}.{signature}",
            f"{PUBLIC_URL}/web/sign-in?t={payload}.{stamp}.{signature[:-2]}xx",
            f"{PUBLIC_URL}/web/sign-in?t={payload}.{stamp}",
            f"{PUBLIC_URL}/web/sign-in?t=",
            f"{PUBLIC_URL}/web/sign-in",
            other.link(MANAGER, now=world.clock.now()),
        ]

        for attempt in forged:
            browser = world.browser()
            response = await browser.get(attempt)
            assert response.status_code == 400, attempt
            assert BROKEN in page_text(response)
            assert "set-cookie" not in response.headers
            assert (await browser.get("/web/")).status_code == 401
        # The real link was never spent by the forgeries.
        assert (await world.browser().get(link)).status_code == 303


async def test_a_link_signs_in_once_even_across_replicas(tmp_path: Path):
    async with web_world(tmp_path) as world:
        await world.team()
        replica_store = SqlStore.from_url(world.settings.database_url)
        replica = build_ripple(world.settings, store=replica_store, clock=world.clock)
        other_app = build_app(world.settings, ripple=replica, tick=False)
        try:
            link = await world.link(MANAGER)
            assert (await world.browser().get(link)).status_code == 303

            for app in (world.app, other_app):
                browser = world.browser(app)
                replayed = await browser.get(link)
                assert replayed.status_code == 410
                assert USED in page_text(replayed)
                assert "set-cookie" not in replayed.headers
                assert (await browser.get("/web/")).status_code == 401
        finally:
            await replica_store.close()


async def test_a_head_request_does_not_use_up_a_link(tmp_path: Path):
    # Link checkers and previews often send HEAD first; only a GET signs in.
    async with web_world(tmp_path) as world:
        await world.team()
        link = await world.link(MANAGER)
        assert (await world.browser().head(link)).status_code == 405
        assert (await world.browser().get(link)).status_code == 303


async def test_a_link_made_before_someone_erased_their_data_signs_nobody_in(tmp_path: Path):
    async with web_world(tmp_path) as world:
        await world.team()
        link = await world.link(MANAGER)
        await world.forget(MANAGER)

        response = await world.browser().get(link)

        assert response.status_code == 410
        assert BROKEN in page_text(response)
        assert "set-cookie" not in response.headers


async def test_an_old_session_ends_when_its_person_erases_their_data(tmp_path: Path):
    async with web_world(tmp_path) as world:
        await world.team()
        browser = await world.signed_in(MANAGER)
        assert (await browser.get("/web/")).status_code == 200

        await world.forget(MANAGER)
        response = await browser.get(f"/web/channels/{CHANNEL}")

        assert response.status_code == 401
        assert NOT_SIGNED_IN in page_text(response)
        assert "Max-Age=0" in cookie_header(response)  # the browser drops the cookie
        assert "#design" not in response.text


async def test_a_session_lasts_eight_hours(tmp_path: Path):
    async with web_world(tmp_path) as world:
        await world.team()
        browser = await world.signed_in(MANAGER)

        world.clock.advance(timedelta(hours=8))
        assert (await browser.get("/web/")).status_code == 200
        world.clock.advance(timedelta(seconds=1))
        response = await browser.get("/web/")

        assert response.status_code == 401
        assert NOT_SIGNED_IN in page_text(response)


async def test_a_session_cookie_signed_elsewhere_or_edited_is_no_session(tmp_path: Path):
    async with web_world(tmp_path) as world:
        await world.team()
        other = WebSigning(keys=[WEB_SECRET_OTHER], public_url=PUBLIC_URL)
        as_link = world.signing.link(MANAGER, now=world.clock.now()).split("?t=", 1)[1]
        for cookie in (other.session(MANAGER, now=world.clock.now()), as_link, "nonsense"):
            browser = world.browser()
            browser.cookies.set("ripple_web", cookie, domain="ripple.example", path="/web")
            assert (await browser.get("/web/")).status_code == 401


async def test_signing_out_takes_the_form_token_from_ripples_own_page(tmp_path: Path):
    async with web_world(tmp_path) as world:
        await world.team()
        browser = await world.signed_in(MANAGER)
        page = (await browser.get("/web/")).text
        token = page.split('name="csrf" value="', 1)[1].split('"', 1)[0]

        # Signing out is no GET, and a form from another site or without the token fails.
        assert (await browser.get("/web/sign-out")).status_code == 404
        refused = [
            await browser.post("/web/sign-out", data={}),
            await browser.post("/web/sign-out", data={"csrf": "guess"}),
            await browser.post(
                "/web/sign-out",
                data={"csrf": token},
                headers={"Origin": "https://attacker.example"},
            ),
            await browser.post(
                "/web/sign-out",
                data={"csrf": token},
                headers={"Origin": "null", "Sec-Fetch-Site": "cross-site"},
            ),
        ]
        assert [r.status_code for r in refused] == [403, 403, 403, 403]
        assert (await browser.get("/web/")).status_code == 200

        # Under Referrer-Policy no-referrer, browsers send "Origin: null" from Ripple's own page.
        out = await browser.post(
            "/web/sign-out",
            data={"csrf": token},
            headers={"Origin": "null", "Sec-Fetch-Site": "same-origin"},
        )

        assert out.status_code == 303
        assert out.headers["location"] == "/web/signed-out"
        assert "Max-Age=0" in cookie_header(out)
        assert "You're signed out." in page_text(await browser.get("/web/signed-out"))
        assert (await browser.get("/web/")).status_code == 401


async def test_a_refusal_speaks_the_browsers_language(tmp_path: Path):
    async with web_world(tmp_path) as world:
        await world.team()
        link = await world.link(MANAGER)
        world.clock.advance(timedelta(minutes=16))

        response = await world.browser().get(link, headers={"Accept-Language": "es-MX,es;q=0.9"})

        assert response.status_code == 410
        assert '<html lang="es">' in response.text
        assert "Este enlace ha caducado." in response.text


def test_the_sign_in_token_never_reaches_the_access_log() -> None:
    link = WebSigning(keys=[SECRET], public_url=PUBLIC_URL).link(MANAGER, now=datetime.now(UTC))
    token = link.split("?t=", 1)[1]
    # What uvicorn's access logger writes for the request, before Ripple's redaction.
    line = f'127.0.0.1:50412 - "GET /web/sign-in?t={token} HTTP/1.1" 303'

    assert token not in redact(line)
    assert redact(line).startswith('127.0.0.1:50412 - "GET /web/')
