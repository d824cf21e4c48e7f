"""Schemathesis against the app's own OpenAPI document, in process (SECURITY.md "Input and
resources"): zero server errors.

SQLite only, one seeded database for the whole module. Every id path parameter is steered to a
seeded record (in or out of the caller's scope), otherwise the generator only ever meets 404s;
each operation is called as a principal that holds its permission, so the generated input gets
past the guard. Skipped when schemathesis is not installed (it is in the `dev` extras).
"""

from __future__ import annotations

import itertools
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

schemathesis = pytest.importorskip("schemathesis")

import yaml  # noqa: E402
from conftest import (  # noqa: E402
    ROOT,
    Caller,
    World,
    make_settings,
    participant_body,
    seed_world,
    synthetic_pnr,
)
from fastapi import FastAPI  # noqa: E402
from fastapi.testclient import TestClient  # noqa: E402
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from schemathesis import GenerationMode  # noqa: E402

from api.app import create_app  # noqa: E402
from api.clock import Clock  # noqa: E402
from api.persistence.models import EnrolmentRow, ParticipantRow, UserRow  # noqa: E402
from api.persistence.uow import Database  # noqa: E402

MAX_EXAMPLES = 25
ID_PARAMETERS = (
    "participant_id",
    "enrolment_id",
    "user_id",
    "organisation_id",
    "integration_client_id",
    "cohort_id",
    "session_id",
    "submission_id",
    "member_id",
)


@dataclass
class Fuzzed:
    app: FastAPI
    world: World
    database: Database
    ids: dict[str, list[int]]
    tokens: dict[str, str]


def _token(app: FastAPI, subject: str) -> str:
    ctx = app.state.context
    token, _ = ctx.tokens.issue_access(subject, now=ctx.clock.now())
    return str(token)


@pytest.fixture(scope="module")
def fuzzed(
    sqlite_template: Path,
    tmp_path_factory: pytest.TempPathFactory,
    password_hash: str,
    client_secret_hash: str,
) -> Iterator[Fuzzed]:
    path = tmp_path_factory.mktemp("schemathesis") / "levelup.sqlite3"
    shutil.copyfile(sqlite_template, path)
    database = Database.from_url(f"sqlite:///{path}")
    world = seed_world(database, password_hash, client_secret_hash)
    app = create_app(make_settings(), clock=Clock(), database=database)
    tokens = {
        key: _token(app, f"user:{world.user(key)}")
        for key in ("mentor_a", "lead_a", "manager_a", "referrer_af", "admin")
    }
    ids: dict[str, list[int]] = {
        # Not the principals the calls are made as: a fuzzed PATCH may disable an account.
        "user_id": [
            world.user(k)
            for k in ("mentor_b", "lead_b", "analyst", "evaluator", "disabled_mentor_a")
        ],
        "organisation_id": [world.association_id, world.municipality_a, world.referrer_org_af],
        "integration_client_id": [world.client_pk],
        "participant_id": [],
        "enrolment_id": [],
        "cohort_id": [],
        "session_id": [],
        "submission_id": [],
        "member_id": [],
    }
    referred_on = (Clock().today() - timedelta(days=30)).isoformat()
    with TestClient(app) as client:
        for serial, who in enumerate(["mentor_a", "mentor_a", "mentor_a2", "mentor_b"]):
            caller = Caller(client, _token(app, f"user:{world.user(who)}"))
            r = caller.post("/api/v1/participants", json=participant_body(serial))
            assert r.status_code == 201, r.text
            pid = r.json()["id"]
            r = caller.post(
                f"/api/v1/participants/{pid}/enrolments",
                json={
                    "programme_code": "level_up",
                    "referred_on": referred_on,
                    "referrer_user_id": world.user("referrer_af"),
                },
            )
            assert r.status_code == 201, r.text
            ids["participant_id"].append(pid)
            ids["enrolment_id"].append(r.json()["id"])
        _seed_journey(client, app, world, ids)
    yield Fuzzed(app, world, database, ids, tokens)
    database.dispose()


def _seed_journey(
    client: TestClient, app: FastAPI, world: World, ids: dict[str, list[int]]
) -> None:
    """A started enrolment with a start assessment, a resource-group member and a cohort with
    sessions, so the journey's own id parameters meet real records too."""
    mentor = Caller(client, _token(app, f"user:{world.user('mentor_a')}"))
    eid, pid = ids["enrolment_id"][0], ids["participant_id"][0]
    etag = mentor.get(f"/api/v1/enrolments/{eid}").headers["ETag"]
    today = Clock().today()
    for name, days in (("intake", 20), ("start", 10)):
        r = mentor.post(
            f"/api/v1/enrolments/{eid}/{name}",
            json={"effective_on": (today - timedelta(days=days)).isoformat()},
            headers={"If-Match": etag},
        )
        assert r.status_code == 200, r.text
        etag = r.headers["ETag"]
    r = mentor.post(
        f"/api/v1/enrolments/{eid}/assessments",
        json={
            "occasion": "start",
            "answered_on": today.isoformat(),
            "respondent": "participant",
            "answers": {"self_esteem": 5},
        },
    )
    assert r.status_code == 201, r.text
    ids["submission_id"].append(r.json()["id"])
    r = mentor.post(
        f"/api/v1/participants/{pid}/resource-group",
        json={"role": "Kurator", "organisation": "Vårdcentralen", "name": "Påhittad Person"},
    )
    assert r.status_code == 201, r.text
    ids["member_id"].append(r.json()["id"])
    r = mentor.post(
        "/api/v1/cohorts",
        json={
            "kind": "level2_group",
            "name": "Fuzzgrupp",
            "starts_on": (today - timedelta(days=14)).isoformat(),
            "schedule": {"weekdays": [1, 3], "start_time": "09:00", "duration_minutes": 120},
        },
    )
    assert r.status_code == 201, r.text
    ids["cohort_id"].append(r.json()["id"])
    ids["session_id"].extend(x["id"] for x in r.json()["sessions"])


