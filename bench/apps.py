"""Uvicorn factory for the throughput benchmark: the real app plus a bare baseline, one process.

`levelup_app()` builds the production app with `create_app` on the seeded database and adds
`GET /bench/bare` (and `GET /bench/bare-sync`) to it. The bare endpoints are the baseline the
caseload endpoint is measured against (ARCHITECTURE.md rule 14): same process, same uvicorn
loop and HTTP parser, same middleware stack, so the ratio caseload/bare isolates what the app's
own work costs (auth, principal reload, query, audit append, serialisation). `bare` is
`async def` (the framework's ceiling); `bare-sync` is a plain `def`, which FastAPI runs in its
threadpool like every route of this app, so the two together show what the threadpool hop costs.

Configuration comes from the environment the benchmark runner sets (never read at import time):
LEVELUP_BENCH_DATABASE_URL and LEVELUP_BENCH_JWT_SECRET, and LEVELUP_BENCH_WHATIF for the
candidate fixes of `bench.whatif` (none by default: the baseline run is the unmodified app).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from fastapi import FastAPI

from api.app import create_app
from api.security.tokens import TokenCodec
from api.settings import Settings
from bench import whatif

ENV_DATABASE_URL = "LEVELUP_BENCH_DATABASE_URL"
ENV_JWT_SECRET = "LEVELUP_BENCH_JWT_SECRET"
# Long enough that tokens minted at the start of a run outlive all of its load phases.
TOKEN_MINUTES = 120

BARE_BODY: dict[str, Any] = {"status": "ok", "n": 1}


def bench_settings(database_url: str, jwt_secret: str) -> Settings:
    return Settings(
        environment="test",
        database_url=database_url,
        jwt_secret=jwt_secret,
        access_token_minutes=TOKEN_MINUTES,
        # No web app: its catch-all route would answer /bench/bare with the app shell, and the
        # benchmark measures the API.
        web_dist_dir=Path("/nonexistent-levelup-web-dist"),
    )


def token_codec(jwt_secret: str) -> TokenCodec:
    """The codec the server uses (same secret, issuer, audience, TTL), to mint tokens."""
    return TokenCodec.from_settings(bench_settings("sqlite://", jwt_secret))


def add_baseline_routes(app: FastAPI) -> None:
    @app.get("/bench/bare", include_in_schema=False)
    async def bare() -> dict[str, Any]:
        return BARE_BODY

    @app.get("/bench/bare-sync", include_in_schema=False)
    def bare_sync() -> dict[str, Any]:
        return BARE_BODY


def levelup_app() -> FastAPI:
    """`uvicorn --factory bench.apps:levelup_app`."""
    settings = bench_settings(os.environ[ENV_DATABASE_URL], os.environ[ENV_JWT_SECRET])
    whatifs = [n for n in os.environ.get(whatif.ENV_WHATIF, "").split(",") if n]
    applied = whatif.apply(whatifs)
    app = create_app(settings)
    add_baseline_routes(app)

    @app.get("/bench/whatif", include_in_schema=False)
    async def applied_whatifs() -> dict[str, list[str]]:
        return {"applied": applied}

    return app
