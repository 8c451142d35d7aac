"""`ripple teams-package` as an admin runs it: the zip, the manifest against the schema, icons."""

from __future__ import annotations

import json
import struct
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from adapters.teams.package import MANIFEST_VERSION
from bot.events import EventKind
from tests.cli import ripple_env, run_ripple

SCHEMA = Path(__file__).parent / "schema" / "MicrosoftTeams.schema.json"
ICONS = Path(__file__).parents[2] / "adapters" / "teams" / "icons"
APP_ID = "3f1b7a52-6c0e-4d8a-9b1f-2a7e5c9d0e41"
PUBLIC_URL = "https://ripple.example.com"
PERSONAL = ["checkin", "pause", "resume", "history", "export", "forget", "summary", "web", "help"]
TEAM = ["setup", "start", "help"]


def package_env(**settings: str) -> dict[str, str]:
    return ripple_env(**{"teams_app_id": APP_ID, "public_url": PUBLIC_URL, **settings})


@dataclass(frozen=True)
class Built:
    path: Path
    stdout: str
    files: dict[str, bytes]

    @property
    def manifest(self) -> dict[str, Any]:
        loaded: dict[str, Any] = json.loads(self.files["manifest.json"])
        return loaded


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    cwd = tmp_path_factory.mktemp("package")
    result = run_ripple("teams-package", "--out", "ripple-teams.zip", cwd=cwd, env=package_env())
    assert result.returncode == 0, result.stderr
    path = cwd / "ripple-teams.zip"
    with zipfile.ZipFile(path) as zf:
        files = {name: zf.read(name) for name in zf.namelist()}
    return Built(path=path, stdout=result.stdout, files=files)


def test_the_zip_holds_exactly_the_manifest_and_two_icons_at_its_root(built: Built) -> None:
    assert sorted(built.files) == ["color.png", "manifest.json", "outline.png"]
    assert f"Wrote the Teams app package to {built.path}." in built.stdout
    assert f"{PUBLIC_URL}/api/messages" in built.stdout


def test_the_manifest_is_valid_against_the_teams_schema(built: Built) -> None:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    validator_class = jsonschema.validators.validator_for(schema)
    # No format checks on the schema itself: an Excel part of it uses ECMA-262's \p{L},
    # which Python's re lacks. The manifest is still checked with formats on.
    validator_class.check_schema(schema, format_checker=None)
    validator = validator_class(schema, format_checker=validator_class.FORMAT_CHECKER)

    errors = [
        f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(built.manifest)
    ]

    assert errors == []
    broken = {**built.manifest, "bots": [{**built.manifest["bots"][0], "botId": "ripple"}]}
    assert not validator.is_valid(broken)  # the schema really is checking
    # The schema is draft-04, which has no `const`: check the pinned version by hand.
    assert built.manifest["manifestVersion"] == schema["properties"]["manifestVersion"]["const"]
    assert built.manifest["manifestVersion"] == MANIFEST_VERSION
    assert built.manifest["$schema"].endswith(f"/v{MANIFEST_VERSION}/MicrosoftTeams.schema.json")


def test_the_manifest_describes_ripples_bot_and_its_commands(built: Built) -> None:
    manifest = built.manifest
    (bot,) = manifest["bots"]
    menus = {tuple(menu["scopes"]): menu["commands"] for menu in bot["commandLists"]}

    assert manifest["id"] == bot["botId"] == APP_ID
    assert bot["scopes"] == ["personal", "team"]
    assert bot["supportsFiles"] is False and bot["isNotificationOnly"] is False
    assert [c["title"] for c in menus[("personal",)]] == PERSONAL
    assert [c["title"] for c in menus[("team",)]] == TEAM
    for command in menus[("personal",)] + menus[("team",)]:
        assert len(command["title"]) <= 32
        assert 0 < len(command["description"]) <= 128
    assert manifest["validDomains"] == ["ripple.example.com"]
    # Saving a channel's settings checks team ownership through Graph.
    assert manifest["authorization"]["permissions"]["resourceSpecific"] == [
        {"name": "TeamMember.Read.Group", "type": "Application"}
    ]
    assert manifest["webApplicationInfo"]["id"] == manifest["bots"][0]["botId"]
    assert manifest["icons"] == {"color": "color.png", "outline": "outline.png"}
    assert manifest["developer"]["websiteUrl"] == PUBLIC_URL
    assert "not a crisis service" in manifest["description"]["full"]


def test_every_personal_command_in_the_menu_is_one_ripple_understands() -> None:
    known = {kind.value for kind in EventKind}
    assert set(PERSONAL) <= known


def test_the_icons_are_the_sizes_teams_asks_for_and_the_ones_shipped(built: Built) -> None:
    color, outline = read_png(built.files["color.png"]), read_png(built.files["outline.png"])

    assert (color.width, color.height) == (192, 192)
    assert (outline.width, outline.height) == (32, 32)
    assert len(set(color.pixels)) > 2  # a picture in colour, not a blank square
    assert built.files["color.png"] == (ICONS / "color.png").read_bytes()
    assert built.files["outline.png"] == (ICONS / "outline.png").read_bytes()


def test_the_outline_icon_is_white_on_transparent_only(built: Built) -> None:
    outline = read_png(built.files["outline.png"])

    assert outline.color_type == 6  # RGBA: the background has to be transparent
    assert {pixel[:3] for pixel in outline.pixels if pixel[3] > 0} == {(255, 255, 255)}
    alphas = [pixel[3] for pixel in outline.pixels]
    assert 0 in alphas and 255 in alphas


