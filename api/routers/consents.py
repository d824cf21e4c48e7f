"""The consent ledger per participant and purpose."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from api.deps import authenticated

router = APIRouter(prefix="/api/v1", tags=["consents"], dependencies=[Depends(authenticated)])
