"""Run one uvicorn worker in a subprocess on a free loopback port, the way production serves.

What it measures: nothing by itself; it makes the measured server realistic. The app runs in
its own process (so the load generator's CPU use is not inside the server's interpreter), with
1 worker, no access log, uvloop when installed and the httptools parser: the settings a
production `uvicorn` gets. Only 127.0.0.1 is ever bound. The process is stopped by its own pid
(SIGTERM, then SIGKILL after a grace period), never by name.
"""

from __future__ import annotations

import importlib.util
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
HOST = "127.0.0.1"


class ServerError(RuntimeError):
    pass


@dataclass(frozen=True)
class Server:
    base_url: str
    pid: int
    log_path: Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def uvicorn_command(factory: str, port: int) -> list[str]:
    loop = "uvloop" if importlib.util.find_spec("uvloop") else "asyncio"
    http = "httptools" if importlib.util.find_spec("httptools") else "h11"
    return [
        sys.executable,
        "-m",
        "uvicorn",
        "--factory",
        factory,
        "--host",
        HOST,
        "--port",
        str(port),
        "--workers",
        "1",
        "--no-access-log",
        "--loop",
        loop,
        "--http",
        http,
        "--log-level",
        "warning",
    ]


@contextmanager
def serve(
    factory: str, env: dict[str, str], *, ready_path: str, log_path: Path, timeout: float = 60.0
) -> Iterator[Server]:
    """Start `factory` under uvicorn, wait until `ready_path` answers 200, stop it afterwards."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    last_error = "not started"
    for _attempt in range(3):  # the free port can be taken between probing and binding
        port = free_port()
        with log_path.open("ab") as log:
            proc = subprocess.Popen(
                uvicorn_command(factory, port),
                cwd=ROOT,
                env={**os.environ, **env},
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        try:
            base_url = f"http://{HOST}:{port}"
            if _wait_ready(proc, base_url + ready_path, timeout):
                yield Server(base_url, proc.pid, log_path)
                return
            last_error = (
                f"exited with {proc.returncode}" if proc.poll() is not None else "not ready in time"
            )
        finally:
            _stop(proc)
    raise ServerError(f"{factory}: {last_error}; see {log_path}")


def _wait_ready(proc: subprocess.Popen[bytes], url: str, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    with httpx.Client(timeout=2.0) as client:
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                return False
            try:
                if client.get(url).status_code == 200:
                    return True
            except httpx.TransportError:
                pass
            time.sleep(0.1)
    return False


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=5)
