"""The outcome tables as an Excel workbook for association staff.

Built from exactly what the statistics endpoints answer (same filters, scope and suppression),
so the workbook can never show a number the JSON would not. A suppressed cell is written as the
text "<5" when it is small itself, "dold" when complementary suppression hid it (marked, never
0); shares are real numbers with a percent format so they can be
charted. Swedish headings: the readers are the association's staff and its board.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

import xlsxwriter
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from api.schemas.stats import (
    CountCell,
    Indicator,
    OutcomeFigures,
    OutcomeStatisticsRead,
    SelfAssessmentStatisticsRead,
    ShareCell,
)

XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SUPPRESSED_TEXT = "<5"
# Not small itself, but it would give a small cell back by subtraction from a shown total.
COMPLEMENTARY_TEXT = "dold"


def _suppressed_text(cell: CountCell | ShareCell) -> str:
    return COMPLEMENTARY_TEXT if cell.suppression == "complementary" else SUPPRESSED_TEXT


_GROUP_LABELS = {
    "legal_sex": "Juridiskt kön",
    "municipality": "Kommun",
    "referrer_type": "Remittent",
    "time_bucket": "Tid i insats",
}
_VALUE_LABELS = {
    "woman": "Kvinnor",
    "man": "Män",
    "under_12": "< 12 mån",
    "12_to_17": "12–17 mån",
    "18_or_more": "≥ 18 mån",
}
_OUTCOME_COLUMNS = (
    "Personer",
    "Inskrivningar",
    "Avslutade",
    "Fortsätter i ordinarie verksamhet",
    "Exkluderade (felregistrering)",
    "Nått Level 3",
    "Andel nått Level 3",
    "Avslutat på Level 3",
    "Andel avslutat på Level 3",
    "Mål uppnått",
    "Andel mål uppnått",
    "varav arbete",
    "Andel arbete",
    "varav studier",
    "Andel studier",
)
_TARGET_LABELS = {
    "goal_reached_share": "Andel som når arbete eller studier",
    "reached_level_3_share": "Andel som når Level 3",
    "participants": "Antal deltagare",
    "women": "Antal kvinnor",
    "men": "Antal män",
}


class _Sheet:
    """One worksheet written row by row, with the workbook's shared formats."""

    def __init__(self, book: Workbook, name: str, formats: dict[str, Any]) -> None:
        self.sheet: Worksheet = book.add_worksheet(name)
        self.formats = formats
        self.row = 0

    def title(self, text: str) -> None:
        self.sheet.write(self.row, 0, text, self.formats["title"])
        self.row += 2

    def header(self, cells: Sequence[str]) -> None:
        for col, text in enumerate(cells):
            self.sheet.write(self.row, col, text, self.formats["header"])
        self.sheet.set_row(self.row, 30)
        self.row += 1

    def line(self, cells: Sequence[Any]) -> None:
        for col, cell in enumerate(cells):
            self._write(col, cell)
        self.row += 1

    def _write(self, col: int, cell: Any) -> None:
        if isinstance(cell, CountCell):
            cell = _suppressed_text(cell) if cell.suppressed else cell.value
        elif isinstance(cell, ShareCell):
            if cell.suppressed:
                cell = _suppressed_text(cell)
            elif cell.value is not None:
                self.sheet.write_number(self.row, col, cell.value, self.formats["share"])
                return
            else:
                cell = None
        if cell is None:
            self.sheet.write_blank(self.row, col, None)
        elif isinstance(cell, str):
            self.sheet.write_string(self.row, col, cell)
        else:
            self.sheet.write_number(self.row, col, cell)


def _indicator(i: Indicator) -> list[Any]:
    return [i.count, i.share]


def _outcome_cells(f: OutcomeFigures) -> list[Any]:
    return [
        f.persons,
        f.enrolments,
        f.exited,
        f.continuing,
        f.excluded,
        *_indicator(f.reached_level_3),
        *_indicator(f.ended_at_level_3),
        *_indicator(f.goal_reached),
        *_indicator(f.goal_reached_work),
        *_indicator(f.goal_reached_studies),
    ]


def _label(value: Any) -> str:
    if value is None:
        return "Okänd"
    return _VALUE_LABELS.get(str(value), str(value))


def _filters_text(outcomes: OutcomeStatisticsRead) -> str:
    f = outcomes.filters
    period = (
        f"{f.exit_from.isoformat() if f.exit_from else 'början'} – "
        f"{f.exit_to.isoformat() if f.exit_to else 'idag'}"
    )
    text = f"Program {f.programme}, avslut {period}"
    if f.referrer_type:
        text += f", remittent {f.referrer_type}"
    if outcomes.suppressed_below:
        text += (
            f". Celler med färre än {outcomes.suppressed_below} personer visas som <5; celler "
            "som annars kunde räknas fram ur en summa visas som dold."
        )
    return text


