"""The web view in a real browser: Debian's Chromium, driven by Playwright, on `ripple serve`.

The server is the real command on a free port and a temporary SQLite database, seeded through
the core; the link comes from the real entry point, `ripple chat` typing `web`. A screenshot
of every page is kept in artifacts/screenshots/. Outside CI, a machine without Chromium skips
these tests; in CI (CI=true) they fail instead.
"""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from adapters.console.sender import ConsoleSender
from adapters.web.signing import WebSigning
from bot.app.bootstrap import build_ripple
from bot.app.settings import load_settings
from bot.clock import ManualClock
from bot.model import Person
from tests.cli import COMMAND_TIMEOUT, ripple_command, ripple_env, run_ripple, sqlite_url
from tests.engine.conftest import ADMIN, MANAGER, TEAM, set_up_team
from tests.engine.test_digests import HEAVY, run_week
from tests.http.test_app import free_port, wait_for
from tests.web.world import LINK, SECRET, WEEK1, WEEK2

CHROMIUM = Path("/usr/bin/chromium")
ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "artifacts" / "screenshots"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
JONAS = "console:jonas"


def _browser_or_reason() -> str | None:
    """Why the browser tests can't run here, or None when they can."""
    if not CHROMIUM.exists():
        return (
            f"no Chromium at {CHROMIUM}; install Debian's with: "
            "apt-get install -y --no-install-recommends chromium"
        )
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright is not installed; run: pip install -e '.[dev]'"
    return None


@pytest.fixture(scope="module")
def chromium() -> Path:
    reason = _browser_or_reason()
    if reason is not None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"the browser tests must run in CI: {reason}")
        pytest.skip(reason)
    return CHROMIUM


@dataclass
class Server:
    base: str
    env: dict[str, str]
    cwd: Path

    def ask_for_link(self, person: str) -> str:
        """`ripple chat --as PERSON`, typing `web`: the link Ripple prints."""
        command = ("chat", "--channel", "design", "--as", person)
        done = run_ripple(*command, cwd=self.cwd, env=self.env, stdin="web\nquit\n")
        assert done.returncode == 0, done.stderr
        found = LINK.search(done.stdout)
        assert found, done.stdout
        return found.group(0)

    def signing(self) -> WebSigning:
        return WebSigning(keys=[SECRET], public_url=self.base)


async def seed(settings_url: str, public_url: str) -> None:
    """Two published weeks of #design through the core, on the server's database. Maya
    (English) and Jonas (German) both manage and administer it."""
    settings = load_settings(database_url=settings_url, public_url=public_url, web_secret=SECRET)
    clock = ManualClock(WEEK1)
    ripple = build_ripple(settings, clock=clock, senders={"console": ConsoleSender()})
    try:
        await set_up_team(
            ripple,
            managers=frozenset({MANAGER, JONAS}),
            admins=frozenset({ADMIN, MANAGER, JONAS}),
        )
        async with ripple.store.unit_of_work() as uow:
            await uow.people.save(Person(person_id=JONAS, display_name="Jonas", locale="de"))
            await uow.commit()
        await run_week(ripple, clock, WEEK1, dict.fromkeys(TEAM, HEAVY))
        await run_week(ripple, clock, WEEK2, dict.fromkeys(TEAM, HEAVY))
    finally:
        await ripple.store.close()


