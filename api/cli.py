"""The `levelup` command: serve, migrate, downgrade, demo-data, create-user, verify-audit,
backup, restore.

Settings are read from the environment once, in `main`, after the arguments are parsed; nothing
happens at import time. A mistake the user can fix (bad argument, unknown revision, short
password, existing backup file, unreachable database) is one line on stderr and exit code 2,
never a traceback.
"""

from __future__ import annotations

import argparse
import getpass
import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from alembic.util import CommandError
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from api.clock import Clock
from api.demo_data import DemoDataError, demo_login_lines, load_demo_data
from api.persistence import schema
from api.persistence.audit import verify_chain
from api.persistence.models import OrganisationRow
from api.persistence.repositories.task_items import rebuild as rebuild_task_items
from api.persistence.uow import Database
from api.schemas.admin import UserCreate
from api.security.permissions import Role
from api.settings import Settings
from domain.errors import DomainError

if TYPE_CHECKING:
    # The web stack (FastAPI) is imported only by the commands that use it, so the
    # maintenance commands start quickly.
    from fastapi import FastAPI


EXIT_OK = 0
EXIT_FAILED = 1  # the command ran and found a problem (e.g. a broken audit chain)
EXIT_USAGE = 2  # the user must change something
NEW_PASSWORD_ENV = "LEVELUP_NEW_PASSWORD"  # noqa: S105 (the variable's name, not a password)
MIN_PASSWORD_CHARS = 12


class CliError(Exception):
    """A problem the user can act on: printed as one line, exit code 2."""


Handler = Callable[[Settings, argparse.Namespace], int]


# ---- helpers -------------------------------------------------------------------------------------


def _say(text: str) -> None:
    print(text, flush=True)


def _fail(text: str) -> NoReturn:
    raise CliError(text)


def _is_sqlite(settings: Settings) -> bool:
    return settings.sqlalchemy_url.startswith("sqlite")


def _safe_url(settings: Settings) -> str:
    return make_url(settings.sqlalchemy_url).render_as_string(hide_password=True)


@contextmanager
def _database(settings: Settings) -> Iterator[Database]:
    db = Database.from_url(settings.sqlalchemy_url, pool=settings.pool_limits)
    try:
        yield db
    finally:
        db.dispose()


def _require_migrated(db: Database) -> None:
    current, head = schema.current_revision(db.engine), _head_revision()
    if current != head:
        _fail(
            f"Databasen är inte migrerad (version {current or 'ingen'}, senaste {head}); "
            "kör `levelup migrate` först. / Database not migrated; run `levelup migrate` "
            "first."
        )


def _head_revision() -> str | None:
    try:
        return schema.head_revision()
    except schema.MigrationsNotFound as exc:
        _fail(str(exc))


def _run_alembic(settings: Settings, action: str, revision: str) -> tuple[str | None, str | None]:
    with _database(settings) as db:
        before = schema.current_revision(db.engine)
        try:
            if action == "upgrade":
                schema.upgrade(db.engine, revision)
            else:
                schema.downgrade(db.engine, revision)
        except (CommandError, schema.MigrationsNotFound) as exc:
            _fail(f"Alembic: {exc}")
        after = schema.current_revision(db.engine)
    return before, after


