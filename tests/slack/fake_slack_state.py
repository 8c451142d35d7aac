"""The fake Slack's in-memory workspaces, tokens and messages, and their JSON shapes."""

from __future__ import annotations

import secrets
import string
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

Params = dict[str, Any]
Body = dict[str, Any]

APP_ID = "A0RIPPLE01"
FIRST_TS_MICROS = 1_700_000_000_000_100
TS_STEP_MICROS = 100
DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 1000
DEFAULT_TOKEN_LIFETIME = 43_200


class SlackError(Exception):
    """An answer of ``{"ok": false, "error": ...}`` with one of Slack's error codes."""

    def __init__(self, error: str) -> None:
        super().__init__(error)
        self.error = error


def _alnum(length: int) -> str:
    alphabet = string.ascii_letters + string.digits
    return "".join(secrets.choice(alphabet) for _ in range(length))


def _digits(length: int) -> str:
    return str(secrets.randbelow(9 * 10 ** (length - 1)) + 10 ** (length - 1))


def make_bot_token() -> str:
    """A new bot token in Slack's shape: ``xoxb-<digits>-<digits>-<alnum24>``."""
    return f"xoxb-{_digits(11)}-{_digits(13)}-{_alnum(24)}"


def make_refresh_token() -> str:
    """A new refresh token in Slack's shape for rotating tokens."""
    return f"xoxe-1-{_alnum(40)}"


@dataclass
class Workspace:
    team_id: str
    team_name: str
    bot_token: str
    bot_user_id: str
    bot_id: str
    domain: str
    # The scopes its token carries; None: every scope the fake checks (see fake_slack_files).
    scopes: frozenset[str] | None = None


@dataclass
class User:
    team_id: str
    id: str
    name: str
    real_name: str
    display_name: str = ""
    tz: str = "Europe/Berlin"
    locale: str = "de-DE"
    is_bot: bool = False
    deleted: bool = False
    is_admin: bool = False
    is_owner: bool = False


@dataclass
class Channel:
    team_id: str
    id: str
    name: str
    members: list[str]
    is_private: bool = False
    is_archived: bool = False
    im_user: str | None = None  # set on a direct-message channel


@dataclass
class Message:
    """A message as it stands now: updates replace text and blocks and bump ``updated``."""

    team_id: str
    channel: str
    ts: str
    text: str
    blocks: list[Any]
    im_user: str | None = None
    thread_ts: str | None = None
    metadata: dict[str, Any] | None = None
    ephemeral_user: str | None = None
    updated: int = 0
    editable: bool = True  # Slack stops edits of some messages (too old, or by policy)


@dataclass
class View:
    id: str
    team_id: str
    payload: dict[str, Any]
    hash: str
    user_id: str | None = None  # set on a published Home tab
    trigger_id: str | None = None
    updated: int = 0


@dataclass
class Upload:
    """A file between files.getUploadURLExternal and files.completeUploadExternal."""

    id: str
    team_id: str
    filename: str
    length: int
    alt_txt: str | None
    data: bytes | None = None  # set once the bytes arrive at the upload URL


@dataclass
class SharedFile:
    """A file completed with files.completeUploadExternal, as shared (or kept private)."""

    id: str
    team_id: str
    channel: str | None
    title: str
    alt_txt: str | None
    filename: str
    data: bytes
    im_user: str | None = None  # set when shared into a direct message
    thread_ts: str | None = None
    initial_comment: str | None = None


@dataclass
class OAuthGrant:
    team_id: str
    team_name: str
    bot_token: str
    bot_user_id: str
    scope: str
    authed_user_id: str
    refresh_token: str | None = None
    expires_in: int | None = None


@dataclass
class SlackState:
    client_id: str
    client_secret: str
    workspaces: dict[str, Workspace] = field(default_factory=dict)
    users: dict[tuple[str, str], User] = field(default_factory=dict)  # by (team id, user id)
    channels: dict[tuple[str, str], Channel] = field(default_factory=dict)  # by (team, channel)
    messages: list[Message] = field(default_factory=list)
    ephemerals: list[Message] = field(default_factory=list)
    views: dict[str, View] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)  # token -> team id
    dead_tokens: dict[str, str] = field(default_factory=dict)  # token -> error code
    oauth_codes: dict[str, OAuthGrant] = field(default_factory=dict)
    refresh_tokens: dict[str, OAuthGrant] = field(default_factory=dict)
    uploads: dict[str, Upload] = field(default_factory=dict)  # by file id
    files: list[SharedFile] = field(default_factory=list)
    upload_url: str = ""  # where upload URLs point: the fake's own server
    _ts: int = FIRST_TS_MICROS
    _views_made: int = 0

    def next_ts(self) -> str:
        ts, self._ts = self._ts, self._ts + TS_STEP_MICROS
        return f"{ts // 1_000_000}.{ts % 1_000_000:06d}"

    def authenticate(self, token: str | None) -> Workspace:
        if not token:
            raise SlackError("not_authed")
        if token in self.dead_tokens:
            raise SlackError(self.dead_tokens[token])
        if token not in self.tokens:
            raise SlackError("invalid_auth")
        return self.workspaces[self.tokens[token]]

    def user(self, team: Workspace, user_id: str | None) -> User:
        user = self.users.get((team.team_id, user_id or ""))
        if user is None:
            raise SlackError("user_not_found")
        return user

    def channel(self, team: Workspace, channel_id: str | None) -> Channel:
        channel = self.channels.get((team.team_id, channel_id or ""))
        if channel is None:
            raise SlackError("channel_not_found")
        return channel

    def open_im(self, team: Workspace, user_id: str) -> tuple[Channel, bool]:
        """The stable DM channel with ``user_id``, and whether it was open already."""
        dm_id = dm_channel_id(user_id)
        existing = self.channels.get((team.team_id, dm_id))
        if existing is not None:
            return existing, True
        members = [user_id, team.bot_user_id]
        channel = Channel(team.team_id, dm_id, dm_id, members, im_user=user_id)
        self.channels[(team.team_id, dm_id)] = channel
        return channel, False

    def conversation(self, team: Workspace, target: str | None) -> Channel:
        """Resolve ``channel`` as Slack does: a user id means the DM with that user."""
        if target and target[0] in "UW":
            try:
                user = self.user(team, target)
            except SlackError:
                raise SlackError("channel_not_found") from None
            if user.is_bot:
                raise SlackError("cannot_dm_bot")
            return self.open_im(team, user.id)[0]
        return self.channel(team, target)

    def new_view(self, team: Workspace, payload: dict[str, Any], **fields: Any) -> View:
        self._views_made += 1
        view_id = f"V0{self._views_made:08X}"
        view = View(view_id, team.team_id, payload, new_hash(), **fields)
        self.views[view_id] = view
        return view


