"""Route inventory (SECURITY.md "Authorization", ARCHITECTURE.md rules 4 and 8).

Walks every route of the real app and fails for any route that

- does not depend on `api.deps.authenticated` (except an explicit allowlist of public routes),
- has no permission guard from `api.deps.require` (except public and signed-in-only routes),
- lacks a response model (or 204), a summary or an operation id, or reuses an operation id.

It also proves that the protection is attached per router, so that an endpoint someone adds
tomorrow is protected without anyone remembering to: every router module declares
`Depends(authenticated)` at router level, and a probe route added to each real router answers
401 without a token.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import World, make_settings
from fastapi import APIRouter, FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

import api.routers
from api.app import create_app
from api.clock import Clock
from api.deps import authenticated
from api.persistence.uow import Database
from api.security.permissions import Permission

# (method, path): public by necessity. Probes must answer before anyone has a token; the token
# endpoint is where a caller gets its first one.
PUBLIC_ROUTES = {
    ("GET", "/health"),
    ("GET", "/ready"),
    ("POST", "/api/v1/auth/token"),
}
# The built web app's catch-all (served only when frontend/dist exists): static files and the
# SPA shell, never data; unknown /api paths through it stay JSON 404s (asserted below).
SPA_CATCH_ALL = ("GET", "/{path:path}")
# Authenticated, but open to any signed-in principal: who am I, and ending one's own login.
SIGNED_IN_ONLY = {
    ("GET", "/api/v1/me"),
    ("POST", "/api/v1/auth/logout"),
}

# The permission each guarded operation demands. A change to a guard must change this table on
# purpose (and the authorization matrix with it).
P = Permission
EXPECTED_GUARDS: dict[str, set[Permission]] = {
    "get_my_caseload": {P.CASELOAD_READ},
    "get_my_referrals": {P.REFERRAL_STATUS_READ},
    "list_municipality_mentors": {P.MUNICIPALITY_MENTORS_READ},
    "create_participant": {P.PARTICIPANT_CREATE},
    "list_participants": {P.PARTICIPANT_READ},
    "search_participants": {P.PARTICIPANT_READ},
    "get_participant": {P.PARTICIPANT_READ},
    "update_participant": {P.PARTICIPANT_UPDATE},
    "reveal_personnummer": {P.PARTICIPANT_REVEAL_PERSONNUMMER},
    "get_participant_access_log": {P.ACCESS_LOG_READ},
    "list_participant_enrolments": {P.ENROLMENT_READ},
    "create_referral": {P.ENROLMENT_REFER},
    "get_enrolment": {P.ENROLMENT_READ},
    "hold_intake": {P.ENROLMENT_TRANSITION},
    "start_enrolment": {P.ENROLMENT_TRANSITION},
    "advance_level": {P.ENROLMENT_TRANSITION},
    "step_back_level": {P.ENROLMENT_TRANSITION},
    "pause_enrolment": {P.ENROLMENT_TRANSITION},
    "resume_enrolment": {P.ENROLMENT_TRANSITION},
    "exit_enrolment": {P.ENROLMENT_TRANSITION},
    "decline_enrolment": {P.ENROLMENT_TRANSITION},
    "correct_transition_date": {P.ENROLMENT_TRANSITION},
    "assign_mentor": {P.ENROLMENT_ASSIGN_MENTOR},
    "list_code_lists": {P.CODE_LIST_READ},
    "get_code_list": {P.CODE_LIST_READ},
    "publish_code_list_version": {P.CODE_LIST_PUBLISH},
    "list_programmes": {P.PROGRAMME_READ},
    "list_referrer_organisations": {P.ENROLMENT_REFER},
    "list_organisations": {P.ORGANISATION_ADMIN},
    "create_organisation": {P.ORGANISATION_ADMIN},
    "get_organisation": {P.ORGANISATION_ADMIN},
    "list_users": {P.USER_ADMIN},
    "create_user": {P.USER_ADMIN},
    "get_user": {P.USER_ADMIN},
    "update_user": {P.USER_ADMIN},
    "list_integration_clients": {P.INTEGRATION_CLIENT_ADMIN},
    "create_integration_client": {P.INTEGRATION_CLIENT_ADMIN},
    "update_integration_client": {P.INTEGRATION_CLIENT_ADMIN},
    # The participant journey (issue 3).
    "get_current_questionnaire": {P.PROGRAMME_READ},
    "get_questionnaire": {P.PROGRAMME_READ},
    "list_enrolment_assessments": {P.ASSESSMENT_READ},
    "submit_assessment": {P.ASSESSMENT_RECORD},
    "correct_assessment": {P.ASSESSMENT_RECORD},
    "get_assessment_change": {P.ASSESSMENT_READ},
    "list_due_assessments": {P.ASSESSMENT_READ},
    "list_enrolment_follow_ups": {P.FOLLOW_UP_READ},
    "record_follow_up": {P.FOLLOW_UP_RECORD},
    "list_due_follow_ups": {P.FOLLOW_UP_READ},
    "list_enrolment_activities": {P.ACTIVITY_READ},
    "record_activity": {P.ACTIVITY_RECORD},
    "get_activity_hours": {P.ACTIVITY_READ},
    "list_cohorts": {P.COHORT_READ},
    "create_cohort": {P.COHORT_MANAGE},
    "get_cohort": {P.COHORT_READ},
    "add_cohort_member": {P.COHORT_MANAGE},
    "record_attendance": {P.COHORT_MANAGE},
    "get_plan": {P.PLAN_READ},
    "save_plan": {P.PLAN_WRITE},
    "list_plan_revisions": {P.PLAN_READ},
    "list_resource_group": {P.PLAN_READ},
    "add_resource_group_member": {P.PLAN_WRITE},
    "remove_resource_group_member": {P.PLAN_WRITE},
    "list_consents": {P.CONSENT_READ},
    "record_consent": {P.CONSENT_RECORD},
    "get_my_tasks": {P.TASKS_READ},
    # Outcome statistics and exports (issue 4).
    "get_outcome_statistics": {P.STATS_READ},
    "get_self_assessment_statistics": {P.STATS_READ},
    "export_outcome_tables_xlsx": {P.STATS_READ},
    "export_evaluation": {P.EVALUATION_EXPORT},
    "export_sus_registrations": {P.REGISTRATION_EXPORT},
    "export_esf_monthly": {P.REGISTRATION_EXPORT},
}


# ---- walking the app -----------------------------------------------------------------------------


def api_routes(app: FastAPI) -> list[Any]:
    """Every APIRoute the app serves, as seen by the app (router-level dependencies included).

    FastAPI ≥ 0.13x keeps included routers as `_IncludedRouter` entries in `app.routes` and
    resolves them lazily; `iter_route_contexts` yields each effective route. Older versions
    flatten APIRoutes into `app.routes` directly."""
    try:
        from fastapi.routing import iter_route_contexts
    except ImportError:  # pragma: no cover - older FastAPI
        return [r for r in app.routes if isinstance(r, APIRoute)]
    return [c for c in iter_route_contexts(app.routes) if isinstance(c.original_route, APIRoute)]


def route_key(route: Any) -> tuple[str, str]:
    methods = sorted(set(route.methods) - {"HEAD", "OPTIONS"})
    assert len(methods) == 1, f"{route.path}: one method per route, got {methods}"
    return methods[0], route.path


def dependency_calls(route: Any) -> Iterator[Callable[..., Any]]:
    """Every callable in the route's dependency tree, depth first."""
    stack = list(route.dependant.dependencies)
    while stack:
        dep = stack.pop()
        if dep.call is not None:
            yield dep.call
        stack.extend(dep.dependencies)


