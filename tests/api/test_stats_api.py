"""GET /stats/outcomes and /stats/self-assessment: roles, scope, suppression, bad input, audit."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from conftest import Api, synthetic_pnr
from sqlalchemy import func, insert, select

from api.persistence.models import AuditEntryRow, AuditSubjectRow, EnrolmentRow, ParticipantRow
from api.persistence.models.assessments import AssessmentAnswerRow, AssessmentSubmissionRow
from api.persistence.models.consents import ConsentEntryRow
from domain.personnummer import LegalSex

NOW = datetime(2019, 6, 1, tzinfo=UTC)
OUTCOMES = "/api/v1/stats/outcomes"
SELF = "/api/v1/stats/self-assessment"


def add_exit(
    api: Api,
    serial: int,
    municipality: int,
    *,
    sex: LegalSex = LegalSex.WOMAN,
    step: int = 4,
    status: str = "studies",
    reason: str = "completed",
    ended_on: date = date(2019, 3, 1),
    scores: tuple[int, int] | None = None,
) -> int:
    with api.database.unit_of_work(write=True) as uow:
        s = uow.session
        pid = s.execute(
            insert(ParticipantRow).returning(ParticipantRow.id),
            {
                "municipality_id": municipality,
                "personnummer": synthetic_pnr(serial, sex=sex).replace("-", ""),
                "first_name": "Testa",
                "last_name": f"Statsson{serial}",
                "search_name": f"testa statsson{serial}",
                "protected_identity": False,
                "created_at": NOW,
                "updated_at": NOW,
                "version": 1,
            },
        ).scalar_one()
        eid = s.execute(
            insert(EnrolmentRow).returning(EnrolmentRow.id),
            {
                "participant_id": pid,
                "municipality_id": municipality,
                "programme_code": "level_up",
                "state": "exited",
                "step": step,
                "highest_step": step,
                "referred_on": date(2018, 1, 1),
                "started_on": date(2018, 1, 1),
                "ended_on": ended_on,
                "exit_reason_code": reason,
                "exit_status_code": status,
                "referrer_organisation_id": api.world.referrer_org_af,
                "created_at": NOW,
                "updated_at": NOW,
                "version": 1,
            },
        ).scalar_one()
        if scores:
            for occasion, on, score in (
                ("start", date(2018, 1, 1), scores[0]),
                ("exit", ended_on, scores[1]),
            ):
                sid = s.execute(
                    insert(AssessmentSubmissionRow).returning(AssessmentSubmissionRow.id),
                    {
                        "enrolment_id": eid,
                        "occasion": occasion,
                        "revision": 1,
                        "questionnaire_version": 1,
                        "answered_on": on,
                        "respondent": "participant",
                        "recorded_at": NOW,
                    },
                ).scalar_one()
                s.execute(
                    insert(AssessmentAnswerRow),
                    [
                        {
                            "submission_id": sid,
                            "item_key": "diet",
                            "rater": "participant",
                            "score": score,
                        }
                    ],
                )
        uow.commit()
    return int(eid)


def audit_count(api: Api) -> int:
    with api.database.unit_of_work(write=False) as uow:
        return int(
            uow.session.execute(select(func.count()).select_from(AuditEntryRow)).scalar_one()
        )


@pytest.fixture
def populated(api: Api) -> Api:
    w = api.world
    # Municipality A: 7 exits (6 women to studies, 1 man to work); B: 3 exits.
    for i in range(6):
        add_exit(api, i, w.municipality_a, scores=(3, 6) if i < 5 else (6, 3))
    add_exit(
        api, 6, w.municipality_a, sex=LegalSex.MAN, status="employment_subsidised", scores=(4, 4)
    )
    for i in range(10, 13):
        add_exit(api, i, w.municipality_b, step=2, status="job_seeking")
    return api


def test_lead_mentor_sees_exact_numbers_of_own_municipality(populated: Api) -> None:
    r = populated.as_("lead_a").get(OUTCOMES)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["suppressed_below"] is None
    assert body["filters"]["municipality_ids"] == [populated.world.municipality_a]
    total = body["total"]
    assert total["exited"] == {"value": 7, "suppressed": False, "suppression": None}
    assert total["goal_reached_studies"]["count"]["value"] == 6
    men = next(g for g in body["groups"] if g["key"] == {"legal_sex": "man"})["figures"]
    # One man: exact for the municipality's own staff.
    assert men["goal_reached_work"]["count"] == {
        "value": 1,
        "suppressed": False,
        "suppression": None,
    }
    assert men["goal_reached_work"]["share"]["value"] == 1.0


def test_analyst_sees_all_municipalities_with_small_cells_suppressed(populated: Api) -> None:
    r = populated.as_("analyst").get(OUTCOMES, params={"group_by": ["municipality", "legal_sex"]})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["suppressed_below"] == 5
    assert body["total"]["exited"] == {"value": 10, "suppressed": False, "suppression": None}
    groups = {
        (g["key"]["municipality"], g["key"]["legal_sex"]): g["figures"] for g in body["groups"]
    }
    w = populated.world
    a_men = groups[(w.municipality_a, "man")]
    assert a_men["exited"] == {"value": None, "suppressed": True, "suppression": "small"}
    assert a_men["goal_reached"]["share"] == {
        "value": None,
        "suppressed": True,
        "suppression": "small",
    }
    b_women = groups[(w.municipality_b, "woman")]
    assert b_women["exited"]["suppressed"] is True
    # A share whose numerator is fine but denominator small is suppressed too.
    a_women = groups[(w.municipality_a, "woman")]
    assert a_women["exited"] == {"value": 6, "suppressed": False, "suppression": None}
    # Complementary suppression: no column of groups has a lone hidden cell, since the total
    # row minus the shown cells would give it back.
    for measure in ("persons", "enrolments", "exited", "continuing"):
        column = [g[measure] for g in groups.values()]
        hidden = sum(cell["suppressed"] for cell in column)
        shown_nonzero = [c for c in column if not c["suppressed"] and c["value"]]
        assert hidden != 1 or not shown_nonzero, (measure, column)
    for indicator in ("goal_reached", "reached_level_3"):
        column = [g[indicator]["count"] for g in groups.values()]
        hidden = sum(cell["suppressed"] for cell in column)
        shown_nonzero = [c for c in column if not c["suppressed"] and c["value"]]
        assert hidden != 1 or not shown_nonzero, (indicator, column)
    # Each hidden cell says why; a complementary one is not small itself.
    cells = [g["goal_reached"]["count"] for g in groups.values()]
    assert {c["suppression"] for c in cells if c["suppressed"]} == {"small", "complementary"}
    assert all(c["suppression"] is None for c in cells if not c["suppressed"])
    # The municipalities in scope, named, for filters and labels.
    assert body["municipalities"] == [
        {"id": w.municipality_a, "name": "Skara"},
        {"id": w.municipality_b, "name": "Vara"},
    ]
    # Zero is shown: it discloses nobody.
    assert body["total"]["excluded"] == {"value": 0, "suppressed": False, "suppression": None}

    # No small number leaks anywhere in the response.
    def small_values(node: Any) -> list[int]:
        if isinstance(node, dict):
            if "suppressed" in node and isinstance(node.get("value"), int):
                return [node["value"]] if 0 < node["value"] < 5 else []
            return [v for child in node.values() for v in small_values(child)]
        if isinstance(node, list):
            return [v for child in node for v in small_values(child)]
        return []

    assert small_values({k: v for k, v in body.items() if k != "filters"}) == []


def add_consent_entries(api: Api, enrolment_id: int, *actions: str) -> None:
    with api.database.unit_of_work(write=True) as uow:
        pid = uow.session.get(EnrolmentRow, enrolment_id).participant_id  # type: ignore[union-attr]
        for day, action in enumerate(actions, start=1):
            uow.session.add(
                ConsentEntryRow(
                    participant_id=pid,
                    purpose="evaluation",
                    action=action,
                    effective_on=date(2019, 4, day),
                    form_reference="Blankett" if action == "given" else None,
                    recorded_at=NOW,
                )
            )
        uow.commit()


@pytest.mark.parametrize("role", ["lead_a", "analyst"])
def test_a_withdrawn_evaluation_consent_takes_the_person_out_of_every_figure(
    api: Api, role: str
) -> None:
    w = api.world
    # 7 women to studies with readings; 5 of them keep being counted: two never recorded an
    # evaluation entry, one gave, one gave-withdrew-gave again, one gave (the 5 counted);
    # two withdrew.
    ids = [add_exit(api, i, w.municipality_a, scores=(3, 6)) for i in range(7)]
    add_consent_entries(api, ids[2], "given")
    add_consent_entries(api, ids[3], "given", "withdrawn", "given")
    add_consent_entries(api, ids[4], "given")
    add_consent_entries(api, ids[5], "given", "withdrawn")
    add_consent_entries(api, ids[6], "withdrawn")  # unusual, but the latest entry decides
    caller = api.as_(role)
    outcomes = caller.get(OUTCOMES).json()
    assert outcomes["total"]["exited"]["value"] == 5
    assert outcomes["total"]["persons"]["value"] == 5
    assert outcomes["total"]["goal_reached_studies"]["count"]["value"] == 5
    diet = next(i for i in caller.get(SELF).json()["items"] if i["item"] == "diet")
    assert diet["overall"]["n"]["value"] == 5
    assert diet["overall"]["improved"]["count"]["value"] == 5


def test_municipality_filter_out_of_scope_is_404_like_unknown(populated: Api) -> None:
    lead = populated.as_("lead_a")
    other = lead.get(OUTCOMES, params={"municipality_id": populated.world.municipality_b})
    unknown = lead.get(OUTCOMES, params={"municipality_id": 999999})
    assert other.status_code == unknown.status_code == 404
    assert other.json() == unknown.json()
    own = lead.get(OUTCOMES, params={"municipality_id": populated.world.municipality_a})
    assert own.status_code == 200
    analyst = populated.as_("analyst").get(
        SELF, params={"municipality_id": [populated.world.municipality_b, 999999]}
    )
    assert analyst.status_code == 404


@pytest.mark.parametrize("who", ["mentor_a", "referrer_af", "admin", "client"])
@pytest.mark.parametrize("url", [OUTCOMES, SELF])
def test_roles_without_the_permission_get_403(populated: Api, who: str, url: str) -> None:
    assert populated.as_(who).get(url).status_code == 403


def test_anonymous_gets_401(api: Api) -> None:
    assert api.anonymous.get(OUTCOMES).status_code == 401


@pytest.mark.parametrize(
    ("url", "params", "field"),
    [
        (OUTCOMES, {"group_by": "personnummer"}, "group_by"),
        (OUTCOMES, {"group_by": ["legal_sex", "name"]}, "group_by"),
        (OUTCOMES, {"programme": "no_such_programme"}, "programme"),
        (OUTCOMES, {"referrer_type": "cia"}, "referrer_type"),
        (OUTCOMES, {"exit_from": "2019-02-01", "exit_to": "2019-01-31"}, "exit_to"),
        (OUTCOMES, {"exit_from": "1990-01-01", "exit_to": "2019-01-31"}, "exit_to"),
        (OUTCOMES, {"exit_from": "2019-13-01"}, None),
        (OUTCOMES, {"municipality_id": "abc"}, None),
        (SELF, {"programme": "x"}, "programme"),
        (SELF, {"exit_from": "2019-02-01", "exit_to": "2018-01-31"}, "exit_to"),
        (SELF, {"referrer_type": "cia"}, "referrer_type"),
    ],
)
def test_bad_input_is_422_and_writes_nothing(
    populated: Api, url: str, params: dict[str, Any], field: str | None
) -> None:
    before = audit_count(populated)
    r = populated.as_("analyst").get(url, params=params)
    assert r.status_code == 422, r.text
    body = r.json()
    assert set(body) == {"error", "detail", "fields"}
    if field:
        assert field in body["fields"]
    assert "Statsson" not in r.text
    assert audit_count(populated) == before


@pytest.mark.parametrize(
    ("url", "action"), [(OUTCOMES, "stats.outcomes"), (SELF, "stats.self_assessment")]
)
def test_each_request_is_audited_without_subjects(populated: Api, url: str, action: str) -> None:
    before = audit_count(populated)
    r = populated.as_("analyst").get(url, params={"exit_from": "2019-01-01"})
    assert r.status_code == 200, r.text
    assert audit_count(populated) == before + 1
    with populated.database.unit_of_work(write=False) as uow:
        entry = uow.session.execute(
            select(AuditEntryRow).order_by(AuditEntryRow.id.desc()).limit(1)
        ).scalar_one()
        subjects = uow.session.execute(
            select(func.count())
            .select_from(AuditSubjectRow)
            .where(AuditSubjectRow.audit_id == entry.id)
        ).scalar_one()
    assert entry.action == action
    assert entry.actor_id == populated.world.user("analyst")
    assert entry.detail is not None and entry.detail["exit_from"] == "2019-01-01"
    assert subjects == 0


def test_exit_period_filters(populated: Api) -> None:
    add_exit(populated, 20, populated.world.municipality_a, ended_on=date(2017, 5, 1))
    lead = populated.as_("lead_a")
    everything = lead.get(OUTCOMES).json()["total"]["exited"]["value"]
    period = lead.get(OUTCOMES, params={"exit_from": "2019-01-01", "exit_to": "2019-12-31"})
    assert everything == 8
    assert period.json()["total"]["exited"]["value"] == 7


def test_self_assessment_for_the_lead_mentor(populated: Api) -> None:
    r = populated.as_("lead_a").get(SELF)
    assert r.status_code == 200, r.text
    items = {i["item"]: i for i in r.json()["items"]}
    diet = items["diet"]["overall"]
    assert diet["n"]["value"] == 7
    assert diet["improved"]["count"]["value"] == 5
    assert diet["worsened"]["count"]["value"] == 1
    assert diet["unchanged"]["count"]["value"] == 1
    assert diet["net_effect"]["value"] == round(4 / 7, 3)
    assert diet["median_first"] == 3.0
    assert diet["median_latest"] == 6.0
    assert items["diet"]["by_legal_sex"]["man"]["n"]["value"] == 1
    assert items["self_esteem"]["overall"]["n"]["value"] == 0


def test_self_assessment_suppressed_for_the_analyst(populated: Api) -> None:
    r = populated.as_("analyst").get(SELF)
    assert r.status_code == 200, r.text
    diet = {i["item"]: i for i in r.json()["items"]}["diet"]
    assert diet["overall"]["n"]["value"] == 7
    # 1 worsened and 1 unchanged: suppressed, and so is the net effect built on them.
    assert diet["overall"]["worsened"]["count"]["suppressed"] is True
    assert diet["overall"]["net_effect"] == {
        "value": None,
        "suppressed": True,
        "suppression": "small",
    }
    man = diet["by_legal_sex"]["man"]
    assert man["n"]["suppressed"] is True
    assert man["medians_suppressed"] is True and man["median_first"] is None
