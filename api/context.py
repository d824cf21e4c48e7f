"""What `create_app` wires once and every request reuses (held on `app.state.context`)."""

from __future__ import annotations

from dataclasses import dataclass

from api.clock import Clock
from api.persistence.hot_reads import HotReads
from api.persistence.read_audit import ReadAuditRecorder
from api.persistence.uow import Database
from api.security.throttle import LoginThrottle
from api.security.tokens import TokenCodec
from api.settings import Settings


@dataclass
class AppContext:
    settings: Settings
    database: Database
    clock: Clock
    tokens: TokenCodec
    throttle: LoginThrottle
    read_audit: ReadAuditRecorder
    hot_reads: HotReads
