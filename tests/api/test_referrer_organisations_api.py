"""The organisations a referral may name: national ones plus the caller's own municipality's."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from conftest import Api

from api.persistence.models import OrganisationRow

URL = "/api/v1/referrer-organisations"


def add_social_services(api: Api) -> tuple[int, int]:
    """A socialtjänst in each test municipality (they belong to one kommun each)."""
    now = datetime.now(UTC)
    ids = []
    with api.database.unit_of_work(write=True) as uow:
        for name, parent in (
            ("Socialtjänsten A", api.world.municipality_a),
            ("Socialtjänsten B", api.world.municipality_b),
        ):
            row = OrganisationRow(
                kind="referrer",
                name=name,
                parent_id=parent,
                referrer_type="socialtjanst",
                created_at=now,
            )
            uow.session.add(row)
            uow.session.flush()
            ids.append(row.id)
        uow.commit()
    return ids[0], ids[1]


@pytest.mark.parametrize(
    ("role", "own", "other"),
    [("mentor_a", "A", "B"), ("lead_a", "A", "B"), ("mentor_b", "B", "A"), ("client", "A", "B")],
)
def test_lists_national_organisations_and_only_the_own_municipalitys(
    api: Api, role: str, own: str, other: str
) -> None:
    soc = dict(zip("AB", add_social_services(api), strict=True))
    r = api.as_(role).get(URL)
    assert r.status_code == 200, r.text
    items = r.json()["items"]
    ids = {item["id"] for item in items}
    assert {api.world.referrer_org_af, api.world.referrer_org_fk, soc[own]} <= ids
    assert soc[other] not in ids
    assert [item["name"] for item in items] == sorted(item["name"] for item in items)
    by_id = {item["id"]: item for item in items}
    assert by_id[api.world.referrer_org_af]["referrer_type"] == "af"
    assert set(by_id[soc[own]]) == {"id", "name", "referrer_type"}


@pytest.mark.parametrize("role", ["manager_a", "referrer_af", "analyst", "evaluator", "admin"])
def test_roles_that_cannot_refer_get_403(api: Api, role: str) -> None:
    assert api.as_(role).get(URL).status_code == 403


def test_requires_a_token(api: Api) -> None:
    assert api.anonymous.get(URL).status_code == 401
