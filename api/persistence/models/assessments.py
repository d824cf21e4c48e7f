"""ORM rows for assessments. Filled by the journey work (issue 3)."""

from __future__ import annotations

from api.persistence.models.core import Base  # noqa: F401
