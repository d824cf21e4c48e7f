"""Bad input and oversized requests (SECURITY.md "Input and resources", ARCHITECTURE.md rule 3).

Malformed JSON, wrong content types, bodies of the wrong JSON type, deep nesting, huge arrays and
strings, oversized bodies (declared and chunked), out-of-range ids and limits, forged cursors,
control characters and oversized headers: every one answers a 4xx with the error body
`{"error", "detail", "fields"}`, never a 500, never a hang, never a traceback or a database
exception name, and writes nothing.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from conftest import Api, Caller, World, build_api, participant_body, synthetic_pnr
from sqlalchemy import func, select

from api.clock import Clock
from api.logging_setup import JsonFormatter
from api.persistence.models import (
    AuditEntryRow,
    CodeListVersionRow,
    EnrolmentRow,
    IntegrationClientRow,
    MentorAssignmentRow,
    OrganisationRow,
    ParticipantRow,
    TransitionRow,
    UserRow,
)
from api.persistence.uow import Database
from api.services.cursors import encode_cursor

TODAY = Clock().today()
ERROR_KEYS = {"error", "detail", "fields"}
JSON = {"Content-Type": "application/json"}
# Names that must never reach a client: tracebacks, database drivers and their exceptions.
LEAKS = re.compile(
    r"Traceback|File \"|sqlalchemy|psycopg|sqlite3|IntegrityError|OperationalError|DataError|"
    r"ProgrammingError|StatementError|ArgumentError|OverflowError|RecursionError|"
    r"UnicodeDecodeError|KeyError|TypeError|ValueError",
    re.IGNORECASE,
)
COUNTED = (
    ParticipantRow,
    EnrolmentRow,
    TransitionRow,
    MentorAssignmentRow,
    AuditEntryRow,
    UserRow,
    OrganisationRow,
    IntegrationClientRow,
    CodeListVersionRow,
)


def days_ago(n: int) -> str:
    return (TODAY - timedelta(days=n)).isoformat()


# ---- helpers -------------------------------------------------------------------------------------


def row_counts(database: Database, models: tuple[Any, ...] = COUNTED) -> dict[str, int]:
    with database.unit_of_work(write=False) as uow:
        return {
            m.__tablename__: int(
                uow.session.execute(select(func.count()).select_from(m)).scalar_one()
            )
            for m in models
        }


@contextmanager
def nothing_written(api: Api, models: tuple[Any, ...] = COUNTED) -> Iterator[None]:
    before = row_counts(api.database, models)
    yield
    assert row_counts(api.database, models) == before, "a refused request wrote rows"


def assert_refused(r: Any, *allowed: int, where: str = "") -> dict[str, Any]:
    """A 4xx (one of `allowed` when given) with the error shape and nothing leaked."""
    context = f"{where}: {r.status_code} {r.text[:300]}"
    assert 400 <= r.status_code < 500, context
    if allowed:
        assert r.status_code in allowed, context
    assert not LEAKS.search(r.text), context
    body = r.json()
    assert set(body) == ERROR_KEYS, context
    assert isinstance(body["error"], str) and body["error"], context
    assert isinstance(body["detail"], str) and body["detail"], context
    assert isinstance(body["fields"], dict), context
    return body


class Problems(list[str]):
    """Collects every refusal that is wrong, so one test can report a whole table of cases."""

    def refused(self, r: Any, *allowed: int, where: str) -> None:
        try:
            assert_refused(r, *allowed, where=where)
        except AssertionError as exc:
            self.append(str(exc).splitlines()[0])

    def report(self) -> str:
        return f"{len(self)} wrong answers:\n" + "\n".join(self)


@dataclass
class Seeded:
    participant_id: int
    enrolment_id: int


def seed(api: Api) -> Seeded:
    mentor = api.as_("mentor_a")
    r = mentor.post("/api/v1/participants", json=participant_body(1))
    assert r.status_code == 201, r.text
    pid = r.json()["id"]
    r = mentor.post(
        f"/api/v1/participants/{pid}/enrolments",
        json={"programme_code": "level_up", "referred_on": days_ago(30)},
    )
    assert r.status_code == 201, r.text
    return Seeded(pid, r.json()["id"])


@dataclass(frozen=True)
class JsonEndpoint:
    label: str
    principal: str
    path: str  # {pid}, {eid} filled from the seed
    method: str = "POST"
    if_match: bool = False

    def call(self, api: Api, s: Seeded, **kw: Any) -> Any:
        headers = {**kw.pop("headers", {}), **({"If-Match": '"1"'} if self.if_match else {})}
        url = "/api/v1" + self.path.format(pid=s.participant_id, eid=s.enrolment_id)
        return api.as_(self.principal).request(self.method, url, headers=headers, **kw)


JSON_ENDPOINTS = [
    JsonEndpoint("create_participant", "mentor_a", "/participants"),
    JsonEndpoint("update_participant", "mentor_a", "/participants/{pid}", "PATCH", True),
    JsonEndpoint("search_participants", "mentor_a", "/participants/search"),
    JsonEndpoint("reveal_personnummer", "mentor_a", "/participants/{pid}/reveal-personnummer"),
    JsonEndpoint("create_referral", "mentor_a", "/participants/{pid}/enrolments"),
    JsonEndpoint("hold_intake", "mentor_a", "/enrolments/{eid}/intake", if_match=True),
    JsonEndpoint("assign_mentor", "lead_a", "/enrolments/{eid}/mentor", if_match=True),
    JsonEndpoint("create_user", "admin", "/admin/users"),
    JsonEndpoint("publish_code_list_version", "admin", "/code-lists/exit_reason/versions"),
]
ENDPOINT_IDS = [e.label for e in JSON_ENDPOINTS]


# ---- the body is not a JSON object -------------------------------------------------------------

VALID_PERSON = json.dumps(participant_body(7)).encode()
DEPTH = 10_000

# name -> (raw body, content type, the statuses allowed)
BODIES: dict[str, tuple[bytes, str, tuple[int, ...]]] = {
    "malformed-json": (b'{"first_name": "Testa", ', "application/json", (422,)),
    "trailing-garbage": (VALID_PERSON + b"}}", "application/json", (422,)),
    "empty-body": (b"", "application/json", (422,)),
    "a-list": (b'[{"first_name": "Testa"}]', "application/json", (422,)),
    "a-string": (b'"first_name"', "application/json", (422,)),
    "a-number": (b"42", "application/json", (422,)),
    "null": (b"null", "application/json", (422,)),
    "text-plain": (VALID_PERSON, "text/plain", (400, 415, 422)),
    "form-urlencoded": (
        b"first_name=Testa&last_name=Testsson",
        "application/x-www-form-urlencoded",
        (400, 415, 422),
    ),
    "no-content-type": (VALID_PERSON, "", (400, 415, 422)),
    "nested-arrays-10000": (b"[" * DEPTH + b"]" * DEPTH, "application/json", (400, 422)),
    "nested-objects-10000": (
        b'{"a":' * DEPTH + b"1" + b"}" * DEPTH,
        "application/json",
        (400, 422),
    ),
    "nested-in-a-field-10000": (
        b'{"first_name":' + b"[" * DEPTH + b"]" * DEPTH + b"}",
        "application/json",
        (400, 422),
    ),
    "invalid-utf8": (b'{"first_name": "\xff\xfe\xfa"}', "application/json", (400, 422)),
    "integer-with-5000-digits": (
        b'{"limit": ' + b"9" * 5000 + b"}",
        "application/json",
        (400, 422),
    ),
    "nan-and-infinity": (b'{"limit": NaN, "level": Infinity}', "application/json", (422,)),
}


@pytest.mark.parametrize("kind", list(BODIES))
def test_a_body_that_is_not_a_json_object_is_refused(api: Api, kind: str) -> None:
    raw, content_type, allowed = BODIES[kind]
    s = seed(api)
    with nothing_written(api):
        for endpoint in JSON_ENDPOINTS:
            headers = {"Content-Type": content_type} if content_type else {}
            r = endpoint.call(api, s, content=raw, headers=headers)
            assert_refused(r, *allowed, where=f"{endpoint.label} with {kind}")


def test_malformed_json_names_the_problem(api: Api) -> None:
    with nothing_written(api):
        r = api.as_("mentor_a").post(
            "/api/v1/participants", content=b'{"first_name": ', headers=JSON
        )
    body = assert_refused(r, 422)
    assert body["error"] == "ValidationError"
    assert body["fields"], "the caller should learn where the JSON broke"


# ---- fields of the wrong type or size ------------------------------------------------------------

TEN_THOUSAND = ["x"] * 10_000


@pytest.mark.parametrize(
    ("label", "principal", "path", "body", "field"),
    [
        (
            "create_participant",
            "mentor_a",
            "/participants",
            participant_body(2, first_name=TEN_THOUSAND),
            "body.first_name",
        ),
        (
            "create_participant",
            "mentor_a",
            "/participants",
            participant_body(2, personnummer=TEN_THOUSAND),
            "body.personnummer",
        ),
        (
            "search_participants",
            "mentor_a",
            "/participants/search",
            {"name": TEN_THOUSAND},
            "body.name",
        ),
        (
            "reveal_personnummer",
            "mentor_a",
            "/participants/{pid}/reveal-personnummer",
            {"reason": TEN_THOUSAND},
            "body.reason",
        ),
        (
            "create_referral",
            "mentor_a",
            "/participants/{pid}/enrolments",
            {"programme_code": TEN_THOUSAND, "referred_on": days_ago(1)},
            "body.programme_code",
        ),
        (
            "publish_code_list_version",
            "admin",
            "/code-lists/exit_reason/versions",
            {
                "label": "v2",
                "entries": [{"code": "x", "label_sv": "x", "label_en": "x", "sort_order": 1}]
                * 10_000,
            },
            "body.entries",
        ),
    ],
    ids=[
        "first_name",
        "personnummer",
        "search-name",
        "reveal-reason",
        "programme_code",
        "code-list-entries",
    ],
)
def test_ten_thousand_element_arrays_are_refused(
    api: Api, label: str, principal: str, path: str, body: dict[str, Any], field: str
) -> None:
    s = seed(api)
    with nothing_written(api):
        r = api.as_(principal).post("/api/v1" + path.format(pid=s.participant_id), json=body)
    refused = assert_refused(r, 422, where=label)
    assert field in refused["fields"], refused
    assert len(r.content) < 5_000, "the error must not echo the input"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("first_name", "x" * 101),
        ("last_name", "x" * 101),
        ("address", "x" * 301),
        ("email", "a" * 250 + "@x.se"),
        ("phone", "0" * 41),
        ("education_level", "x" * 41),
        ("personnummer", "1" * 21),
        ("first_name", ""),
        ("first_name", 12345),
        ("protected_identity", "maybe"),
        ("gender", "unknown"),
    ],
    ids=lambda v: v if isinstance(v, str) and len(v) < 30 else f"len{len(str(v))}",
)
def test_every_participant_field_is_bounded(api: Api, field: str, value: Any) -> None:
    with nothing_written(api):
        r = api.as_("mentor_a").post(
            "/api/v1/participants", json=participant_body(3, **{field: value})
        )
    body = assert_refused(r, 422)
    assert f"body.{field}" in body["fields"] or field in body["fields"], body


def test_a_near_megabyte_name_is_a_clear_422_without_echo(api: Api) -> None:
    big = "x" * 990_000  # the whole body stays under the default 1 000 000 byte cap
    with nothing_written(api):
        r = api.as_("mentor_a").post(
            "/api/v1/participants", json=participant_body(4, first_name=big)
        )
    body = assert_refused(r, 422)
    assert "body.first_name" in body["fields"]
    assert len(r.content) < 2_000


def test_a_one_megabyte_name_is_refused_by_the_body_cap(api: Api) -> None:
    with nothing_written(api):
        r = api.as_("mentor_a").post(
            "/api/v1/participants", json=participant_body(4, first_name="x" * 1_048_576)
        )
    assert assert_refused(r, 413)["error"] == "PayloadTooLarge"


def test_a_one_megabyte_name_is_a_422_when_the_cap_allows_it(
    database: Database, world: World
) -> None:
    for api in build_api(database, world, max_body_bytes=4_000_000):
        with nothing_written(api):
            r = api.as_("mentor_a").post(
                "/api/v1/participants", json=participant_body(4, first_name="x" * 1_048_576)
            )
        body = assert_refused(r, 422)
        assert "body.first_name" in body["fields"]
        assert len(r.content) < 2_000


# ---- oversized bodies: 413 -----------------------------------------------------------------------

TEN_MB = 10 * 1024 * 1024


def _chunks(total: int, size: int = 64 * 1024) -> Iterator[bytes]:
    sent = 0
    yield b'{"first_name": "'
    while sent < total:
        yield b"x" * size
        sent += size
    yield b'"}'


@pytest.mark.parametrize("transfer", ["content-length", "chunked"])
@pytest.mark.parametrize(
    ("principal", "path", "content_type"),
    [
        ("mentor_a", "/api/v1/participants", "application/json"),
        ("mentor_a", "/api/v1/participants/search", "application/json"),
        (None, "/api/v1/auth/token", "application/x-www-form-urlencoded"),
    ],
    ids=["create_participant", "search", "token"],
)
def test_a_ten_megabyte_body_is_413(
    api: Api, principal: str | None, path: str, content_type: str, transfer: str
) -> None:
    caller = api.as_(principal) if principal else api.anonymous
    content: bytes | Iterator[bytes] = (
        b"x" * TEN_MB if transfer == "content-length" else _chunks(TEN_MB)
    )
    with nothing_written(api):
        r = caller.post(path, content=content, headers={"Content-Type": content_type})
    body = assert_refused(r, 413)
    assert body["error"] == "PayloadTooLarge"
    if transfer == "chunked":
        assert r.request.headers.get("Transfer-Encoding") == "chunked"
        assert "Content-Length" not in r.request.headers


# ---- limits, ids and query parameters ------------------------------------------------------------


@pytest.mark.parametrize("limit", ["101", "0", "-1", "1000000000000000000000", "ten", "1.5"])
def test_limit_outside_1_to_100_is_422(api: Api, limit: str) -> None:
    s = seed(api)
    with nothing_written(api):
        for principal, url in [
            ("mentor_a", "/api/v1/participants"),
            ("referrer_af", "/api/v1/me/referrals"),
            ("manager_a", f"/api/v1/participants/{s.participant_id}/access-log"),
        ]:
            r = api.as_(principal).get(url, params={"limit": limit})
            body = assert_refused(r, 422, where=url)
            assert "query.limit" in body["fields"], body
        try:
            number: Any = int(limit)
        except ValueError:
            number = limit
        r = api.as_("mentor_a").post("/api/v1/participants/search", json={"limit": number})
        assert "body.limit" in assert_refused(r, 422)["fields"]


BAD_IDS = ["0", "-1", str(2**31), str(2**63), str(2**64), "1e3", "abc", "1%00"]


def test_ids_out_of_range_are_422_or_404(api: Api) -> None:
    seed(api)
    world = api.world
    routes: list[tuple[str, str, str, dict[str, Any] | None]] = [
        ("mentor_a", "GET", "/api/v1/participants/{id}", None),
        ("mentor_a", "PATCH", "/api/v1/participants/{id}", {"phone": "070"}),
        ("mentor_a", "GET", "/api/v1/participants/{id}/enrolments", None),
        ("mentor_a", "POST", "/api/v1/participants/{id}/reveal-personnummer", {"reason": "x"}),
        (
            "mentor_a",
            "POST",
            "/api/v1/participants/{id}/enrolments",
            {"programme_code": "level_up", "referred_on": days_ago(1)},
        ),
        ("manager_a", "GET", "/api/v1/participants/{id}/access-log", None),
        ("mentor_a", "GET", "/api/v1/enrolments/{id}", None),
        ("mentor_a", "POST", "/api/v1/enrolments/{id}/advance", {"effective_on": days_ago(1)}),
        (
            "lead_a",
            "POST",
            "/api/v1/enrolments/{id}/mentor",
            {"mentor_id": world.user("mentor_a2")},
        ),
        ("admin", "GET", "/api/v1/admin/users/{id}", None),
        ("admin", "PATCH", "/api/v1/admin/users/{id}", {"display_name": "X"}),
        ("admin", "GET", "/api/v1/admin/organisations/{id}", None),
        ("admin", "PATCH", "/api/v1/admin/integration-clients/{id}", {"is_active": True}),
        ("mentor_a", "GET", "/api/v1/participants?mentor_id={id}", None),
        ("mentor_a", "GET", "/api/v1/participants?level={id}", None),
        ("admin", "GET", "/api/v1/admin/users?municipality_id={id}", None),
        ("mentor_a", "GET", "/api/v1/code-lists/exit_reason?version={id}", None),
    ]
    problems = Problems()
    with nothing_written(api):
        for bad_id in BAD_IDS:
            for principal, method, url, body in routes:
                r = api.as_(principal).request(
                    method, url.replace("{id}", bad_id), json=body, headers={"If-Match": '"1"'}
                )
                problems.refused(r, 404, 422, where=f"{method} {url} id={bad_id}")
    assert not problems, problems.report()


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/participants/search", {"mentor_id": 2**63}),
        ("/participants/search", {"level": -1}),
        (
            "/participants/{pid}/enrolments",
            {"programme_code": "level_up", "referred_on": days_ago(1), "referrer_user_id": 2**63},
        ),
        (
            "/participants/{pid}/enrolments",
            {"programme_code": "level_up", "referred_on": days_ago(1), "mentor_id": 0},
        ),
        (
            "/participants/{pid}/enrolments",
            {
                "programme_code": "level_up",
                "referred_on": days_ago(1),
                "months_on_support_before_start": 2**63,
            },
        ),
        (
            "/enrolments/{eid}/corrections",
            {"target_seq": 2**63, "effective_on": days_ago(1), "reason": "x"},
        ),
        ("/enrolments/{eid}/intake", {"effective_on": "99999-01-01"}),
        ("/enrolments/{eid}/intake", {"effective_on": 2**63}),
    ],
    ids=[
        "search-mentor_id",
        "search-level",
        "referrer_user_id",
        "mentor_id-0",
        "months-on-support",
        "target_seq",
        "year-99999",
        "date-as-huge-int",
    ],
)
def test_ids_and_numbers_in_bodies_out_of_range_are_422(
    api: Api, path: str, body: dict[str, Any]
) -> None:
    s = seed(api)
    url = "/api/v1" + path.format(pid=s.participant_id, eid=s.enrolment_id)
    with nothing_written(api):
        r = api.as_("mentor_a").post(url, json=body, headers={"If-Match": '"1"'})
    assert_refused(r, 422, where=path)


def test_unknown_query_parameters_are_ignored_harmlessly(api: Api) -> None:
    seed(api)
    mentor = api.as_("mentor_a")
    plain = mentor.get("/api/v1/participants")
    assert plain.status_code == 200
    with nothing_written(api, (ParticipantRow, EnrolmentRow, TransitionRow, UserRow)):
        for params in [
            {"foo": "bar"},
            {"municipality_id": str(api.world.municipality_b)},  # not a filter here: no widening
            {"personnummer": synthetic_pnr(1)},  # identifying filters only via POST search
            {"name": "nobody-has-this-name"},
            {"__proto__": "x", "constructor[prototype]": "y"},
            {"state[]": "active", "limit[]": "1"},
            {"x" * 1000: "y" * 1000},
        ]:
            r = mentor.get("/api/v1/participants", params=params)
            assert r.status_code == 200, (params, r.text)
            assert r.json() == plain.json(), params


# ---- forged cursors ------------------------------------------------------------------------------

# (principal, method, path, where the cursor goes)
CURSOR_ROUTES = [
    ("mentor_a", "GET", "/api/v1/participants", "query"),
    ("mentor_a", "POST", "/api/v1/participants/search", "body"),
    ("referrer_af", "GET", "/api/v1/me/referrals", "query"),
    ("manager_a", "GET", "/api/v1/participants/{pid}/access-log", "query"),
]


def _send_cursor(api: Api, s: Seeded, route: tuple[str, str, str, str], cursor: str) -> Any:
    principal, method, path, where = route
    url = path.format(pid=s.participant_id)
    caller = api.as_(principal)
    if where == "body":
        return caller.post(url, json={"cursor": cursor})
    return caller.request(method, url, params={"cursor": cursor})


MALFORMED_CURSORS = {
    "garbage": "not-a-cursor",
    "percent": "%%%",
    "padding": "=" * 10,
    "too-long": "x" * 601,
    "empty-list": encode_cursor(),
    "too-many-values": encode_cursor("a", "b", 1),
    "float": encode_cursor(1.5),
    "float-id": encode_cursor("a", 1.5),
    "null": encode_cursor(None),
    "nested-list": encode_cursor([1]),
    "object": encode_cursor({"a": 1}),
    "invalid-utf8": "gICA",
    "non-ascii": "\u00e5\u00e4\u00f6",
}
# Well-formed JSON, but an id no database column can hold, or a boolean (an int in Python).
FORGED_CURSORS = {
    "list-huge-id": (0, encode_cursor("a", 10**30)),
    "search-huge-id": (1, encode_cursor("a", 10**30)),
    "search-huge-negative-id": (1, encode_cursor("a", -(10**30))),
    "search-boolean-id": (1, encode_cursor("a", True)),
    "referrals-huge-id": (2, encode_cursor(10**30)),
    "referrals-boolean-id": (2, encode_cursor(True)),
    "access-log-huge-id": (3, encode_cursor(10**30)),
    "access-log-huge-negative-id": (3, encode_cursor(-(10**30))),
}


def test_a_malformed_cursor_is_422(api: Api) -> None:
    s = seed(api)
    problems = Problems()
    with nothing_written(api, (ParticipantRow, EnrolmentRow, TransitionRow)):
        for name, cursor in MALFORMED_CURSORS.items():
            for route in CURSOR_ROUTES:
                problems.refused(
                    _send_cursor(api, s, route, cursor), 422, where=f"{route[2]} cursor {name}"
                )
    assert not problems, problems.report()


def test_a_forged_cursor_with_an_impossible_id_is_422(api: Api) -> None:
    s = seed(api)
    problems = Problems()
    with nothing_written(api, (ParticipantRow, EnrolmentRow, TransitionRow)):
        for name, (route_index, cursor) in FORGED_CURSORS.items():
            route = CURSOR_ROUTES[route_index]
            problems.refused(_send_cursor(api, s, route, cursor), 422, where=name)
    assert not problems, problems.report()


# ---- control characters --------------------------------------------------------------------------

NUL = "\u0000"
ControlCase = tuple[Callable[[Api, Seeded], Any], tuple[int, ...]]


def _token(**form: str) -> Callable[[Api, Seeded], Any]:
    return lambda api, _s: api.client.post("/api/v1/auth/token", data=form)


def _create(first_name: str) -> Callable[[Api, Seeded], Any]:
    return lambda api, _s: api.as_("mentor_a").post(
        "/api/v1/participants", json=participant_body(5, first_name=first_name)
    )


# PostgreSQL cannot store or compare U+0000 (psycopg raises DataError); SQLite would store it.
# Either way it is bad input: 422 on both backends, never a 500 or a stored NUL.
CONTROL_CASES: dict[str, ControlCase] = {
    "first-name-nul": (_create(f"Te{NUL}sta"), (422,)),
    "first-name-escape": (_create("Te\x1b[31msta"), (422,)),
    "first-name-delete": (_create("Te\x7fsta"), (422,)),
    "update-last-name-nul": (
        lambda api, s: api.as_("mentor_a").patch(
            f"/api/v1/participants/{s.participant_id}",
            json={"last_name": f"A{NUL}"},
            headers={"If-Match": '"1"'},
        ),
        (422,),
    ),
    "referral-contact-name-nul": (
        lambda api, s: api.as_("mentor_a").post(
            f"/api/v1/participants/{s.participant_id}/enrolments",
            json={
                "programme_code": "level_up",
                "referred_on": days_ago(1),
                "referrer_contact_name": f"Hand{NUL}läggare",
            },
        ),
        (422,),
    ),
    "reveal-reason-nul": (
        lambda api, s: api.as_("mentor_a").post(
            f"/api/v1/participants/{s.participant_id}/reveal-personnummer",
            json={"reason": f"Kontroll{NUL}"},
        ),
        (422,),
    ),
    "search-name-nul": (
        lambda api, _s: api.as_("mentor_a").post(
            "/api/v1/participants/search", json={"name": f"a{NUL}b"}
        ),
        (422,),
    ),
    "search-personnummer-nul": (
        lambda api, _s: api.as_("mentor_a").post(
            "/api/v1/participants/search", json={"personnummer": f"20010517{NUL}9980"}
        ),
        (422,),
    ),
    "personnummer-nul": (
        lambda api, _s: api.as_("mentor_a").post(
            "/api/v1/participants", json=participant_body(5, personnummer=f"20010517{NUL}9980")
        ),
        (422,),
    ),
    "login-username-nul": (
        _token(grant_type="password", username=f"mentor{NUL}.a", password="x" * 12),
        (401, 422),
    ),
    "login-username-escape": (
        _token(grant_type="password", username="mentor.a\x1b[2J", password="x" * 12),
        (401, 422),
    ),
    "client-id-nul": (
        _token(grant_type="client_credentials", client_id=f"lu{NUL}", client_secret="x"),
        (401, 422),
    ),
}


@pytest.mark.parametrize("case", list(CONTROL_CASES))
def test_control_characters_in_text_are_refused(api: Api, case: str) -> None:
    send, allowed = CONTROL_CASES[case]
    s = seed(api)
    with nothing_written(api, (ParticipantRow, EnrolmentRow, TransitionRow, UserRow)):
        r = send(api, s)
        assert_refused(r, *allowed, where=case)
    assert NUL not in r.text and "\x1b" not in r.text, "the input must not be echoed"


# ---- headers -------------------------------------------------------------------------------------


@contextmanager
def captured_logs(caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    # The "levelup" logger does not propagate to the root logger caplog listens on.
    logger = logging.getLogger("levelup")
    logger.addHandler(caplog.handler)
    caplog.set_level(logging.INFO, logger="levelup")
    try:
        yield
    finally:
        logger.removeHandler(caplog.handler)


def test_a_one_megabyte_authorization_header_is_a_quick_401(
    api: Api, caplog: pytest.LogCaptureFixture
) -> None:
    seed(api)
    huge = "Bearer " + "a" * 1_000_000
    with nothing_written(api), captured_logs(caplog):
        for method, url in [
            ("GET", "/api/v1/me"),
            ("GET", "/api/v1/participants"),
            ("POST", "/api/v1/participants/search"),
        ]:
            r = api.client.request(
                method, url, headers={"Authorization": huge}, json={} if method == "POST" else None
            )
            body = assert_refused(r, 401, where=url)
            assert body["error"] == "Unauthorized"
            assert len(r.content) < 1_000
    # Refused on length alone, before any parsing or signature work (that is what keeps it fast).
    reasons = [r.getMessage() for r in caplog.records if r.name == "levelup.auth"]
    assert reasons and all(m == "rejected access token: too long" for m in reasons), reasons
    assert "a" * 100 not in caplog.text


@pytest.mark.parametrize(
    "username",
    [
        'åsa\nFORGED {"level": "error"}',
        "mentor.a\r\nHTTP/1.1 200 OK",
        "\u00e5\u00e4\u00f6\tNAME",
        "用户\n名",
    ],
    ids=["newline-json", "crlf", "non-ascii-tab", "cjk-newline"],
)
def test_a_username_with_newlines_is_401_and_logged_on_one_line(
    api: Api, caplog: pytest.LogCaptureFixture, username: str
) -> None:
    with nothing_written(api, (UserRow, AuditEntryRow)), captured_logs(caplog):
        r = api.client.post(
            "/api/v1/auth/token",
            data={"grant_type": "password", "username": username, "password": "wrong password 123"},
        )
    assert assert_refused(r, 401)["error"] == "InvalidCredentials"
    records = [rec for rec in caplog.records if rec.name.startswith("levelup")]
    assert records, "the failed login was not logged"
    formatter = JsonFormatter()
    for record in records:
        line = formatter.format(record)
        assert "\n" not in line and "\r" not in line, line
        assert json.loads(line)["message"] == record.getMessage()
    assert any(username in rec.getMessage() for rec in records)
    assert "wrong password 123" not in caplog.text


ODD_IF_MATCH = {
    "90-digits": '"' + "9" * 90 + '"',
    "2**63": f'"{2**63}"',
    "negative": '"-1"',
    "decimal": '"1.0"',
    "weak-empty": "W/",
    "empty": '""',
    "star": "*",
    "long": "x" * 100,
    "list": '"1", "2"',
}


def test_odd_if_match_values_are_412_or_428(api: Api) -> None:
    s = seed(api)
    mentor = api.as_("mentor_a")
    problems = Problems()
    with nothing_written(api):
        for name, if_match in ODD_IF_MATCH.items():
            r = mentor.post(
                f"/api/v1/enrolments/{s.enrolment_id}/intake",
                json={"effective_on": days_ago(1)},
                headers={"If-Match": if_match},
            )
            problems.refused(r, 412, 422, 428, where=f"intake If-Match {name}")
            r = mentor.patch(
                f"/api/v1/participants/{s.participant_id}",
                json={"phone": "070"},
                headers={"If-Match": if_match},
            )
            problems.refused(r, 412, 422, 428, where=f"PATCH participant If-Match {name}")
    assert not problems, problems.report()


def test_an_over_long_if_match_is_refused(api: Api) -> None:
    s = seed(api)
    with nothing_written(api):
        r = api.as_("mentor_a").patch(
            f"/api/v1/participants/{s.participant_id}",
            json={"phone": "070"},
            headers={"If-Match": "1" * 10_000},
        )
    assert_refused(r, 412, 422)


# ---- error bodies in general ---------------------------------------------------------------------


def test_unknown_paths_and_methods_answer_json_errors(api: Api) -> None:
    mentor: Caller = api.as_("mentor_a")
    for method, url, status in [
        ("GET", "/api/v1/nothing-here", 404),
        ("DELETE", "/api/v1/participants", 405),
        ("PUT", "/api/v1/code-lists", 405),
    ]:
        r = mentor.request(method, url)
        assert_refused(r, status, where=f"{method} {url}")
