"""The `levelup` command, run in-process (`api.cli.main`) against a temporary SQLite file chosen
through LEVELUP_SQLITE_PATH, exactly as an operator would: migrate, demo data, create-user,
verify-audit, backup and restore. User mistakes end with exit code 2 and one line on stderr."""

from __future__ import annotations

import shutil
import sqlite3
import stat
import subprocess
from pathlib import Path
from typing import Any

import pytest

from api import cli
from api.demo_data import DEMO_PASSWORD
from api.persistence import schema
from api.security.passwords import verify_password

NEW_PASSWORD = "a long enough password"


@pytest.fixture
def db_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh SQLite location for the CLI; nothing else in the environment leaks in."""
    path = tmp_path / "var" / "levelup.sqlite3"
    for name in (
        "LEVELUP_DATABASE_URL",
        "DATABASE_URL",
        "LEVELUP_ENVIRONMENT",
        "LEVELUP_JWT_SECRET",
        cli.NEW_PASSWORD_ENV,
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LEVELUP_SQLITE_PATH", str(path))
    return path


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = cli.main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def query(path: Path, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def count_participants(path: Path) -> int:
    return int(query(path, "SELECT count(*) FROM participants")[0][0])


def assert_user_error(code: int, out: str, err: str, *fragments: str) -> None:
    assert code == cli.EXIT_USAGE
    assert len(err.strip().splitlines()) == 1, err
    assert "Traceback" not in err + out
    for fragment in fragments:
        assert fragment in err


def test_migrate_demo_data_verify_backup_restore(
    db_path: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    code, out, _ = run(capsys, "migrate")
    assert code == 0 and f"-> {schema.head_revision()}" in out
    code, out, _ = run(capsys, "migrate")
    assert code == 0 and "redan" in out

    code, out, _ = run(capsys, "demo-data", "--participants", "20")
    assert code == 0, out
    assert "20/20" in out and "20 deltagare" in out
    assert "mentor.skara1" in out and DEMO_PASSWORD in out and "lu_demo_lidkoping" in out
    assert count_participants(db_path) == 20

    code, out, _ = run(capsys, "verify-audit")
    assert code == 0 and "OK" in out and "1 poster" in out

    backup = tmp_path / "backups" / "levelup.backup.sqlite3"
    code, out, _ = run(capsys, "backup", "--to", str(backup))
    assert code == 0 and str(backup) in out
    assert stat.S_IMODE(backup.stat().st_mode) == 0o600  # sensitive data: owner only
    # Never overwrites: the first backup is kept as it was.
    size = backup.stat().st_size
    assert_user_error(*run(capsys, "backup", "--to", str(backup)), "finns redan")
    assert backup.stat().st_size == size

    restored = tmp_path / "restored" / "levelup.sqlite3"
    monkeypatch.setenv("LEVELUP_SQLITE_PATH", str(restored))
    code, out, _ = run(capsys, "restore", "--from", str(backup))
    assert code == 0, out
    assert count_participants(restored) == 20
    assert query(restored, "SELECT username FROM users ORDER BY id") == query(
        db_path, "SELECT username FROM users ORDER BY id"
    )
    code, out, _ = run(capsys, "verify-audit")
    assert code == 0 and "OK" in out

    # Restoring over an existing database needs --force, and then replaces it completely.
    assert_user_error(*run(capsys, "restore", "--from", str(backup)), "--force")
    assert count_participants(restored) == 20
    empty = tmp_path / "empty.sqlite3"
    monkeypatch.setenv("LEVELUP_SQLITE_PATH", str(empty))
    assert run(capsys, "migrate")[0] == 0
    assert run(capsys, "backup", "--to", str(tmp_path / "empty.backup"))[0] == 0
    monkeypatch.setenv("LEVELUP_SQLITE_PATH", str(restored))
    code, out, _ = run(capsys, "restore", "--from", str(tmp_path / "empty.backup"), "--force")
    assert code == 0, out
    assert count_participants(restored) == 0


def test_demo_data_if_empty_skips_the_second_time(
    db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(capsys, "migrate")[0] == 0
    code, out, _ = run(capsys, "demo-data", "--if-empty", "--participants", "5")
    assert code == 0 and "5/5" in out
    code, out, _ = run(capsys, "demo-data", "--if-empty", "--participants", "5")
    assert code == 0
    assert "inga demodata laddades" in out and "no demo data loaded" in out
    assert "5/5" not in out
    assert count_participants(db_path) == 5
    # Without --if-empty: refused with a reason, nothing added.
    assert_user_error(*run(capsys, "demo-data", "--participants", "5"), "finns redan")
    assert count_participants(db_path) == 5


def test_demo_data_needs_a_migrated_database_and_is_refused_in_production(
    db_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert_user_error(*run(capsys, "demo-data"), "levelup migrate")
    assert_user_error(*run(capsys, "verify-audit"), "levelup migrate")
    assert run(capsys, "migrate")[0] == 0
    monkeypatch.setenv("LEVELUP_ENVIRONMENT", "production")
    monkeypatch.setenv("LEVELUP_JWT_SECRET", "p" * 48)
    assert_user_error(*run(capsys, "demo-data"), "production")
    assert count_participants(db_path) == 0


@pytest.fixture
def with_municipalities(db_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    """Migrated, with the demo organisations and accounts but no participants."""
    assert run(capsys, "migrate")[0] == 0
    assert run(capsys, "demo-data", "--participants", "0")[0] == 0
    return db_path


def test_create_user_with_password_from_the_environment(
    with_municipalities: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(cli.NEW_PASSWORD_ENV, NEW_PASSWORD)
    code, out, err = run(
        capsys,
        "create-user",
        "--username",
        "ny.mentor",
        "--role",
        "mentor",
        "--municipality",
        "skara",
        "--display-name",
        "Ny Mentor",
    )
    assert code == 0, err
    assert "ny.mentor" in out
    (user,) = query(
        with_municipalities,
        "SELECT u.password_hash, u.role, o.name FROM users u "
        "JOIN organisations o ON o.id = u.municipality_id WHERE u.username = ?",
        "ny.mentor",
    )
    assert user[1:] == ("mentor", "Skara")
    assert verify_password(user[0], NEW_PASSWORD)
    assert NEW_PASSWORD not in out + err

    # By kommunkod and by id too; an association role needs no municipality.
    assert (
        run(
            capsys,
            "create-user",
            "--username",
            "ny.lead",
            "--role",
            "lead_mentor",
            "--municipality",
            "1470",
            "--display-name",
            "Ny Huvudmentor",
        )[0]
        == 0
    )
    (association_id,) = query(
        with_municipalities, "SELECT id FROM organisations WHERE kind = 'association'"
    )[0]
    assert (
        run(
            capsys,
            "create-user",
            "--username",
            "ny.analytiker",
            "--role",
            "association_analyst",
            "--organisation",
            str(association_id),
            "--display-name",
            "Ny Analytiker",
        )[0]
        == 0
    )

    # Audited as the system actor, and the chain still verifies.
    actions = query(
        with_municipalities, "SELECT action, actor_kind, detail FROM audit_log ORDER BY id"
    )
    assert [a[:2] for a in actions] == [("demo_data.load", "system")] + [
        ("user.create", "system")
    ] * 3
    assert NEW_PASSWORD not in str(actions)
    code, out, _ = run(capsys, "verify-audit")
    assert code == 0 and "4 poster" in out

    assert_user_error(
        *run(
            capsys,
            "create-user",
            "--username",
            "ny.mentor",
            "--role",
            "mentor",
            "--municipality",
            "Skara",
            "--display-name",
            "Igen",
        ),
        "upptaget",
    )


def test_create_user_refuses_a_short_password(
    with_municipalities: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(cli.NEW_PASSWORD_ENV, "short")
    assert_user_error(
        *run(
            capsys, "create-user", "--username", "kort", "--role", "admin", "--display-name", "Kort"
        ),
        "minst 12 tecken",
    )
    assert query(with_municipalities, "SELECT * FROM users WHERE username = 'kort'") == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--role", "mentor"], "kräver en kommun"),
        (["--role", "unit_manager", "--municipality", "Stockholm"], "Hittar ingen kommun"),
        (["--role", "referrer"], "kräver organisation_id"),
        (["--role", "evaluator", "--municipality", "Vara"], "hör inte till en kommun"),
        (["--role", "referrer", "--organisation", "99999"], "finns inte"),
    ],
)
def test_create_user_applies_the_admin_rules(
    with_municipalities: Path,
    args: list[str],
    message: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(cli.NEW_PASSWORD_ENV, NEW_PASSWORD)
    assert_user_error(
        *run(capsys, "create-user", "--username", "fel.roll", "--display-name", "Fel Roll", *args),
        message,
    )
    assert query(with_municipalities, "SELECT * FROM users WHERE username = 'fel.roll'") == []


def test_create_user_bad_username_is_a_user_error(
    with_municipalities: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(cli.NEW_PASSWORD_ENV, NEW_PASSWORD)
    assert_user_error(
        *run(
            capsys,
            "create-user",
            "--username",
            "Has Spaces",
            "--role",
            "admin",
            "--display-name",
            "X",
        ),
        "username",
    )


def test_create_user_prompts_twice_when_no_environment_password(
    with_municipalities: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    answers = iter([NEW_PASSWORD, NEW_PASSWORD + "x"])
    monkeypatch.setattr(cli.getpass, "getpass", lambda prompt="": next(answers))
    assert_user_error(
        *run(
            capsys, "create-user", "--username", "prompt", "--role", "admin", "--display-name", "P"
        ),
        "stämmer inte",
    )
    answers = iter([NEW_PASSWORD, NEW_PASSWORD])
    assert (
        run(
            capsys, "create-user", "--username", "prompt", "--role", "admin", "--display-name", "P"
        )[0]
        == 0
    )


def test_verify_audit_finds_a_tampered_entry(
    with_municipalities: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    conn = sqlite3.connect(with_municipalities)
    with conn:
        conn.execute("UPDATE audit_log SET action = 'something.else' WHERE id = 1")
    conn.close()
    code, _, err = run(capsys, "verify-audit")
    assert code == cli.EXIT_FAILED
    assert "BRUTEN vid post 1" in err and "BROKEN" in err


def test_rebuild_task_items_repairs_rows_written_past_the_application(
    db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(capsys, "rebuild-task-items")[0] == cli.EXIT_USAGE  # not migrated yet
    assert run(capsys, "migrate")[0] == 0
    assert run(capsys, "demo-data", "--participants", "20")[0] == 0
    snapshot = "SELECT enrolment_id, kind, dated_on, source_id FROM task_items ORDER BY 1, 2, 3, 4"
    kept = query(db_path, snapshot)
    assert kept
    # An activity inserted by hand in SQL: no commit of the application saw it.
    enrolment_id, participant_id = query(
        db_path, "SELECT id, participant_id FROM enrolments WHERE state = 'active' LIMIT 1"
    )[0]
    conn = sqlite3.connect(db_path)
    with conn:
        conn.execute(
            "INSERT INTO activities (enrolment_id, participant_id, activity_type, occurred_on,"
            " duration_minutes, recorded_at) VALUES (?, ?, 'motivational_talk', '2999-01-01',"
            " 30, '2026-01-01 00:00:00')",
            (enrolment_id, participant_id),
        )
    conn.close()
    assert query(db_path, snapshot) == kept
    code, out, _ = run(capsys, "rebuild-task-items")
    assert code == 0, out
    assert "av / of" in out and "omräknade / task lists rebuilt" in out
    latest = query(
        db_path,
        "SELECT dated_on FROM task_items WHERE kind = 'activity' AND enrolment_id = ?",
        enrolment_id,
    )
    assert latest == [("2999-01-01",)]


def test_downgrade_and_migrate_again(db_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "migrate")[0] == 0
    code, out, _ = run(capsys, "downgrade", "--revision", "base")
    assert code == 0 and f"{schema.head_revision()} -> base" in out
    assert query(db_path, "SELECT name FROM sqlite_master WHERE name = 'participants'") == []
    assert run(capsys, "migrate")[0] == 0
    assert count_participants(db_path) == 0


def test_unknown_revision_is_a_user_error(
    db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert_user_error(*run(capsys, "migrate", "--revision", "nonexistent"), "Alembic")


def test_backup_refuses_a_missing_database(
    db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert_user_error(*run(capsys, "backup", "--to", str(tmp_path / "b")), "finns inte")
    assert not (tmp_path / "b").exists()


def test_restore_refuses_what_is_not_an_sqlite_backup(
    db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    junk = tmp_path / "junk.bin"
    junk.write_bytes(b"not a database at all")
    assert_user_error(*run(capsys, "restore", "--from", str(junk)), "ingen SQLite-databas")
    assert_user_error(*run(capsys, "restore", "--from", str(tmp_path / "missing")), "finns inte")
    assert not db_path.exists()


def test_restore_on_postgresql_points_to_pg_restore(
    db_path: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("LEVELUP_DATABASE_URL", "postgresql://levelup@127.0.0.1:1/levelup")
    assert_user_error(*run(capsys, "restore", "--from", str(tmp_path / "dump")), "pg_restore")


def test_backup_on_each_backend(
    db_path: Path,
    backend_url: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """SQLite through VACUUM INTO, PostgreSQL through pg_dump (custom format)."""
    sqlite = backend_url.startswith("sqlite")
    if sqlite:
        monkeypatch.setenv("LEVELUP_SQLITE_PATH", backend_url.split("///", 1)[1])
    else:
        monkeypatch.setenv("LEVELUP_DATABASE_URL", backend_url)
    assert run(capsys, "demo-data", "--participants", "3")[0] == 0
    backup = tmp_path / "levelup.backup"
    code, _, err = run(capsys, "backup", "--to", str(backup))
    assert code == 0, err
    assert stat.S_IMODE(backup.stat().st_mode) == 0o600
    if sqlite:
        assert count_participants(backup) == 3
    else:
        pg_restore = shutil.which("pg_restore")
        assert pg_restore, "pg_restore is needed to read the dump back"
        listing = subprocess.run(  # noqa: S603 (fixed program and arguments)
            [pg_restore, "--list", str(backup)], capture_output=True, text=True, check=True
        ).stdout
        assert "TABLE DATA public participants" in listing
    assert_user_error(*run(capsys, "backup", "--to", str(backup)), "finns redan")


def test_serve_runs_uvicorn_with_the_app_and_prints_the_docs_url(
    db_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import uvicorn

    calls: list[tuple[tuple[Any, ...], dict[str, Any]]] = []
    monkeypatch.setattr(uvicorn, "run", lambda *a, **kw: calls.append((a, kw)))
    code, out, _ = run(capsys, "serve", "--port", "8123")
    assert code == 0
    assert "http://127.0.0.1:8123/api/docs" in out
    ((app,), options) = calls[0]
    assert app.docs_url == "/api/docs"
    assert options == {
        "host": "127.0.0.1",
        "port": 8123,
        "log_level": "info",
        "proxy_headers": False,
    }

    code, _, _ = run(capsys, "serve", "--workers", "2", "--proxy-headers")
    assert code == 0
    args, options = calls[1]
    assert args == ("api.cli:app_factory",)
    assert options["factory"] is True and options["workers"] == 2
    assert options["proxy_headers"] is True
    assert cli.app_factory().docs_url == "/api/docs"


def test_invalid_settings_are_a_user_error(
    db_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LEVELUP_JWT_SECRET", "too short")
    assert_user_error(*run(capsys, "verify-audit"), "LEVELUP_JWT_SECRET")


def test_alembic_ini_is_found_from_another_directory(
    db_path: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    assert run(capsys, "migrate")[0] == 0
    assert count_participants(db_path) == 0
