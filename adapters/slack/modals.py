"""Ripple's Slack modals (the note and the channel setup) and reading their submissions."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from adapters.slack.actions import ACTION_VIEW, NOTE_VIEW, SETUP_VIEW
from adapters.slack.ids import parse_ref, ripple_id
from adapters.slack.kit import (
    LABEL_LIMIT,
    OPTION_TEXT_LIMIT,
    OPTIONS_LIMIT,
    PLACEHOLDER_LIMIT,
    VIEW_BLOCK_LIMIT,
    VIEW_TITLE_LIMIT,
    Block,
    fit,
    header,
    plain,
    sections,
)
from bot.conversation import NOTE_LIMIT
from bot.loop import ActionForm
from bot.ports import PromptCatalog
from bot.setup_form import FormField, SetupForm

NOTE_BLOCK: Final = "note"


@dataclass(frozen=True, kw_only=True)
class NoteInput:
    round_id: str
    share: bool
    text: str


@dataclass(frozen=True, kw_only=True)
class SetupInput:
    """A submitted setup modal: the channel and each field's answer by field name."""

    channel_id: str
    values: dict[str, str | list[str]]
    locale: str  # the language the modal was shown in


def note_modal(
    *,
    round_id: str,
    share: bool,
    privacy: str,
    catalog: PromptCatalog,
    locale: str,
) -> dict[str, Any]:
    """The modal for writing a note, with the core's words on who will see it."""

    def say(key: str, **params: object) -> str:
        return catalog.message(key, locale=locale, **params)

    title = say("slack.note_title_shared" if share else "slack.note_title_private")
    blocks = [
        *sections(say("note.ask")),
        *sections(privacy),
        {
            "type": "input",
            "block_id": NOTE_BLOCK,
            "label": plain(say("slack.note_label"), limit=LABEL_LIMIT),
            "element": {
                "type": "plain_text_input",
                "action_id": NOTE_BLOCK,
                "multiline": True,
                "max_length": NOTE_LIMIT,
            },
        },
    ]
    metadata = {"round_id": round_id, "share": share}
    return _modal(
        callback_id=NOTE_VIEW,
        title=title,
        submit=say("slack.save"),
        close=say("slack.cancel"),
        metadata=metadata,
        blocks=blocks,
    )


def read_note(view: Mapping[str, Any]) -> NoteInput:
    """The note in a submitted note modal; ValueError if the view isn't one."""
    metadata = _metadata(view, callback_id=NOTE_VIEW)
    round_id, share = metadata.get("round_id"), metadata.get("share")
    if not isinstance(round_id, str) or not round_id or not isinstance(share, bool):
        raise ValueError("the note modal's metadata needs a round id and a share flag")
    state = _state(view).get(NOTE_BLOCK, {}).get(NOTE_BLOCK)
    if not isinstance(state, Mapping):
        raise ValueError("the note modal was submitted without its note field")
    return NoteInput(round_id=round_id, share=share, text=_text(state.get("value"), NOTE_BLOCK))


def setup_modal(
    form: SetupForm, *, channel_id: str, catalog: PromptCatalog, locale: str
) -> dict[str, Any]:
    """The channel settings modal: one input per form field, named by the field."""
    blocks: list[Block] = [header(form.title), *(_input(f, catalog, locale) for f in form.fields)]
    return _modal(
        callback_id=SETUP_VIEW,
        title=catalog.message("slack.setup_title", locale=locale),
        submit=form.submit_label,
        close=catalog.message("slack.cancel", locale=locale),
        metadata={"channel_id": channel_id, "locale": locale},
        blocks=fit(
            blocks,
            limit=VIEW_BLOCK_LIMIT,
            note=catalog.message("slack.truncated", locale=locale),
        ),
    )


def read_setup(view: Mapping[str, Any], *, team_id: str) -> SetupInput:
    """The answers in a submitted setup modal, by field name; ValueError if it isn't one.

    People come back as Ripple person ids in ``team_id``'s workspace.
    """
    metadata = _metadata(view, callback_id=SETUP_VIEW)
    channel_id, locale = metadata.get("channel_id"), metadata.get("locale", "en")
    if not isinstance(channel_id, str) or not channel_id:
        raise ValueError("the setup modal's metadata names no channel")
    if not isinstance(locale, str):
        raise ValueError("the setup modal's metadata names no language")
    values: dict[str, str | list[str]] = {}
    for name, actions in _state(view).items():
        element = actions.get(name)
        if not isinstance(element, Mapping):
            raise ValueError(f"the setup modal's field {name!r} has no answer")
        values[name] = _answer(name, element, team_id=team_id)
    return SetupInput(channel_id=channel_id, values=values, locale=locale)


