"""Exports: the pseudonymised evaluation export and the SUS / ESF registration files."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from api.deps import authenticated

router = APIRouter(
    prefix="/api/v1/exports", tags=["exports"], dependencies=[Depends(authenticated)]
)
