"""Where one caseload request spends its time: stage timings, threadpool hops and a cProfile.

What it measures, in this process on the seeded database (no network, one request at a time):

1. In-process request latency through the real ASGI app (httpx ASGITransport, the real
   threadpool): caseload vs the bare baselines. This is CPU cost per request, without the
   contention the load test adds.
2. Each stage on its own, un-profiled, averaged over many calls: token decode, principal reload,
   the caseload query in a read-only unit of work (and the same query from a prebuilt statement,
   plus building the scope filter alone: statement construction vs execution), the audit append
   (hash chain) in a write unit of work and the same append with its statements prebuilt, the
   whole service (`my_caseload` on a read connection, then its audit entry through the
   threaded group commit), and the router body (the same with the 30 answer items built).
   The stages take turns in rounds and report the median round, so a burst of outside load
   on the shared machine does not land on one stage.
3. How many threadpool round trips FastAPI makes per caseload request, and what one costs.
4. A cProfile of a few hundred requests with the threadpool inlined (cProfile only sees the
   thread it runs in), reported as cumulative time per request for named stages and as the
   top functions by cumulative time.

Why: the load test says *how fast*; this says *why*, so the lead can pick the change with the
biggest measured effect. Profiler overhead inflates functions with many small calls, so the
un-profiled stage timings (2) are the numbers to quote; the profile shows the shape.
"""

from __future__ import annotations

import asyncio
import cProfile
import pstats
import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, cast

import anyio.to_thread
import httpx
from sqlalchemy import Connection, Table, bindparam, insert, select, update
from sqlalchemy.orm import aliased

from api.deps import _load_principal
from api.persistence.audit import (
    CHAIN_HEAD_ID,
    AuditEvent,
    AuditLog,
    _digest,  # the chain's one hash function
    verify_chain,
)
from api.persistence.models import (
    AuditChainHeadRow,
    AuditEntryRow,
    AuditSubjectRow,
    EnrolmentRow,
)
from api.persistence.repositories.enrolments import caseload_lines
from api.persistence.repositories.scope_filters import participant_visible
from api.routers.me import _caseload_body
from api.security.principal import Principal, scope_for
from api.security.tokens import TokenType
from api.services.me import my_caseload
from bench.apps import add_baseline_routes, bench_settings
from bench.sync_vs_async import capture_caseload_statements

CASELOAD_PATH = "/api/v1/me/caseload"

# (label, file suffix, function name) of the stages reported from the profile.
STAGES: tuple[tuple[str, str, str], ...] = (
    ("whole request (ASGI app)", "fastapi/applications.py", "__call__"),
    ("dependencies: bearer, auth, guard", "fastapi/dependencies/utils.py", "solve_dependencies"),
    ("  token decode (jose + claim checks)", "api/security/tokens.py", "decode"),
    ("  principal reload (Core SELECT user)", "api/deps.py", "_load_principal"),
    ("router body _caseload_body", "api/routers/me.py", "_caseload_body"),
    ("  service my_caseload", "api/services/me.py", "my_caseload"),
    ("    uow enter (session + BEGIN IMMEDIATE)", "api/persistence/uow.py", "__enter__"),
    (
        "    caseload query (caseload_lines)",
        "api/persistence/repositories/enrolments.py",
        "caseload_lines",
    ),
    ("    audit append (chain head, hash, inserts)", "api/persistence/audit.py", "append"),
    ("      audit hash (json + sha256)", "api/persistence/audit.py", "_digest"),
    ("    commit", "api/persistence/uow.py", "commit"),
    ("    uow exit (close)", "api/persistence/uow.py", "__exit__"),
    ("  personnummer parse + mask (x30)", "domain/personnummer.py", "__post_init__"),
    ("serialisation (prevalidated_json)", "api/responses.py", "prevalidated_json"),
)
# Frames that only wrap everything else (or belong to the harness) are left out of the top list.
_WRAPPER_PATHS = (
    "asyncio/",
    "httpx/",
    "anyio/",
    "starlette/middleware",
    "contextlib.py",
    "bench/hotspots.py",
    "starlette/_exception_handler.py",
    "concurrent/",
    "threading.py",
    "{built-in method builtins.exec}",
    "starlette/concurrency.py",
    "(run_endpoint_function)",
    "(_run_sync_endpoint)",
    "(get_request_handler",
    "starlette/routing.py",
    "fastapi/routing.py:",
)


