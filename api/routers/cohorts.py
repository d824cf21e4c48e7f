"""Cohorts: Level 2 groups and Level 3 courses, their sessions, members and attendance."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from api.deps import authenticated

router = APIRouter(prefix="/api/v1", tags=["cohorts"], dependencies=[Depends(authenticated)])
