"""Activities: the contact log per enrolment and activity hours per week."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from api.deps import authenticated

router = APIRouter(prefix="/api/v1", tags=["activities"], dependencies=[Depends(authenticated)])
