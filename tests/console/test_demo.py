"""`ripple demo`: a seeded month in two teams, checked for privacy and determinism.

The demo runs twice per module with the same seed: once as the real command in a
subprocess and once in-process, whose report is checked message by message.
"""

from __future__ import annotations

import asyncio
import re
import subprocess
from dataclasses import dataclass

import pytest

from adapters.console.demo import DemoReport, run_demo
from adapters.console.personas import DESIGN, RESEARCH
from bot.app.bootstrap import scratch_ripple
from bot.app.settings import Settings
from bot.outgoing import SummaryMessage
from tests.cli import COMMAND_TIMEOUT, ripple_command, ripple_env

SEED = 7
PERSONAS = DESIGN + RESEARCH
PERSONA_IDS = frozenset(f"console:{p.handle}" for p in PERSONAS)
MANAGERS = frozenset({"console:maya", "console:noor"})
NOTES = frozenset(week.note for p in PERSONAS for week in p.weeks if week.note)
NOT_ENOUGH = "Not enough responses to share this week."


@dataclass(frozen=True, kw_only=True)
class DemoRuns:
    command: subprocess.CompletedProcess[str]
    written: list[str]  # what the in-process run wrote, one call per item
    report: DemoReport


def scratch(directory):
    def open_ripple(clock, senders):
        return scratch_ripple(Settings(), clock, senders, directory=directory)

    return open_ripple


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> DemoRuns:
    cwd = tmp_path_factory.mktemp("demo")
    args = ripple_command("demo", "--seed", str(SEED))
    with subprocess.Popen(
        args, cwd=cwd, env=ripple_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    ) as process:
        try:
            # The in-process run overlaps the subprocess, to keep the module quick.
            written: list[str] = []
            report = asyncio.run(
                run_demo(write=written.append, open_ripple=scratch(cwd), seed=SEED)
            )
            stdout, stderr = process.communicate(timeout=COMMAND_TIMEOUT)
        except BaseException:
            process.kill()
            raise
    command = subprocess.CompletedProcess(args, process.returncode, stdout, stderr)
    return DemoRuns(command=command, written=written, report=report)


def sections(output: str) -> dict[str, str]:
    """The demo's ``== Heading ==`` sections by heading."""
    parts = re.split(r"^== (.+) ==$", output, flags=re.MULTILINE)
    return dict(zip(parts[1::2], parts[2::2], strict=True))


def blocks(section: str) -> list[tuple[str, str]]:
    """The ``-- header --`` blocks of a section, as (header, body)."""
    parts = re.split(r"^-- (.+) --$", section, flags=re.MULTILINE)
    return [
        (header, body.strip("\n")) for header, body in zip(parts[1::2], parts[2::2], strict=True)
    ]


def nudge_entries(section: str) -> list[tuple[str, str, str]]:
    """The nudges section's entries, as (label, "to Name" or "privately, to Name", body);
    a nudge raised again has an empty body."""
    entries = []
    for _, body in blocks(section):
        parts = re.split(
            r"^(.+?), ((?:privately, )?to [A-Z][a-z]+):(?: raised again\.)?$", body, flags=re.M
        )
        for label, who, text in zip(parts[1::3], parts[2::3], parts[3::3], strict=True):
            entries.append((label, who, text.strip("\n")))
    return entries


@pytest.fixture(scope="module")
def output(demo: DemoRuns) -> dict[str, str]:
    assert demo.command.returncode == 0, demo.command.stderr
    return sections(demo.command.stdout)


def test_the_demo_command_succeeds_and_reports_every_part(
    demo: DemoRuns, output: dict[str, str]
) -> None:
    assert demo.command.returncode == 0
    assert "Traceback" not in demo.command.stderr
    assert demo.command.stdout.startswith(
        f"Ripple demo: 4 weekly check-ins in #design (8 people) and #research (3 people), seed {SEED}."
    )
    assert list(output) == [
        "What people saw (a sample)",
        "What managers received",
        "Nudges raised",
        "Closing the loop",
        "Totals",
    ]
    assert "rounds opened: 8" in output["Totals"]


def test_a_manager_records_an_action_in_week_two_and_week_three_opens_with_it(
    output: dict[str, str],
) -> None:
    loop = output["Closing the loop"]
    assert "-- recorded by Maya, after console:design/2026-W42: Saved for #design: " in loop
    heard = loop.split("-- the next check-in opened, for ")[1]
    assert ", week 3: At the last check-in, the team said " in heard
    assert "What's changing: " in heard
    assert "check-in time for #design" in heard


def test_research_is_too_small_to_summarise(output: dict[str, str]) -> None:
    research = [body for _, body in blocks(output["What managers received"]) if "#research" in body]

    assert len(research) == 4, "one digest a week"
    for body in research:
        title, *rest = body.splitlines()
        assert title.startswith("Check-in summary for #research, 2026-W")
        assert [line.strip() for line in rest] == [NOT_ENOUGH]


