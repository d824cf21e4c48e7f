"""What-if experiments: the caseload endpoint with candidate fixes patched in, same run, same data.

What it measures: the real app served exactly like the baseline run, but with some of the
changes the hotspot profile points at applied as runtime patches in the benchmark's own server
process (nothing in api/ is edited; these are proposals for the lead, with numbers):

  alias              `aliased(EnrolmentRow)` in `scope_filters.participant_visible` is created
                     once and reused (the fix: hoist it to module level). Building a new alias
                     per call makes SQLAlchemy copy all enrolment columns for every scoped query.
  split_audit        `my_caseload` reads in a read-only unit of work and appends the audit entry
                     in a second, short write unit of work, so the SQLite write lock (BEGIN
                     IMMEDIATE) / PostgreSQL chain-head row lock is held only for the audit write.
  sqlite_write_lock  SQLite write units of work queue on one in-process lock before BEGIN
                     IMMEDIATE (one uvicorn worker owns the file), instead of polling SQLite's
                     busy handler, whose back-off sleeps grow to 100 ms.

Two more are upper bounds, not proposals (reads of personal data must be audited and a disabled
account must lose access): they show how much any redesign of those two steps could win.

  no_audit           `my_caseload` skips the audit append (e.g. what moving read-audit entries
                     to a batched background writer could at most gain per request).
  principal_cache    the token's principal is reused for 5 s instead of reloaded per request.

Why: a profile says where time goes; only a load run says whether a change moves rps and p99.
The patches are deliberately generic (they wrap the project's functions rather than copy them)
so they keep measuring the idea while the code evolves; if a patch no longer applies, the run
reports it and carries on.

Selected with LEVELUP_BENCH_WHATIF (comma-separated names) read by `bench.apps`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

ENV_WHATIF = "LEVELUP_BENCH_WHATIF"
ALL = ("alias", "split_audit", "sqlite_write_lock", "no_audit", "principal_cache")
PRINCIPAL_CACHE_SECONDS = 5.0


def apply(names: list[str]) -> list[str]:
    """Apply the named patches; returns the ones applied."""
    patches: dict[str, Callable[[], None]] = {
        "alias": _memoise_scope_alias,
        "split_audit": _split_caseload_audit,
        "sqlite_write_lock": _sqlite_write_lock,
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


def _memoise_scope_alias() -> None:
    from sqlalchemy.orm import aliased

    from api.persistence.repositories import scope_filters

    cache: dict[tuple[Any, ...], Any] = {}

    def reused_alias(element: Any, *args: Any, **kwargs: Any) -> Any:
        key = (element, args, tuple(sorted(kwargs.items())))
        found = cache.get(key)
        if found is None:
            found = cache[key] = aliased(element, *args, **kwargs)
        return found

    if not hasattr(scope_filters, "aliased"):
        raise RuntimeError("scope_filters no longer uses sqlalchemy.orm.aliased")
    scope_filters.aliased = reused_alias  # type: ignore[attr-defined]


def _split_caseload_audit() -> None:
    from api.persistence.audit import AuditEvent, AuditLog
    from api.persistence.repositories.enrolments import caseload_lines
    from api.security.principal import scope_for
    from api.services import me
    from domain.errors import InvalidInput

    def my_caseload(ctx: Any, principal: Any) -> list[Any]:
        if principal.user_id is None:
            raise InvalidInput("Bara användare har en egen ärendelista.")
        with ctx.database.unit_of_work(write=False) as uow:
            lines = caseload_lines(uow.session, scope_for(principal), principal.user_id)
        if lines:
            with ctx.database.unit_of_work(write=True) as uow:
                AuditLog(uow.session).append(
                    principal,
                    AuditEvent("caseload.read", [x.participant_id for x in lines]),
                    at=ctx.clock.now(),
                )
                uow.commit()
        return lines

    me.my_caseload = my_caseload  # the router calls `service.my_caseload` through the module


def _sqlite_write_lock() -> None:
    from api.persistence import uow as uow_module
    from api.persistence.db import is_sqlite

    lock = threading.Lock()
    unit = uow_module.UnitOfWork
    original_enter, original_exit = unit.__enter__, unit.__exit__

    def enter(self: Any) -> Any:
        holds = bool(self._write and is_sqlite(self._database.engine))
        if holds:
            lock.acquire()
        self._bench_holds_lock = holds
        try:
            return original_enter(self)
        except BaseException:
            if holds:
                lock.release()
            raise

    def exit_(self: Any, *exc: Any) -> None:
        try:
            original_exit(self, *exc)
        finally:
            if getattr(self, "_bench_holds_lock", False):
                self._bench_holds_lock = False
                lock.release()

    unit.__enter__ = enter  # type: ignore[method-assign]
    unit.__exit__ = exit_  # type: ignore[method-assign]


def _no_caseload_audit() -> None:
    from api.services import me

    class SkippedAudit:
        def __init__(self, _session: Any) -> None:
            pass

        def append(self, *_args: Any, **_kwargs: Any) -> int:
            return 0

    if not hasattr(me, "AuditLog"):
        raise RuntimeError("api.services.me no longer uses AuditLog")
    me.AuditLog = SkippedAudit  # type: ignore[assignment,misc]


def _cache_principals() -> None:
    import time

    from api import deps

    original = deps._load_principal
    cache: dict[str, tuple[float, Any]] = {}

    def cached(ctx: Any, subject: str) -> Any:
        now = time.monotonic()
        hit = cache.get(subject)
        if hit is not None and hit[0] > now:
            return hit[1]
        principal = original(ctx, subject)
        cache[subject] = (now + PRINCIPAL_CACHE_SECONDS, principal)
        return principal

    deps._load_principal = cached
