"""`python -m bench.stats_export`: outcome / self-assessment statistics and the evaluation export
at 10 000 and 100 000 enrolments (issue 4, "Benchmark").

What it measures, per backend (SQLite file; PostgreSQL when LEVELUP_TEST_POSTGRES_URL is set, as
`scripts/with-postgres.sh` does) and per size, on a fresh migrated database seeded by
`bench.stats_seed` and served by ONE uvicorn worker running the real `create_app` (bench.apps):

1. Milliseconds per call (median of `--calls` calls after a warm-up call, one connection, as the
   association analyst: every member municipality) of `GET /api/v1/stats/outcomes` in a few
   filter / group_by variants and of `GET /api/v1/stats/self-assessment`.
2. The evaluation export as the evaluator: streamed and counted line by line (never held),
   total rows, seconds, rows per second.
3. The server process's memory while the export streams: VmRSS sampled every ~50 ms from
   /proc/<pid>/status in a thread (peak = the largest sample), VmHWM before and after.

Targets from the issue, printed as MISS when missed (a miss never fails the run): time(100k) /
time(10k) <= 12 per endpoint (at most linear for 10x data), and peak RSS during the 100k export
minus peak RSS during the 10k export < 50 MB. Errors exit 1: a non-200 answer, an export whose
row count differs from the enrolments whose participant holds evaluation consent now and is not
protected (queried independently of the app's code), or statistics whose exited / continuing /
excluded totals differ from the seeded exits.

Results: a table, and bench/results/stats-export.json.
Reproduce: `scripts/with-postgres.sh .venv/bin/python -m bench.stats_export --backend both`.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import secrets
import statistics
import sys
import tempfile
import threading
import time
import traceback
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import text

from api.persistence.db import make_engine
from bench import apps, servers
from bench.seed import fresh_database
from bench.stats_seed import StatsSeedReport, seed_stats

RESULTS_DIR = Path(__file__).resolve().parent / "results"
POSTGRES_ENV = "LEVELUP_TEST_POSTGRES_URL"
OUTCOMES = "/api/v1/stats/outcomes"
SELF_ASSESSMENT = "/api/v1/stats/self-assessment"
EXPORT = "/api/v1/exports/evaluation"
MAX_GROWTH = 12.0
MAX_MEMORY_GROWTH_MB = 50.0
SAMPLE_SECONDS = 0.05


class BenchError(RuntimeError):
    """The system under test answered wrongly (not merely slowly)."""


def _variants(today: datetime) -> list[tuple[str, str, list[tuple[str, str]]]]:
    """(name, path, query) of every measured statistics call."""
    year_ago = today.date().replace(year=today.year - 1).isoformat()
    period = [("exit_from", year_ago), ("exit_to", today.date().isoformat())]
    return [
        ("outcomes", OUTCOMES, []),
        (
            "outcomes by municipality x referrer_type",
            OUTCOMES,
            [("group_by", "municipality"), ("group_by", "referrer_type")],
        ),
        ("outcomes last year by time_bucket", OUTCOMES, [*period, ("group_by", "time_bucket")]),
        (
            "outcomes level_upgrade, referrer af",
            OUTCOMES,
            [("programme", "level_upgrade"), ("referrer_type", "af")],
        ),
        ("self-assessment", SELF_ASSESSMENT, []),
        ("self-assessment last year", SELF_ASSESSMENT, period),
    ]


# ---- memory ----------------------------------------------------------------------------------


def _status_kb(pid: int, field: str) -> int | None:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


class RssSampler(threading.Thread):
    """VmRSS of `pid` every SAMPLE_SECONDS until stopped; `peak_kb` is the largest sample."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.samples: list[int] = []
        self._stop_event = threading.Event()

    def run(self) -> None:
        while not self._stop_event.is_set():
            kb = _status_kb(self.pid, "VmRSS")
            if kb is not None:
                self.samples.append(kb)
            self._stop_event.wait(SAMPLE_SECONDS)

    def stop(self) -> None:
        self._stop_event.set()
        self.join(timeout=5)

    @property
    def peak_kb(self) -> int:
        return max(self.samples, default=0)


# ---- checks against the database -------------------------------------------------------------

