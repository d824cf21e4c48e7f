"""What-if experiments: upper bounds on what two deliberate per-request costs take.

The real app served exactly like the baseline run, with one of these patched in at runtime in
the benchmark's own server process (nothing in api/ is edited). They are not proposals: reads of
personal data must be audited and a disabled account must lose access at once. They show how
much any redesign of those two steps could at most win, so effort goes where it can pay.

  no_audit           the caseload read is not written to the access log at all.
  principal_cache    the token's principal is reused for 5 s instead of reloaded per request.

(Earlier what-ifs — a module-level alias in the scope filter, a read split from its audit
write, an in-process SQLite writer queue — measured x1.35 to x2.1 and are now in the app.)

Selected with LEVELUP_BENCH_WHATIF (comma-separated names) read by `bench.apps`. A patch that
no longer applies raises, and the run reports it and carries on.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

ENV_WHATIF = "LEVELUP_BENCH_WHATIF"
ALL = ("no_audit", "principal_cache")
PRINCIPAL_CACHE_SECONDS = 5.0


def apply(names: list[str]) -> list[str]:
    """Apply the named patches; returns the ones applied."""
    patches: dict[str, Callable[[], None]] = {
        "no_audit": _no_caseload_audit,
        "principal_cache": _cache_principals,
    }
    applied = []
    for name in names:
        if name not in patches:
            raise ValueError(f"unknown what-if {name!r}; known: {', '.join(ALL)}")
        patches[name]()
        applied.append(name)
    return applied


def _no_caseload_audit() -> None:
    from api.persistence import read_audit

    recorder = read_audit.AsyncReadAuditRecorder
    if not hasattr(recorder, "record"):
        raise RuntimeError("the hot reads no longer log through AsyncReadAuditRecorder.record")

    async def skip(*_args: Any, **_kwargs: Any) -> None:
        return None

    recorder.record = skip  # type: ignore[method-assign]


def _cache_principals() -> None:
    from api import deps

    original = deps._load_principal
    cache: dict[str, tuple[float, Any]] = {}

    def cached(connection: Any, subject: str) -> Any:
        now = time.monotonic()
        hit = cache.get(subject)
        if hit is not None and hit[0] > now:
            return hit[1]
        principal = original(connection, subject)
        cache[subject] = (now + PRINCIPAL_CACHE_SECONDS, principal)
        return principal

    deps._load_principal = cached