def _create_exclusive(path: Path) -> None:
    """Create an empty file readable only by its owner; refuse if anything exists there.

    O_EXCL makes "does not exist" and "create" one step, so a backup never overwrites a file.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        _fail(f"Filen {path} finns redan; välj ett annat namn. / {path} already exists.")
    os.close(fd)


# ---- commands ------------------------------------------------------------------------------------


def app_factory() -> FastAPI:
    """For `uvicorn --factory` and for several workers: each worker process builds its app."""
    from api.app import create_app

    return create_app(Settings.from_env())


def _serve(settings: Settings, args: argparse.Namespace) -> int:
    import uvicorn

    from api.app import create_app

    if args.workers < 1:
        _fail("--workers måste vara minst 1. / --workers must be at least 1.")
    host = f"[{args.host}]" if ":" in args.host else args.host
    base = f"http://{host}:{args.port}"
    _say(
        f"Level Up startar på / starting on {base} – API-dokumentation / API docs: {base}/api/docs"
    )
    options = {
        "host": args.host,
        "port": args.port,
        "log_level": "info",
        "proxy_headers": args.proxy_headers,
    }
    if args.workers == 1:
        uvicorn.run(create_app(settings), **options)
    else:
        uvicorn.run("api.cli:app_factory", factory=True, workers=args.workers, **options)
    return EXIT_OK


def _migrate(settings: Settings, args: argparse.Namespace) -> int:
    before, after = _run_alembic(settings, "upgrade", args.revision)
    if before == after:
        _say(
            f"Databasen är redan på version {after} / database already at {after} "
            f"({_safe_url(settings)})"
        )
    else:
        _say(
            f"Databasen migrerad / database migrated: {before or 'tom / empty'} -> {after} "
            f"({_safe_url(settings)})"
        )
    return EXIT_OK


def _downgrade(settings: Settings, args: argparse.Namespace) -> int:
    before, after = _run_alembic(settings, "downgrade", args.revision)
    _say(
        f"Databasen nedgraderad / database downgraded: {before or 'tom / empty'} -> "
        f"{after or 'base (tom / empty)'} ({_safe_url(settings)})"
    )
    return EXIT_OK


def _demo_data(settings: Settings, args: argparse.Namespace) -> int:
    if settings.environment == "production":
        _fail(
            "Demodata laddas aldrig i produktion (LEVELUP_ENVIRONMENT=production): demokontona "
            "har ett publicerat lösenord. / Refusing to load demo data in production."
        )
    if args.participants < 0:
        _fail("--participants kan inte vara negativt. / --participants must be >= 0.")
    clock = Clock()
    with _database(settings) as db:
        _require_migrated(db)
        try:
            summary = load_demo_data(
                db,
                today=clock.today(),
                now=clock.now(),
                seed=args.seed,
                participants=args.participants,
                if_empty=args.if_empty,
                progress=_say,
            )
        except DemoDataError as exc:
            _fail(str(exc))
    for line in summary.lines():
        _say(line)
    if not summary.skipped:
        for line in demo_login_lines():
            _say(line)
    return EXIT_OK


def _read_new_password() -> str:
    from_env = os.environ.get(NEW_PASSWORD_ENV)
    if from_env is not None:
        return from_env
    try:
        first = getpass.getpass("Nytt lösenord / new password: ")
        second = getpass.getpass("Upprepa lösenordet / repeat password: ")
    except (EOFError, KeyboardInterrupt):
        _fail("Inget lösenord angavs. / No password given.")
    if first != second:
        _fail("Lösenorden stämmer inte överens. / The passwords do not match.")
    return first


def _resolve_municipality(db: Database, value: str) -> int:
    with db.unit_of_work(write=False) as uow:
        rows = list(
            uow.session.execute(
                select(OrganisationRow)
                .where(OrganisationRow.kind == "municipality")
                .order_by(OrganisationRow.id)
            ).scalars()
        )
    text = value.strip()
    matches = (
        [r for r in rows if text.isdigit() and r.id == int(text)]
        or [r for r in rows if r.municipality_code == text]
        or [r for r in rows if r.name.casefold() == text.casefold()]
    )
    if len(matches) != 1:
        known = ", ".join(f"{r.name} (id {r.id}, kod {r.municipality_code})" for r in rows)
        _fail(
            f"Hittar {'ingen' if not matches else 'flera'} kommun '{value}'. "
            f"Kända kommuner / known municipalities: {known or 'inga / none'}."
        )
    return matches[0].id


def _pydantic_message(exc: ValidationError) -> str:
    parts = []
    for error in exc.errors():
        where = ".".join(str(x) for x in error["loc"]) or "värde"
        parts.append(f"{where}: {error['msg']}")
    return "; ".join(parts)


def _create_user(settings: Settings, args: argparse.Namespace) -> int:
    # The admin service creates users for the admin API too: one set of rules.
    from api.errors import ApiError
    from api.services.admin import add_user

    password = _read_new_password()
    if len(password) < MIN_PASSWORD_CHARS:
        _fail(
            f"Lösenordet måste ha minst {MIN_PASSWORD_CHARS} tecken. / The password must have "
            f"at least {MIN_PASSWORD_CHARS} characters."
        )
    with _database(settings) as db:
        _require_migrated(db)
        municipality_id = (
            _resolve_municipality(db, args.municipality) if args.municipality is not None else None
        )
        try:
            data = UserCreate(
                username=args.username,
                display_name=args.display_name,
                password=password,
                role=args.role,
                municipality_id=municipality_id,
                organisation_id=args.organisation,
            )
        except ValidationError as exc:
            _fail(f"Ogiltiga uppgifter / invalid input: {_pydantic_message(exc)}")
        try:
            row = add_user(db, None, data, now=Clock().now(), via="cli")
        except (ApiError, DomainError) as exc:
            _fail(exc.detail)
    _say(
        f"Användare skapad / user created: {row.username} (id {row.id}, {row.role}"
        f"{f', kommun {row.municipality_id}' if row.municipality_id else ''})"
    )
    return EXIT_OK


def _verify_audit(settings: Settings, args: argparse.Namespace) -> int:
    with _database(settings) as db:
        _require_migrated(db)
        with db.unit_of_work(write=False) as uow:
            report = verify_chain(uow.session)
    if report.ok:
        _say(
            f"Granskningsloggen är hel / audit log OK: {report.entries} poster kontrollerade / "
            "entries checked"
        )
        return EXIT_OK
    print(
        f"Granskningsloggen är BRUTEN vid post {report.first_broken_id} / audit log BROKEN at "
        f"entry id {report.first_broken_id} ({report.entries} poster hela före / entries "
        "intact before it)",
        file=sys.stderr,
    )
    return EXIT_FAILED


def _rebuild_task_items(settings: Settings, args: argparse.Namespace) -> int:
    """Recompute the task list's read model from its sources, in one transaction (the
    application keeps it current itself; this repairs it after writes past the application)."""

    def progress(done: int, total: int) -> None:
        _say(f"  {done} av / of {total} inskrivningar / enrolments")

    with _database(settings) as db:
        _require_migrated(db)
        with db.unit_of_work(write=True) as uow:
            written = rebuild_task_items(uow.session.connection(), progress)
            uow.commit()
    _say(f"Uppgiftslistorna är omräknade / task lists rebuilt: {written} uppgifter / items")
    return EXIT_OK


def _sqlite_file(settings: Settings) -> Path:
    return Path(settings.sqlite_path)


def _libpq_url(settings: Settings) -> tuple[str, dict[str, str]]:
    """The URL for libpq tools (postgresql://, no driver) and the password as PGPASSWORD, so it
    never appears on a command line that `ps` can show."""
    url = make_url(settings.sqlalchemy_url)
    env = dict(os.environ)
    if url.password is not None:
        env["PGPASSWORD"] = str(url.password)
    libpq = url.set(drivername="postgresql", password=None)
    return libpq.render_as_string(hide_password=False), env


def _backup(settings: Settings, args: argparse.Namespace) -> int:
    target = Path(args.to).expanduser()
    if _is_sqlite(settings):
        source = _sqlite_file(settings)
        if not source.is_file():
            _fail(f"Databasfilen {source} finns inte. / Database file {source} does not exist.")
        _create_exclusive(target)
        try:
            # VACUUM INTO writes a consistent snapshot (WAL included) while others keep working.
            with _sqlite3(source) as conn:
                conn.execute("VACUUM INTO ?", (str(target),))
            with _sqlite3(target) as check:
                result = check.execute("PRAGMA quick_check").fetchone()[0]
            if result != "ok":
                _fail(f"Säkerhetskopian klarade inte kontrollen: {result}")
        except (sqlite3.Error, CliError) as exc:
            target.unlink(missing_ok=True)
            _fail(f"Säkerhetskopieringen misslyckades / backup failed: {exc}")
    else:
        pg_dump = shutil.which("pg_dump")
        if pg_dump is None:
            _fail(
                "pg_dump saknas; installera PostgreSQL-klientverktygen. / pg_dump not found; "
                "install the PostgreSQL client tools."
            )
        url, env = _libpq_url(settings)
        _create_exclusive(target)
        result = subprocess.run(  # noqa: S603 (fixed program, no shell)
            [pg_dump, "--format=custom", "--file", str(target), url], env=env, check=False
        )
        if result.returncode != 0:
            target.unlink(missing_ok=True)
            _fail(f"pg_dump misslyckades (kod {result.returncode}) / pg_dump failed.")
    _say(f"Säkerhetskopia skriven / backup written: {target} ({target.stat().st_size} byte)")
    return EXIT_OK


@contextmanager
def _sqlite3(path: Path) -> Iterator[sqlite3.Connection]:
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        yield conn
    finally:
        conn.close()


def _restore(settings: Settings, args: argparse.Namespace) -> int:
    source = Path(args.from_path).expanduser()
    if not _is_sqlite(settings):
        _fail(
            "Återställning av PostgreSQL görs manuellt med pg_restore, t.ex. "
            f"`pg_restore --clean --if-exists --dbname <url> {source}`. / Restore PostgreSQL "
            "manually with pg_restore."
        )
    if not source.is_file():
        _fail(f"Säkerhetskopian {source} finns inte. / Backup {source} does not exist.")
    with source.open("rb") as fh:
        if fh.read(16) != b"SQLite format 3\x00":
            _fail(f"{source} är ingen SQLite-databas. / {source} is not an SQLite database.")
    target = _sqlite_file(settings)
    if target.resolve() == source.resolve():
        _fail("Säkerhetskopian och databasen är samma fil. / Backup and database are the same.")
    if target.exists() and not args.force:
        _fail(
            f"Databasen {target} finns redan; använd --force för att skriva över den "
            "(stoppa servern först). / Database exists; use --force to overwrite it."
        )
    created = not target.exists()
    if created:
        _create_exclusive(target)
    try:
        with _sqlite3(source) as src:
            result = src.execute("PRAGMA quick_check").fetchone()[0]
            if result != "ok":
                _fail(f"Säkerhetskopian är skadad: {result} / backup is damaged.")
            # The backup API replaces the target page by page under its lock and keeps its WAL
            # consistent, unlike copying a file over a database that has -wal/-shm files.
            with _sqlite3(target) as dst:
                src.backup(dst)
    except (sqlite3.Error, CliError) as exc:
        if created:
            target.unlink(missing_ok=True)
        _fail(f"Återställningen misslyckades / restore failed: {exc}")
    _say(
        f"Databasen återställd / database restored: {source} -> {target}. Kör `levelup migrate` "
        "om säkerhetskopian är från en äldre version. / Run `levelup migrate` if it is older."
    )
    return EXIT_OK


# ---- parser and entry point ----------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="levelup",
        description="Level Up: server, databas och underhåll / server, database and maintenance. "
        "Inställningar från miljön (LEVELUP_*). / Settings from the environment.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, handler: Handler, help_text: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_text, description=help_text)
        p.set_defaults(handler=handler)
        return p

    p = command("serve", _serve, "Kör API-servern / run the API server (uvicorn)")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--workers", type=int, default=1)
    p.add_argument(
        "--proxy-headers",
        action="store_true",
        help="lita på X-Forwarded-* från proxyn / trust X-Forwarded-* (default off)",
    )

    p = command("migrate", _migrate, "Migrera databasen / upgrade the database schema")
    p.add_argument("--revision", default="head")

    p = command("downgrade", _downgrade, "Nedgradera databasen / downgrade the database schema")
    p.add_argument("--revision", required=True)

    p = command("demo-data", _demo_data, "Ladda syntetiska demodata / load synthetic demo data")
    p.add_argument(
        "--if-empty",
        action="store_true",
        help="gör inget om det finns deltagare / do nothing if participants exist",
    )
    p.add_argument("--seed", type=int, default=2016)
    p.add_argument("--participants", type=int, default=250)

    p = command(
        "create-user",
        _create_user,
        f"Skapa en användare; lösenord från {NEW_PASSWORD_ENV} eller frågas efter / "
        "create a user; password from the environment or prompted",
    )
    p.add_argument("--username", required=True)
    p.add_argument(
        "--role", required=True, choices=[r.value for r in Role if r is not Role.INTEGRATION_CLIENT]
    )
    p.add_argument("--municipality", help="kommunens namn, kommunkod eller id / name, code or id")
    p.add_argument("--organisation", type=int, help="organisationens id / organisation id")
    p.add_argument("--display-name", required=True)

    command(
        "verify-audit",
        _verify_audit,
        "Kontrollera granskningsloggens hashkedja / verify the audit log hash chain",
    )

    command(
        "rebuild-task-items",
        _rebuild_task_items,
        "Räkna om uppgiftslistornas lagrade underlag / rebuild the task lists' read model",
    )

    p = command("backup", _backup, "Säkerhetskopiera databasen / back up the database")
    p.add_argument("--to", required=True, metavar="PATH")

    p = command(
        "restore", _restore, "Återställ en SQLite-säkerhetskopia / restore an SQLite backup"
    )
    p.add_argument("--from", dest="from_path", required=True, metavar="PATH")
    p.add_argument(
        "--force",
        action="store_true",
        help="skriv över en befintlig databas / overwrite an existing database",
    )
    return parser


def _error(message: str) -> int:
    first_line = message.strip().splitlines()[0] if message.strip() else "okänt fel"
    print(f"levelup: fel / error: {first_line}", file=sys.stderr)
    return EXIT_USAGE


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = Settings.from_env()
    except ValidationError as exc:
        return _error(f"Ogiltiga inställningar / invalid settings: {_pydantic_message(exc)}")
    handler: Handler = args.handler
    try:
        return handler(settings, args)
    except CliError as exc:
        return _error(str(exc))
    except KeyboardInterrupt:
        return 130
    except DomainError as exc:
        return _error(exc.detail)
    except OperationalError as exc:
        # Connection refused, unreadable file, locked database …: the driver's first line.
        return _error(f"Databasen svarar inte / database error: {exc.orig}")


if __name__ == "__main__":
    sys.exit(main())
