"""Serve the built single-page app at / when it exists (the API stays under /api)."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, HTTPException
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles


def mount_web_app(app: FastAPI, dist_dir: Path) -> None:
    index = dist_dir / "index.html"
    if not index.is_file():
        return
    assets = dist_dir / "assets"
    if assets.is_dir():
        app.mount("/assets", StaticFiles(directory=assets), name="assets")

    # Client-side routes (/deltagare/12 …) all get index.html; the app routes itself.
    @app.get("/{path:path}", include_in_schema=False)
    def spa(path: str) -> FileResponse:
        if path == "api" or path.startswith("api/"):
            raise HTTPException(404)  # unknown API paths stay JSON 404s, not the app shell
        candidate = (dist_dir / path).resolve()
        if path and candidate.is_file() and dist_dir.resolve() in candidate.parents:
            return FileResponse(candidate)
        return FileResponse(index)
