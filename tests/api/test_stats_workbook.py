"""GET /stats/outcomes.xlsx: the outcome tables as a workbook, with the JSON's numbers, the
JSON's suppression ("<5", never 0 or the real small count), and the same guard."""

from __future__ import annotations

import io
from typing import Any

import pytest
from conftest import Api
from openpyxl import load_workbook
from test_stats_api import populated  # noqa: F401 - the fixture

from api.services.stats_workbook import COMPLEMENTARY_TEXT, SUPPRESSED_TEXT, XLSX_MEDIA_TYPE

URL = "/api/v1/stats/outcomes.xlsx"
SHEETS = ["Utfall", "Remittenter", "Måluppfyllelse", "Uppföljning", "Självskattning"]


def rows(content: bytes, sheet: str) -> list[tuple[Any, ...]]:
    book = load_workbook(io.BytesIO(content), read_only=True)
    return [tuple(r) for r in book[sheet].iter_rows(values_only=True)]


def table(content: bytes, sheet: str) -> dict[str, dict[str, Any]]:
    """Rows below the header, keyed by their first cell, as {column heading: value}."""
    all_rows = rows(content, sheet)
    header_at = next(i for i, r in enumerate(all_rows) if r and r[0] and i > 0)
    header = all_rows[header_at]
    return {
        str(r[0]): dict(zip(header, r, strict=False))
        for r in all_rows[header_at + 1 :]
        if r and r[0] is not None
    }


def test_the_lead_mentor_gets_exact_numbers_matching_the_json(populated: Api) -> None:  # noqa: F811
    lead = populated.as_("lead_a")
    r = lead.get(URL)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == XLSX_MEDIA_TYPE
    assert "attachment" in r.headers["content-disposition"]
    book = load_workbook(io.BytesIO(r.content), read_only=True)
    assert book.sheetnames == SHEETS

    body = lead.get("/api/v1/stats/outcomes").json()
    outcome = table(r.content, "Utfall")
    total = outcome["Totalt"]
    assert total["Avslutade"] == body["total"]["exited"]["value"] == 7
    assert total["Mål uppnått"] == body["total"]["goal_reached"]["count"]["value"]
    assert total["Andel mål uppnått"] == pytest.approx(
        body["total"]["goal_reached"]["share"]["value"]
    )
    assert outcome["Män"]["varav arbete"] == 1  # exact for the municipality's own staff
    assert set(outcome) == {"Totalt", "Kvinnor", "Män"}

    items = table(r.content, "Självskattning")
    assessed = lead.get("/api/v1/stats/self-assessment").json()["items"]
    assert len(items) == len(assessed) == 10
    first = assessed[0]
    assert items[first["label_sv"]]["Antal (n)"] == first["overall"]["n"]["value"]


def test_the_analyst_sees_small_cells_marked_never_as_numbers(populated: Api) -> None:  # noqa: F811
    r = populated.as_("analyst").get(URL, params={"group_by": ["municipality", "legal_sex"]})
    assert r.status_code == 200, r.text
    body = (
        populated.as_("analyst")
        .get("/api/v1/stats/outcomes", params={"group_by": ["municipality", "legal_sex"]})
        .json()
    )
    sheet = rows(r.content, "Utfall")
    assert any(SUPPRESSED_TEXT in row for row in sheet)
    # Complementary cells are marked as hidden, not as "<5" (they are not small).
    assert any(COMPLEMENTARY_TEXT in row for row in sheet)
    # No count between 1 and 4 anywhere in the workbook's tables (shares and medians aside).
    for name in ("Utfall", "Remittenter", "Självskattning"):
        all_rows = rows(r.content, name)
        header = all_rows[2]
        counts = [
            i
            for i, heading in enumerate(header)
            if heading and not str(heading).startswith(("Andel", "Netto", "Median"))
        ]
        assert counts and len(all_rows) > 3, name
        for row in all_rows[3:]:
            for i in counts:
                cell = row[i]
                assert not (isinstance(cell, int) and 0 < cell < 5), (name, header[i], row)
    assert table(r.content, "Utfall")["Totalt"]["Avslutade"] == body["total"]["exited"]["value"]


@pytest.mark.parametrize("who", ["mentor_a", "referrer_af", "admin", "client"])
def test_roles_without_the_statistics_permission_get_403(api: Api, who: str) -> None:
    assert api.as_(who).get(URL).status_code == 403


def test_bad_filters_are_422_like_the_json(api: Api) -> None:
    r = api.as_("analyst").get(URL, params={"group_by": "shoe_size"})
    assert r.status_code == 422
    assert r.json()["error"]