@pytest.fixture(scope="module")
def api_schema(fuzzed: Fuzzed) -> Any:
    schema = schemathesis.openapi.from_asgi("/api/openapi.json", fuzzed.app)

    @schema.hook
    def map_path_parameters(_ctx: Any, path_parameters: dict[str, Any] | None) -> Any:
        # Any in-range id becomes a seeded one; out-of-range values stay (they must be 422).
        if not path_parameters:
            return path_parameters
        for name in ID_PARAMETERS:
            value = path_parameters.get(name)
            if isinstance(value, int) and 1 <= value <= 2**31 - 1:
                seeded = fuzzed.ids[name]
                path_parameters[name] = seeded[value % len(seeded)]
        return path_parameters

    @schema.hook
    def flatmap_case(ctx: Any, case: Any) -> Any:
        # Half the cases are steered towards input the handler accepts (a current If-Match, a
        # valid personnummer, a known programme, today's date), so the fuzzer reaches the
        # domain and the database instead of stopping at 412/422.
        return st.booleans().map(
            lambda steer: _steer(fuzzed, ctx.operation, case) if steer else case
        )

    return schema


_serials = itertools.count(100)
# The rows whose `version` an If-Match names.
_VERSIONED: dict[str, type[ParticipantRow | EnrolmentRow | UserRow]] = {
    "participant_id": ParticipantRow,
    "enrolment_id": EnrolmentRow,
    "user_id": UserRow,
}


def _steer(fuzzed: Fuzzed, operation: Any, case: Any) -> Any:
    params = case.path_parameters or {}
    declared = {str(p.get("name")).lower() for p in operation.definition.raw.get("parameters", [])}
    if "if-match" in declared:
        for name, model in _VERSIONED.items():
            value = params.get(name)
            if isinstance(value, int) and 1 <= value <= 2**31 - 1:
                with fuzzed.database.unit_of_work(write=False) as uow:
                    row: Any = uow.session.get(model, value)
                if row is not None:
                    headers = {
                        k: v for k, v in (case.headers or {}).items() if k.lower() != "if-match"
                    }
                    case.headers = {**headers, "If-Match": f'"{row.version}"'}
    operation_id = operation.definition.raw.get("operationId")
    body = case.body
    if isinstance(body, dict):
        today = Clock().today()
        if operation_id == "create_participant":
            body["personnummer"] = synthetic_pnr(next(_serials))
        if operation_id == "create_referral":
            body["programme_code"] = "level_up"
            body["referred_on"] = (today - timedelta(days=3)).isoformat()
        if "effective_on" in body:
            body["effective_on"] = today.isoformat()
        if operation_id == "assign_mentor":
            body["mentor_id"] = fuzzed.world.user("mentor_a2")
    return case


def principal_for(path: str, method: str, operation_id: str | None) -> str:
    """A principal holding the operation's permission, so fuzzed input meets the handler."""
    if path.startswith("/api/v1/admin") or operation_id == "publish_code_list_version":
        return "admin"
    if path.endswith("/access-log") or path.endswith("/municipality/mentors"):
        return "manager_a"
    if path.endswith("/mentor"):
        return "lead_a"
    if path.endswith("/referrals") and method == "GET":
        return "referrer_af"
    return "mentor_a"


def _operations() -> list[tuple[str, str]]:
    # From the committed contract, so the cases exist at collection time (no app needed yet).
    document = yaml.safe_load((ROOT / "openapi.yaml").read_text())
    return [
        (method.upper(), path)
        for path, item in document["paths"].items()
        for method in item
        if method in {"get", "post", "put", "patch", "delete"}
    ]


OPERATIONS = _operations()


@pytest.mark.parametrize(("method", "path"), OPERATIONS, ids=[f"{m} {p}" for m, p in OPERATIONS])
def test_no_server_errors(fuzzed: Fuzzed, api_schema: Any, method: str, path: str) -> None:
    operation = api_schema[path][method]
    who = principal_for(path, method, operation.definition.raw.get("operationId"))
    headers = {"Authorization": f"Bearer {fuzzed.tokens[who]}"}
    strategy = st.one_of(
        operation.as_strategy(GenerationMode.POSITIVE),
        operation.as_strategy(GenerationMode.NEGATIVE),
    )
    seen: list[int] = []

    @given(case=strategy)
    @settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def run(case: Any) -> None:
        response = case.call(headers=headers)
        seen.append(response.status_code)
        assert response.status_code < 500, (
            f"{case.method} {case.formatted_path} as {who}: {response.status_code} "
            f"{response.text[:300]}\n{case.as_curl_command()}"
        )
        assert "Traceback" not in response.text

    run()
    assert seen, "no case was generated"


def test_every_operation_of_the_app_is_fuzzed(api_schema: Any) -> None:
    operations = [result.ok() for result in api_schema.get_all_operations()]
    served = {(op.method.upper(), op.path) for op in operations}
    assert served == set(OPERATIONS), "openapi.yaml and the app disagree: regenerate it"