def dm_channel_id(user_id: str) -> str:
    return f"D{user_id[1:]}"


def new_hash() -> str:
    return f"{int(datetime.now().timestamp())}.{_alnum(8)}"


def install(state: SlackState, grant: OAuthGrant) -> Workspace:
    """Make the grant's bot token valid for its team, creating the workspace if new."""
    team = state.workspaces.get(grant.team_id)
    if team is None:
        bot_id = f"B{grant.bot_user_id[1:]}"
        domain = grant.team_name.lower().replace(" ", "-")
        team = Workspace(grant.team_id, grant.team_name, "", grant.bot_user_id, bot_id, domain)
        state.workspaces[grant.team_id] = team
        state.users[(grant.team_id, grant.bot_user_id)] = User(
            grant.team_id, grant.bot_user_id, "ripple", "Ripple", is_bot=True
        )
    team.bot_token = grant.bot_token
    # An OAuth grant says which scopes its token carries; a workspace added directly has all.
    team.scopes = frozenset(grant.scope.split(",")) if grant.scope else None
    state.tokens[grant.bot_token] = grant.team_id
    if grant.refresh_token:
        state.refresh_tokens[grant.refresh_token] = grant
    return team


def message_json(team: Workspace, message: Message) -> Body:
    body: Body = {
        "type": "message",
        "text": message.text,
        "user": team.bot_user_id,
        "bot_id": team.bot_id,
        "app_id": APP_ID,
        "team": team.team_id,
        "ts": message.ts,
        "blocks": message.blocks,
    }
    if message.thread_ts:
        body["thread_ts"] = message.thread_ts
    if message.updated:
        body["edited"] = {"user": team.bot_user_id, "ts": message.ts}
    return body


def user_json(user: User, *, include_locale: bool) -> Body:
    now = datetime.now(ZoneInfo(user.tz))
    offset = now.utcoffset()
    body: Body = {
        "id": user.id,
        "team_id": user.team_id,
        "name": user.name,
        "deleted": user.deleted,
        "real_name": user.real_name,
        "tz": user.tz,
        "tz_label": now.tzname(),
        "tz_offset": int(offset.total_seconds()) if offset else 0,
        "profile": {
            "real_name": user.real_name,
            "real_name_normalized": user.real_name,
            "display_name": user.display_name,
            "display_name_normalized": user.display_name,
            "team": user.team_id,
        },
        "is_admin": user.is_admin,
        "is_owner": user.is_owner,
        "is_primary_owner": False,
        "is_restricted": False,
        "is_ultra_restricted": False,
        "is_bot": user.is_bot,
        "is_app_user": False,
        "updated": 1_700_000_000,
    }
    if include_locale:
        body["locale"] = user.locale
    return body


def channel_json(channel: Channel, *, include_num_members: bool) -> Body:
    if channel.im_user:
        return {"id": channel.id, "created": 1_700_000_000, "is_im": True, "user": channel.im_user}
    body: Body = {
        "id": channel.id,
        "name": channel.name,
        "name_normalized": channel.name,
        "is_channel": not channel.is_private,
        "is_group": channel.is_private,
        "is_im": False,
        "is_mpim": False,
        "is_private": channel.is_private,
        "is_archived": channel.is_archived,
        "is_general": False,
        "created": 1_700_000_000,
        "context_team_id": channel.team_id,
        "topic": {"value": "", "creator": "", "last_set": 0},
        "purpose": {"value": "", "creator": "", "last_set": 0},
    }
    if include_num_members:
        body["num_members"] = len(channel.members)
    return body


def view_json(team: Workspace, view: View) -> Body:
    payload = view.payload
    return {
        "id": view.id,
        "team_id": team.team_id,
        "type": payload.get("type", "modal"),
        "blocks": payload.get("blocks", []),
        "private_metadata": payload.get("private_metadata", ""),
        "callback_id": payload.get("callback_id", ""),
        "state": {"values": {}},
        "hash": view.hash,
        "title": payload.get("title"),
        "close": payload.get("close"),
        "submit": payload.get("submit"),
        "clear_on_close": payload.get("clear_on_close", False),
        "notify_on_close": payload.get("notify_on_close", False),
        "previous_view_id": None,
        "root_view_id": view.id,
        "app_id": APP_ID,
        "external_id": payload.get("external_id", ""),
        "app_installed_team_id": team.team_id,
        "bot_id": team.bot_id,
    }
