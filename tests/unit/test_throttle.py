from __future__ import annotations

import threading

import pytest

from api.security.throttle import LoginThrottle
from api.settings import Settings


class FakeClock:
    def __init__(self, start: float = 1_000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def make(clock: FakeClock, **overrides: int) -> LoginThrottle:
    options = {"per_account": 3, "per_address": 10, "window_seconds": 60} | overrides
    return LoginThrottle(now=clock, **options)


def test_allows_up_to_the_limit_then_asks_to_wait(clock: FakeClock) -> None:
    throttle = make(clock)
    for _ in range(3):
        assert throttle.retry_after(account="anna", address="10.0.0.1") is None
        throttle.record_failure(account="anna", address="10.0.0.1")
        clock.advance(1)
    wait = throttle.retry_after(account="anna", address="10.0.0.1")
    # The first failure (at t=0) leaves the window at t=60; it is now t=3.
    assert wait == 57
    # The limit is per account, whatever address the attempts come from.
    assert throttle.retry_after(account="anna", address="192.0.2.7") == 57
    assert throttle.retry_after(account="bertil", address="192.0.2.7") is None


def test_per_address_limit_across_many_accounts(clock: FakeClock) -> None:
    throttle = make(clock, per_account=100, per_address=5)
    for i in range(5):
        assert throttle.retry_after(account=f"user{i}", address="203.0.113.9") is None
        throttle.record_failure(account=f"user{i}", address="203.0.113.9")
    wait = throttle.retry_after(account="someone-new", address="203.0.113.9")
    assert wait is not None and wait > 0
    assert throttle.retry_after(account="someone-new", address="203.0.113.10") is None


def test_success_clears_account_but_not_address(clock: FakeClock) -> None:
    throttle = make(clock, per_account=2, per_address=3)
    throttle.record_failure(account="anna", address="10.0.0.1")
    throttle.record_failure(account="anna", address="10.0.0.1")
    assert throttle.retry_after(account="anna", address="10.0.0.2") is not None
    throttle.record_success(account="anna", address="10.0.0.1")
    assert throttle.retry_after(account="anna", address="10.0.0.2") is None
    throttle.record_failure(account="bertil", address="10.0.0.1")
    # The address still has its earlier two failures plus this one.
    assert throttle.retry_after(account="anna", address="10.0.0.1") is not None


def test_window_expiry_allows_again(clock: FakeClock) -> None:
    throttle = make(clock)
    for _ in range(3):
        throttle.record_failure(account="anna", address="10.0.0.1")
    assert throttle.retry_after(account="anna", address="10.0.0.1") == 60
    clock.advance(59.5)
    assert throttle.retry_after(account="anna", address="10.0.0.1") == 1
    clock.advance(0.5)
    assert throttle.retry_after(account="anna", address="10.0.0.1") is None
    assert throttle.tracked_keys() == (0, 0)


def test_sliding_window_releases_one_failure_at_a_time(clock: FakeClock) -> None:
    throttle = make(clock)
    for _ in range(3):
        throttle.record_failure(account="anna", address="10.0.0.1")
        clock.advance(10)
    # Failures at 0, 10, 20; now 30. The one at 0 expires at 60.
    assert throttle.retry_after(account="anna", address="10.0.0.1") == 30
    clock.advance(30)
    assert throttle.retry_after(account="anna", address="10.0.0.1") is None
    throttle.record_failure(account="anna", address="10.0.0.1")
    # Failures at 10, 20, 60: blocked until 10 leaves the window at 70.
    assert throttle.retry_after(account="anna", address="10.0.0.1") == 10


def test_no_permanent_lockout_under_sustained_attack(clock: FakeClock) -> None:
    throttle = make(clock)
    for _ in range(50):
        # A client that ignores 429 and keeps trying: blocked attempts are not recorded.
        if throttle.retry_after(account="anna", address="10.0.0.1") is None:
            throttle.record_failure(account="anna", address="10.0.0.1")
        clock.advance(5)
    clock.advance(60)
    assert throttle.retry_after(account="anna", address="10.0.0.1") is None


def test_accounts_are_normalised(clock: FakeClock) -> None:
    throttle = make(clock)
    for name in ("Anna@Example.se", "  anna@example.se", "ANNA@EXAMPLE.SE\t"):
        throttle.record_failure(account=name, address="10.0.0.1")
    assert throttle.retry_after(account="anna@example.se", address="10.0.0.2") is not None
    throttle.record_success(account=" ANNA@example.SE ", address="10.0.0.2")
    assert throttle.retry_after(account="anna@example.se", address="10.0.0.2") is None
    # casefold, not lower: German sharp s folds to "ss".
    for _ in range(3):
        throttle.record_failure(account="STRASSE", address="10.0.0.3")
    assert throttle.retry_after(account="straße", address="10.0.0.4") is not None


def test_key_cap_evicts_the_oldest(clock: FakeClock) -> None:
    throttle = make(clock, per_account=1, per_address=1, max_keys=3)
    for i in range(4):
        throttle.record_failure(account=f"user{i}", address=f"10.0.0.{i}")
        clock.advance(1)
    assert throttle.tracked_keys() == (3, 3)
    assert throttle.retry_after(account="user0", address="10.0.0.0") is None
    for i in range(1, 4):
        assert throttle.retry_after(account=f"user{i}", address="10.9.9.9") is not None


def test_recent_failure_keeps_a_key_from_eviction(clock: FakeClock) -> None:
    throttle = make(clock, per_account=2, max_keys=2)
    throttle.record_failure(account="old", address="10.0.0.1")
    throttle.record_failure(account="middle", address="10.0.0.1")
    throttle.record_failure(account="old", address="10.0.0.1")
    throttle.record_failure(account="new", address="10.0.0.1")
    assert throttle.retry_after(account="old", address="10.9.9.9") is not None
    assert throttle.tracked_keys()[0] == 2


def test_huge_account_names_cost_fixed_memory(clock: FakeClock) -> None:
    throttle = make(clock, per_account=1)
    throttle.record_failure(account="x" * 1_000_000, address="10.0.0.1")
    assert throttle.retry_after(account="x" * 1_000_000, address="10.0.0.2") is not None
    assert throttle.retry_after(account="x" * 999_999, address="10.0.0.2") is None


def test_from_settings() -> None:
    settings = Settings(
        environment="test",
        jwt_secret="t" * 40,
        login_failures_per_account=2,
        login_failures_per_address=4,
        login_window_seconds=30,
    )
    throttle = LoginThrottle.from_settings(settings)
    throttle.record_failure(account="anna", address="10.0.0.1")
    assert throttle.retry_after(account="anna", address="10.0.0.1") is None
    throttle.record_failure(account="anna", address="10.0.0.1")
    wait = throttle.retry_after(account="anna", address="10.0.0.1")
    assert wait is not None and 0 < wait <= 30


def test_invalid_configuration_is_refused() -> None:
    with pytest.raises(ValueError):
        LoginThrottle(per_account=0, per_address=1, window_seconds=1)
    with pytest.raises(ValueError):
        LoginThrottle(per_account=1, per_address=1, window_seconds=0)


def test_concurrent_failures_are_all_counted(clock: FakeClock) -> None:
    throttle = make(clock, per_account=10_000, per_address=801)
    barrier = threading.Barrier(8)

    def worker(n: int) -> None:
        barrier.wait()
        for i in range(100):
            throttle.record_failure(account=f"t{n}-{i}", address="10.0.0.1")

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # Exactly 800 failures were counted: one below the limit, and one more reaches it.
    assert throttle.retry_after(account="fresh", address="10.0.0.1") is None
    throttle.record_failure(account="fresh", address="10.0.0.1")
    assert throttle.retry_after(account="fresh", address="10.0.0.1") is not None
    assert throttle.tracked_keys() == (801, 1)
