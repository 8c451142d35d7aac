"""What each page of the web view shows, to whom, in which language, with which headers."""

from __future__ import annotations

from pathlib import Path

import httpx

from bot.app.bootstrap import build_app
from bot.model import Person
from tests.web.world import (
    ADMIN,
    CHANNEL,
    CSP,
    MANAGER,
    OPS,
    OPS_MANAGER,
    SUPPRESSED,
    TEAM,
    WEEK1,
    WEEK2,
    page_text,
    web_settings,
    web_world,
)

NOT_FOUND = "There's nothing here for you."


def assert_secure_headers(response: httpx.Response) -> None:
    headers = response.headers
    assert headers["content-security-policy"] == CSP, response.url
    assert headers["referrer-policy"] == "no-referrer"
    assert headers["cache-control"] == "no-store"
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["x-frame-options"] == "DENY"


async def test_a_manager_reads_their_digests_newest_first_as_chat_sent_them(tmp_path: Path):
    async with web_world(tmp_path) as world:
        await world.team()
        await world.week(WEEK1)
        await world.week(WEEK2)
        browser = await world.signed_in(MANAGER)

        response = await browser.get(f"/web/channels/{CHANNEL}")

        assert response.status_code == 200
        text = page_text(response)
        sent = world.digests_sent(MANAGER)
        assert [d.title for d in sent] == [
            "Check-in summary for #design, 2026-W45",
            "Check-in summary for #design, 2026-W46",
        ]
        assert text.index(sent[1].title) < text.index(sent[0].title)  # newest first
        for digest in sent:
            for section in digest.sections:
                assert section.heading in text
                for line in section.lines:
                    assert line in text
        for person in TEAM:  # nobody who answered is named
            assert person not in response.text


async def test_another_channel_is_not_found_exactly_like_one_that_does_not_exist(
    tmp_path: Path,
):
    async with web_world(tmp_path) as world:
        await world.team()
        await world.ops()
        await world.week(WEEK1)
        await world.week(WEEK1, people=())  # nothing more; #ops's week closed too
        browser = await world.signed_in(MANAGER)

        theirs = await browser.get(f"/web/channels/{OPS}")
        nowhere = await browser.get("/web/channels/console:nowhere")
        settings = await browser.get(f"/web/admin/{OPS}")

        assert [r.status_code for r in (theirs, nowhere, settings)] == [404, 404, 404]
        assert theirs.text == nowhere.text == settings.text
        assert NOT_FOUND in page_text(theirs)
        assert "#ops" not in theirs.text
        overview = await browser.get("/web/")
        assert "#ops" not in overview.text


async def test_an_admin_reads_settings_but_not_the_summaries_of_a_channel_they_administer(
    tmp_path: Path,
):
    async with web_world(tmp_path) as world:
        await world.team()
        await world.week(WEEK1)
        await world.ask(MANAGER, name="Maya")  # Ripple learns the manager's name
        browser = await world.signed_in(ADMIN, name="Ada")

        overview = await browser.get("/web/")
        settings = await browser.get(f"/web/admin/{CHANNEL}")
        summaries = await browser.get(f"/web/channels/{CHANNEL}")

        assert "Settings of #design" in overview.text
        assert "Summaries of #design" not in overview.text
        assert summaries.status_code == 404
        assert settings.status_code == 200
        text = page_text(settings)
        for words in (
            "Day of the check-in Monday",
            "Time of the check-in",
            "09:30",
            "How often Every week",
            "Channel time zone UTC",
            "Language English",
            "Smallest group that gets a summary (k)",
            "Shared notes appear from",
            "Reminders One reminder",
            "Rest nudges for managers On",
            "Quiet dates None",
            "Where to find real help None",
        ):
            assert words in " ".join(text.split()), words
        # People are named; an id shows only where Ripple knows no name.
        assert "Maya" in text and "Ada" in text
        assert MANAGER not in text and ADMIN not in text
        assert settings.text.count('<th scope="row">') == 15  # every setting, and only settings
        assert settings.text.count('<th scope="col">') == 2
        # The manager may not read the settings page.
        manager = await world.signed_in(MANAGER)
        assert (await manager.get(f"/web/admin/{CHANNEL}")).status_code == 404


async def test_a_week_below_k_shows_only_the_suppression_sentence(tmp_path: Path):
    async with web_world(tmp_path) as world:
        await world.team(people=TEAM[:3])
        await world.week(WEEK1, people=TEAM[:3])
        browser = await world.signed_in(MANAGER)

        response = await browser.get(f"/web/channels/{CHANNEL}")

        text = page_text(response)
        assert SUPPRESSED in text
        article = response.text.split('<article class="digest"', 1)[1].split("</article>", 1)[0]
        assert "<h3>" not in article and "<img" not in article
        for hidden in ("Workload", "Checked in", "Chose rest", "3", "three"):
            assert hidden not in page_text(httpx.Response(200, text=article)), hidden


