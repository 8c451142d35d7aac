"""The Slack Web API methods the fake answers, each a function of state, team and params."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable
from typing import Any

from tests.slack.fake_slack_files import complete_upload_external, get_upload_url_external
from tests.slack.fake_slack_state import (
    APP_ID,
    DEFAULT_PAGE_SIZE,
    DEFAULT_TOKEN_LIFETIME,
    MAX_PAGE_SIZE,
    Body,
    Message,
    OAuthGrant,
    Params,
    SlackError,
    SlackState,
    Workspace,
    channel_json,
    install,
    make_bot_token,
    make_refresh_token,
    message_json,
    new_hash,
    user_json,
    view_json,
)


def decode_json(value: Any) -> Any:
    """Form-encoded calls carry blocks and views as JSON strings; JSON calls carry objects."""
    if isinstance(value, str) and value[:1] in "[{":
        return json.loads(value)
    return value


def truthy(value: Any) -> bool:
    return value in (True, 1, "1", "true", "True")


def auth_test(state: SlackState, team: Workspace, params: Params) -> Body:
    return {
        "ok": True,
        "url": f"https://{team.domain}.slack.com/",
        "team": team.team_name,
        "user": state.users[(team.team_id, team.bot_user_id)].name,
        "team_id": team.team_id,
        "user_id": team.bot_user_id,
        "bot_id": team.bot_id,
        "is_enterprise_install": False,
    }


def chat_post_message(state: SlackState, team: Workspace, params: Params) -> Body:
    channel = state.conversation(team, params.get("channel"))
    if channel.is_archived:
        raise SlackError("is_archived")
    text, blocks = params.get("text") or "", decode_json(params.get("blocks")) or []
    if not text and not blocks:
        raise SlackError("no_text")
    message = Message(
        team.team_id,
        channel.id,
        state.next_ts(),
        text,
        blocks,
        im_user=channel.im_user,
        thread_ts=params.get("thread_ts"),
        metadata=decode_json(params.get("metadata")),
    )
    state.messages.append(message)
    return {
        "ok": True,
        "channel": channel.id,
        "ts": message.ts,
        "message": message_json(team, message),
    }


def chat_update(state: SlackState, team: Workspace, params: Params) -> Body:
    channel = state.channel(team, params.get("channel"))
    found = [m for m in state.messages if m.channel == channel.id and m.ts == params.get("ts")]
    if not found:
        raise SlackError("message_not_found")
    message = found[0]
    if not message.editable:
        raise SlackError("cant_update_message")
    if "text" in params:
        message.text = params["text"] or ""
    if "blocks" in params:  # Slack keeps the old blocks when none are sent
        message.blocks = decode_json(params["blocks"]) or []
    message.updated += 1
    return {
        "ok": True,
        "channel": channel.id,
        "ts": message.ts,
        "text": message.text,
        "message": message_json(team, message),
    }


def chat_post_ephemeral(state: SlackState, team: Workspace, params: Params) -> Body:
    channel = state.conversation(team, params.get("channel"))
    user = state.user(team, params.get("user"))
    if user.id not in channel.members:
        raise SlackError("user_not_in_channel")
    text, blocks = params.get("text") or "", decode_json(params.get("blocks")) or []
    ephemeral = Message(team.team_id, channel.id, state.next_ts(), text, blocks)
    ephemeral.ephemeral_user = user.id
    state.ephemerals.append(ephemeral)
    return {"ok": True, "message_ts": ephemeral.ts}


def conversations_open(state: SlackState, team: Workspace, params: Params) -> Body:
    if params.get("channel"):
        return {"ok": True, "channel": {"id": state.channel(team, params["channel"]).id}}
    users = params.get("users") or ""
    user_ids = users if isinstance(users, list) else [u for u in users.split(",") if u]
    if not user_ids:
        raise SlackError("users_list_not_supplied")
    if len(user_ids) > 1:
        raise SlackError("fake_slack_supports_one_user_only")
    channel, already_open = state.open_im(team, state.user(team, user_ids[0]).id)
    shape = channel_json(channel, include_num_members=False)
    body = shape if truthy(params.get("return_im")) else {"id": channel.id}
    return {"ok": True, "no_op": already_open, "already_open": already_open, "channel": body}


def _cursor(user_id: str) -> str:
    return base64.b64encode(f"user:{user_id}".encode()).decode()


def _cursor_start(members: list[str], cursor: str | None) -> int:
    if not cursor:
        return 0
    try:
        kind, _, user_id = base64.b64decode(cursor, validate=True).decode().partition(":")
        if kind == "user" and user_id in members:
            return members.index(user_id)
    except (binascii.Error, UnicodeDecodeError):
        pass
    raise SlackError("invalid_cursor")


def conversations_members(state: SlackState, team: Workspace, params: Params) -> Body:
    members = state.channel(team, params.get("channel")).members
    limit = min(max(int(params.get("limit") or DEFAULT_PAGE_SIZE), 1), MAX_PAGE_SIZE)
    start = _cursor_start(members, params.get("cursor"))
    following = members[start + limit : start + limit + 1]
    next_cursor = _cursor(following[0]) if following else ""
    page = members[start : start + limit]
    return {"ok": True, "members": page, "response_metadata": {"next_cursor": next_cursor}}


def conversations_info(state: SlackState, team: Workspace, params: Params) -> Body:
    channel = state.channel(team, params.get("channel"))
    count = truthy(params.get("include_num_members"))
    return {"ok": True, "channel": channel_json(channel, include_num_members=count)}


def users_info(state: SlackState, team: Workspace, params: Params) -> Body:
    user = state.user(team, params.get("user"))
    locale = truthy(params.get("include_locale"))
    return {"ok": True, "user": user_json(user, include_locale=locale)}


def _view_payload(params: Params) -> dict[str, Any]:
    payload = decode_json(params.get("view"))
    if not isinstance(payload, dict):
        raise SlackError("invalid_arguments")
    return payload


def views_open(state: SlackState, team: Workspace, params: Params) -> Body:
    if not params.get("trigger_id"):
        raise SlackError("invalid_arguments")
    payload = _view_payload(params)
    view = state.new_view(team, payload, trigger_id=params["trigger_id"])
    return {"ok": True, "view": view_json(team, view)}


def views_update(state: SlackState, team: Workspace, params: Params) -> Body:
    payload = _view_payload(params)
    external_id = params.get("external_id")
    found = [
        v
        for v in state.views.values()
        if v.team_id == team.team_id
        and (
            v.id == params.get("view_id")
            or (external_id and v.payload.get("external_id") == external_id)
        )
    ]
    if not found:
        raise SlackError("not_found")
    view = found[0]
    if params.get("hash") and params["hash"] != view.hash:
        raise SlackError("hash_conflict")
    view.payload, view.hash = payload, new_hash()
    view.updated += 1
    return {"ok": True, "view": view_json(team, view)}


def views_publish(state: SlackState, team: Workspace, params: Params) -> Body:
    user = state.user(team, params.get("user_id"))
    payload = _view_payload(params)
    if payload.get("type") != "home":
        raise SlackError("invalid_arguments")
    homes = [v for v in state.views.values() if (v.team_id, v.user_id) == (team.team_id, user.id)]
    if homes and params.get("hash") and params["hash"] != homes[0].hash:
        raise SlackError("hash_conflict")
    if homes:
        homes[0].payload, homes[0].hash = payload, new_hash()
        homes[0].updated += 1
        view = homes[0]
    else:
        view = state.new_view(team, payload, user_id=user.id)
    return {"ok": True, "view": view_json(team, view)}


def team_info(state: SlackState, team: Workspace, params: Params) -> Body:
    return {
        "ok": True,
        "team": {
            "id": team.team_id,
            "name": team.team_name,
            "domain": team.domain,
            "email_domain": "",
            "icon": {"image_default": True},
        },
    }


def apps_uninstall(state: SlackState, team: Workspace, params: Params) -> Body:
    check_client(state, params)
    for token, team_id in list(state.tokens.items()):
        if team_id == team.team_id:
            del state.tokens[token]
            state.dead_tokens[token] = "token_revoked"
    return {"ok": True}


def check_client(state: SlackState, params: Params) -> None:
    if params.get("client_id") != state.client_id:
        raise SlackError("invalid_client_id")
    if params.get("client_secret") != state.client_secret:
        raise SlackError("bad_client_secret")


def _rotate(state: SlackState, params: Params) -> OAuthGrant:
    old = state.refresh_tokens.pop(params.get("refresh_token") or "", None)
    if old is None:
        raise SlackError("invalid_refresh_token")
    return OAuthGrant(
        old.team_id,
        old.team_name,
        make_bot_token(),
        old.bot_user_id,
        old.scope,
        old.authed_user_id,
        make_refresh_token(),
        old.expires_in or DEFAULT_TOKEN_LIFETIME,
    )


def oauth_v2_access(state: SlackState, team: Workspace | None, params: Params) -> Body:
    check_client(state, params)
    if params.get("grant_type") == "refresh_token":
        grant = _rotate(state, params)
    elif params.get("code") in state.oauth_codes:
        grant = state.oauth_codes.pop(params["code"])  # codes are single-use
    else:
        raise SlackError("invalid_code")
    install(state, grant)
    body: Body = {
        "ok": True,
        "app_id": APP_ID,
        "authed_user": {"id": grant.authed_user_id},
        "scope": grant.scope,
        "token_type": "bot",
        "access_token": grant.bot_token,
        "bot_user_id": grant.bot_user_id,
        "team": {"id": grant.team_id, "name": grant.team_name},
        "enterprise": None,
        "is_enterprise_install": False,
    }
    if grant.refresh_token:
        body["refresh_token"] = grant.refresh_token
        body["expires_in"] = grant.expires_in or DEFAULT_TOKEN_LIFETIME
    return body


Handler = Callable[[SlackState, Any, Params], Body]

METHODS: dict[str, Handler] = {
    "auth.test": auth_test,
    "chat.postMessage": chat_post_message,
    "chat.update": chat_update,
    "chat.postEphemeral": chat_post_ephemeral,
    "conversations.open": conversations_open,
    "conversations.members": conversations_members,
    "conversations.info": conversations_info,
    "users.info": users_info,
    "views.open": views_open,
    "views.update": views_update,
    "views.publish": views_publish,
    "team.info": team_info,
    "apps.uninstall": apps_uninstall,
    "oauth.v2.access": oauth_v2_access,
    "files.getUploadURLExternal": get_upload_url_external,
    "files.completeUploadExternal": complete_upload_external,
}
TOKENLESS_METHODS = frozenset({"oauth.v2.access"})