def test_the_links_can_be_set_and_the_same_settings_build_the_same_bytes(tmp_path: Path) -> None:
    env = package_env(
        teams_package_version="1.4.2",
        teams_developer_name="Example Org",
        teams_privacy_url="https://example.com/privacy",
    )
    first = run_ripple("teams-package", "--out", "a.zip", cwd=tmp_path, env=env)
    second = run_ripple("teams-package", "--out", "b.zip", cwd=tmp_path, env=env)

    assert first.returncode == second.returncode == 0, first.stderr + second.stderr
    assert (tmp_path / "a.zip").read_bytes() == (tmp_path / "b.zip").read_bytes()
    with zipfile.ZipFile(tmp_path / "a.zip") as zf:
        manifest = json.loads(zf.read("manifest.json"))
    assert manifest["version"] == "1.4.2"
    assert manifest["developer"]["name"] == "Example Org"
    assert manifest["developer"]["privacyUrl"] == "https://example.com/privacy"
    assert manifest["developer"]["termsOfUseUrl"] == PUBLIC_URL


@pytest.mark.parametrize(
    ("settings", "named"),
    [
        ({"teams_app_id": ""}, ["RIPPLE_TEAMS_APP_ID"]),
        ({"public_url": ""}, ["RIPPLE_PUBLIC_URL"]),
        ({"teams_app_id": "", "public_url": ""}, ["RIPPLE_TEAMS_APP_ID", "RIPPLE_PUBLIC_URL"]),
        ({"public_url": "http://ripple.example.com"}, ["RIPPLE_PUBLIC_URL", "https://"]),
        ({"public_url": "http://localhost:8000"}, ["RIPPLE_PUBLIC_URL", "https://"]),
        ({"teams_app_id": "ripple-bot"}, ["RIPPLE_TEAMS_APP_ID", "GUID"]),
        ({"teams_package_version": "v2"}, ["RIPPLE_TEAMS_PACKAGE_VERSION", "1.0.0"]),
        ({"teams_terms_url": "ftp://example.com/terms"}, ["RIPPLE_TEAMS_TERMS_URL"]),
    ],
)
def test_unusable_settings_are_refused_by_name_and_nothing_is_written(
    tmp_path: Path, settings: dict[str, str], named: list[str]
) -> None:
    result = run_ripple("teams-package", cwd=tmp_path, env=package_env(**settings))

    assert result.returncode == 2
    assert result.stderr.startswith("ripple: ")
    for words in named:
        assert words in result.stderr
    assert "Traceback" not in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_a_folder_that_does_not_exist_is_reported_without_a_traceback(tmp_path: Path) -> None:
    result = run_ripple(
        "teams-package", "--out", "missing/ripple-teams.zip", cwd=tmp_path, env=package_env()
    )

    assert result.returncode == 1
    assert "cannot write missing/ripple-teams.zip" in result.stderr
    assert "Traceback" not in result.stderr


@dataclass(frozen=True)
class Png:
    width: int
    height: int
    color_type: int
    pixels: list[tuple[int, ...]]


def read_png(data: bytes) -> Png:
    """Decode an 8-bit, non-interlaced RGB or RGBA PNG: just enough to check the icons."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    chunks: list[tuple[bytes, bytes]] = []
    offset = 8
    while offset < len(data):
        (length,) = struct.unpack(">I", data[offset : offset + 4])
        kind, body = data[offset + 4 : offset + 8], data[offset + 8 : offset + 8 + length]
        assert (
            zlib.crc32(kind + body)
            == struct.unpack(">I", data[offset + 8 + length : offset + 12 + length])[0]
        )
        chunks.append((kind, body))
        offset += 12 + length
    assert chunks[0][0] == b"IHDR" and chunks[-1][0] == b"IEND"
    width, height, depth, color_type, _, _, interlace = struct.unpack(">IIBBBBB", chunks[0][1])
    assert depth == 8 and color_type in (2, 6) and interlace == 0
    channels = 4 if color_type == 6 else 3
    raw = zlib.decompress(b"".join(body for kind, body in chunks if kind == b"IDAT"))
    stride = width * channels
    rows: list[bytearray] = []
    previous = bytearray(stride)
    for y in range(height):
        line = raw[y * (stride + 1) : (y + 1) * (stride + 1)]
        row = unfilter(line[0], bytearray(line[1:]), previous, channels)
        rows.append(row)
        previous = row
    pixels = [tuple(row[x : x + channels]) for row in rows for x in range(0, stride, channels)]
    return Png(width=width, height=height, color_type=color_type, pixels=pixels)


def unfilter(kind: int, row: bytearray, above: bytearray, bpp: int) -> bytearray:
    for i in range(len(row)):
        left = row[i - bpp] if i >= bpp else 0
        up = above[i]
        corner = above[i - bpp] if i >= bpp else 0
        if kind == 1:
            row[i] = (row[i] + left) & 0xFF
        elif kind == 2:
            row[i] = (row[i] + up) & 0xFF
        elif kind == 3:
            row[i] = (row[i] + (left + up) // 2) & 0xFF
        elif kind == 4:
            p = left + up - corner
            pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
            predictor = left if pa <= pb and pa <= pc else up if pb <= pc else corner
            row[i] = (row[i] + predictor) & 0xFF
    return row