@pytest.fixture(scope="module")
def server(chromium: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """`ripple serve` in production mode with the web view on; always stopped at the end."""
    cwd = tmp_path_factory.mktemp("web-browser")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = ripple_env(
        database_url=sqlite_url(cwd / "ripple.db"),
        env="production",
        public_url=base,
        web_secret=SECRET,
        log_level="INFO",
    )
    assert run_ripple("migrate", cwd=cwd, env=env).returncode == 0
    asyncio.run(seed(f"sqlite+aiosqlite:///{cwd / 'ripple.db'}", base))
    process = subprocess.Popen(
        ripple_command("serve", "--port", str(port), "--no-scheduler"),
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:

        def healthy() -> httpx.Response | None:
            assert process.poll() is None, "ripple serve exited early"
            try:
                return httpx.get(f"{base}/healthz", timeout=2.0)
            except httpx.TransportError:
                return None

        wait_for(healthy, what="ripple serve to answer /healthz")
        yield Server(base=base, env=env, cwd=cwd)
    finally:
        process.terminate()
        _, stderr = process.communicate(timeout=COMMAND_TIMEOUT)
    assert "Traceback" not in stderr, stderr


@pytest.fixture(scope="module")
def browser(chromium: Path) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(chromium))
        try:
            yield launched
        finally:
            launched.close()


def shoot(page: Any, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def no_horizontal_overflow(page: Any) -> None:
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"{page.url} is {overflow}px wider than the screen"


def watch_console(page: Any) -> list[str]:
    """Errors the page logs, such as a Content-Security-Policy violation; a refusal's own
    4xx status is expected, and not counted."""
    errors: list[str] = []

    def seen(message: Any) -> None:
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            errors.append(message.text)

    page.on("console", seen)
    return errors


def focus_ring(page: Any) -> dict[str, Any]:
    return page.evaluate(
        """() => {
            const el = document.activeElement;
            const style = getComputedStyle(el);
            const box = el.getBoundingClientRect();
            return {tag: el.tagName, text: (el.innerText || el.value || '').trim(),
                    outline: style.outlineStyle, width: parseFloat(style.outlineWidth),
                    visible: box.width > 0 && box.height > 0 && box.bottom > 0};
        }"""
    )


def test_a_manager_signs_in_by_link_reads_the_pages_and_signs_out(server: Server, browser: Any):
    link = server.ask_for_link("maya")
    token = link.split("?t=", 1)[1]
    tampered = link[:-3] + ("aaa" if not link.endswith("aaa") else "bbb")
    expired = server.signing().link(MANAGER, now=datetime.now(UTC) - timedelta(minutes=16))
    context = browser.new_context(viewport=DESKTOP, locale="en-GB")
    page = context.new_page()
    errors = watch_console(page)
    try:
        refused = page.goto(tampered)
        assert refused is not None and refused.status == 400
        assert "This link doesn't work." in page.inner_text("main")
        shoot(page, "sign-in-tampered")
        refused = page.goto(expired)
        assert refused is not None and refused.status == 410
        assert "This link has expired. Ask Ripple for a new one" in page.inner_text("main")
        shoot(page, "sign-in-expired")
        assert context.cookies() == []

        page.goto(link)
        assert page.url == f"{server.base}/web/"  # the token left the address bar
        assert token not in page.url
        assert page.inner_text("h1") == "Your channels"
        assert page.get_attribute("html", "lang") == "en"
        [cookie] = context.cookies()
        assert (cookie["httpOnly"], cookie["sameSite"], cookie["path"]) == (True, "Lax", "/web")
        shoot(page, "overview")

        # The keyboard reaches everything, and focus can always be seen.
        reached = []
        for _ in range(5):  # the skip link, the two in the header, the two channel links
            page.keyboard.press("Tab")
            ring = focus_ring(page)
            assert ring["visible"] and ring["outline"] != "none" and ring["width"] >= 2, ring
            reached.append(ring["text"])
        assert reached == [
            "Skip to the content",
            "Your channels",
            "Sign out",
            "Summaries of #design",
            "Settings of #design",
        ]

        page.get_by_role("link", name="Summaries of #design").click()
        assert page.inner_text("h1") == "Summaries of #design"
        headings = page.locator("article h2").all_inner_texts()
        assert headings == [
            "Check-in summary for #design, 2026-W46",
            "Check-in summary for #design, 2026-W45",
        ]
        chart = page.locator("figure img")
        assert chart.get_attribute("alt") == "Recent check-ins"
        page.wait_for_function("() => document.querySelector('figure img').complete")
        assert page.evaluate("() => document.querySelector('figure img').naturalWidth") == 700
        shoot(page, "summaries")

        page.go_back()
        page.get_by_role("link", name="Settings of #design").click()
        assert page.inner_text("h1") == "Settings of #design"
        assert page.get_by_role("rowheader", name=re.compile("Smallest group")).count() == 1
        shoot(page, "settings")

        page.get_by_role("button", name="Sign out").click()
        page.wait_for_url(f"{server.base}/web/signed-out")
        assert "You're signed out." in page.inner_text("main")
        shoot(page, "signed-out")
        assert context.cookies() == []
        again = page.goto(f"{server.base}/web/")
        assert again is not None and again.status == 401

        replayed = page.goto(link)
        assert replayed is not None and replayed.status == 410
        assert "This link has already been used." in page.inner_text("main")
        assert errors == []
    finally:
        context.close()


@pytest.mark.parametrize(("person", "locale"), [("maya", "en"), ("jonas", "de")])
def test_every_page_fits_a_phone(server: Server, browser: Any, person: str, locale: str):
    link = server.ask_for_link(person)
    context = browser.new_context(viewport=PHONE, locale=locale, is_mobile=True, has_touch=True)
    page = context.new_page()
    errors = watch_console(page)
    pages: list[tuple[str, Callable[[], object]]] = [
        ("overview", lambda: page.goto(link)),
        ("summaries", lambda: page.goto(f"{server.base}/web/channels/console:design")),
        ("settings", lambda: page.goto(f"{server.base}/web/admin/console:design")),
        ("not-found", lambda: page.goto(f"{server.base}/web/channels/console:nowhere")),
        ("sign-in-used", lambda: page.goto(link)),
    ]
    try:
        for name, open_page in pages:
            open_page()
            assert page.get_attribute("html", "lang") == locale
            no_horizontal_overflow(page)
            shoot(page, f"phone-{locale}-{name}")
        assert errors == []
    finally:
        context.close()
