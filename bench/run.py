"""`python -m bench.run`: caseload and task-list throughput against a bare baseline, sync vs
async, hotspots.

What it measures, per backend (SQLite file, and PostgreSQL when LEVELUP_TEST_POSTGRES_URL is set,
as `make bench` / `scripts/with-postgres.sh` do):

1. On a freshly migrated and seeded database (bench.seed: 100 mentors x 30 active enrolments),
   one uvicorn worker serving the real `create_app` plus the bare baseline endpoints
   (bench.apps). Every caseload response is verified first (200, 30 items, per token).
2. wrk against `GET /bench/bare`, `GET /bench/bare-sync` and `GET /api/v1/me/caseload` (rotating
   through one access token per mentor) with the same settings: requests/s, p50, p99.
3. The ratio caseload/bare and the target from the issue: ratio >= 0.12 and caseload p99 <= 30 ms.
   The same for `GET /api/v1/me/tasks` (issue 3: ratio >= 0.12) after bench.journey has added
   each mentor's assessments, follow-ups, activities, cohorts and plans.
   A miss is printed as MISS and never fails the run; errors (a non-2xx answer, a wrong
   caseload, a crashed server) exit 1.
4. Sync vs async (bench.sync_vs_async): the same caseload query behind `def` + sync engine and
   `async def` + async engine; ratio async/sync (`--skip-async` to leave out).
5. Where the caseload time goes (bench.hotspots; `--skip-profile` to leave out).

Results are printed as a table and written to bench/results/latest.json (gitignored). All
traffic is loopback; the load generator shares the machine's cores with the server, so only
ratios within one run are meaningful (ARCHITECTURE.md rule 14).

Reproduce: `make bench` or `bash scripts/with-postgres.sh .venv/bin/python -m bench.run`.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import json
import os
import platform
import secrets
import shlex
import statistics
import sys
import tempfile
import time
import traceback
from contextlib import ExitStack
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from bench import apps, load, servers, sync_vs_async, whatif
from bench.journey import add_journey
from bench.seed import fresh_database, seed

RESULTS_DIR = Path(__file__).resolve().parent / "results"
POSTGRES_ENV = "LEVELUP_TEST_POSTGRES_URL"
CASELOAD_PATH = "/api/v1/me/caseload"
TASKS_PATH = "/api/v1/me/tasks"
TARGET_RATIO = 0.12
TARGET_P99_MS = 30.0
EXPECTED_ITEMS = 30


class BenchError(RuntimeError):
    """Something is wrong with the system under test or the harness (not a slow result)."""


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n")[0])
    parser.add_argument(
        "--backend",
        choices=("sqlite", "postgresql", "both"),
        default=None,
        help="default: both when LEVELUP_TEST_POSTGRES_URL is set, else sqlite",
    )
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per load phase")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument(
        "--quick",
        action="store_true",
        help="3 s phases, 1 s warm-up, smaller profile (a smoke run)",
    )
    parser.add_argument("--skip-async", action="store_true", help="leave out sync vs async")
    parser.add_argument("--skip-profile", action="store_true", help="leave out the hotspots")
    parser.add_argument(
        "--skip-whatif",
        action="store_true",
        help="leave out the runs with candidate fixes patched in (bench.whatif)",
    )
    parser.add_argument("--profile-requests", type=int, default=200)
    parser.add_argument("--output", type=Path, default=RESULTS_DIR / "latest.json")
    args = parser.parse_args(argv)
    if args.quick:
        args.duration = min(args.duration, 3.0)
        args.profile_requests = min(args.profile_requests, 100)
    args.warmup = 1.0 if args.quick else min(2.0, max(1.0, args.duration / 3))
    return args


def backends_for(choice: str | None, postgres_url: str | None) -> list[str]:
    if choice is None:
        choice = "both" if postgres_url else "sqlite"
    wanted = ["sqlite", "postgresql"] if choice == "both" else [choice]
    if "postgresql" in wanted and not postgres_url:
        raise BenchError(
            f"--backend {choice} needs {POSTGRES_ENV}; run it through "
            "scripts/with-postgres.sh (or `make bench`)"
        )
    return wanted


# ---- verification ----------------------------------------------------------------------------


def verify_levelup(base_url: str, tokens: list[str]) -> None:
    """Every mentor's caseload answers 200 with their 30 open enrolments; auth is enforced."""
    with httpx.Client(base_url=base_url, timeout=30) as client:
        bare = client.get("/bench/bare")
        if bare.status_code != 200 or bare.json() != apps.BARE_BODY:
            raise BenchError(f"/bench/bare answered {bare.status_code} {bare.text[:200]}")
        anonymous = client.get(CASELOAD_PATH)
        if anonymous.status_code != 401:
            raise BenchError(f"caseload without a token answered {anonymous.status_code}")
        seen: set[int] = set()
        for token in tokens:
            response = client.get(CASELOAD_PATH, headers={"Authorization": f"Bearer {token}"})
            if response.status_code != 200:
                raise BenchError(f"caseload answered {response.status_code}: {response.text[:300]}")
            body = response.json()
            items = body.get("items", [])
            if body.get("count") != EXPECTED_ITEMS or len(items) != EXPECTED_ITEMS:
                raise BenchError(
                    f"caseload had {body.get('count')} / {len(items)} items, "
                    f"expected {EXPECTED_ITEMS}"
                )
            if any(i["state"] != "active" or "*" not in i["personnummer_masked"] for i in items):
                raise BenchError("caseload item not active or personnummer not masked")
            seen.update(i["enrolment_id"] for i in items)
        if len(seen) != EXPECTED_ITEMS * len(tokens):
            raise BenchError(f"caseloads overlap: {len(seen)} distinct enrolments")


