"""Login throttling: a sliding window of failed attempts per account and per client address.

An attempt is refused (HTTP 429 with ``Retry-After``) while either its account or its address has
reached its limit of failures inside the last ``window_seconds``. There is no permanent lockout:
once old failures leave the window, attempts are allowed again, so an attacker cannot lock a
legitimate user out for longer than one window.

The state lives in this process's memory. That is acceptable for now because the API runs as a
single uvicorn worker: one process sees every login attempt. With several workers or hosts each
would count separately (the effective limit multiplies by their number) and the counters would
have to move to a shared store (the database or Redis). Restarting the process forgets all
failures, which only ever errs on the side of letting a user log in.

Memory is bounded: each key keeps at most ``limit`` timestamps, expired keys are dropped as calls
arrive, and at most ``max_keys`` keys per kind are tracked (least recently failed evicted first).
Account names are stored as fixed-size digests, so a huge username costs no more than a short one
and the table holds no usernames in clear.
"""

from __future__ import annotations

import hashlib
import math
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable
from typing import Final

from api.settings import Settings

DEFAULT_MAX_KEYS: Final = 100_000


def _digest(kind: str, value: str) -> bytes:
    return hashlib.blake2b(
        f"{kind}\0{value}".encode("utf-8", "surrogatepass"), digest_size=16
    ).digest()


def _account_key(account: str) -> bytes:
    return _digest("account", account.strip().casefold())


def _address_key(address: str) -> bytes:
    return _digest("address", address.strip())


class _Window:
    """Recent failure times per key, least recently failed first."""

    def __init__(self, *, limit: int, window: float, max_keys: int) -> None:
        self._limit = limit
        self._window = window
        self._max_keys = max_keys
        self._failures: OrderedDict[bytes, deque[float]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._failures)

    def prune(self, now: float) -> None:
        # Keys are ordered by their latest failure, so expired keys are all at the front and this
        # stops at the first live one: amortised O(1) per call.
        cutoff = now - self._window
        while self._failures:
            key, times = next(iter(self._failures.items()))
            if times[-1] > cutoff:
                break
            del self._failures[key]

    def retry_after(self, key: bytes, now: float) -> float | None:
        times = self._failures.get(key)
        if times is None:
            return None
        cutoff = now - self._window
        while times and times[0] <= cutoff:
            times.popleft()
        if not times:
            del self._failures[key]
            return None
        if len(times) < self._limit:
            return None
        # Only the newest `limit` failures are kept; the oldest of them is the next to expire.
        return times[0] + self._window - now

    def record(self, key: bytes, now: float) -> None:
        times = self._failures.get(key)
        if times is None:
            times = deque(maxlen=self._limit)
            self._failures[key] = times
        else:
            self._failures.move_to_end(key)
        times.append(now)
        while len(self._failures) > self._max_keys:
            self._failures.popitem(last=False)

    def clear(self, key: bytes) -> None:
        self._failures.pop(key, None)


class LoginThrottle:
    def __init__(
        self,
        *,
        per_account: int,
        per_address: int,
        window_seconds: int,
        now: Callable[[], float] = time.monotonic,
        max_keys: int = DEFAULT_MAX_KEYS,
    ) -> None:
        if per_account < 1 or per_address < 1 or window_seconds < 1 or max_keys < 1:
            raise ValueError("limits, window and max_keys must be at least 1")
        self._now = now
        self._lock = threading.Lock()
        self._accounts = _Window(limit=per_account, window=window_seconds, max_keys=max_keys)
        self._addresses = _Window(limit=per_address, window=window_seconds, max_keys=max_keys)

    @classmethod
    def from_settings(cls, s: Settings) -> LoginThrottle:
        return cls(
            per_account=s.login_failures_per_account,
            per_address=s.login_failures_per_address,
            window_seconds=s.login_window_seconds,
        )

    def retry_after(self, *, account: str, address: str) -> int | None:
        """Seconds to wait if the account or the address is over its limit, else None."""
        account_key, address_key = _account_key(account), _address_key(address)
        with self._lock:
            now = self._prune()
            waits = [
                wait
                for wait in (
                    self._accounts.retry_after(account_key, now),
                    self._addresses.retry_after(address_key, now),
                )
                if wait is not None
            ]
        if not waits:
            return None
        # Rounded up and at least 1 so a client honouring Retry-After is not refused again.
        return max(1, math.ceil(max(waits)))

    def record_failure(self, *, account: str, address: str) -> None:
        account_key, address_key = _account_key(account), _address_key(address)
        with self._lock:
            now = self._prune()
            self._accounts.record(account_key, now)
            self._addresses.record(address_key, now)

    def record_success(self, *, account: str, address: str) -> None:
        """Forget the account's failures. The address keeps its count: one valid login from an
        address must not reset a password-spraying attempt coming from it."""
        account_key = _account_key(account)
        with self._lock:
            self._prune()
            self._accounts.clear(account_key)

    def tracked_keys(self) -> tuple[int, int]:
        """(accounts, addresses) currently tracked; for tests and metrics."""
        with self._lock:
            self._prune()
            return len(self._accounts), len(self._addresses)

    def _prune(self) -> float:
        now = self._now()
        self._accounts.prune(now)
        self._addresses.prune(now)
        return now
