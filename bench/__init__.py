"""Benchmarks for Level Up (ARCHITECTURE.md rule 14): never part of pytest, never timed asserts.

Every claim is a ratio against a baseline measured in the same run on the same machine, because
these machines are noisy. Entry point: ``python -m bench.run`` (``make bench`` runs it with a
throwaway PostgreSQL next to SQLite).

Modules:
  seed           migrate a fresh database with Alembic and fill it with one realistic municipality
  apps           the uvicorn factory: the real ``create_app`` plus a bare baseline endpoint
  servers        run a uvicorn worker in a subprocess on a free loopback port
  load           drive a server with wrk (or an httpx fallback) and parse rps / p50 / p99
  sync_vs_async  the same caseload query behind a sync and an async stack (rule 9)
  hotspots       where the caseload request spends its time (cProfile + stage timings)
  run            orchestration, results table and ``bench/results/latest.json``
"""