@dataclass(frozen=True, kw_only=True)
class ActionInput:
    """A submitted "what will the team do" modal, as typed and picked."""

    round_id: str
    rule: str | None
    locale: str
    choice: str | None
    text: str


def action_modal(form: ActionForm, *, rule: str | None, locale: str, close: str) -> dict[str, Any]:
    """The modal where a manager records what the team will do about one week."""
    options = [
        {"text": plain(c.label, limit=OPTION_TEXT_LIMIT), "value": c.value} for c in form.choices
    ]
    blocks = [
        *sections(form.intro),
        {
            "type": "input",
            "block_id": "choice",
            "optional": True,
            "label": plain(form.choice_label, limit=LABEL_LIMIT),
            "element": {"type": "radio_buttons", "action_id": "choice", "options": options},
        },
        {
            "type": "input",
            "block_id": "text",
            "optional": True,
            "label": plain(form.text_label, limit=LABEL_LIMIT),
            "hint": plain(form.text_hint, limit=LABEL_LIMIT),
            "element": {
                "type": "plain_text_input",
                "action_id": "text",
                "multiline": True,
                "max_length": form.text_limit,
            },
        },
    ]
    return _modal(
        callback_id=ACTION_VIEW,
        title=form.title,
        submit=form.submit,
        close=close,
        metadata={"round_id": form.round_id, "rule": rule, "locale": locale},
        blocks=blocks,
    )


def read_action_modal(view: Mapping[str, Any]) -> ActionInput:
    """The answers in a submitted action modal; ValueError if it isn't one of Ripple's."""
    metadata = _metadata(view, callback_id=ACTION_VIEW)
    round_id, rule, locale = metadata.get("round_id"), metadata.get("rule"), metadata.get("locale")
    if not isinstance(round_id, str) or not round_id or not isinstance(locale, str):
        raise ValueError("the action modal's metadata names no round or language")
    if rule is not None and not isinstance(rule, str):
        raise ValueError("the action modal's metadata has a malformed rule")
    state = _state(view)
    picked = (state.get("choice") or {}).get("choice")
    option = picked.get("selected_option") if isinstance(picked, Mapping) else None
    choice = option.get("value") if isinstance(option, Mapping) else None
    if choice is not None and not isinstance(choice, str):
        raise ValueError("the action modal's choice is not text")
    typed = (state.get("text") or {}).get("text")
    text = _text(typed.get("value") if isinstance(typed, Mapping) else None, "text")
    return ActionInput(round_id=round_id, rule=rule, locale=locale, choice=choice, text=text)


def errors_response(*, field: str, message: str) -> dict[str, Any]:
    """The reply to a view_submission that keeps the modal open and marks ``field``."""
    return {"response_action": "errors", "errors": {field: message}}


def slack_user_ids(person_ids: tuple[str, ...] | str) -> list[str]:
    """The Slack user ids among Ripple person ids (``slack:<team>:<user>``), in order."""
    users: list[str] = []
    for person in (person_ids,) if isinstance(person_ids, str) else person_ids:
        try:
            users.append(parse_ref(person).local_id)
        except ValueError:
            continue  # someone on another platform: Slack can't show them
    return users


def _modal(
    *,
    callback_id: str,
    title: str,
    submit: str,
    close: str,
    metadata: Mapping[str, object],
    blocks: list[Block],
) -> dict[str, Any]:
    return {
        "type": "modal",
        "callback_id": callback_id,
        "title": plain(title, limit=VIEW_TITLE_LIMIT),
        "submit": plain(submit, limit=VIEW_TITLE_LIMIT),
        "close": plain(close, limit=VIEW_TITLE_LIMIT),
        "private_metadata": json.dumps(metadata, separators=(",", ":")),
        "blocks": blocks,
    }


