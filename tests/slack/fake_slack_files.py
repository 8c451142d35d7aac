"""The fake Slack's file uploads: an upload URL, the bytes posted to it, and the sharing."""

from __future__ import annotations

import json
import secrets
import string

from tests.slack.fake_slack_state import (
    Body,
    Params,
    SharedFile,
    SlackError,
    SlackState,
    Upload,
    Workspace,
)

UPLOAD_PATH = "/upload/v1/"
# The upload URL is its own request, outside the Web API; faults for it go by this name.
UPLOAD = "files.upload"
MAX_FILE_BYTES = 1_000_000_000  # Slack's limit: 1 GB
# Scopes the fake checks, by method. Only a workspace whose scopes are known (installed
# through OAuth, or given them with ``FakeSlack.grant_scopes``) can lack one.
SCOPES = {
    "files.getUploadURLExternal": "files:write",
    "files.completeUploadExternal": "files:write",
}


def scope_error(team: Workspace, method: str) -> str | None:
    needed = SCOPES.get(method)
    if needed is None or team.scopes is None or needed in team.scopes:
        return None
    return "missing_scope"


def _file_id() -> str:
    alphabet = string.ascii_uppercase + string.digits
    return "F" + "".join(secrets.choice(alphabet) for _ in range(10))


def get_upload_url_external(state: SlackState, team: Workspace, params: Params) -> Body:
    filename = params.get("filename")
    try:
        length = int(params.get("length") or 0)
    except (TypeError, ValueError):
        raise SlackError("invalid_arguments") from None
    if not filename or length <= 0:
        raise SlackError("invalid_arguments")
    if length > MAX_FILE_BYTES:
        raise SlackError("file_too_large")
    upload = Upload(_file_id(), team.team_id, filename, length, params.get("alt_txt"))
    state.uploads[upload.id] = upload
    return {"ok": True, "upload_url": f"{state.upload_url}{upload.id}", "file_id": upload.id}


def receive_upload(state: SlackState, file_id: str, data: bytes) -> bool:
    """Keep the bytes posted to an upload URL; False for a URL the fake never issued."""
    upload = state.uploads.get(file_id)
    if upload is None:
        return False
    upload.data = data
    return True


def _listed(value: object) -> list[dict[str, object]]:
    files = json.loads(value) if isinstance(value, str) else value
    if not isinstance(files, list) or not files:
        raise SlackError("invalid_arguments")
    return [f for f in files if isinstance(f, dict)]


def complete_upload_external(state: SlackState, team: Workspace, params: Params) -> Body:
    channel = None
    if params.get("channel_id"):  # a channel id, as Slack wants: a user id is not one
        channel = state.channel(team, params["channel_id"])
        if channel.is_archived:
            raise SlackError("is_archived")
        if team.bot_user_id not in channel.members:
            raise SlackError("not_in_channel")
    listed = _listed(params.get("files"))
    uploads = [state.uploads.get(str(f.get("id"))) for f in listed]
    done = [u for u in uploads if u is not None and u.team_id == team.team_id]
    if len(done) != len(listed):
        raise SlackError("file_not_found")
    if any(u.data is None for u in done):
        raise SlackError("file_not_found")  # nothing arrived at its upload URL
    if any(u.data is not None and len(u.data) != u.length for u in done):
        raise SlackError("fake_slack_length_differs_from_upload")
    shared = []
    for entry, upload in zip(listed, done, strict=True):
        assert upload.data is not None
        del state.uploads[upload.id]
        shared_file = SharedFile(
            id=upload.id,
            team_id=team.team_id,
            channel=channel.id if channel else None,
            title=str(entry.get("title") or upload.filename),
            alt_txt=upload.alt_txt,
            filename=upload.filename,
            data=upload.data,
            im_user=channel.im_user if channel else None,
            thread_ts=params.get("thread_ts"),
            initial_comment=params.get("initial_comment"),
        )
        state.files.append(shared_file)
        shared.append(shared_file)
    return {"ok": True, "files": [file_json(f) for f in shared]}


def file_json(shared: SharedFile) -> Body:
    return {
        "id": shared.id,
        "name": shared.filename,
        "title": shared.title,
        "mimetype": "image/png" if shared.filename.endswith(".png") else "",
        "size": len(shared.data),
        "alt_txt": shared.alt_txt,
        "channels": [shared.channel] if shared.channel and not shared.im_user else [],
        "ims": [shared.channel] if shared.im_user else [],
        "is_public": False,
    }
