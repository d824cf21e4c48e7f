"""Group commit for the audit entries of *reads*.

Every read of a person's data is logged before the data is returned. Giving each read its own
write transaction made the audit commit the largest cost of a caseload request (bench/), and
on SQLite it serialised every read behind the single writer. Here concurrent readers share
one transaction: the first waiting thread becomes the leader, writes every pending entry in
order into one unit of work and commits; the others wait until their entry is committed (or
the batch failed, which they re-raise). No caller returns before its entry is durable, so no
read goes unlogged; entries of one batch are chained in arrival order.

Changes are not audited here: their audit row must commit atomically with the change itself.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime

from api.persistence.audit import AuditEvent, AuditLog, PendingEntry
from api.persistence.uow import Database
from api.security.principal import Principal

# Bounded so one transaction stays short even under a burst.
MAX_BATCH = 256
WAIT_TIMEOUT_SECONDS = 60.0


@dataclass
class _Pending:
    entry: PendingEntry
    done: bool = False
    error: BaseException | None = None


class ReadAuditRecorder:
    def __init__(self, database: Database) -> None:
        self._database = database
        self._condition = threading.Condition()
        self._pending: list[_Pending] = []
        self._flushing = False
        self.batches_written = 0  # for tests and diagnostics

    def record(self, principal: Principal, event: AuditEvent, *, at: datetime) -> None:
        """Return once the entry is committed; raise if it could not be.

        Never call it inside a *write* unit of work: on SQLite the flush needs the writer
        lock. Inside a read unit of work is fine (WAL lets the writer run beside readers).
        """
        item = _Pending(PendingEntry(principal, event, at))
        with self._condition:
            self._pending.append(item)
        while True:
            with self._condition:
                while self._flushing and not item.done:
                    if not self._condition.wait(timeout=WAIT_TIMEOUT_SECONDS):
                        raise TimeoutError("the access log could not be written in time")
                if item.done:
                    break
                # No flush is running and our entry is still pending: lead the next batch.
                # With more than MAX_BATCH waiting it may not hold our entry; then loop.
                self._flushing = True
                batch = self._pending[:MAX_BATCH]
                del self._pending[:MAX_BATCH]
            self._flush(batch)
        if item.error is not None:
            raise item.error

    def _flush(self, batch: list[_Pending]) -> None:
        error: BaseException | None = None
        try:
            with self._database.unit_of_work(write=True) as uow:
                AuditLog(uow.session).append_many([p.entry for p in batch])
                uow.commit()
        except BaseException as exc:  # handed to every waiter of the batch, re-raised there
            error = exc
        with self._condition:
            for pending in batch:
                pending.done, pending.error = True, error
            self.batches_written += 1
            self._flushing = False
            self._condition.notify_all()