def _input(field: FormField, catalog: PromptCatalog, locale: str) -> Block:
    block: Block = {
        "type": "input",
        "block_id": field.name,
        "optional": not field.required,
        "label": plain(field.label, limit=LABEL_LIMIT),
        "element": _element(field, catalog, locale),
    }
    if field.hint:
        block["hint"] = plain(field.hint, limit=LABEL_LIMIT)
    return block


def _element(field: FormField, catalog: PromptCatalog, locale: str) -> Block:
    value = field.value if isinstance(field.value, str) else ""
    initial: Block = {}
    if field.kind == "choice":
        if len(field.choices) > OPTIONS_LIMIT:
            raise ValueError(f"{field.name!r} has more than {OPTIONS_LIMIT} choices for Slack")
        options = [
            {"text": plain(c.label, limit=OPTION_TEXT_LIMIT), "value": c.value}
            for c in field.choices
        ]
        chosen = [option for option in options if option["value"] == value]
        initial = {"initial_option": chosen[0]} if chosen else {}
        return {
            "type": "static_select",
            "action_id": field.name,
            "placeholder": _placeholder("slack.choose_option", catalog, locale),
            "options": options,
            **initial,
        }
    if field.kind == "people":
        users = slack_user_ids(field.value)
        return {
            "type": "multi_users_select",
            "action_id": field.name,
            "placeholder": _placeholder("slack.choose_people", catalog, locale),
            **({"initial_users": users} if users else {}),
        }
    if field.kind == "number":
        kind, extra, initial = (
            "number_input",
            {"is_decimal_allowed": False},
            {"initial_value": value},
        )
    elif field.kind == "time":
        kind, extra, initial = "timepicker", {}, {"initial_time": value}
    elif field.kind in ("text", "long_text"):
        multiline = {"multiline": field.kind == "long_text"}
        kind, extra, initial = "plain_text_input", multiline, {"initial_value": value}
    else:
        raise ValueError(f"{field.name!r} has a kind Slack can't show: {field.kind!r}")
    return {"type": kind, "action_id": field.name, **extra, **(initial if value else {})}


def _placeholder(key: str, catalog: PromptCatalog, locale: str) -> Block:
    return plain(catalog.message(key, locale=locale), limit=PLACEHOLDER_LIMIT)


def _answer(name: str, element: Mapping[str, Any], *, team_id: str) -> str | list[str]:
    kind = element.get("type")
    if kind == "static_select":
        option = element.get("selected_option")
        if option is None:
            return ""
        if not isinstance(option, Mapping):
            raise ValueError(f"the setup modal's field {name!r} has a malformed selection")
        return _text(option.get("value"), name)
    if kind in ("number_input", "plain_text_input"):
        return _text(element.get("value"), name)
    if kind == "timepicker":
        return _text(element.get("selected_time"), name)
    if kind == "multi_users_select":
        users = element.get("selected_users")
        if users is None:
            return []
        if not isinstance(users, list) or not all(isinstance(u, str) and u for u in users):
            raise ValueError(f"the setup modal's field {name!r} has malformed people")
        return [ripple_id(team_id=team_id, local_id=user) for user in users]
    raise ValueError(f"the setup modal's field {name!r} has an unknown element type {kind!r}")


def _metadata(view: Mapping[str, Any], *, callback_id: str) -> Mapping[str, object]:
    if not isinstance(view, Mapping) or view.get("callback_id") != callback_id:
        raise ValueError(f"not a {callback_id} view")
    raw = view.get("private_metadata")
    if not isinstance(raw, str):
        raise ValueError(f"the {callback_id} view carries no metadata")
    try:
        metadata = json.loads(raw)
    except (json.JSONDecodeError, RecursionError):
        raise ValueError(f"the {callback_id} view's metadata is not JSON") from None
    if not isinstance(metadata, dict):
        raise ValueError(f"the {callback_id} view's metadata is not a JSON object")
    return metadata


def _state(view: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    state = view.get("state")
    values = state.get("values") if isinstance(state, Mapping) else None
    if not isinstance(values, Mapping) or not all(
        isinstance(block_id, str) and isinstance(actions, Mapping)
        for block_id, actions in values.items()
    ):
        raise ValueError("the view has no readable state")
    return dict(values)


def _text(value: object, name: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ValueError(f"the field {name!r} holds {type(value).__name__}, not text")
    return value
