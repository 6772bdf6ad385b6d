"""The `chapterhouse` command: init, migrate, serve, worker, create-admin, create-chapter."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import importlib
import logging
import signal
import sys
from collections.abc import Awaitable, Callable, Coroutine
from pathlib import Path
from typing import Any

from tortoise.exceptions import BaseORMException

from actors.errors import ValidationFailed
from chapterhouse import __version__
from chapterhouse.configfile import render_config
from chapterhouse.wiring import MODEL_MODULES, build_app, job_registry
from content.tally import ensure_tally_scheduled
from core import db
from core.errors import ConfigError, DatabaseError
from core.jobs import Worker
from core.settings import Settings, load_settings

log = logging.getLogger("chapterhouse")


class CommandFailed(Exception):
    """A command could not do its work; the message is printed as one line."""


def _setup_logging(settings: Settings) -> None:
    logging.basicConfig(
        level=settings.log_level.upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )


async def _with_database(settings: Settings, work: Callable[[], Awaitable[Any]]) -> Any:
    await db.open_database(settings.database.url, MODEL_MODULES)
    try:
        return await work()
    finally:
        await db.close_database()


async def _require_migrated() -> None:
    pending = await db.pending_migrations(MODEL_MODULES)
    if pending:
        raise CommandFailed(
            f"the database needs {len(pending)} migration(s) ({', '.join(pending)}): "
            "run `chapterhouse migrate` first"
        )


# --- commands ---------------------------------------------------------------------------------


def cmd_init(args: argparse.Namespace) -> None:
    path = Path(args.config or "config.toml")
    if path.exists() and not args.force:
        raise CommandFailed(f"{path} exists already (use --force to overwrite it)")
    text = render_config(
        domain=args.domain,
        base_url=args.base_url or f"https://{args.domain}",
        name=args.name,
        database_url=args.database_url,
        data_dir=args.data_dir,
        bind=args.bind,
        port=args.port,
        development=args.development,
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    try:
        settings = load_settings(path)
    except ConfigError:
        path.unlink()
        raise
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    applied = asyncio.run(_with_database(settings, lambda: db.migrate(MODEL_MODULES)))
    print(f"wrote {path}; database ready ({len(applied)} migration(s) applied)")
    print(f"next: chapterhouse --config {path} create-admin YOURNAME --email YOU@EXAMPLE.ORG")


def cmd_migrate(args: argparse.Namespace) -> None:
    settings = load_settings(args.config)
    _setup_logging(settings)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    try:
        applied = asyncio.run(_with_database(settings, lambda: db.migrate(MODEL_MODULES)))
    except BaseORMException as exc:
        raise CommandFailed(f"migration failed, nothing of it was kept: {exc}") from None
    if applied:
        print("applied: " + ", ".join(applied))
    else:
        print("database is up to date")


def cmd_serve(args: argparse.Namespace) -> None:
    import uvicorn

    settings = load_settings(args.config)
    _setup_logging(settings)
    asyncio.run(_with_database(settings, _require_migrated))
    workers = settings.server.workers if args.workers is None else args.workers
    app = build_app(settings, workers=workers)
    print(
        f"Chapterhouse {__version__} serving {settings.server.base_url} "
        f"on {settings.server.bind}:{settings.server.port} with {workers} worker(s)",
        flush=True,
    )
    server = uvicorn.Server(
        uvicorn.Config(
            app,
            host=settings.server.bind,
            port=settings.server.port,
            log_level=settings.log_level,
            lifespan="on",
            ws="websockets-sansio",  # the maintained websockets layer
            proxy_headers=False,
            server_header=False,
            timeout_graceful_shutdown=10,
        )
    )
    try:
        server.run()
    except KeyboardInterrupt:
        # uvicorn shuts down gracefully on Ctrl-C, then raises the signal again: a clean stop.
        pass
    if not server.started:
        raise CommandFailed("the server did not start (see the messages above)")


def cmd_worker(args: argparse.Namespace) -> None:
    settings = load_settings(args.config)
    _setup_logging(settings)
    registry = job_registry(settings)
    for module_name in args.extra_handlers or []:
        module = importlib.import_module(module_name)
        module.register(registry)

    async def run() -> None:
        await _require_migrated()
        await ensure_tally_scheduled()  # the hourly campaign tally, once per database
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        worker = Worker(registry, concurrency=args.concurrency)
        print(
            f"worker {worker.worker_id} running {', '.join(registry.names()) or 'no'} handler(s)",
            flush=True,
        )
        await worker.run(stop)

    asyncio.run(_with_database(settings, run))


def _read_password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("Password: ")
    if first != getpass.getpass("Password again: "):
        raise CommandFailed("the two passwords differ")
    return first


def cmd_create_admin(args: argparse.Namespace) -> None:
    from actors.accounts import Registration, register_member

    settings = load_settings(args.config)
    password = _read_password(args)
    reg = Registration(
        username=args.username, email=args.email, password=password, accepted_commitments=True
    )
    asyncio.run(
        _with_database(
            settings,
            lambda: _after_migrated(register_member(reg, settings.registration, role="admin")),
        )
    )
    print(f"admin @{args.username} created; log in at {settings.server.base_url}/login")


async def _after_migrated(work: Coroutine[Any, Any, Any]) -> Any:
    try:
        await _require_migrated()
    except CommandFailed:
        work.close()
        raise
    return await work


def cmd_create_chapter(args: argparse.Namespace) -> None:
    from actors.chapters import create_chapter

    settings = load_settings(args.config)
    chapter = asyncio.run(
        _with_database(
            settings,
            lambda: _after_migrated(
                create_chapter(
                    args.name,
                    args.slug,
                    parent_slug=args.parent,
                    description=args.description,
                    join_policy=args.join_policy,
                )
            ),
        )
    )
    where = f" under {args.parent}" if args.parent else ""
    print(f"chapter {chapter.name!r} ({chapter.slug}) created{where}")


# --- argument parsing -------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--config",
        metavar="PATH",
        default=argparse.SUPPRESS,
        help="configuration file (default: $CHAPTERHOUSE_CONFIG, else ./config.toml)",
    )
    parser = argparse.ArgumentParser(
        prog="chapterhouse",
        parents=[common],
        description="Chapterhouse: a federated ActivityPub server for membership organizations.",
    )
    parser.add_argument("--version", action="version", version=f"chapterhouse {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser(
        "init", parents=[common], help="write a configuration and create the database"
    )
    p.add_argument(
        "--domain", required=True, help="the domain in members' handles, e.g. example.org"
    )
    p.add_argument("--base-url", help="public URL (default: https://DOMAIN)")
    p.add_argument("--name", default="Chapterhouse", help="the organization's name")
    p.add_argument("--database-url", default="sqlite://data/chapterhouse.sqlite3")
    p.add_argument("--data-dir", default="data")
    p.add_argument("--bind", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument(
        "--development",
        action="store_true",
        help="allow plain http and private addresses (local multi-server testing only)",
    )
    p.add_argument("--force", action="store_true", help="overwrite an existing file")
    p.set_defaults(func=cmd_init)

    p = sub.add_parser("migrate", parents=[common], help="apply pending database migrations")
    p.set_defaults(func=cmd_migrate)

    p = sub.add_parser("serve", parents=[common], help="run the web server (and job workers)")
    p.add_argument(
        "--workers",
        type=int,
        default=None,
        help="in-process job workers (default: [server] workers)",
    )
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("worker", parents=[common], help="run job workers in this process only")
    p.add_argument("--concurrency", type=int, default=4, help="jobs run at once (default 4)")
    p.add_argument(
        "--extra-handlers",
        action="append",
        metavar="MODULE",
        help="also register the handlers of MODULE.register(registry)",
    )
    p.set_defaults(func=cmd_worker)

    p = sub.add_parser("create-admin", parents=[common], help="create an organization admin")
    p.add_argument("username")
    p.add_argument("--email", required=True)
    p.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    p.set_defaults(func=cmd_create_admin)

    p = sub.add_parser("create-chapter", parents=[common], help="create a chapter")
    p.add_argument("--name", required=True)
    p.add_argument("--slug", required=True, help="lower-case short name, also its @handle")
    p.add_argument("--parent", help="slug of the parent chapter")
    p.add_argument("--description", default="")
    p.add_argument("--join-policy", choices=("open", "approval", "closed"), default="open")
    p.set_defaults(func=cmd_create_chapter)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if not hasattr(args, "config"):
        args.config = None
    try:
        args.func(args)
    except ConfigError as exc:
        print(f"chapterhouse: configuration error: {exc}", file=sys.stderr)
        return 2
    except ValidationFailed as exc:
        for field, message in exc.errors.items():
            print(f"chapterhouse: {field}: {message}", file=sys.stderr)
        return 1
    except (CommandFailed, DatabaseError) as exc:
        print(f"chapterhouse: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