def outcome_workbook(
    outcomes: OutcomeStatisticsRead, self_assessment: SelfAssessmentStatisticsRead
) -> bytes:
    """The workbook's bytes: sheets Utfall, Remittenter, Måluppfyllelse, Uppföljning,
    Självskattning."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    formats = {
        "title": book.add_format({"bold": True, "font_size": 13}),
        "header": book.add_format({"bold": True, "text_wrap": True, "valign": "top"}),
        "share": book.add_format({"num_format": "0%"}),
    }
    note = _filters_text(outcomes)

    s = _Sheet(book, "Utfall", formats)
    s.title(f"Utfall per grupp. {note}")
    dimensions = list(outcomes.filters.group_by)
    s.header([*(_GROUP_LABELS.get(d, d) for d in dimensions), *_OUTCOME_COLUMNS])
    s.line([*(["Totalt"] + [""] * (len(dimensions) - 1)), *_outcome_cells(outcomes.total)])
    for group in outcomes.groups:
        s.line([*(_label(group.key.get(d)) for d in dimensions), *_outcome_cells(group.figures)])
    s.sheet.set_column(0, len(dimensions) - 1, 16)
    s.sheet.set_column(len(dimensions), len(dimensions) + len(_OUTCOME_COLUMNS), 13)
    s.sheet.freeze_panes(3, len(dimensions))

    s = _Sheet(book, "Remittenter", formats)
    s.title(f"Mål uppnått per remittent (sammansättning). {note}")
    s.header(["Remittent", "Mål uppnått", "Andel av alla som nått målet"])
    for c in outcomes.composition_by_referrer:
        s.line([_label(c.referrer_type), c.goal_reached, c.share])
    s.sheet.set_column(0, 2, 22)

    s = _Sheet(book, "Måluppfyllelse", formats)
    s.title(f"Måluppfyllelse mot programmets mål. {note}")
    s.header(["Mål", "Målvärde", "Utfall", "Måluppfyllelse (1 = uppnått)"])
    for t in outcomes.targets:
        target: Any = t.target
        fulfilment = t.fulfilment
        s.line([_TARGET_LABELS.get(t.indicator, t.indicator), target, t.figure, None])
        # Fulfilment is a ratio that may exceed 1: shown as a number, not a percent.
        if fulfilment.suppressed:
            s.sheet.write_string(s.row - 1, 3, _suppressed_text(fulfilment))
        elif fulfilment.value is not None:
            s.sheet.write_number(s.row - 1, 3, fulfilment.value)
    s.sheet.set_column(0, 0, 36)
    s.sheet.set_column(1, 3, 18)

    s = _Sheet(book, "Uppföljning", formats)
    s.title(f"Hållbarhet: av dem som nått målet, läget vid varje uppföljning. {note}")
    s.header(
        [
            "Uppföljning",
            "Registrerade",
            "Fortfarande i arbete/studier",
            "Andel",
            "Ej nådda",
            "Andel ej nådda",
        ]
    )
    for fu in outcomes.total.follow_ups:
        s.line(
            [
                fu.kind,
                fu.recorded,
                *_indicator(fu.still_in_work_or_studies),
                *_indicator(fu.not_reached),
            ]
        )
    s.sheet.set_column(0, 5, 20)

    s = _Sheet(book, "Självskattning", formats)
    s.title(
        "Självskattning: första mot senaste skattning (kompletta par). Nettoeffekt = andel "
        "förbättrade − andel försämrade."
    )
    s.header(
        [
            "Fråga",
            "Antal (n)",
            "Förbättrade",
            "Andel förbättrade",
            "Oförändrade",
            "Andel oförändrade",
            "Försämrade",
            "Andel försämrade",
            "Nettoeffekt",
            "Median första",
            "Median senaste",
            "Nettoeffekt kvinnor",
            "Nettoeffekt män",
        ]
    )
    for item in self_assessment.items:
        o = item.overall
        medians: list[Any] = (
            [SUPPRESSED_TEXT, SUPPRESSED_TEXT]
            if o.medians_suppressed
            else [o.median_first, o.median_latest]
        )
        s.line(
            [
                item.label_sv,
                o.n,
                *_indicator(o.improved),
                *_indicator(o.unchanged),
                *_indicator(o.worsened),
                o.net_effect,
                *medians,
                *(
                    item.by_legal_sex[sex].net_effect if sex in item.by_legal_sex else None
                    for sex in ("woman", "man")
                ),
            ]
        )
    s.sheet.set_column(0, 0, 48)
    s.sheet.set_column(1, 12, 13)

    book.close()
    return buffer.getvalue()
