"""Outcome statistics and goal fulfilment (DOMAIN.md §7–8), computed in the database."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from api.deps import authenticated

router = APIRouter(
    prefix="/api/v1/stats", tags=["statistics"], dependencies=[Depends(authenticated)]
)