# The latest evaluation entry per person decides (same-day entries: the later id), as the
# consent ledger defines it; written here independently of the app's query.
_EXPECTED_EXPORT_ROWS = """
SELECT count(*) FROM enrolments e
JOIN participants p ON p.id = e.participant_id
JOIN organisations m ON m.id = e.municipality_id
WHERE m.parent_id = :association
  AND p.protected_identity = :false
  AND (SELECT c.action FROM consent_entries c
       WHERE c.participant_id = p.id AND c.purpose = 'evaluation'
       ORDER BY c.effective_on DESC, c.id DESC LIMIT 1) = 'given'
"""


def expected_export_rows(url: str, association_id: int) -> int:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            n = conn.execute(
                text(_EXPECTED_EXPORT_ROWS), {"association": association_id, "false": False}
            ).scalar_one()
            return int(n)
    finally:
        engine.dispose()


def check_outcome_totals(body: dict[str, Any], report: StatsSeedReport, programme: str) -> None:
    total = body["total"]
    for category in ("exited", "continuing", "excluded"):
        got = total[category]["value"]
        want = report.exits[(programme, category)]
        if got != want:
            raise BenchError(f"stats {programme}: total {category} {got}, seeded {want}")


# ---- one size --------------------------------------------------------------------------------


def _time_calls(
    client: httpx.Client, path: str, query: list[tuple[str, str]], calls: int
) -> tuple[list[float], dict[str, Any]]:
    body: dict[str, Any] = {}
    timings: list[float] = []
    for n in range(calls + 1):  # the first is the warm-up
        started = time.perf_counter()
        response = client.get(path, params=tuple(query))
        elapsed = (time.perf_counter() - started) * 1000
        if response.status_code != 200:
            raise BenchError(
                f"{path} {query} answered {response.status_code}: {response.text[:300]}"
            )
        if n:
            timings.append(elapsed)
        body = response.json()
    return timings, body


def measure_export(base_url: str, token: str, pid: int) -> dict[str, Any]:
    hwm_before = _status_kb(pid, "VmHWM")
    rss_before = _status_kb(pid, "VmRSS")
    sampler = RssSampler(pid)
    sampler.start()
    lines = 0
    last = b""
    started = time.perf_counter()
    first_byte: float | None = None
    try:
        with (
            httpx.Client(base_url=base_url, timeout=600) as client,
            client.stream(
                "GET",
                EXPORT,
                params={"purpose": "Benchmark av utvärderingsexporten"},
                headers={"Authorization": f"Bearer {token}"},
            ) as response,
        ):
            if response.status_code != 200:
                response.read()
                raise BenchError(f"export answered {response.status_code}: {response.text[:300]}")
            for line in response.iter_lines():
                if not line:
                    continue
                if first_byte is None:
                    first_byte = time.perf_counter() - started
                lines += 1
                last = line.encode()
    finally:
        seconds = time.perf_counter() - started
        sampler.stop()
    trailer = json.loads(last) if last else {}
    rows = lines - 1
    if trailer.get("rows") != rows or "next_since" not in trailer:
        raise BenchError(f"export trailer {trailer} does not match {rows} rows (cut off?)")
    return {
        "rows": rows,
        "seconds": round(seconds, 2),
        "rows_per_second": round(rows / seconds) if seconds else None,
        "first_line_seconds": round(first_byte or 0.0, 3),
        "rss_before_mb": round((rss_before or 0) / 1024, 1),
        "rss_peak_mb": round(sampler.peak_kb / 1024, 1),
        "rss_growth_during_export_mb": round((sampler.peak_kb - (rss_before or 0)) / 1024, 1),
        "hwm_before_mb": round((hwm_before or 0) / 1024, 1),
        "hwm_after_mb": round((_status_kb(pid, "VmHWM") or 0) / 1024, 1),
        "samples": len(sampler.samples),
    }


