"""The individual plan (revisions kept) and the participant's resource group."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from api.deps import authenticated

router = APIRouter(prefix="/api/v1", tags=["plans"], dependencies=[Depends(authenticated)])
