"""Ripple's ids for Teams people and channels, read from Bot Framework activities."""

from __future__ import annotations

from typing import Any

from microsoft_agents.activity import Activity, ChannelAccount

PLATFORM = "teams"
BOT_ID_PREFIX = "28:"  # Teams gives bots ids like 28:<app id>; people get 29:…


def person_id(*, tenant_id: str, account: ChannelAccount) -> str:
    """``teams:<tenant>:<Entra object id>``, or the Teams ``29:`` id when there is no object id."""
    return f"{PLATFORM}:{tenant_id}:{account.aad_object_id or account.id}"


def channel_id(*, tenant_id: str, conversation_id: str) -> str:
    return f"{PLATFORM}:{tenant_id}:{conversation_id}"


def tenant_prefix(tenant_id: str) -> str:
    return f"{PLATFORM}:{tenant_id}:"


def local_part(ref: str, *, tenant_id: str) -> str:
    """The platform's own id inside a Ripple id (an object id, a ``29:`` id, a channel id)."""
    return ref.removeprefix(tenant_prefix(tenant_id))


def channel_data(activity: Activity) -> dict[str, Any]:
    data = activity.channel_data
    return data if isinstance(data, dict) else {}


def tenant_of(activity: Activity) -> str:
    """The activity's tenant: the conversation's, else the one Teams puts in channelData."""
    if activity.conversation is not None and activity.conversation.tenant_id:
        return activity.conversation.tenant_id
    tenant = channel_data(activity).get("tenant") or {}
    found = tenant.get("id") if isinstance(tenant, dict) else None
    if not found:
        raise ValueError("the activity names no tenant")
    return str(found)


def conversation_type(activity: Activity) -> str:
    """``personal``, ``channel`` or ``groupChat``."""
    if activity.conversation is None:
        return ""
    return activity.conversation.conversation_type or "personal"


def channel_conversation_id(activity: Activity) -> str:
    """The team channel's id, without the ``;messageid=…`` a threaded reply carries."""
    channel = channel_data(activity).get("channel") or {}
    if isinstance(channel, dict) and channel.get("id"):
        return str(channel["id"])
    assert activity.conversation is not None
    return activity.conversation.id.split(";", 1)[0]


def team_info(activity: Activity) -> dict[str, Any]:
    team = channel_data(activity).get("team") or {}
    return team if isinstance(team, dict) else {}


def team_id_of(activity: Activity) -> str:
    """The team a channel activity belongs to; the General channel's id is the team's."""
    team = team_info(activity).get("id") or channel_data(activity).get("teamsTeamId")
    return str(team) if team else channel_conversation_id(activity)


def team_scope(activity: Activity) -> str:
    """The place a team channel belongs to, and its owners act from: the team, in its tenant.

    Read from what Teams put in the activity, never from card data a client sent back.
    """
    return f"{PLATFORM}:{tenant_of(activity)}:{team_id_of(activity)}"


def channel_name(activity: Activity) -> str | None:
    """The channel's name for people to read (the General channel has none, so the team's).

    Messages often carry neither; None then.
    """
    channel = channel_data(activity).get("channel") or {}
    name = channel.get("name") if isinstance(channel, dict) else None
    team = team_info(activity).get("name")
    return str(name or team) if name or team else None


def is_bot(account: ChannelAccount) -> bool:
    return (account.role or "").lower() == "bot" or (account.id or "").startswith(BOT_ID_PREFIX)