def verify_tasks(base_url: str, tokens: list[str]) -> dict[str, int]:
    """Every mentor's task list answers 200 and, over all mentors, has every kind of task."""
    totals = {"assessments": 0, "follow_ups": 0, "sessions": 0, "quiet_participants": 0}
    with httpx.Client(base_url=base_url, timeout=30) as client:
        for token in tokens:
            response = client.get(TASKS_PATH, headers={"Authorization": f"Bearer {token}"})
            if response.status_code != 200:
                raise BenchError(f"tasks answered {response.status_code}: {response.text[:300]}")
            body = response.json()
            for key in totals:
                totals[key] += len(body[key])
    if not all(totals.values()):
        raise BenchError(f"the task lists lack a kind of task: {totals}")
    return totals


def verify_minimal(base_url: str, mentor_ids: list[int]) -> None:
    with httpx.Client(base_url=base_url, timeout=30) as client:
        for mentor_id in mentor_ids:
            response = client.get(f"/caseload/{mentor_id}")
            if response.status_code != 200 or response.json()["count"] != EXPECTED_ITEMS:
                raise BenchError(
                    f"/caseload/{mentor_id} answered {response.status_code} {response.text[:200]}"
                )


# ---- one backend -----------------------------------------------------------------------------


def _phase(
    base_url: str,
    requests: list[load.Request],
    name: str,
    args: argparse.Namespace,
    *,
    connections: int | None = None,
    threads: int | None = None,
) -> dict[str, Any]:
    connections = connections or args.connections
    threads = threads or args.threads
    warm = load.load(
        base_url,
        requests,
        name=f"{name} warm-up",
        duration=args.warmup,
        connections=connections,
        threads=threads,
    )
    if warm.failed:
        raise BenchError(f"{name} warm-up failed: {warm.as_dict()}")
    # Other work on the machine (other sessions' test runs) shows here; ratios need quiet cores.
    loadavg_before = os.getloadavg()[0]
    result = load.load(
        base_url,
        requests,
        name=name,
        duration=args.duration,
        connections=connections,
        threads=threads,
    )
    print(
        f"    {name:<28} {result.rps:>9.0f} req/s  p50 {result.p50_ms:7.2f} ms  "
        f"p99 {result.p99_ms:7.2f} ms{'  FAILED' if result.failed else ''}",
        flush=True,
    )
    return {**result.as_dict(), "loadavg_1m_before": round(loadavg_before, 2)}