def is_authenticated(route: Any) -> bool:
    return any(call is authenticated for call in dependency_calls(route))


def guards(route: Any) -> set[Permission]:
    found: set[Permission] = set()
    for call in dependency_calls(route):
        found |= set(getattr(call, "required_permissions", ()))
    return found


def has_guard(route: Any) -> bool:
    return any(hasattr(call, "required_permissions") for call in dependency_calls(route))


@pytest.fixture
def app(tmp_path: Path) -> FastAPI:
    # A built web app, so the SPA catch-all route exists and is inspected too.
    dist = tmp_path / "dist"
    dist.mkdir()
    (dist / "index.html").write_text("<!doctype html><title>Level Up</title>")
    return create_app(make_settings(sqlite_path=tmp_path / "inventory.sqlite3", web_dist_dir=dist))


@pytest.fixture
def routes(app: FastAPI) -> list[Any]:
    found = api_routes(app)
    # A walker that finds nothing would make every assertion below vacuous.
    keys = {route_key(r) for r in found}
    assert ("GET", "/api/v1/participants/{participant_id}") in keys
    assert ("POST", "/api/v1/enrolments/{enrolment_id}/advance") in keys
    assert len(found) >= 40, sorted(keys)
    return found


# ---- the walker itself can fail ------------------------------------------------------------------


