"""Self-assessment: the questionnaire, submissions, corrections, change per item, due occasions."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from api.deps import authenticated

router = APIRouter(
    prefix="/api/v1", tags=["self-assessment"], dependencies=[Depends(authenticated)]
)
