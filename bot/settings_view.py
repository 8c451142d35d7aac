"""A channel's settings in words, for its Ripple admins to read in the web view.

The rows are the settings form's own fields, labels and choices (``bot.setup_form``), so
the page and the form chat shows never drift apart; people are named, not numbered.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from bot.context import Context
from bot.ports import UnitOfWork
from bot.setup_form import FormField, setup_form
from bot.webview import ChannelAccess, access_to, admin_channel

# The form's fields that are settings (it also has ones that ask for an action), in its order.
SETTINGS = frozenset(
    {
        "weekday",
        "time",
        "every_weeks",
        "timezone",
        "question_set",
        "locale",
        "k",
        "comment_threshold",
        "noise_budget",
        "managers",
        "admins",
        "reminders",
        "nudges",
        "quiet_dates",
        "signpost",
    }
)
# The form's hints that explain what a setting means; the others say how to fill it in.
EXPLAINED = frozenset({"time", "k", "comment_threshold", "noise_budget", "managers", "admins"})


@dataclass(frozen=True, kw_only=True)
class SettingLine:
    label: str
    values: tuple[str, ...]  # one or more lines of words
    hint: str | None = None


@dataclass(frozen=True, kw_only=True)
class SettingsPage:
    channel: ChannelAccess
    settings: tuple[SettingLine, ...]


async def settings_page(
    ctx: Context, *, person_id: str, channel_id: str, locale: str
) -> SettingsPage | None:
    """The settings of ``channel_id`` in ``locale``; None unless ``person_id`` is one of its
    Ripple admins now (and it is active)."""
    async with ctx.store.unit_of_work() as uow:
        channel = await admin_channel(uow, person_id=person_id, channel_id=channel_id)
        access = access_to(channel, person_id) if channel else None
        if channel is None or access is None:
            return None
        config = channel.config
        names = await _names(uow, config.managers | config.admins)
    form = setup_form(config, channel_name=channel.name, catalog=ctx.catalog, locale=locale)
    none = ctx.catalog.message("web.settings.none", locale=locale)
    return SettingsPage(
        channel=access,
        settings=tuple(
            _line(field, names=names, none=none) for field in form.fields if field.name in SETTINGS
        ),
    )


async def _names(uow: UnitOfWork, person_ids: Iterable[str]) -> dict[str, str]:
    """Display names by person id; someone Ripple knows no name for keeps their id."""
    names = {}
    for person_id in person_ids:
        person = await uow.people.get(person_id)
        names[person_id] = (person.display_name if person else "") or person_id
    return names


def _line(field: FormField, *, names: Mapping[str, str], none: str) -> SettingLine:
    value, hint = field.value, field.hint if field.name in EXPLAINED else None
    if field.kind == "people":
        people = sorted((names.get(p, p) for p in value), key=str.lower)
        return SettingLine(label=field.label, values=tuple(people) or (none,), hint=hint)
    assert isinstance(value, str)
    if field.kind == "choice":
        chosen = [c.label for c in field.choices if c.value == value]
        shown = chosen[0] if chosen else value
        return SettingLine(label=field.label, values=(shown,), hint=hint)
    lines = tuple(line for line in value.splitlines() if line.strip())
    return SettingLine(label=field.label, values=lines or (none,), hint=hint)
