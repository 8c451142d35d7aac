"""The channel settings form as an Adaptive Card, and its submitted values read back."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from adapters.teams.cards import Card, adaptive_card, execute, text_block
from adapters.teams.ids import local_part, tenant_prefix
from bot.setup_form import PEOPLE_FIELDS, FormField, FormValue, SetupForm

SETUP = "setup"
INPUT_PREFIX = "setup_"
# Teams' people picker searches the organisation's directory and answers with object ids.
PEOPLE_SEARCH = {"type": "Data.Query", "dataset": "graph.microsoft.com/users"}


def setup_card(
    form: SetupForm,
    *,
    channel_id: str,
    tenant_id: str,
    names: Mapping[str, str],
    notice: str | None = None,
    notice_is_problem: bool = False,
) -> Card:
    """The form for ``channel_id``; ``names`` are display names for people already chosen."""
    body: list[Card] = [text_block(form.title, size="Medium", weight="Bolder")]
    if notice:
        body.append(text_block(notice, color="Attention" if notice_is_problem else "Good"))
    for field in form.fields:
        body.append(_input(field, tenant_id=tenant_id, names=names))
        if field.hint:
            body.append(text_block(field.hint, isSubtle=True, size="Small", spacing="None"))
    submit = execute(form.submit_label, {"ripple": SETUP, "channel": channel_id}, style="positive")
    return adaptive_card(body, [submit], fallback=form.title)


def _input(field: FormField, *, tenant_id: str, names: Mapping[str, str]) -> Card:
    common: Card = {
        "id": INPUT_PREFIX + field.name,
        "label": field.label,
        "isRequired": field.required,
    }
    value = field.value
    if field.kind == "choice":
        choices = [{"title": c.label, "value": c.value} for c in field.choices]
        return {
            **common,
            "type": "Input.ChoiceSet",
            "style": "compact",
            "value": value,
            "choices": choices,
        }
    if field.kind == "number":
        number = int(value) if isinstance(value, str) and value.isdigit() else None
        return {**common, "type": "Input.Number", "value": number}
    if field.kind == "time":
        return {**common, "type": "Input.Time", "value": value}
    if field.kind == "people":
        chosen = tuple(value) if not isinstance(value, str) else ()
        return {
            **common,
            "type": "Input.ChoiceSet",
            "isMultiSelect": True,
            "style": "filtered",
            "value": ",".join(local_part(p, tenant_id=tenant_id) for p in chosen),
            "choices": [
                {
                    "title": names.get(p) or local_part(p, tenant_id=tenant_id),
                    "value": local_part(p, tenant_id=tenant_id),
                }
                for p in chosen
            ],
            "choices.data": PEOPLE_SEARCH,
        }
    return {
        **common,
        "type": "Input.Text",
        "value": value,
        "isMultiline": field.kind == "long_text",
    }


def setup_values(data: Mapping[str, Any], *, tenant_id: str) -> dict[str, FormValue]:
    """The card's answers by field name; people come back as Ripple person ids.

    Names the form doesn't have are passed on too: the core reads only its own fields.
    """
    values: dict[str, FormValue] = {}
    for key, raw in data.items():
        if not key.startswith(INPUT_PREFIX) or raw is None:
            continue
        name = key.removeprefix(INPUT_PREFIX)
        values[name] = _people(raw, tenant_id=tenant_id) if name in PEOPLE_FIELDS else str(raw)
    return values


def _people(raw: object, *, tenant_id: str) -> Sequence[str]:
    items = raw.split(",") if isinstance(raw, str) else list(raw) if isinstance(raw, list) else []
    return [
        item if item.startswith(tenant_prefix(tenant_id)) else tenant_prefix(tenant_id) + item
        for item in (str(i).strip() for i in items)
        if item
    ]
