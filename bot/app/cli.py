"""The `ripple` command: demo, chat, migrate, serve, worker, purge, rotate-key, teams-package."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import signal
import sys
from collections.abc import Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from pathlib import Path
from typing import TYPE_CHECKING

from bot.app.settings import Settings, SettingsError, load_settings, unknown_variables

if TYPE_CHECKING:
    from bot.ports import Clock, Sender
    from bot.ripple import Ripple

logger = logging.getLogger(__name__)


LOCALES = ("en", "de", "es")


def _port(text: str) -> int:
    """A TCP port to listen on: 1 to 65535."""
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number") from None
    if not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{port} is not a port: use 1 to 65535")
    return port


def _weeks(text: str) -> int:
    try:
        weeks = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of weeks") from None
    if not 1 <= weeks <= 12:
        raise argparse.ArgumentTypeError(f"{weeks} weeks: the demo runs 1 to 12")
    return weeks


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("ripple")
    except PackageNotFoundError:  # run from a checkout that was never installed
        return "unknown"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ripple", description="Ripple: capacity-aware wellbeing check-ins for teams."
    )
    parser.add_argument("--version", action="version", version=f"ripple {_version()}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    demo = commands.add_parser("demo", help="simulate a month of check-ins in two teams")
    demo.add_argument("--seed", type=int, default=7, help="random seed (default %(default)s)")
    demo.add_argument(
        "--weeks",
        type=_weeks,
        default=4,
        metavar="N",
        help="weeks to run, 1-12 (default %(default)s)",
    )
    chat = commands.add_parser("chat", help="check in interactively in this terminal")
    chat.add_argument("--channel", required=True, help="channel name, e.g. design")
    chat.add_argument("--as", dest="person", required=True, help="your name, e.g. sam")
    chat.add_argument(
        "--locale",
        choices=LOCALES,
        default=None,
        help="the language Ripple speaks to you (default: the channel's)",
    )
    chat.add_argument(
        "--admin",
        action="store_true",
        help="act as the channel's admin: `setup` then shows and changes its settings",
    )
    commands.add_parser("migrate", help="create or upgrade the database schema")
    purge = commands.add_parser(
        "purge",
        help="delete what is older than RIPPLE_RETENTION_DAYS (the scheduler does this too)",
    )
    purge.add_argument(
        "--dry-run", action="store_true", help="only count what would be deleted; change nothing"
    )
    commands.add_parser(
        "rotate-key",
        help="re-encrypt the stored Slack tokens under the first key in RIPPLE_SECRET_KEY",
    )
    serve = commands.add_parser("serve", help="run the web app and the scheduler")
    serve.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to listen on; 0.0.0.0 for every interface (default %(default)s)",
    )
    serve.add_argument(
        "--port", type=_port, default=8000, help="TCP port to listen on (default %(default)s)"
    )
    serve.add_argument(
        "--socket-mode",
        action="store_true",
        help="take Slack's events over Socket Mode (needs RIPPLE_SLACK_APP_TOKEN), no public URL",
    )
    serve.add_argument(
        "--no-scheduler",
        dest="scheduler",
        action="store_false",
        help="answer requests only; run `ripple worker` to open rounds and deliver",
    )
    commands.add_parser(
        "worker",
        help="run the scheduler alone: open rounds, remind, summarise and deliver; no web app",
    )
    teams = commands.add_parser(
        "teams-package",
        help="build the app package to upload to Teams",
    )
    teams.add_argument(
        "--out",
        type=Path,
        default=Path("ripple-teams.zip"),
        metavar="PATH",
        help="where to write the zip (default %(default)s)",
    )
    slack = commands.add_parser(
        "slack-manifest",
        help="write the Slack app manifest for your server's address",
    )
    slack.add_argument("--url", required=True, help="the public https:// address Slack will call")
    slack.add_argument(
        "--out", type=Path, default=None, metavar="PATH", help="write it here (default: print it)"
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    for warning in unknown_variables(os.environ):
        print(f"ripple: warning: {warning}", file=sys.stderr)
    try:
        settings = load_settings()
        from bot.app.bootstrap import StartupError, configure_logging

        configure_logging(settings)
        try:
            return _run(args, settings)
        except StartupError as exc:
            print(f"ripple: {exc}", file=sys.stderr)
            return 2
    except SettingsError as exc:
        print(f"ripple: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


def _run(args: argparse.Namespace, settings: Settings) -> int:
    if args.command == "demo":
        from adapters.console.demo import run_demo

        if "RIPPLE_LOG_LEVEL" not in os.environ:
            logging.getLogger().setLevel(logging.WARNING)  # the demo's own output is the point

        from bot.app.bootstrap import scratch_ripple

        def open_ripple(
            clock: Clock, senders: Mapping[str, Sender]
        ) -> AbstractAsyncContextManager[Ripple]:
            return scratch_ripple(settings, clock, senders)

        asyncio.run(
            run_demo(write=print, open_ripple=open_ripple, seed=args.seed, weeks=args.weeks)
        )
        return 0
    if args.command == "migrate":
        return asyncio.run(_migrate(settings))
    if args.command == "chat":
        return asyncio.run(
            _chat(
                settings,
                channel=args.channel,
                person=args.person,
                admin=args.admin,
                locale=args.locale,
            )
        )
    if args.command == "purge":
        return asyncio.run(_purge(settings, dry_run=args.dry_run))
    if args.command == "rotate-key":
        return asyncio.run(_rotate_key(settings))
    if args.command == "teams-package":
        return _teams_package(settings, out=args.out)
    if args.command == "slack-manifest":
        return _slack_manifest(url=args.url, out=args.out)
    if args.command == "worker":
        return asyncio.run(_worker(settings))
    return _serve(
        settings,
        host=args.host,
        port=args.port,
        socket_mode=args.socket_mode,
        scheduler=args.scheduler,
    )


async def _migrate(settings: Settings) -> int:
    from bot.app.bootstrap import database_url
    from storage.migrate import upgrade_to_head
    from storage.url import mask_password

    url = database_url(settings)
    try:
        await upgrade_to_head(url)
    except OSError as exc:  # storage reports an unreachable database as a ConnectionError
        print(f"ripple: {exc}", file=sys.stderr)
        return 1
    print(f"Database at {mask_password(url)} is up to date.")
    return 0


async def _purge(settings: Settings, *, dry_run: bool) -> int:
    from bot.app.bootstrap import build_ripple

    if not await _ready_or_explain(settings):
        return 1
    ripple = build_ripple(settings)
    try:
        report = await ripple.purge(dry_run=dry_run)
    finally:
        await ripple.store.close()
    days = settings.retention_days
    heading = (
        f"Would delete, as older than {days} days:"
        if dry_run
        else f"Deleted, as older than {days} days:"
    )
    print("\n".join([heading, *(f"  {line}" for line in report.lines())]))
    return 0


async def _rotate_key(settings: Settings) -> int:
    from bot.app.bootstrap import database_url, token_cipher
    from storage.engine import create_engine
    from storage.secrets import TokenKeyError
    from storage.slack_installations import reencrypt_stored_tokens

    cipher = token_cipher(settings)
    if cipher is None:
        print(
            "ripple: set RIPPLE_SECRET_KEY to the new key followed by the old ones "
            "(RIPPLE_SECRET_KEY=new,old)",
            file=sys.stderr,
        )
        return 2
    if not await _ready_or_explain(settings):
        return 1
    engine = create_engine(database_url(settings))
    try:
        count = await reencrypt_stored_tokens(engine=engine, cipher=cipher)
    except TokenKeyError as exc:
        print(f"ripple: {exc}. Nothing was changed.", file=sys.stderr)
        return 1
    finally:
        await engine.dispose()
    print(f"Re-encrypted {count} stored Slack token(s) under the first key in RIPPLE_SECRET_KEY.")
    return 0


async def _ready_or_explain(settings: Settings) -> bool:
    from bot.app.bootstrap import database_url
    from storage.store import SqlStore
    from storage.url import mask_password

    url = database_url(settings)
    store = SqlStore.from_url(url)
    try:
        readiness = await store.readiness()
    finally:
        await store.close()
    if readiness.problem is not None:
        hint = "" if readiness.reachable else " Is it running, and is RIPPLE_DATABASE_URL right?"
        print(f"ripple: at {mask_password(url)}, {readiness.problem}.{hint}", file=sys.stderr)
    return readiness.problem is None


async def _chat(
    settings: Settings,
    *,
    channel: str,
    person: str,
    admin: bool = False,
    locale: str | None = None,
) -> int:
    from adapters.console.chat import ConsoleChat
    from adapters.console.sender import ConsoleSender
    from bot.app.bootstrap import build_ripple

    if not await _ready_or_explain(settings):
        return 1
    sender = ConsoleSender(write=print)
    ripple = build_ripple(settings, senders={sender.platform: sender})
    try:
        chat = ConsoleChat(
            ripple=ripple,
            sender=sender,
            channel=channel,
            person=person,
            read=input,
            write=print,
            admin=admin,
            locale=locale,
        )
        await chat.run()
    finally:
        await ripple.store.close()
    return 0


def _serve(
    settings: Settings, *, host: str, port: int, socket_mode: bool = False, scheduler: bool = True
) -> int:
    import uvicorn

    from bot.app.bootstrap import build_app, refuse_sqlite_in_production

    refuse_sqlite_in_production(settings)
    if not asyncio.run(_ready_or_explain(settings)):
        return 1
    app = build_app(settings, socket_mode=socket_mode, tick=scheduler)
    if not scheduler:
        logger.info("the scheduler is off here: `ripple worker` opens rounds and delivers")
    # No log config of uvicorn's own: its records go through Ripple's handlers, which keep
    # request contents out of the logs.
    uvicorn.run(
        app,
        host=host,
        port=port,
        log_config=None,
        log_level=settings.log_level.lower(),
        server_header=False,  # the server's name and version help only an attacker
        timeout_keep_alive=5,  # seconds an idle connection is held open
    )
    return 0


async def _worker(settings: Settings) -> int:
    """The app's platforms and scheduler, running until SIGINT or SIGTERM, serving nothing."""
    from bot.app.bootstrap import build_app, refuse_sqlite_in_production

    refuse_sqlite_in_production(settings)
    if not await _ready_or_explain(settings):
        return 1
    app = build_app(settings)
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stopping.set)
    async with app.router.lifespan_context(app):
        logger.info("worker started: ticking and delivering; it serves no requests")
        await stopping.wait()
    logger.info("worker stopped")
    return 0