def test_the_walker_flags_an_unprotected_route() -> None:
    bare = FastAPI()

    @bare.get("/open", summary="Open", operation_id="open")
    def _open() -> dict[str, str]:
        return {}

    routes = api_routes(bare)
    assert [route_key(r) for r in routes] == [("GET", "/open")]
    assert not is_authenticated(routes[0])
    assert not has_guard(routes[0])


# ---- authentication ------------------------------------------------------------------------------


def test_every_route_requires_authentication_except_the_allowlist(routes: list[Any]) -> None:
    keys = {route_key(r) for r in routes}
    assert keys >= PUBLIC_ROUTES, f"allowlist is stale: {PUBLIC_ROUTES - keys}"
    assert SPA_CATCH_ALL in keys
    unprotected = sorted(
        route_key(r)
        for r in routes
        if route_key(r) not in PUBLIC_ROUTES | {SPA_CATCH_ALL} and not is_authenticated(r)
    )
    assert unprotected == [], f"routes without Depends(authenticated): {unprotected}"


def test_allowlisted_routes_are_public_on_purpose(routes: list[Any]) -> None:
    # If someone adds auth to a probe or to the token endpoint, the allowlist must shrink.
    for route in routes:
        if route_key(route) in PUBLIC_ROUTES | {SPA_CATCH_ALL}:
            assert not is_authenticated(route), route_key(route)
            assert not has_guard(route), route_key(route)


def test_the_spa_catch_all_is_the_only_undocumented_route(app: FastAPI, routes: list[Any]) -> None:
    hidden = [route_key(r) for r in routes if not r.include_in_schema]
    assert hidden == [SPA_CATCH_ALL]
    with TestClient(app, raise_server_exceptions=False) as client:
        r = client.get("/api/v1/no-such-thing")
        assert r.status_code == 404
        assert r.json()["error"] == "NotFound"  # JSON, not the app shell
        assert client.get("/deltagare/12").status_code == 200  # client-side route: the shell


# ---- permission guards ---------------------------------------------------------------------------


def test_every_route_has_a_permission_guard_except_public_and_signed_in_only(
    routes: list[Any],
) -> None:
    keys = {route_key(r) for r in routes}
    assert keys >= SIGNED_IN_ONLY, f"allowlist is stale: {SIGNED_IN_ONLY - keys}"
    exempt = PUBLIC_ROUTES | SIGNED_IN_ONLY | {SPA_CATCH_ALL}
    unguarded = sorted(
        route_key(r) for r in routes if route_key(r) not in exempt and not has_guard(r)
    )
    assert unguarded == [], f"routes without require(Permission.X): {unguarded}"
    for route in routes:
        if route_key(route) in SIGNED_IN_ONLY:
            assert is_authenticated(route), route_key(route)


def test_each_guard_demands_the_expected_permission(routes: list[Any]) -> None:
    actual = {r.operation_id: guards(r) for r in routes if has_guard(r)}
    assert actual == EXPECTED_GUARDS
    for permissions in actual.values():
        assert permissions and all(isinstance(p, Permission) for p in permissions)


# ---- contract metadata (ARCHITECTURE.md rule 8) --------------------------------------------------