def run_backend(
    backend: str, args: argparse.Namespace, postgres_url: str | None, workdir: Path
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    with fresh_database(backend, workdir=workdir, postgres_admin_url=postgres_url) as url:
        print(f"[{backend}] migrating and seeding ...", flush=True)
        report = seed(url)
        out["seed"] = report.as_dict()
        print(
            f"    {report.enrolments} enrolments, {report.transitions} transitions, "
            f"{report.audit_entries} audit entries in {report.seed_seconds:.1f} s "
            f"(+{report.migrate_seconds:.1f} s migrations)",
            flush=True,
        )
        print(f"[{backend}] adding the participant journey (bench.journey) ...", flush=True)
        out["journey_seed"] = add_journey(url, report, today=datetime.now(UTC).date())
        print(f"    {out['journey_seed']}", flush=True)
        if backend == "postgresql":
            out["server_version"] = _postgres_version(url)

        secret = secrets.token_urlsafe(48)
        codec = apps.token_codec(secret)
        now = datetime.now(UTC)
        tokens = [codec.issue_access(f"user:{m}", now=now)[0] for m in report.mentor_ids]
        env = {apps.ENV_DATABASE_URL: url, apps.ENV_JWT_SECRET: secret}

        print(f"[{backend}] real app (create_app) + bare baseline, one uvicorn worker", flush=True)
        with servers.serve(
            "bench.apps:levelup_app",
            env,
            ready_path="/bench/bare",
            log_path=RESULTS_DIR / f"server-{backend}.log",
        ) as server:
            verify_levelup(server.base_url, tokens)
            out["bare"] = _phase(server.base_url, [("/bench/bare", None)], "bare (async def)", args)
            out["bare_sync"] = _phase(
                server.base_url, [("/bench/bare-sync", None)], "bare-sync (def)", args
            )
            caseload_requests: list[load.Request] = [(CASELOAD_PATH, f"Bearer {t}") for t in tokens]
            out["caseload"] = _phase(server.base_url, caseload_requests, "caseload", args)
            # One connection: the latency of a request that never waits for another one.
            out["caseload_1_connection"] = _phase(
                server.base_url,
                caseload_requests,
                "caseload, 1 connection",
                args,
                connections=1,
                threads=1,
            )
            out["tasks_per_mentor_total"] = verify_tasks(server.base_url, tokens)
            tasks_requests: list[load.Request] = [(TASKS_PATH, f"Bearer {t}") for t in tokens]
            out["tasks"] = _phase(server.base_url, tasks_requests, "tasks", args)
            out["tasks_1_connection"] = _phase(
                server.base_url,
                tasks_requests,
                "tasks, 1 connection",
                args,
                connections=1,
                threads=1,
            )
            if not args.skip_profile:
                out["pyspy"] = _pyspy_phase(backend, server, caseload_requests, args)
            verify_levelup(server.base_url, tokens[:5])  # still right after the load
        out["ratio_caseload_bare"] = round(out["caseload"]["rps"] / out["bare"]["rps"], 4)
        out["ratio_caseload_bare_sync"] = round(out["caseload"]["rps"] / out["bare_sync"]["rps"], 4)
        out["ratio_tasks_bare"] = round(out["tasks"]["rps"] / out["bare"]["rps"], 4)
        out["target"] = {
            "ratio_min": TARGET_RATIO,
            "p99_max_ms": TARGET_P99_MS,
            "ratio_pass": out["ratio_caseload_bare"] >= TARGET_RATIO,
            "p99_pass": out["caseload"]["p99_ms"] <= TARGET_P99_MS,
            "tasks_ratio_pass": out["ratio_tasks_bare"] >= TARGET_RATIO,
        }

        if not args.skip_whatif:
            out["whatif"] = _whatifs(backend, env, tokens, args)
        if not args.skip_async:
            out["sync_vs_async"] = _sync_vs_async(backend, url, report, args)
        if not args.skip_profile:
            from bench.hotspots import profile_caseload

            print(
                f"[{backend}] profiling the caseload request in-process "
                f"({args.profile_requests} requests) ...",
                flush=True,
            )
            out["hotspots"] = profile_caseload(
                url,
                secret,
                report.municipality_id,
                report.mentor_ids,
                requests=args.profile_requests,
            )
    return out


def _pyspy_phase(
    backend: str, server: servers.Server, requests: list[load.Request], args: argparse.Namespace
) -> dict[str, Any]:
    """Sample the real server with py-spy during an extra caseload load (not used for rps)."""
    from bench import hotspots

    if hotspots.pyspy_executable() is None:
        return {"error": "py-spy not installed (pip install -e '.[bench]')"}
    seconds = max(3, round(args.duration / 2))
    output = RESULTS_DIR / f"pyspy-{backend}.txt"
    print(f"[{backend}] py-spy on the server during {seconds} s of caseload load", flush=True)
    sampler = hotspots.pyspy_start(server.pid, seconds, str(output))
    try:
        load.load(
            server.base_url,
            requests,
            name="caseload under py-spy",
            duration=seconds,
            connections=args.connections,
            threads=args.threads,
        )
        _, stderr = sampler.communicate(timeout=seconds + 60)
    finally:
        if sampler.poll() is None:
            sampler.kill()
            sampler.wait()
    if sampler.returncode != 0 or not output.exists():
        return {"error": f"py-spy exited {sampler.returncode}: {stderr.decode()[-300:]}"}
    return {"output": str(output), **hotspots.summarise_collapsed(str(output))}


def _whatifs(
    backend: str, env: dict[str, str], tokens: list[str], args: argparse.Namespace
) -> dict[str, Any]:
    """The caseload run again with candidate fixes patched in (bench.whatif); never fatal."""
    # Upper bounds, not proposals: what the read audit and the principal reload cost under load.
    combos = [("no_audit",), ("no_audit", "principal_cache")]
    requests: list[load.Request] = [(CASELOAD_PATH, f"Bearer {t}") for t in tokens]
    out: dict[str, Any] = {}
    for combo in combos:
        key = "+".join(combo)
        print(f"[{backend}] what-if: caseload with {key}", flush=True)
        try:
            with servers.serve(
                "bench.apps:levelup_app",
                {**env, whatif.ENV_WHATIF: ",".join(combo)},
                ready_path="/bench/bare",
                log_path=RESULTS_DIR / f"server-{backend}-whatif.log",
            ) as server:
                verify_levelup(server.base_url, tokens)
                out[key] = _phase(server.base_url, requests, f"caseload + {key}", args)
        except Exception as exc:  # an experiment that no longer applies is reported, not fatal
            print(f"    what-if {key} did not run: {exc!r}", flush=True)
            out[key] = {"error": repr(exc)}
    return out


def _sync_vs_async(backend: str, url: str, report: Any, args: argparse.Namespace) -> dict[str, Any]:
    env = {
        sync_vs_async.ENV_DATABASE_URL: url,
        sync_vs_async.ENV_MUNICIPALITY_ID: str(report.municipality_id),
    }
    requests: list[load.Request] = [(f"/caseload/{m}", None) for m in report.mentor_ids]
    out: dict[str, Any] = {"statement": "captured from caseload_lines per mentor"}
    variants = [
        ("sync", "create_sync_app", "def + pysqlite" if backend == "sqlite" else "def + psycopg 3"),
        (
            "async",
            "create_async_app",
            "async def + " + ("aiosqlite" if backend == "sqlite" else "asyncpg"),
        ),
    ]
    if backend == "postgresql":
        variants.append(("async_psycopg", "create_async_app", "async def + psycopg 3 async"))
    # All variants serve at once (an idle server costs nothing) and take turns in rounds, in a
    # rotating order, so a burst of outside load on the shared machine hits every variant.
    with ExitStack() as stack:
        running: dict[str, tuple[str, servers.Server]] = {}
        for kind, factory, what in variants:
            label = f"{kind.split('_')[0]} ({what})"
            print(f"[{backend}] minimal app: {label}", flush=True)
            variant_env = {
                **env,
                sync_vs_async.ENV_ASYNC_DRIVER: "psycopg" if kind == "async_psycopg" else "asyncpg",
            }
            server = stack.enter_context(
                servers.serve(
                    f"bench.sync_vs_async:{factory}",
                    variant_env,
                    ready_path=sync_vs_async.READY_PATH,
                    log_path=RESULTS_DIR / f"server-{backend}-{kind}.log",
                )
            )
            verify_minimal(server.base_url, report.mentor_ids)
            running[kind] = (label, server)
        out.update(_interleaved(running, requests, args))
    out["ratio_async_sync"] = round(out["async"]["rps"] / out["sync"]["rps"], 4)
    out["ratio_async_sync_per_round"] = [
        round(a / b, 3)
        for a, b in zip(out["async"]["rps_per_round"], out["sync"]["rps_per_round"], strict=True)
    ]
    if "async_psycopg" in out:
        out["ratio_async_psycopg_sync"] = round(out["async_psycopg"]["rps"] / out["sync"]["rps"], 4)
    return out


SYNC_ASYNC_ROUNDS = 3


def _interleaved(
    running: dict[str, tuple[str, servers.Server]],
    requests: list[load.Request],
    args: argparse.Namespace,
) -> dict[str, Any]:
    """Load each server in turn for SYNC_ASYNC_ROUNDS slices; totals over all slices."""
    slice_s = max(1.0, args.duration / SYNC_ASYNC_ROUNDS)
    slices: dict[str, list[load.LoadResult]] = {kind: [] for kind in running}
    for label, server in running.values():
        warm = load.load(
            server.base_url,
            requests,
            name=f"{label} warm-up",
            duration=args.warmup,
            connections=args.connections,
            threads=args.threads,
        )
        if warm.failed:
            raise BenchError(f"{label} warm-up failed: {warm.as_dict()}")
    kinds = list(running)
    for round_no in range(SYNC_ASYNC_ROUNDS):
        for kind in kinds[round_no % len(kinds) :] + kinds[: round_no % len(kinds)]:
            label, server = running[kind]
            slices[kind].append(
                load.load(
                    server.base_url,
                    requests,
                    name=label,
                    duration=slice_s,
                    connections=args.connections,
                    threads=args.threads,
                )
            )
    out: dict[str, Any] = {}
    for kind, results in slices.items():
        label = running[kind][0]
        requests_total = sum(r.requests for r in results)
        seconds = sum(r.duration_s for r in results)
        merged = {
            "label": label,
            "name": label,
            "tool": results[0].tool,
            "rounds": len(results),
            "duration_s": seconds,
            "connections": args.connections,
            "requests": requests_total,
            "rps": requests_total / seconds,
            # Percentiles cannot be merged exactly; the median slice is reported.
            "p50_ms": statistics.median(r.p50_ms for r in results),
            "p99_ms": statistics.median(r.p99_ms for r in results),
            "rps_per_round": [round(r.rps, 1) for r in results],
            "non_2xx": sum(r.non_2xx for r in results),
            "socket_errors": [r.socket_errors for r in results],
            "failed": any(r.failed for r in results),
        }
        out[kind] = merged
        print(
            f"    {label:<28} {merged['rps']:>9.0f} req/s  p50 {merged['p50_ms']:7.2f} ms  "
            f"p99 {merged['p99_ms']:7.2f} ms  rounds {merged['rps_per_round']}"
            f"{'  FAILED' if merged['failed'] else ''}",
            flush=True,
        )
    return out


def _postgres_version(url: str) -> str:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return str(conn.execute(text("SHOW server_version")).scalar_one())
    finally:
        engine.dispose()


# ---- report ----------------------------------------------------------------------------------


def _versions() -> dict[str, str | None]:
    names = (
        "fastapi",
        "starlette",
        "uvicorn",
        "uvloop",
        "httptools",
        "sqlalchemy",
        "psycopg",
        "asyncpg",
        "aiosqlite",
        "pydantic",
        "python-jose",
    )
    found: dict[str, str | None] = {}
    for name in names:
        try:
            found[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            found[name] = None
    return found


def _row(backend: str, what: str, r: dict[str, Any], extra: str = "") -> str:
    flag = "  FAILED" if r.get("failed") else ""
    return (
        f"{backend:<11} {what:<34} {r['rps']:>9.0f} {r['p50_ms']:>9.2f} {r['p99_ms']:>9.2f}"
        f"  {extra}{flag}"
    )


def render(results: dict[str, Any]) -> str:
    settings = results["settings"]
    tool = "wrk" if settings["load_tool"] == "wrk" else "httpx fallback in-process"
    lines = [
        "",
        f"Level Up benchmark  ({tool}: -t{settings['threads']}"
        f" -c{settings['connections']} -d{settings['duration_s']:g}s,"
        f" {results['machine']['cpus']} cores shared by server, load generator and database)",
        "",
        f"{'backend':<11} {'endpoint':<34} {'req/s':>9} {'p50 ms':>9} {'p99 ms':>9}"
        "  ratio / target",
        "-" * 100,
    ]
    for backend, b in results["backends"].items():
        if "error" in b:
            lines.append(f"{backend:<11} ERROR: {b['error']}")
            continue
        t = b["target"]
        lines.append(_row(backend, "bare (async def)", b["bare"], "baseline"))
        lines.append(_row(backend, "bare-sync (def, threadpool)", b["bare_sync"]))
        lines.append(
            _row(
                backend,
                "GET /api/v1/me/caseload",
                b["caseload"],
                f"caseload/bare {b['ratio_caseload_bare']:.3f} "
                f"(>= {TARGET_RATIO}: {'PASS' if t['ratio_pass'] else 'MISS'}), "
                f"p99 <= {TARGET_P99_MS:g} ms: {'PASS' if t['p99_pass'] else 'MISS'}",
            )
        )
        lines.append(
            _row(
                backend, "caseload, 1 connection", b["caseload_1_connection"], "uncontended latency"
            )
        )
        if "tasks" in b:
            lines.append(
                _row(
                    backend,
                    "GET /api/v1/me/tasks",
                    b["tasks"],
                    f"tasks/bare {b['ratio_tasks_bare']:.3f} "
                    f"(>= {TARGET_RATIO}: {'PASS' if t['tasks_ratio_pass'] else 'MISS'})",
                )
            )
            lines.append(
                _row(backend, "tasks, 1 connection", b["tasks_1_connection"], "uncontended latency")
            )
        for key, w in b.get("whatif", {}).items():
            if "error" in w:
                lines.append(f"{backend:<11} what-if {key}: did not run ({w['error'][:60]})")
            else:
                lines.append(
                    _row(
                        backend,
                        f"what-if: {key}"[:34],
                        w,
                        f"caseload/bare {w['rps'] / b['bare']['rps']:.3f}, "
                        f"x{w['rps'] / b['caseload']['rps']:.2f} vs caseload",
                    )
                )
        sva = b.get("sync_vs_async")
        if sva:
            lines.append(_row(backend, sva["sync"]["label"], sva["sync"], "minimal app"))
            lines.append(
                _row(
                    backend,
                    sva["async"]["label"],
                    sva["async"],
                    f"async/sync {sva['ratio_async_sync']:.3f} "
                    f"(rounds {sva['ratio_async_sync_per_round']})",
                )
            )
            if "async_psycopg" in sva:
                lines.append(
                    _row(
                        backend,
                        sva["async_psycopg"]["label"],
                        sva["async_psycopg"],
                        f"async/sync {sva['ratio_async_psycopg_sync']:.3f}",
                    )
                )
        lines.append("")
    lines.append(
        f"Note: with {results['settings']['connections']} closed-loop connections, "
        "latency ~ connections / throughput (Little's law): caseload p99 <= "
        f"{TARGET_P99_MS:g} ms needs roughly >= "
        f"{results['settings']['connections'] / TARGET_P99_MS * 1000:.0f} req/s."
    )
    lines.append("")
    for backend, b in results["backends"].items():
        spy = b.get("pyspy")
        if spy and "error" in spy:
            lines.append(f"[{backend}] py-spy: {spy['error']}")
        elif spy and spy.get("samples"):
            lines.append(
                f"[{backend}] py-spy on the real server under caseload load, share of "
                f"{spy['samples']} samples of the GIL holder (inclusive):"
            )
            for st in spy["stages"]:
                lines.append(f"    {st['stage']:<46} {st['share'] * 100:5.1f}%")
            lines.append(f"[{backend}] py-spy top 10 functions (inclusive, wrappers left out):")
            for t in spy["top_inclusive"][:10]:
                lines.append(f"    {t['share'] * 100:5.1f}%  {t['function']}")
            lines.append("")
        h = b.get("hotspots")
        if not h:
            continue
        ip = h["in_process_us"]
        lines.append(
            f"[{backend}] in-process, one request at a time (µs/request): caseload "
            f"{ip['caseload']['mean_us']:.0f}, bare {ip['bare']['mean_us']:.0f}, "
            f"bare-sync {ip['bare_sync']['mean_us']:.0f}; threadpool hops per caseload "
            f"request {h['threadpool_hops_per_caseload_request']:g} "
            f"(one hop {h['threadpool_hop_us']['mean_us']:.0f} µs)"
        )
        lines.append(
            f"[{backend}] stages on their own (µs/call): "
            + ", ".join(f"{k} {v['mean_us']:.0f}" for k, v in h["stages_us"].items())
        )
        lines.append(
            f"[{backend}] profile (cProfile, threadpool inlined; "
            f"{h['profiled_us_per_request']:.0f} µs/request profiled):"
        )
        for s in h["profile_stages"]:
            lines.append(
                f"    {s['stage']:<46} {s['us_per_request']:>8.0f} µs "
                f"{s['share'] * 100:5.1f}%  x{s['calls_per_request']:g}"
            )
        lines.append(f"[{backend}] top 10 by cumulative time (wrappers left out):")
        for t in h["profile_top_cumulative"][:10]:
            lines.append(
                f"    {t['us_per_request']:>8.0f} µs {t['share'] * 100:5.1f}%  {t['function']}"
            )
        lines.append("")
    if results["errors"]:
        lines.append("ERRORS:")
        lines.extend(f"  {e}" for e in results["errors"])
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    postgres_url = os.environ.get(POSTGRES_ENV)
    started = time.monotonic()
    try:
        backends = backends_for(args.backend, postgres_url)
    except BenchError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if not load.have_wrk():
        print(
            "note: wrk not found (apt-get install -y wrk); using the asyncio+httpx fallback, "
            "which shares the 2 cores with the server and is much heavier per request",
            flush=True,
        )
    results: dict[str, Any] = {
        "command": " ".join(
            shlex.quote(a)
            for a in [sys.executable, "-m", "bench.run", *(sys.argv[1:] if argv is None else argv)]
        ),
        "reproduce": "make bench  (= bash scripts/with-postgres.sh .venv/bin/python -m bench.run"
        " --backend both)",
        "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "loadavg_at_start": [round(x, 2) for x in os.getloadavg()],
        "machine": {
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "python": platform.python_version(),
            "wrk": load.wrk_version(),
            "uvicorn": " ".join(servers.uvicorn_command("<factory>", 0)[3:]),
        },
        "versions": _versions(),
        "settings": {
            "duration_s": max(1, round(args.duration)),
            "warmup_s": args.warmup,
            "connections": args.connections,
            "threads": args.threads,
            "load_tool": "wrk" if load.have_wrk() else "httpx",
        },
        "targets": {"ratio_caseload_bare_min": TARGET_RATIO, "caseload_p99_max_ms": TARGET_P99_MS},
        "backends": {},
        "errors": [],
    }
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="levelup-bench-") as tmp:
        for backend in backends:
            try:
                results["backends"][backend] = run_backend(backend, args, postgres_url, Path(tmp))
            except Exception as exc:
                traceback.print_exc()
                results["backends"][backend] = {"error": repr(exc)}
                results["errors"].append(f"{backend}: {exc!r}")
    for backend, b in results["backends"].items():
        phases = [
            b.get("sync_vs_async", {}).get("async_psycopg"),
            b.get("bare"),
            b.get("bare_sync"),
            b.get("caseload"),
            b.get("caseload_1_connection"),
            b.get("tasks"),
            b.get("tasks_1_connection"),
            *(b.get("sync_vs_async", {}).get(k) for k in ("sync", "async")),
        ]
        for phase in phases:
            if phase and phase.get("failed"):
                results["errors"].append(
                    f"{backend}: {phase['name']} had non-2xx answers or "
                    f"socket errors: {phase['non_2xx']} {phase['socket_errors']}"
                )
    results["elapsed_s"] = round(time.monotonic() - started, 1)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(results, indent=2) + "\n")
    print(render(results))
    print(f"\nwritten: {args.output}  ({results['elapsed_s']:.0f} s)")
    return 1 if results["errors"] else 0


if __name__ == "__main__":
    raise SystemExit(main())