async def test_the_trend_chart_is_a_picture_with_its_words(tmp_path: Path):
    async with web_world(tmp_path) as world:
        await world.team()
        await world.week(WEEK1)
        await world.week(WEEK2)
        browser = await world.signed_in(MANAGER)

        response = await browser.get(f"/web/channels/{CHANNEL}")
        chart = await browser.get(f"/web/channels/{CHANNEL}/chart.png")

        newest = world.digests_sent(MANAGER)[-1]
        assert newest.chart is not None
        assert f'<img src="/web/channels/{CHANNEL}/chart.png" alt="{newest.chart.title}">' in (
            response.text
        )
        assert newest.chart.alt_text in page_text(response)
        assert chart.status_code == 200
        assert chart.headers["content-type"] == "image/png"
        assert chart.content.startswith(b"\x89PNG\r\n\x1a\n")
        assert_secure_headers(chart)
        admin = await world.signed_in(ADMIN)
        assert (await admin.get(f"/web/channels/{CHANNEL}/chart.png")).status_code == 404


async def test_pages_speak_the_persons_language(tmp_path: Path):
    async with web_world(tmp_path) as world:
        await world.team()
        await world.set_person(Person(person_id=MANAGER, display_name="Maya", locale="de"))
        browser = await world.signed_in(MANAGER)

        response = await browser.get("/web/")

        assert '<html lang="de">' in response.text
        assert "Deine Kanäle" in response.text
        assert "Zusammenfassungen von #design" in response.text
        assert "Angemeldet als Maya." in response.text


async def test_someone_without_a_role_is_told_so_and_a_former_manager_sees_nothing(
    tmp_path: Path,
):
    async with web_world(tmp_path) as world:
        await world.team()
        await world.week(WEEK1)
        browser = await world.signed_in(MANAGER)
        await world.ripple.register_channel(
            channel_id=CHANNEL,
            name="#design",
            config=world.ripple.channel_defaults,  # Maya is no manager any more
        )

        overview = await browser.get("/web/")
        summaries = await browser.get(f"/web/channels/{CHANNEL}")

        assert overview.status_code == 200
        assert "You don't manage or administer any Ripple channel" in page_text(overview)
        assert summaries.status_code == 404


async def test_every_response_of_the_web_view_carries_the_security_headers(tmp_path: Path):
    async with web_world(tmp_path) as world:
        await world.team()
        await world.week(WEEK1)
        link = await world.link(MANAGER)
        anonymous = world.browser()
        browser = world.browser()
        responses = [
            await browser.get(link),
            await browser.get("/web/"),
            await browser.get(f"/web/channels/{CHANNEL}"),
            await browser.get("/web/channels/console:nowhere"),
            await browser.get("/web/static/ripple.css"),
            await browser.get("/web/anything/else"),
            await anonymous.get(link),
            await anonymous.get("/web/"),
        ]
        assert [r.status_code for r in responses] == [303, 200, 200, 404, 200, 404, 410, 401]
        for response in responses:
            assert_secure_headers(response)
        assert responses[4].headers["content-type"].startswith("text/css")


async def test_the_pages_are_semantic_and_ready_for_a_phone(tmp_path: Path):
    async with web_world(tmp_path) as world:
        await world.team()
        await world.week(WEEK1)
        browser = await world.signed_in(MANAGER)

        page = (await browser.get(f"/web/channels/{CHANNEL}")).text

        assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in page
        for landmark in ("<header", "<nav", '<main id="main"', "<footer", '<a class="skip"'):
            assert landmark in page
        assert page.count("<h1>") == 1
        assert page.index("<h1>") < page.index("<h2") < page.index("<h3>")
        assert "<script" not in page and "style=" not in page
        assert '<link rel="stylesheet" href="/web/static/ripple.css">' in page


async def test_names_are_escaped_not_run(tmp_path: Path):
    async with web_world(tmp_path) as world:
        await world.team()
        await world.ripple.rename_channel(channel_id=CHANNEL, name="<script>alert(1)</script>")
        browser = await world.signed_in(MANAGER, name='"><img src=x onerror=alert(1)>')

        page = (await browser.get("/web/")).text

        assert "<script>alert(1)" not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
        assert "<img src=x" not in page


async def test_the_web_view_is_off_without_a_public_address(tmp_path: Path):
    async with web_world(tmp_path) as world:
        await world.team()
        settings = web_settings(tmp_path / "ripple.db", public_url=None, env="development")
        app = build_app(settings, ripple=world.ripple, tick=False)

        response = await world.browser(app).get("/web/")

        assert response.status_code == 404
        assert "Ripple" not in response.text  # the app's plain 404: nothing is served here


async def test_a_manager_of_two_channels_sees_both_and_each_on_its_own_page(tmp_path: Path):
    async with web_world(tmp_path) as world:
        await world.team()
        await world.ops()
        await world.week(WEEK1)
        boss = await world.signed_in(OPS_MANAGER)

        overview = await boss.get("/web/")
        ops = await boss.get(f"/web/channels/{OPS}")

        assert "Summaries of #ops" in overview.text
        assert "Summaries of #design" not in overview.text
        assert ops.status_code == 200
        assert "#design" not in ops.text