def test_every_documented_route_declares_its_contract(routes: list[Any]) -> None:
    problems: list[str] = []
    for route in routes:
        if not route.include_in_schema:
            continue
        where = "{} {}".format(*route_key(route))
        if route.response_model is None and route.status_code != 204:
            problems.append(f"{where}: neither a response_model nor status 204")
        if not route.summary:
            problems.append(f"{where}: no summary")
        if not route.operation_id:
            problems.append(f"{where}: no operation_id")
        if not (route.description or "").strip():
            problems.append(f"{where}: no docstring/description for integrators")
    assert problems == []


def test_operation_ids_are_unique(routes: list[Any]) -> None:
    ids = [r.operation_id for r in routes if r.include_in_schema]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    assert duplicates == []


# ---- protection is attached per router -----------------------------------------------------------


def router_modules() -> list[Any]:
    return [
        importlib.import_module(f"api.routers.{m.name}")
        for m in pkgutil.iter_modules(api.routers.__path__)
    ]


def module_routers(module: Any) -> list[tuple[str, APIRouter]]:
    return [(name, value) for name, value in vars(module).items() if isinstance(value, APIRouter)]


# Routers exempt from router-level authentication, each for a reason.
UNAUTHENTICATED_ROUTERS = {
    "api.routers.health.router",  # probes
    "api.routers.auth._token_router",  # the token endpoint
    "api.routers.auth.router",  # only includes _token_router and _session_router (checked)
}


def protected_routers() -> list[tuple[str, APIRouter]]:
    found = []
    for module in router_modules():
        for name, router in module_routers(module):
            qualified = f"{module.__name__}.{name}"
            if qualified not in UNAUTHENTICATED_ROUTERS:
                found.append((qualified, router))
    return found


def test_every_router_module_declares_authentication_at_router_level() -> None:
    seen = set()
    for module in router_modules():
        for name, router in module_routers(module):
            qualified = f"{module.__name__}.{name}"
            seen.add(qualified)
            if qualified in UNAUTHENTICATED_ROUTERS:
                continue
            calls = [d.dependency for d in router.dependencies]
            assert authenticated in calls, (
                f"{qualified} must be APIRouter(..., dependencies=[Depends(authenticated)])"
            )
    assert seen >= UNAUTHENTICATED_ROUTERS, "exemption list is stale"
    # Every router of the app is one of the routers inspected here.
    assert {id(r) for r in api.routers.ALL_ROUTERS} <= {
        id(r) for m in router_modules() for _, r in module_routers(m)
    }


def test_the_auth_aggregate_router_has_no_routes_of_its_own() -> None:
    from api.routers import auth

    own = [r for r in auth.router.routes if isinstance(r, APIRoute)]
    assert own == [], "add routes to _session_router (authenticated), not to auth.router"
    token_routes = [route_key(r) for r in auth._token_router.routes if isinstance(r, APIRoute)]
    assert token_routes == [("POST", "/api/v1/auth/token")]


def _probe() -> dict[str, str]:
    return {"probe": "reached"}


@pytest.mark.parametrize("qualified", [q for q, _ in protected_routers()])
def test_a_route_added_to_a_real_router_is_protected_by_default(
    qualified: str, database: Database, world: World
) -> None:
    router = dict(protected_routers())[qualified]
    # Added with nothing explicit: no dependencies, no guard. Two path segments, so that no
    # `/{id}` route of the router shadows it. Removed again below: the router is module state.
    router.add_api_route(
        "/__inventory_probe__/reached", _probe, methods=["GET"], include_in_schema=False
    )
    added = router.routes[-1]
    try:
        app = create_app(make_settings(), clock=Clock(), database=database)
        probe = next(r for r in api_routes(app) if r.path.endswith("/__inventory_probe__/reached"))
        with TestClient(app, raise_server_exceptions=False) as client:
            anonymous = client.get(probe.path)
            assert anonymous.status_code == 401, anonymous.text
            assert anonymous.json()["error"] == "Unauthorized"
            ctx = app.state.context
            token, _ = ctx.tokens.issue_access(
                f"user:{world.user('mentor_a')}", now=ctx.clock.now()
            )
            signed_in = client.get(probe.path, headers={"Authorization": f"Bearer {token}"})
            assert signed_in.status_code == 200, signed_in.text  # the probe really is served
    finally:
        router.routes.remove(added)
        if hasattr(router, "_mark_routes_changed"):
            router._mark_routes_changed()