ROUNDS = 5


@dataclass
class Sample:
    mean_us: float
    calls: int
    spread_us: tuple[float, float] = (0.0, 0.0)

    def as_dict(self) -> dict[str, Any]:
        return {
            "mean_us": round(self.mean_us, 1),
            "calls": self.calls,
            "round_min_max_us": [round(x, 1) for x in self.spread_us],
        }


def _time_interleaved(fns: dict[str, Callable[[], Any]], calls: int) -> dict[str, Sample]:
    """Per-call time of each function, robust to other load on a shared machine.

    The functions take turns in ROUNDS rounds (so a burst of outside load hits all of them, not
    one) and each reports the median of its per-round means.
    """
    per_round = max(1, calls // ROUNDS)
    means: dict[str, list[float]] = {name: [] for name in fns}
    for fn in fns.values():
        for _ in range(min(20, per_round)):
            fn()
    for _ in range(ROUNDS):
        for name, fn in fns.items():
            started = time.perf_counter()
            for _ in range(per_round):
                fn()
            means[name].append((time.perf_counter() - started) / per_round * 1e6)
    return {
        name: Sample(statistics.median(m), per_round * ROUNDS, (min(m), max(m)))
        for name, m in means.items()
    }


async def _time_interleaved_async(
    fns: dict[str, Callable[[], Any]], calls: int
) -> dict[str, Sample]:
    """`_time_interleaved` for coroutine functions."""
    per_round = max(1, calls // ROUNDS)
    means: dict[str, list[float]] = {name: [] for name in fns}
    for fn in fns.values():
        for _ in range(min(20, per_round)):
            await fn()
    for _ in range(ROUNDS):
        for name, fn in fns.items():
            started = time.perf_counter()
            for _ in range(per_round):
                await fn()
            means[name].append((time.perf_counter() - started) / per_round * 1e6)
    return {
        name: Sample(statistics.median(m), per_round * ROUNDS, (min(m), max(m)))
        for name, m in means.items()
    }


async def _time_async(fn: Callable[[], Any], calls: int) -> Sample:
    for _ in range(min(20, calls)):
        await fn()
    started = time.perf_counter()
    for _ in range(calls):
        await fn()
    return Sample((time.perf_counter() - started) / calls * 1e6, calls)


@contextmanager
def _threadpool_inlined() -> Iterator[None]:
    """Run FastAPI's threadpool work inline so cProfile (one thread) sees all of it."""
    original = anyio.to_thread.run_sync

    async def inline(func: Callable[..., Any], *args: Any, **_kw: Any) -> Any:
        return func(*args)

    anyio.to_thread.run_sync = inline  # type: ignore[assignment]
    try:
        yield
    finally:
        anyio.to_thread.run_sync = original


@contextmanager
def _threadpool_counted(counter: list[int]) -> Iterator[None]:
    original = anyio.to_thread.run_sync

    async def counted(func: Callable[..., Any], *args: Any, **kw: Any) -> Any:
        counter[0] += 1
        return await original(func, *args, **kw)

    anyio.to_thread.run_sync = counted  # type: ignore[assignment]
    try:
        yield
    finally:
        anyio.to_thread.run_sync = original


def profile_caseload(
    url: str, jwt_secret: str, municipality_id: int, mentor_ids: list[int], *, requests: int = 300
) -> dict[str, Any]:
    from api.app import create_app

    app = create_app(bench_settings(url, jwt_secret))
    add_baseline_routes(app)
    ctx = app.state.context
    try:
        return asyncio.run(_measure(app, ctx, municipality_id, mentor_ids, requests))
    finally:
        ctx.database.dispose()


def _loaded_principal(connection: Connection, mentor_id: int) -> Principal:
    principal = _load_principal(connection, f"user:{mentor_id}")
    if principal is None:
        raise RuntimeError(f"the seeded mentor {mentor_id} is not an active user")
    return principal


async def _measure(
    app: Any, ctx: Any, municipality_id: int, mentor_ids: list[int], n: int
) -> dict[str, Any]:
    now = datetime.now(UTC)
    tokens = [ctx.tokens.issue_access(f"user:{m}", now=now)[0] for m in mentor_ids]
    headers = [{"Authorization": f"Bearer {t}"} for t in tokens]
    with ctx.database.read_connection() as connection:
        principals = [_loaded_principal(connection, m) for m in mentor_ids]
    result: dict[str, Any] = {"requests": n}
    rotation = {"i": 0}

    def next_index() -> int:
        rotation["i"] = (rotation["i"] + 1) % len(mentor_ids)
        return rotation["i"]

    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:

        async def caseload() -> None:
            response = await client.get(CASELOAD_PATH, headers=headers[next_index()])
            if response.status_code != 200 or response.json()["count"] != 30:
                raise RuntimeError(f"caseload answered {response.status_code}")

        async def bare() -> None:
            (await client.get("/bench/bare")).raise_for_status()

        async def bare_sync() -> None:
            (await client.get("/bench/bare-sync")).raise_for_status()

        # 1. in-process latency, real threadpool
        in_process = await _time_interleaved_async(
            {"caseload": caseload, "bare": bare, "bare_sync": bare_sync}, n
        )
        result["in_process_us"] = {name: sample.as_dict() for name, sample in in_process.items()}

        # 3. threadpool round trips per request, and the cost of one
        hops = [0]
        with _threadpool_counted(hops):
            for _ in range(10):
                await caseload()
        result["threadpool_hops_per_caseload_request"] = hops[0] / 10
        result["threadpool_hop_us"] = (
            await _time_async(lambda: anyio.to_thread.run_sync(_noop), n)
        ).as_dict()

        # 4. cProfile with the threadpool inlined
        with _threadpool_inlined():
            for _ in range(20):
                await caseload()
            profiler = cProfile.Profile()
            profiler.enable()
            for _ in range(n):
                await caseload()
            profiler.disable()
    result.update(_profile_report(profiler, n))

    # 2. stages on their own, no profiler, no HTTP
    db, codec, clock = ctx.database, ctx.tokens, ctx.clock

    def decode() -> None:
        codec.decode(tokens[next_index()], expected_type=TokenType.ACCESS, now=clock.now())

    def reload() -> None:
        with db.read_connection() as connection:
            _load_principal(connection, f"user:{mentor_ids[next_index()]}")

    def query_read_only() -> None:
        i = next_index()
        with db.read_connection() as connection:
            caseload_lines(connection, scope_for(principals[i]), mentor_ids[i])

    statements = capture_caseload_statements(db.engine, municipality_id)

    def prebuilt_statement_read_only() -> None:
        with db.unit_of_work(write=False) as uow:
            stmt, params = statements[mentor_ids[next_index()]]
            uow.session.execute(stmt, params).all()

    def build_scope_filter() -> None:
        participant_visible(scope_for(principals[next_index()]))

    def build_alias() -> None:
        aliased(EnrolmentRow)

    def audit_only() -> None:
        p = principals[next_index()]
        with db.unit_of_work(write=True) as uow:
            AuditLog(uow.session).append(
                p, AuditEvent("bench.audit_only", list(range(1, 31))), at=clock.now()
            )
            uow.commit()

    fast_audit = _PrebuiltAudit()

    def audit_prebuilt_core() -> None:
        p = principals[next_index()]
        with db.unit_of_work(write=True) as uow:
            fast_audit.append(
                uow.session, p, "bench.audit_prebuilt", list(range(1, 31)), clock.now()
            )
            uow.commit()

    def empty_write_uow() -> None:
        with db.unit_of_work(write=True) as uow:
            uow.commit()

    # The read and then its audit entry, as HotReads.read_audited does (here on a plain
    # connection and the threaded group commit: one caller, so a batch of one).
    def service() -> None:
        p = principals[next_index()]
        with db.read_connection() as connection:
            _, event = my_caseload(connection, p)
        if event is not None:
            ctx.read_audit.record(p, event, at=clock.now())

    def router_body() -> None:
        p = principals[next_index()]
        with db.read_connection() as connection:
            _, event = _caseload_body(connection, p, clock.today())
        if event is not None:
            ctx.read_audit.record(p, event, at=clock.now())

    stages = _time_interleaved(
        {
            "token_decode": decode,
            "principal_reload": reload,
            "caseload_query_read_only_uow": query_read_only,
            "same_query_prebuilt_statement": prebuilt_statement_read_only,
            "participant_visible_build": build_scope_filter,
            "aliased_enrolment_build": build_alias,
            "empty_write_uow_begin_commit": empty_write_uow,
            "audit_append_write_uow_commit": audit_only,
            "audit_append_prebuilt_core_statements": audit_prebuilt_core,
            "service_my_caseload": service,
            "router_body_caseload": router_body,
        },
        max(100, n),
    )
    result["stages_us"] = {name: sample.as_dict() for name, sample in stages.items()}
    with db.unit_of_work(write=False) as uow:
        chain = verify_chain(uow.session)
    if not chain.ok:  # the prebuilt variant must write the very same chain
        raise RuntimeError(f"audit chain broken at {chain.first_broken_id} after the stages")
    return result


def _noop() -> None:
    return None


class _PrebuiltAudit:
    """`AuditLog.append` with its four statements built once (Core, bound parameters).

    Same rows, same hash (`_digest`), same chain-head lock; only the per-call statement
    construction and ORM entity handling are gone. A measurement of that cost, not a fork:
    `verify_chain` afterwards proves the chain is still intact.
    """

    def __init__(self) -> None:
        head, log, subjects = (
            cast(Table, AuditChainHeadRow.__table__),
            cast(Table, AuditEntryRow.__table__),
            cast(Table, AuditSubjectRow.__table__),
        )
        self.read_head = (
            select(head.c.last_hash).where(head.c.id == CHAIN_HEAD_ID).with_for_update()
        )
        self.insert_entry = insert(log).returning(log.c.id)
        self.insert_subjects = insert(subjects)
        self.write_head = (
            update(head).where(head.c.id == CHAIN_HEAD_ID).values(last_hash=bindparam("new_hash"))
        )

    def append(
        self, session: Any, principal: Any, action: str, participant_ids: list[int], at: datetime
    ) -> int:
        event = AuditEvent(action, participant_ids)
        subjects = sorted(set(participant_ids))
        actor = (principal.kind.value, principal.id, principal.role.value)
        conn = session.connection()
        prev = conn.execute(self.read_head).scalar_one()
        row_hash = _digest(prev, at, *actor, event, subjects)
        audit_id = conn.execute(
            self.insert_entry,
            {
                "occurred_at": at,
                "actor_kind": actor[0],
                "actor_id": actor[1],
                "actor_role": actor[2],
                "action": action,
                "entity_type": None,
                "entity_id": None,
                "purpose": None,
                "detail": None,
                "prev_hash": prev,
                "row_hash": row_hash,
            },
        ).scalar_one()
        conn.execute(
            self.insert_subjects, [{"audit_id": audit_id, "participant_id": p} for p in subjects]
        )
        conn.execute(self.write_head, {"new_hash": row_hash})
        return int(audit_id)


def _profile_report(profiler: cProfile.Profile, n: int) -> dict[str, Any]:
    stats = pstats.Stats(profiler)
    raw: dict[Any, Any] = stats.stats  # type: ignore[attr-defined]
    entries = []
    for (filename, line, func), (_cc, ncalls, _tt, cumtime, _callers) in raw.items():
        entries.append((filename.replace("\\", "/"), line, func, ncalls, cumtime))
    total = (
        max(
            (
                e[4]
                for e in entries
                if e[0].endswith("fastapi/applications.py") and e[2] == "__call__"
            ),
            default=0.0,
        )
        or 1.0
    )

    stages = []
    for label, suffix, func in STAGES:
        matching = [e for e in entries if e[0].endswith(suffix) and e[2] == func]
        cum = sum(e[4] for e in matching)
        calls = sum(e[3] for e in matching)
        stages.append(
            {
                "stage": label,
                "us_per_request": round(cum / n * 1e6, 1),
                "share": round(cum / total, 3),
                "calls_per_request": round(calls / n, 1),
            }
        )

    def short(filename: str) -> str:
        for marker in ("site-packages/", "/work/main/"):
            if marker in filename:
                return filename.split(marker, 1)[1]
        return filename

    top = []
    for filename, line, func, ncalls, cumtime in sorted(entries, key=lambda e: -e[4]):
        where = f"{short(filename)}:{line}({func})"
        if any(w in where for w in _WRAPPER_PATHS) or cumtime / total > 0.97:
            continue
        top.append(
            {
                "function": where,
                "us_per_request": round(cumtime / n * 1e6, 1),
                "share": round(cumtime / total, 3),
                "calls_per_request": round(ncalls / n, 1),
            }
        )
        if len(top) == 25:
            break
    return {
        "profiled_us_per_request": round(total / n * 1e6, 1),
        "profile_stages": stages,
        "profile_top_cumulative": top,
    }


# ---- sampling the real server under load (py-spy) ---------------------------------------------

PYSPY_STAGES: tuple[tuple[str, str, str], ...] = (
    (
        "in worker threads (principal reload, endpoint body)",
        "anyio/_backends/_asyncio.py",
        "WorkerThread.run",
    ),
    ("token decode", "api/security/tokens.py", "decode"),
    ("principal reload", "api/deps.py", "_load_principal"),
    ("router body _caseload_body", "api/routers/me.py", "_caseload_body"),
    (
        "caseload query (caseload_lines)",
        "api/persistence/repositories/enrolments.py",
        "caseload_lines",
    ),
    (
        "  scope filter build (participant_visible)",
        "api/persistence/repositories/scope_filters.py",
        "participant_visible",
    ),
    ("audit append", "api/persistence/audit.py", "append"),
    ("unit of work commit", "api/persistence/uow.py", "commit"),
    ("serialisation (prevalidated_json)", "api/responses.py", "prevalidated_json"),
)


def pyspy_executable() -> str | None:
    import shutil
    import sys
    from pathlib import Path

    beside = Path(sys.executable).with_name("py-spy")
    return str(beside) if beside.exists() else shutil.which("py-spy")


def pyspy_start(pid: int, seconds: int, output: str) -> Any:
    """Sample the GIL holder of `pid` (what Python code runs) without pausing it."""
    import subprocess

    exe = pyspy_executable()
    if exe is None:
        raise RuntimeError("py-spy is not installed (pip install py-spy)")
    return subprocess.Popen(
        [
            exe,
            "record",
            "--pid",
            str(pid),
            "--duration",
            str(seconds),
            "--rate",
            "200",
            "--gil",
            "--nonblocking",
            "--format",
            "raw",
            "--output",
            output,
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def summarise_collapsed(path: str, *, top: int = 15) -> dict[str, Any]:
    """Inclusive sample shares per function from py-spy's collapsed stacks."""
    import re

    frame = re.compile(r"^(?P<func>.+?) \((?P<file>[^():]+)(?::\d+)?\)$")
    total = 0
    inclusive: dict[str, int] = {}
    stage_hits = [0] * len(PYSPY_STAGES)
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            stack, _, count_text = line.rstrip("\n").rpartition(" ")
            if not count_text.isdigit():
                continue
            count = int(count_text)
            total += count
            seen: set[str] = set()
            parsed = []
            for part in stack.split(";"):
                m = frame.match(part.strip())
                if m:
                    parsed.append((m["func"], m["file"].replace("\\", "/")))
            for func, file in parsed:
                key = f"{_short_path(file)}({func})"
                if key not in seen:
                    seen.add(key)
                    inclusive[key] = inclusive.get(key, 0) + count
            for i, (_label, suffix, func_name) in enumerate(PYSPY_STAGES):
                # py-spy qualifies methods ("AuditLog.append"); cProfile does not.
                if any(
                    (f == func_name or f.endswith("." + func_name)) and file.endswith(suffix)
                    for f, file in parsed
                ):
                    stage_hits[i] += count
    if total == 0:
        return {"samples": 0}
    ranked = [
        {"function": k, "share": round(v / total, 3)}
        for k, v in sorted(inclusive.items(), key=lambda kv: -kv[1])
        if v / total < 0.97 and not any(w in k for w in _WRAPPER_PATHS)
    ]
    return {
        "samples": total,
        "stages": [
            {"stage": label, "share": round(hits / total, 3)}
            for (label, _s, _f), hits in zip(PYSPY_STAGES, stage_hits, strict=True)
        ],
        "top_inclusive": ranked[:top],
    }


def _short_path(filename: str) -> str:
    for marker in ("site-packages/", "/work/main/"):
        if marker in filename:
            return filename.split(marker, 1)[1]
    if "/lib/python3." in filename:  # the standard library: drop the interpreter prefix
        return filename.split("/lib/python3.", 1)[1].split("/", 1)[-1]
    return filename