# The setting behind each input of the Teams package, to name it when it is unusable.
_TEAMS_PACKAGE_SETTINGS = {
    "app_id": "RIPPLE_TEAMS_APP_ID",
    "public_url": "RIPPLE_PUBLIC_URL",
    "version": "RIPPLE_TEAMS_PACKAGE_VERSION",
    "developer_name": "RIPPLE_TEAMS_DEVELOPER_NAME",
    "website_url": "RIPPLE_TEAMS_WEBSITE_URL",
    "privacy_url": "RIPPLE_TEAMS_PRIVACY_URL",
    "terms_url": "RIPPLE_TEAMS_TERMS_URL",
}


def _teams_package(settings: Settings, *, out: Path) -> int:
    from adapters.teams.package import PackageError, build_package, messaging_endpoint

    app_id, public_url = settings.teams_app_id, settings.public_url
    if not app_id or not public_url:
        missing = []
        if not app_id:
            missing.append("RIPPLE_TEAMS_APP_ID (your Azure Bot's Microsoft App ID)")
        if not public_url:
            missing.append("RIPPLE_PUBLIC_URL (the https:// address Teams reaches Ripple at)")
        print("ripple: the Teams package needs " + " and ".join(missing) + ".", file=sys.stderr)
        return 2
    try:
        written = build_package(
            app_id=app_id,
            public_url=public_url,
            version=settings.teams_package_version,
            developer_name=settings.teams_developer_name,
            website_url=settings.teams_website_url,
            privacy_url=settings.teams_privacy_url,
            terms_url=settings.teams_terms_url,
            out=out,
        )
    except PackageError as exc:
        print(f"ripple: {_TEAMS_PACKAGE_SETTINGS[exc.field]} {exc.reason}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"ripple: cannot write {out}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    print(f"Wrote the Teams app package to {written}.")
    print(
        f"The Azure Bot's messaging endpoint must be: {messaging_endpoint(public_url=public_url)}"
    )
    print("Upload it in the Teams admin center, under Teams apps > Manage apps.")
    return 0


if __name__ == "__main__":
    sys.exit(main())


def _slack_manifest(*, url: str, out: Path | None) -> int:
    from bot.app.slack_manifest import ManifestUrlError, slack_manifest

    try:
        text = slack_manifest(url)
    except ManifestUrlError as exc:
        print(f"ripple: {exc}", file=sys.stderr)
        return 2
    if out is None:
        print(text, end="")
        return 0
    try:
        out.write_text(text, encoding="utf-8")
    except OSError as exc:
        print(f"ripple: cannot write {out}: {exc.strerror}", file=sys.stderr)
        return 1
    print(f"Wrote the Slack app manifest for {url} to {out}.")
    return 0