def run_size(
    backend: str, size: int, args: argparse.Namespace, postgres_url: str | None, workdir: Path
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    with fresh_database(backend, workdir=workdir, postgres_admin_url=postgres_url) as url:
        print(f"[{backend} {size}] migrating and seeding ...", flush=True)
        report = seed_stats(url, size)
        out["seed"] = report.as_dict()
        print(
            f"    {report.enrolments} enrolments, {report.transitions} transitions, "
            f"{report.answers} answers in {report.seed_seconds:.1f} s",
            flush=True,
        )
        expected = expected_export_rows(url, report.association_id)
        if expected != report.expected_export_rows:
            raise BenchError(
                f"seed: {expected} exportable enrolments in the database, "
                f"{report.expected_export_rows} generated"
            )
        secret = secrets.token_urlsafe(48)
        codec = apps.token_codec(secret)
        now = datetime.now(UTC)
        analyst = codec.issue_access(f"user:{report.analyst_id}", now=now)[0]
        evaluator = codec.issue_access(f"user:{report.evaluator_id}", now=now)[0]
        env = {apps.ENV_DATABASE_URL: url, apps.ENV_JWT_SECRET: secret}
        with servers.serve(
            "bench.apps:levelup_app",
            env,
            ready_path="/bench/bare",
            log_path=RESULTS_DIR / f"stats-server-{backend}-{size}.log",
        ) as server:
            out["server_rss_start_mb"] = round((_status_kb(server.pid, "VmRSS") or 0) / 1024, 1)
            calls: dict[str, Any] = {}
            with httpx.Client(
                base_url=server.base_url,
                timeout=300,
                headers={"Authorization": f"Bearer {analyst}"},
            ) as client:
                for name, path, query in _variants(now):
                    timings, body = _time_calls(client, path, query, args.calls)
                    if path == OUTCOMES and not query:
                        check_outcome_totals(body, report, "level_up")
                    calls[name] = {
                        "median_ms": round(statistics.median(timings), 1),
                        "min_ms": round(min(timings), 1),
                        "max_ms": round(max(timings), 1),
                        "calls": len(timings),
                    }
                    print(f"    {name:<44} {calls[name]['median_ms']:>9.1f} ms", flush=True)
                # The whole programme Level Upgrade too, so both programmes' totals are checked.
                _, upgrade = _time_calls(client, OUTCOMES, [("programme", "level_upgrade")], 0)
                check_outcome_totals(upgrade, report, "level_upgrade")
            out["calls"] = calls
            print(f"[{backend} {size}] evaluation export ...", flush=True)
            export = measure_export(server.base_url, evaluator, server.pid)
            if export["rows"] != expected:
                raise BenchError(f"export sent {export['rows']} rows, expected {expected}")
            out["export"] = export
            print(
                f"    {export['rows']} rows in {export['seconds']} s = "
                f"{export['rows_per_second']} rows/s, RSS peak {export['rss_peak_mb']} MB "
                f"(before {export['rss_before_mb']} MB), VmHWM {export['hwm_after_mb']} MB",
                flush=True,
            )
    return out


# ---- report ------------------------------------------------------------------------------------


def compare(b: dict[str, Any], small: int, large: int) -> dict[str, Any]:
    s, big = b["sizes"].get(str(small)), b["sizes"].get(str(large))
    if not s or not big or "error" in s or "error" in big:
        return {}
    growth = {
        name: round(big["calls"][name]["median_ms"] / s["calls"][name]["median_ms"], 2)
        for name in s["calls"]
    }
    growth["export seconds"] = round(big["export"]["seconds"] / s["export"]["seconds"], 2)
    memory = round(big["export"]["rss_peak_mb"] - s["export"]["rss_peak_mb"], 1)
    return {
        "sizes": [small, large],
        "growth": growth,
        "growth_pass": {k: v <= MAX_GROWTH * large / small / 10 for k, v in growth.items()},
        "export_peak_rss_difference_mb": memory,
        "memory_pass": memory < MAX_MEMORY_GROWTH_MB,
    }


def render(results: dict[str, Any]) -> str:
    lines = [""]
    for backend, b in results["backends"].items():
        sizes = [k for k in b["sizes"]]
        lines.append(f"== {backend} ==")
        header = f"  {'ms per call (median)':<44}" + "".join(f"{s:>12}" for s in sizes)
        cmp = b.get("comparison") or {}
        lines.append(header + ("      growth" if cmp else ""))
        names = next((list(v["calls"]) for v in b["sizes"].values() if "calls" in v), [])
        for name in names:
            row = f"  {name:<44}"
            for s in sizes:
                v = b["sizes"][s].get("calls", {}).get(name)
                row += f"{v['median_ms']:>12.1f}" if v else f"{'-':>12}"
            if cmp:
                g = cmp["growth"][name]
                row += f"{g:>10.2f}x" + ("" if cmp["growth_pass"][name] else "  MISS")
            lines.append(row)
        for label, key, fmt in (
            ("export rows", "rows", "{:>12}"),
            ("export seconds", "seconds", "{:>12.2f}"),
            ("export rows/s", "rows_per_second", "{:>12}"),
            ("server RSS before export (MB)", "rss_before_mb", "{:>12.1f}"),
            ("server RSS peak during export (MB)", "rss_peak_mb", "{:>12.1f}"),
            ("server VmHWM after export (MB)", "hwm_after_mb", "{:>12.1f}"),
        ):
            row = f"  {label:<44}"
            for s in sizes:
                v = b["sizes"][s].get("export", {}).get(key)
                row += fmt.format(v) if v is not None else f"{'-':>12}"
            if key == "seconds" and cmp:
                g = cmp["growth"]["export seconds"]
                row += f"{g:>10.2f}x" + ("" if cmp["growth_pass"]["export seconds"] else "  MISS")
            lines.append(row)
        if cmp:
            d = cmp["export_peak_rss_difference_mb"]
            lines.append(
                f"  peak RSS difference {cmp['sizes'][1]} vs {cmp['sizes'][0]}: {d} MB "
                f"(target < {MAX_MEMORY_GROWTH_MB:.0f} MB)"
                + ("" if cmp["memory_pass"] else "  MISS")
            )
        for s in sizes:
            if "error" in b["sizes"][s]:
                lines.append(f"  {s}: ERROR {b['sizes'][s]['error']}")
    if results["errors"]:
        lines.append("ERRORS:")
        lines.extend(f"  {e}" for e in results["errors"])
    return "\n".join(lines)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.stats_export", description=__doc__.split("\n")[0]
    )
    parser.add_argument(
        "--backend",
        choices=("sqlite", "postgresql", "both"),
        default=None,
        help="default: both when LEVELUP_TEST_POSTGRES_URL is set, else sqlite",
    )
    parser.add_argument("--sizes", default="10000,100000", help="comma-separated enrolment counts")
    parser.add_argument("--calls", type=int, default=7, help="timed calls per variant (>= 5)")
    parser.add_argument(
        "--quick", action="store_true", help="sizes 1000,10000 and 5 calls (a smoke run)"
    )
    parser.add_argument("--output", type=Path, default=RESULTS_DIR / "stats-export.json")
    args = parser.parse_args(argv)
    if args.quick:
        args.sizes = "1000,10000"
        args.calls = 5
    args.size_list = sorted(int(s) for s in args.sizes.split(",") if s.strip())
    if args.calls < 5:
        parser.error("--calls must be at least 5 (the median of fewer says little)")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    postgres_url = os.environ.get(POSTGRES_ENV)
    choice = args.backend or ("both" if postgres_url else "sqlite")
    backends = ["sqlite", "postgresql"] if choice == "both" else [choice]
    if "postgresql" in backends and not postgres_url:
        print(f"error: PostgreSQL needs {POSTGRES_ENV} (scripts/with-postgres.sh)", file=sys.stderr)
        return 2
    started = time.monotonic()
    results: dict[str, Any] = {
        "command": " ".join([sys.executable, "-m", "bench.stats_export", *(argv or sys.argv[1:])]),
        "reproduce": "scripts/with-postgres.sh .venv/bin/python -m bench.stats_export "
        "--backend both",
        "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "loadavg_at_start": [round(x, 2) for x in os.getloadavg()],
        "machine": {
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "python": platform.python_version(),
        },
        "targets": {
            "max_growth_for_10x": MAX_GROWTH,
            "max_export_peak_rss_difference_mb": MAX_MEMORY_GROWTH_MB,
        },
        "backends": {},
        "errors": [],
    }
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="levelup-stats-bench-") as tmp:
        for backend in backends:
            b: dict[str, Any] = {"sizes": {}}
            results["backends"][backend] = b
            for size in args.size_list:
                try:
                    b["sizes"][str(size)] = run_size(backend, size, args, postgres_url, Path(tmp))
                except Exception as exc:
                    traceback.print_exc()
                    b["sizes"][str(size)] = {"error": repr(exc)}
                    results["errors"].append(f"{backend} {size}: {exc!r}")
                # Written after every size, so a long run that is stopped keeps what it measured.
                args.output.write_text(json.dumps(results, indent=2) + "\n")
            if len(args.size_list) >= 2:
                b["comparison"] = compare(b, args.size_list[0], args.size_list[-1])
    results["elapsed_s"] = round(time.monotonic() - started, 1)
    args.output.write_text(json.dumps(results, indent=2) + "\n")
    print(render(results))
    print(f"\nwritten: {args.output}  ({results['elapsed_s']:.0f} s)")
    return 1 if results["errors"] else 0


if __name__ == "__main__":
    raise SystemExit(main())