def test_design_digests_share_aggregates(output: dict[str, str]) -> None:
    design = [body for _, body in blocks(output["What managers received"]) if "#design" in body]

    assert len(design) == 4
    assert all("How the week felt" in body and NOT_ENOUGH not in body for body in design)


def test_no_private_note_reaches_a_manager(output: dict[str, str]) -> None:
    assert "I'm not sleeping well." in NOTES  # Raj's private note in week 4
    assert "Two launches in one week is a lot." in NOTES  # shared, but below the threshold
    for section in ("What managers received", "Nudges raised"):
        for note in NOTES:
            assert note not in output[section], f"{note!r} leaked into {section}"


def test_no_persona_is_named_in_a_digest_or_team_nudge(output: dict[str, str]) -> None:
    team_nudges = [
        (who, body)
        for _, who, body in nudge_entries(output["Nudges raised"])
        if not who.startswith("privately")
    ]
    digests = blocks(output["What managers received"])
    assert team_nudges and digests
    names = re.compile(
        r"\b(" + "|".join(re.escape(p.name) for p in PERSONAS) + r")\b", re.IGNORECASE
    )
    for header, body in digests + team_nudges:
        assert header in ("to Maya", "to Noor")
        assert not names.search(body), f"a persona is named in {header!r}:\n{body}"


def test_personal_nudges_are_addressed_only_to_the_person(output: dict[str, str]) -> None:
    personal = [
        (label, who)
        for label, who, _ in nudge_entries(output["Nudges raised"])
        if "privately" in who
    ]

    assert personal
    names = {p.name for p in PERSONAS}
    for label, who in personal:
        assert label == "Your own heavy weeks"
        assert who.removeprefix("privately, to ") in names


def test_nudges_are_grouped_by_week_with_labels_and_each_told_in_full_once(
    output: dict[str, str],
) -> None:
    section = output["Nudges raised"]
    assert [header for header, _ in blocks(section)] == ["week 2", "week 3", "week 4"]
    for rule in ("high_load", "rest_deficit", "covering_concentrated", "falling_energy"):
        assert rule not in section  # no internal ids
    told: set[tuple[str, str]] = set()
    for label, who, body in nudge_entries(section):
        if body:
            assert (label, who) not in told, f"{label}, {who} told in full twice"
            told.add((label, who))
        else:
            assert (label, who) in told, f"{label}, {who} raised again before being told"


def test_the_same_seed_gives_the_same_output(demo: DemoRuns) -> None:
    in_process = "".join(f"{text}\n" for text in demo.written)  # as print() writes it

    assert demo.command.stdout == in_process


def test_the_report_has_eight_rounds_and_digests_only_for_managers(demo: DemoRuns) -> None:
    report = demo.report

    assert report.rounds == 8
    assert len(report.digests) == 8
    assert {d.recipient for d in report.digests} == MANAGERS
    for digest in report.digests:
        channel = digest.idempotency_key.removeprefix("digest:").split("/")[0]
        manager = {"console:design": "console:maya", "console:research": "console:noor"}[channel]
        assert digest.recipient == manager


def test_every_research_summary_is_suppressed_and_empty(demo: DemoRuns) -> None:
    research = [
        d for d in demo.report.digests if d.idempotency_key.startswith("digest:console:research/")
    ]

    assert len(research) == 4
    for digest in research:
        assert isinstance(digest, SummaryMessage)
        assert digest.suppressed
        assert digest.sections == ()
        assert digest.text == NOT_ENOUGH


def test_nudges_go_to_managers_or_privately_to_their_subject(demo: DemoRuns) -> None:
    nudges = demo.report.nudges

    assert any(n.personal for n in nudges) and any(not n.personal for n in nudges)
    for nudge in nudges:
        if nudge.personal:
            assert nudge.recipient in PERSONA_IDS
            assert nudge.idempotency_key.endswith(f":personal:{nudge.recipient}")
        else:
            assert nudge.recipient in MANAGERS
        for note in NOTES:
            assert note not in f"{nudge.text}\n{nudge.action}"


def test_sample_conversations_show_both_sides(demo: DemoRuns) -> None:
    samples = demo.report.samples

    assert set(samples) == {("sam", 0), ("lee", 0), ("kim", 1)}
    kim = "\n".join(samples[("kim", 1)])
    assert "Kim: [I'd rather rest this week]" in kim
    lee = "\n".join(samples[("lee", 0)])
    assert "Lee: [Later]" in lee


def test_each_sample_reads_what_the_manager_will_see_once(output: dict[str, str]) -> None:
    samples = blocks(output["What people saw (a sample)"])
    previews = [body.count("What your manager will see") for _, body in samples]
    assert previews and all(count <= 1 for count in previews)
    assert sum(previews) >= 2  # the people who answered read it, once each
