"""The shapes of the Slack payloads Ripple reads, checked before Bolt or a listener reads them.

Only the fields that Bolt (to build its context and match listeners) or Ripple's
listeners read are described; everything else Slack sends passes through unchecked.
A signed body that breaks these shapes did not come from Slack as documented, and is
refused whole rather than half-read.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, StringConstraints, ValidationError

from adapters.refusal import invalid_where

Text = str | None
# Slack's team, user, channel and enterprise ids (T0123ABCD, U…, C…, D…, E…). Ripple keys
# what it stores by them and puts them in URLs of Web API calls, so nothing else passes.
SlackId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{1,64}$")]
Id = SlackId | None


class _Shape(BaseModel):
    model_config = ConfigDict(extra="allow", strict=True)


class _Named(_Shape):
    """A team, user, channel or enterprise as interactivity payloads carry it."""

    id: SlackId
    team_id: Id = None


class _Authorization(_Shape):
    enterprise_id: Id = None
    team_id: Id = None
    user_id: Id = None


class _ResponseUrl(_Shape):
    response_url: Text = None


class _Inner(_Shape):
    """A message or item nested in an event, read for its user, channel and thread."""

    user: _Named | SlackId | None = None
    channel: _Named | SlackId | None = None
    user_id: Id = None
    channel_id: Id = None
    thread_ts: Text = None
    subtype: Text = None


class _Place(_Shape):
    """Where an event or a tap happened: fields Bolt reads into its context."""

    team: _Named | SlackId | None = None
    user: _Named | SlackId | None = None
    channel: _Named | SlackId | None = None
    enterprise: _Named | SlackId | None = None
    team_id: Id = None
    user_id: Id = None
    channel_id: Id = None
    enterprise_id: Id = None
    user_team: Id = None
    thread_ts: Text = None
    function_execution_id: Text = None
    message: _Inner | None = None
    previous_message: _Inner | None = None
    item: _Inner | None = None
    assistant_thread: _Inner | None = None


class _Event(_Place):
    type: str
    subtype: Text = None
    bot_id: Text = None
    channel_type: Text = None
    text: Text = None
    tab: Text = None
    ts: Text = None
    client_msg_id: Text = None
    tokens: dict[str, Any] | None = None
    function: dict[str, Any] | None = None


class _Action(_Shape):
    action_id: str
    block_id: Text = None
    value: Text = None
    action_ts: Text = None
    selected_option: dict[str, Any] | None = None


class _View(_Shape):
    type: str
    callback_id: Text = None  # a home tab's view may carry none
    id: Id = None
    hash: Text = None
    private_metadata: Text = None
    team_id: Id = None
    app_installed_team_id: Id = None
    state: dict[str, Any] | None = None


class _Payload(_Place):
    """Every top-level field Bolt or Ripple reads, whatever kind of payload it is."""

    # Interactivity names its team, user and channel as objects; events name them inside.
    team: _Named | None = None
    user: _Named | None = None
    channel: _Named | None = None
    enterprise: _Named | None = None
    type: Text = None
    token: Text = None
    api_app_id: Text = None
    trigger_id: Text = None
    response_url: Text = None
    command: Text = None
    text: Text = None
    event_id: Text = None
    challenge: Text = None
    callback_id: Text = None
    action_id: Text = None
    authorizations: list[_Authorization] | None = None
    response_urls: list[_ResponseUrl] | None = None
    event: _Event | None = None
    actions: list[_Action] | None = None
    view: _View | None = None
    container: dict[str, Any] | None = None
    state: dict[str, Any] | None = None


# What each kind of payload must carry, beyond the shapes above.
_REQUIRED = {
    "event_callback": ("event", "team_id"),
    "block_actions": ("actions", "user"),
    "view_submission": ("view", "user"),
    "view_closed": ("view", "user"),
}


# Bolt reads these as ``body.get(key, {})`` and ``event.get(key, {})``: present, they must
# be objects, never null.
_OBJECTS_IF_PRESENT = {"": ("event", "view"), "event.": ("tokens", "function")}


def shape_problem(body: object) -> str | None:
    """What about a signed body is not shaped as Slack sends it, or None if nothing is."""
    if not isinstance(body, dict):
        return "a body that is not an object"
    try:
        payload = _Payload.model_validate(body)
    except (ValidationError, RecursionError) as exc:
        return f"a payload Slack would not send ({invalid_where(exc)})"
    for where, node in (("", body), ("event.", body.get("event"))):
        for key in _OBJECTS_IF_PRESENT[where]:
            if isinstance(node, dict) and key in node and not isinstance(node[key], dict):
                return f"a payload whose {where}{key} is not an object"
    kind = payload.type
    missing = [name for name in _REQUIRED.get(kind or "", ()) if not body.get(name)]
    if "command" in body:
        missing += [name for name in ("team_id", "user_id") if not body.get(name)]
    if missing:
        return f"a {kind or 'command'} payload without {', '.join(missing)}"
    return None
