"""Follow-ups after Level 4 entry and after exit: schedules, results, due and overdue lists."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from api.deps import authenticated

router = APIRouter(prefix="/api/v1", tags=["follow-ups"], dependencies=[Depends(authenticated)])
