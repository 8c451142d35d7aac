"""The Teams app package: manifest.json and Ripple's two icons, zipped for upload."""

from __future__ import annotations

import json
import os
import re
import tempfile
import zipfile
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

MANIFEST_VERSION = "1.28"
SCHEMA_URL = (
    "https://developer.microsoft.com/json-schemas/teams/"
    f"v{MANIFEST_VERSION}/MicrosoftTeams.schema.json"
)
ACCENT_COLOR = "#22707A"  # the colour icon's background
COLOR_ICON = "color.png"  # 192×192, full colour
OUTLINE_ICON = "outline.png"  # 32×32, white on transparent
PACKAGE_FILES = ("manifest.json", COLOR_ICON, OUTLINE_ICON)

# The bot's command menus. A title is the command as typed; Teams inserts it when chosen.
# Earlier manifest versions capped titles at 32 and descriptions at 128 characters;
# Ripple keeps to that so the menu stays short.
PERSONAL_COMMANDS = (
    ("checkin", "Check in now. Ripple first asks whether you have the capacity for it."),
    ("pause", "Stop check-ins for you until you resume. Your past answers are kept."),
    ("resume", "Turn check-ins back on after a pause."),
    ("history", "See your recent check-ins. Only you can see them."),
    ("export", "Get a copy of everything Ripple keeps about you."),
    (
        "forget",
        "Erase your check-ins, answers and notes for good. Ripple asks you to confirm first.",
    ),
    (
        "summary",
        "For managers: the latest team summaries. Team totals only, never anyone's answers.",
    ),
    ("web", "For managers and admins: a private sign-in link to Ripple's web view."),
    ("help", "What Ripple does and the commands you can use."),
)
TEAM_COMMANDS = (
    ("setup", "Set up check-ins for this channel. Only team owners and Ripple admins can save."),
    ("start", "Start this week's check-in now. Only team owners and Ripple admins can."),
    ("help", "What Ripple does in a channel and how to set it up."),
)

SHORT_DESCRIPTION = "Team check-ins that first ask whether you have the capacity."
FULL_DESCRIPTION = (
    "Ripple asks your team every week or few weeks how much capacity they have, and "
    "first asks whether now is a good moment at all. 'Later' and 'I'd rather rest this "
    "week' count as much as 'Yes': rest is part of the work. A check-in takes about two "
    "minutes.\n\n"
    "Managers see only team totals, and only when enough people answered to keep each "
    "person's answers private: never one person's answers, or whether they replied. "
    "Notes stay private unless their author chooses to share them without their name. "
    "Ripple suggests things the whole team can do, like a quiet afternoon or sharing "
    "cover.\n\n"
    "Anyone can see, export or erase their own data from chat: history, export, forget.\n\n"
    "Ripple is not a crisis service. If you need help now, contact the support your "
    "organisation offers or your local emergency services."
)

