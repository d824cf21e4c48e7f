"""Time as a dependency, so services and tests agree on "now" and "today".

Business dates (`*_on`) are Swedish calendar dates: "not in the future" means not after today in
Europe/Stockholm, not in UTC (a transition recorded at 00:30 Swedish time is already "today").
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

BUSINESS_TZ = ZoneInfo("Europe/Stockholm")


def _utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Clock:
    now_fn: Callable[[], datetime] = field(default=_utc_now)

    def now(self) -> datetime:
        return self.now_fn()

    def today(self) -> date:
        return self.now().astimezone(BUSINESS_TZ).date()
