"""Code lists: the current version of each list, and publishing a new one."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api.persistence.models import CodeListEntryRow, CodeListVersionRow
from domain.codelists import CodeEntry, CodeList, CodeListName, OutcomeGroup


def _to_entry(r: CodeListEntryRow) -> CodeEntry:
    return CodeEntry(
        code=r.code,
        label_sv=r.label_sv,
        label_en=r.label_en,
        sort_order=r.sort_order,
        valid_from=r.valid_from,
        valid_to=r.valid_to,
        outcome_group=OutcomeGroup(r.outcome_group) if r.outcome_group else None,
        continues_in_regular_operations=r.continues_in_regular_operations,
        excluded_from_statistics=r.excluded_from_statistics,
    )


class CodeListRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def current(self, name: CodeListName) -> CodeList:
        version = self._session.execute(
            select(CodeListVersionRow)
            .where(CodeListVersionRow.list_name == name.value)
            .order_by(CodeListVersionRow.version.desc())
            .limit(1)
        ).scalar_one()
        return self._load(name, version)

    def version(self, name: CodeListName, number: int) -> CodeList | None:
        row = self._session.execute(
            select(CodeListVersionRow).where(
                CodeListVersionRow.list_name == name.value, CodeListVersionRow.version == number
            )
        ).scalar_one_or_none()
        return self._load(name, row) if row else None

    def _load(self, name: CodeListName, version: CodeListVersionRow) -> CodeList:
        entries = self._session.execute(
            select(CodeListEntryRow)
            .where(CodeListEntryRow.version_id == version.id)
            .order_by(CodeListEntryRow.sort_order, CodeListEntryRow.code)
        ).scalars()
        return CodeList(
            name=name,
            version=version.version,
            label=version.label,
            entries=tuple(_to_entry(e) for e in entries),
        )

    def all_current(self) -> list[CodeList]:
        return [self.current(name) for name in CodeListName]

    def publish(
        self,
        name: CodeListName,
        label: str,
        entries: tuple[CodeEntry, ...],
        *,
        by_user_id: int | None,
        at: datetime,
    ) -> CodeList:
        """A new version replaces the list; old versions stay so old records keep their meaning."""
        candidate = CodeList(name=name, version=0, label=label, entries=entries)  # validates
        last = (
            self._session.execute(
                select(func.max(CodeListVersionRow.version)).where(
                    CodeListVersionRow.list_name == name.value
                )
            ).scalar_one()
            or 0
        )
        version = CodeListVersionRow(
            list_name=name.value,
            version=last + 1,
            label=label,
            published_at=at,
            published_by_user_id=by_user_id,
        )
        self._session.add(version)
        self._session.flush()
        self._session.add_all(
            CodeListEntryRow(
                version_id=version.id,
                code=e.code,
                label_sv=e.label_sv,
                label_en=e.label_en,
                sort_order=e.sort_order,
                valid_from=e.valid_from,
                valid_to=e.valid_to,
                outcome_group=e.outcome_group.value if e.outcome_group else None,
                continues_in_regular_operations=e.continues_in_regular_operations,
                excluded_from_statistics=e.excluded_from_statistics,
            )
            for e in candidate.entries
        )
        self._session.flush()
        return CodeList(name=name, version=version.version, label=label, entries=entries)