_GUID = re.compile(r"^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")
_VERSION = re.compile(r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$")
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # fixed, so the same settings build the same bytes


class PackageError(ValueError):
    """An input can't go into a Teams app package: ``field`` names it, ``reason`` says why."""

    def __init__(self, *, field: str, reason: str) -> None:
        super().__init__(f"{field} {reason}")
        self.field = field
        self.reason = reason


def https_host(url: str) -> str | None:
    """The host of an ``https://`` URL, or None if ``url`` is not one."""
    parts = urlsplit(url)
    if parts.scheme != "https" or not parts.hostname:
        return None
    return parts.hostname


def messaging_endpoint(*, public_url: str) -> str:
    """Where the Azure Bot resource sends Teams' messages: Ripple's ``/api/messages``."""
    return public_url.rstrip("/") + "/api/messages"


def teams_manifest(
    *,
    app_id: str,
    public_url: str,
    version: str,
    developer_name: str,
    website_url: str | None = None,
    privacy_url: str | None = None,
    terms_url: str | None = None,
) -> dict[str, Any]:
    """Ripple's Teams app manifest; the three URLs default to ``public_url``."""
    if not _GUID.match(app_id):
        raise PackageError(
            field="app_id",
            reason=f"must be the Azure Bot's Microsoft App ID, a GUID (got {app_id!r})",
        )
    host = https_host(public_url)
    if host is None:
        raise PackageError(
            field="public_url",
            reason="must start with https://: Teams reaches bots only over HTTPS "
            f"(got {public_url!r})",
        )
    if not _VERSION.match(version):
        raise PackageError(
            field="version", reason=f"must be three numbers, such as 1.0.0 (got {version!r})"
        )
    if not 1 <= len(developer_name) <= 32:
        raise PackageError(
            field="developer_name", reason=f"must be 1 to 32 characters (got {developer_name!r})"
        )
    links = {"website_url": website_url, "privacy_url": privacy_url, "terms_url": terms_url}
    for field, link in links.items():
        if link is not None and https_host(link) is None:
            raise PackageError(field=field, reason=f"must start with https:// (got {link!r})")
    home = public_url.rstrip("/")
    return {
        "$schema": SCHEMA_URL,
        "manifestVersion": MANIFEST_VERSION,
        "version": version,
        "id": app_id,
        "developer": {
            "name": developer_name,
            "websiteUrl": website_url or home,
            "privacyUrl": privacy_url or home,
            "termsOfUseUrl": terms_url or home,
        },
        "name": {"short": "Ripple", "full": "Ripple: capacity-aware team check-ins"},
        "description": {"short": SHORT_DESCRIPTION, "full": FULL_DESCRIPTION},
        "icons": {"color": COLOR_ICON, "outline": OUTLINE_ICON},
        "accentColor": ACCENT_COLOR,
        "bots": [
            {
                "botId": app_id,
                "scopes": ["personal", "team"],
                "supportsFiles": False,
                "isNotificationOnly": False,
                "commandLists": [
                    {"scopes": ["personal"], "commands": _commands(PERSONAL_COMMANDS)},
                    {"scopes": ["team"], "commands": _commands(TEAM_COMMANDS)},
                ],
            }
        ],
        "permissions": ["identity", "messageTeamMembers"],
        "validDomains": [host],
        # Who may save a channel's settings: Ripple asks Graph whether they own the team.
        "webApplicationInfo": {"id": app_id, "resource": f"api://{host}/{app_id}"},
        "authorization": {
            "permissions": {
                "resourceSpecific": [{"name": "TeamMember.Read.Group", "type": "Application"}]
            }
        },
    }


def _commands(commands: tuple[tuple[str, str], ...]) -> list[dict[str, str]]:
    return [{"title": title, "description": description} for title, description in commands]


def build_package(
    *,
    app_id: str,
    public_url: str,
    version: str,
    developer_name: str,
    out: Path,
    website_url: str | None = None,
    privacy_url: str | None = None,
    terms_url: str | None = None,
) -> Path:
    """Write the Teams app package to ``out`` (replacing it) and return its path.

    The zip holds manifest.json, color.png and outline.png at its root, as Teams expects.
    """
    manifest = teams_manifest(
        app_id=app_id,
        public_url=public_url,
        version=version,
        developer_name=developer_name,
        website_url=website_url,
        privacy_url=privacy_url,
        terms_url=terms_url,
    )
    icons = resources.files("adapters.teams") / "icons"
    contents = {
        "manifest.json": json.dumps(manifest, indent=2, ensure_ascii=False).encode() + b"\n",
        COLOR_ICON: (icons / COLOR_ICON).read_bytes(),
        OUTLINE_ICON: (icons / OUTLINE_ICON).read_bytes(),
    }
    out = out.resolve()
    # Write beside the target, then rename: a failed build never leaves half a zip behind.
    fd, scratch = tempfile.mkstemp(prefix=".ripple-teams-", suffix=".zip", dir=out.parent)
    try:
        with os.fdopen(fd, "wb") as file, zipfile.ZipFile(file, "w", zipfile.ZIP_DEFLATED) as zf:
            for name in PACKAGE_FILES:
                info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
                info.compress_type = zipfile.ZIP_DEFLATED
                info.external_attr = 0o644 << 16
                zf.writestr(info, contents[name])
        os.chmod(scratch, 0o644)  # mkstemp makes it private; a package is not a secret
        os.replace(scratch, out)
    except BaseException:
        Path(scratch).unlink(missing_ok=True)
        raise
    return out
