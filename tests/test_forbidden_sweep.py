"""Forbidden equals missing on every route (issue 15: "a test sweeps every id route for every
persona"; finding 13 was one such route).

Every URL pattern with a record id in its path — the pages (walked from the URL resolver) and the
API (walked from the ninja operations, one request per method) — is requested by every persona
twice: once with the ids of real records of that route's model that the persona cannot see, once
with ids that exist nowhere. The two answers must have the same status (both 404, or both 405 for
a method the route does not take, or both 422 for a body the route refuses before it looks):
nothing may tell a hidden record from a missing one.

The hidden records belong to a second agency (外省侨联机关), built through the same services and
test helpers as the personas' agency; none of the personas holds a role or a place there. Where
a persona may see a record of that agency all the same (the system administrator sees every
unit, person and account), the record is not hidden from them and the route is not compared for
them.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import time_machine
from django.db import models
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from conftest import PASSWORD, Org
from luoshi.api.api import api as ninja_api
from luoshi.appraisal import services as appraisal_services
from luoshi.appraisal.models import (
    AnnualCycle,
    Appeal,
    Objection,
    Participant,
    RoutineCycle,
    RoutineEntry,
)
from luoshi.core.models import ExportJob
from luoshi.core.tests.samples import pdf_bytes
from luoshi.evaluation.models import Campaign
from luoshi.evaluation.tests.conftest import make_campaign
from luoshi.honors import services as honors_services
from luoshi.honors.models import (
    Honour,
    Nomination,
    NominationEvidence,
    Program,
    ProgramObjection,
)
from luoshi.meetings import services as meeting_services
from luoshi.meetings.models import AgendaItem, Meeting, Requirement, Seat
from luoshi.news import services as news_services
from luoshi.news.models import NewsItem, NewsPhoto
from luoshi.news.tests.conftest import jpeg
from luoshi.notify import permissions as notify_perms
from luoshi.notify import services as notify_services
from luoshi.notify.models import Delivery, Notice, WebhookEndpoint
from luoshi.orgs import permissions as org_perms
from luoshi.orgs import services as org_services
from luoshi.orgs.models import AddressThrottle, OrgUnit, Person, StaffCategory, User
from luoshi.orgs.roles import Role
from luoshi.plans.models import (
    AdjustmentRequest,
    Attachment,
    Category,
    ProgressReport,
    Task,
    WorkPlan,
)
from luoshi.plans.services import attachments as attachment_services
from luoshi.plans.services import categories as category_services
from luoshi.plans.services import reports as report_services
from luoshi.plans.tests.conftest import issue
from luoshi.plans.tests.conftest import plan as plan_fixture
from luoshi.summaries import services as summaries_services
from luoshi.summaries.models import SummaryRound, UnitSummary
from luoshi.supervision import bulletins
from luoshi.supervision import services as supervision_services
from luoshi.supervision.models import (
    Bulletin,
    ExtensionRequest,
    Feedback,
    FeedbackAttachment,
    SupervisionItem,
    UrgingStep,
)
from luoshi.supervision.tests.conftest import register

from .test_surfaces import APPRAISAL_CLOCK, SUPERVISION_CLOCK, _adjustment, _with_objection

pytestmark = pytest.mark.django_db

PERSONAS = (
    "admin",
    "security",
    "auditor",
    "leader",
    "vice",
    "head",
    "staff",
    "supervisor",
    "hr",
    "outsider",
)
PDF = pdf_bytes()  # evidence files are read as what their type says
SUPERVISION_DAY = dt.date(2025, 9, 26)


# --- the second agency: every kind of record, none of them the personas' ---------------------


def build_other_org() -> Org:
    """An agency beside the personas' (no common ancestor), with the same shape and personas
    (accounts named x_<persona>), so that the workflow helpers of the tests build its records."""
    unit = org_services.org_unit_create
    province = OrgUnit.Level.PROVINCIAL
    agency = unit(
        actor=None,
        name="外省归国华侨联合会机关",
        code="XQL",
        kind=OrgUnit.Kind.AGENCY,
        level=province,
    )

    def dept(name: str, code: str, kind: str = OrgUnit.Kind.DEPARTMENT, n: int = 1) -> OrgUnit:
        return unit(
            actor=None, name=name, code=code, parent=agency, kind=kind, level=province, sort_order=n
        )

    office, econ = dept("外省办公室", "X-BGS", n=1), dept("外省经济科技部", "X-JKB", n=2)
    liaison = dept("外省组织联络部", "X-ZLB", n=3)
    center = dept("外省信息中心", "X-XXZX", OrgUnit.Kind.AFFILIATED, 101)
    city = unit(
        actor=None,
        name="外省某市归国华侨联合会",
        code="X-C01",
        parent=agency,
        kind=OrgUnit.Kind.LOCAL,
        level=OrgUnit.Level.MUNICIPAL,
        sort_order=201,
    )
    category = StaffCategory.objects.get(name="参照公务员法管理")
    homes = {
        "leader": agency,
        "vice": agency,
        "head": office,
        "office_staff": office,
        "staff": econ,
        "econ_colleague": econ,
        "liaison_staff": liaison,
        "supervisor": office,
        "hr": office,
        "admin": center,
        "outsider": city,
        "committee": liaison,
    }
    people = {
        key: org_services.person_create(
            actor=None,
            name=f"外省{key}",
            gender=Person.Gender.MALE,
            unit=home,
            birth_month=dt.date(1980, 1, 1),
            staff_category=category,
        )
        for key, home in homes.items()
    }
    org_services.unit_set_head(actor=None, unit=office, head=people["head"])
    org_services.leader_assign(
        actor=None, leader=people["vice"], unit=liaison, start_date=dt.date(2020, 1, 1)
    )
    roles: dict[str, list[tuple[str, OrgUnit | None]]] = {
        "leader": [(Role.AGENCY_LEADER, agency)],
        "vice": [(Role.LEADER_IN_CHARGE, None)],
        "head": [(Role.UNIT_HEAD, None)],
        "staff": [(Role.STAFF, None)],
        "supervisor": [(Role.SUPERVISOR, agency)],
        "hr": [(Role.PERSONNEL_OFFICER, agency)],
        "admin": [(Role.SYSTEM_ADMIN, None)],
        "outsider": [(Role.STAFF, None)],
        "committee": [(Role.STAFF, None), (Role.COMMITTEE_MEMBER, None)],
    }
    users = {}
    for key, grants in roles.items():
        user = org_services.user_create(
            actor=None, username=f"x_{key}", password=PASSWORD, person=people[key]
        )
        for role, anchor in grants:
            org_services.role_assign(actor=None, user=user, role=role, anchor=anchor)
        users[key] = user
    return Org(agency, office, econ, liaison, center, city, people, users)


@dataclass
class Hidden:
    """The other agency's records, by the name the routes' parameters are mapped to."""

    ids: dict[str, int]
    parents: dict[str, tuple[str, int]]  # child kind -> (parent kind, parent id)


def build_hidden(other: Org) -> Hidden:
    ids: dict[str, int] = {}
    parents: dict[str, tuple[str, int]] = {}
    sup, staff = other.users["supervisor"], other.users["staff"]
    work_plan = plan_fixture.__wrapped__(other)  # type: ignore[attr-defined]
    issue(other, work_plan)
    key = _adjustment(other)
    ids.update(plan=work_plan.pk, task=key["task"], adjustment=key["adjustment"])
    task = Task.objects.get(pk=key["task"])
    evidence = attachment_services.attachment_add(
        actor=staff, task=task, name="evidence.pdf", content=PDF
    )
    ids["task_attachment"] = evidence.pk
    parents["task_attachment"] = ("task", task.pk)
    report = report_services.report_submit(
        actor=staff, task=task, unit=task.lead_unit, data=report_services.ReportIn(text="外省进展")
    )
    ids["report"] = report.pk
    parents["report"] = ("task", task.pk)
    ids["category"] = category_services.category_create(
        actor=sup, agency=other.agency, name="外省分类"
    ).pk
    with time_machine.travel(SUPERVISION_CLOCK, tick=False):
        item = register(other)
        supervision_services.item_assign(actor=sup, item=item, today=SUPERVISION_DAY)
        supervision_services.item_accept(actor=staff, item=item, today=SUPERVISION_DAY)
        feedback = supervision_services.feedback_submit(
            actor=staff,
            item=item,
            kind="periodic",
            text="正在推进",
            percent=40,
            files=[("progress.pdf", PDF)],
        )
        extension = supervision_services.extension_request(
            actor=staff,
            item=item,
            new_deadline=(item.deadline or SUPERVISION_DAY) + dt.timedelta(days=14),
            reason="需调研",
        )
        step = UrgingStep.objects.create(
            item=item, step="urging", on=SUPERVISION_DAY, deadline=SUPERVISION_DAY, number="1"
        )
        bulletin = bulletins.bulletin_compile(
            actor=sup, agency=other.agency, month=dt.date(2025, 9, 1), today=SUPERVISION_DAY
        )
    ids.update(item=item.pk, feedback=feedback.pk, extension=extension.pk, step=step.pk)
    ids.update(item_attachment=feedback.attachments.get().pk, bulletin=bulletin.pk)
    for child in ("feedback", "extension", "step", "item_attachment"):
        parents[child] = ("item", item.pk)
    ids["campaign"] = make_campaign(other).pk
    with time_machine.travel(APPRAISAL_CLOCK, tick=False):
        key = _with_objection(other)
        cycle = AnnualCycle.objects.get(pk=key["cycle"])
        routine = appraisal_services.routine_open(
            actor=other.users["head"], unit=other.office, year=2025, quarter=4
        )
    appraisal_services.objection_answer(
        actor=other.users["hr"], objection=Objection.objects.get(pk=key["objection"]), answer="无误"
    )
    assert cycle.publicity_end is not None
    appraisal_services.finalize_cycle(cycle, cycle.publicity_end + dt.timedelta(days=1))
    cycle.refresh_from_db()
    appraisal_services.notices_send(actor=other.users["hr"], cycle=cycle)
    participant = Participant.objects.select_related("cycle", "cycle__agency").get(pk=key["p"])
    appeal = appraisal_services.appeal_file(
        actor=other.users["staff"], participant=participant, kind="review", reason="请复核"
    )
    ids.update(cycle=cycle.pk, participant=participant.pk, objection=key["objection"])
    ids.update(appeal=appeal.pk, routine=routine.pk, entry=routine.entries.first().pk)  # type: ignore[union-attr]
    notify_services.notify(recipients=[staff.pk], event="test", subject="外省通知", body="")
    ids["notice"] = Notice.objects.filter(recipient=staff).latest("pk").pk
    endpoint = notify_services.webhook_create(
        actor=other.users["admin"],
        name="外省机器人",
        url="https://hooks.example.org/x",
        kind=WebhookEndpoint.Kind.GENERIC,
        org_unit=other.agency,
    )
    ids["webhook"] = endpoint.pk
    ids["delivery"] = notify_services.webhook_test(actor=other.users["admin"], endpoint=endpoint).pk
    ids.update(unit=other.econ.pk, agency=other.agency.pk, person=other.people["staff"].pk)
    ids["account"] = other.users["staff"].pk
    # a client address slowed down (one list for the whole installation, like accounts)
    ids["address"] = AddressThrottle.objects.create(
        key=uuid.uuid4().hex, window_start=timezone.now(), failures=99, address="198.51.100.9"
    ).pk
    hr = other.users["hr"]
    program = honors_services.program_create(
        actor=hr, agency=other.agency, year=2026, title="外省先进工作者", scope="internal"
    )
    honors_services.quota_set(
        actor=hr, program=program, kind="commendation", family="civil_servant"
    )
    honors_services.program_open(actor=hr, program=program)
    nomination = honors_services.nominate(
        actor=hr,
        program=program,
        kind="commendation",
        person=other.people["head"],
        deeds_brief="x",
        evidence=[("deeds.pdf", PDF)],
    )
    honour = honors_services.external_record(
        actor=hr,
        agency=other.agency,
        unit=other.econ,
        kind="advanced_unit",
        title="先进单位",
        approving_body="外省机关工委",
        document_number="d",
        awarded_on=dt.date(2026, 1, 5),
    )
    # the objection row itself (publicity's dates are another test's business)
    objection = ProgramObjection.objects.create(program=program, text="外省异议", raised_by=hr)
    ids.update(program=program.pk, nomination=nomination.pk, honour=honour.pk)
    ids["program_objection"] = objection.pk
    # a background export the other agency's supervisor asked for (uuid-keyed)
    export = ExportJob.objects.create(
        user=sup,
        identifier="task_ledger_xlsx",
        title="外省任务台账",
        expires_at=timezone.now() + dt.timedelta(hours=1),
    )
    ids["export"] = export.pk  # type: ignore[assignment]
    news = news_services.item_create(
        actor=sup, title="外省新闻", blocks=[{"type": "paragraph", "text": "外省"}]
    )
    photo, _dup = news_services.photo_add(actor=sup, item=news, name="x.jpg", data=jpeg())
    ids.update(news=news.pk, news_photo=photo.pk)
    parents["news_photo"] = ("news", news.pk)
    summary_round = summaries_services.round_create(
        actor=sup, agency=other.agency, year=2026, today=dt.date(2026, 3, 1)
    )
    ids["summary_round"] = summary_round.pk
    ids["summary"] = summary_round.summaries.get(unit=other.econ).pk
    office = other.users["supervisor"]
    meeting = meeting_services.meeting_create(
        actor=office,
        agency=other.agency,
        year=2025,
        title="外省机关工作会议",
        date=dt.date.today(),
        venue="外省会议室",
    )
    agenda_item = meeting_services.agenda_add(
        actor=office, meeting=meeting, kind="speech", title="讲话", presenter=other.people["leader"]
    )
    meeting_services.meeting_advance(actor=office, meeting=meeting, to="notified")
    meeting_services.meeting_advance(actor=office, meeting=meeting, to="in_session")
    requirement = meeting_services.requirement_add(actor=office, meeting=meeting, text="外省要求")
    ids.update(meeting=meeting.pk, agenda_item=agenda_item.pk, requirement=requirement.pk)
    ids["seat"] = Seat.objects.create(meeting=meeting, area="hall", row=1, position=1).pk
    ids["nomination_evidence"] = nomination.evidence.get().pk
    parents["nomination_evidence"] = ("nomination", nomination.pk)
    return Hidden(ids, parents)


MODELS: dict[str, type[models.Model]] = {
    "plan": WorkPlan,
    "task": Task,
    "adjustment": AdjustmentRequest,
    "task_attachment": Attachment,
    "report": ProgressReport,
    "category": Category,
    "item": SupervisionItem,
    "feedback": Feedback,
    "extension": ExtensionRequest,
    "step": UrgingStep,
    "item_attachment": FeedbackAttachment,
    "bulletin": Bulletin,
    "campaign": Campaign,
    "cycle": AnnualCycle,
    "participant": Participant,
    "objection": Objection,
    "appeal": Appeal,
    "routine": RoutineCycle,
    "entry": RoutineEntry,
    "notice": Notice,
    "webhook": WebhookEndpoint,
    "delivery": Delivery,
    "unit": OrgUnit,
    "agency": OrgUnit,
    "person": Person,
    "account": User,
    "address": AddressThrottle,
    "program": Program,
    "nomination": Nomination,
    "honour": Honour,
    "program_objection": ProgramObjection,
    "export": ExportJob,
    "news": NewsItem,
    "news_photo": NewsPhoto,
    "summary_round": SummaryRound,
    "summary": UnitSummary,
    "meeting": Meeting,
    "agenda_item": AgendaItem,
    "requirement": Requirement,
    "seat": Seat,
    "nomination_evidence": NominationEvidence,
}


# --- the routes ----------------------------------------------------------------------------------

# A page's <int:pk> names the record by the path before it (longest prefix first).
PAGE_PK = [
    ("orgs/", "unit"),
    ("people/", "person"),
    ("accounts/addresses/", "address"),
    ("accounts/", "account"),
    ("plans/", "plan"),
    ("tasks/", "task"),
    ("adjustments/", "adjustment"),
    ("dashboard/unit/", "unit"),
    ("notices/webhooks/", "webhook"),
    ("notices/deliveries/", "delivery"),
    ("notices/", "notice"),
    ("supervision/items/", "item"),
    ("supervision/bulletins/", "bulletin"),
    ("evaluation/", "campaign"),
    ("appraisal/participants/", "participant"),
    ("appraisal/routine/", "routine"),
    ("appraisal/", "cycle"),
    ("honors/nominations/", "nomination"),
    ("honors/people/", "person"),
    ("honors/units/", "unit"),
    ("honors/", "program"),
    ("exports/", "export"),
    ("newsdesk/", "news"),
    ("summaries/rounds/", "summary_round"),
    ("summaries/", "summary"),
    ("meetings/", "meeting"),
]
# Any other id parameter, by its name (an API's, or a page's second id).
PARAMS = {
    "unit_id": "unit",
    "person_id": "person",
    "plan_id": "plan",
    "task_id": "task",
    "report_id": "report",
    "category_id": "category",
    "notice_id": "notice",
    "item_id": "item",
    "feedback_id": "feedback",
    "extension_id": "extension",
    "step_id": "step",
    "bulletin_id": "bulletin",
    "campaign_id": "campaign",
    "cycle_id": "cycle",
    "participant_id": "participant",
    "objection_id": "objection",
    "appeal_id": "appeal",
    "routine_id": "routine",
    "entry_id": "entry",
    "agency_id": "agency",
    "program_id": "program",
    "nomination_id": "nomination",
    "honour_id": "honour",
    "program_objection_id": "program_objection",
    "job_id": "export",
    "news_id": "news",
    "photo_id": "news_photo",
    "round_id": "summary_round",
    "summary_id": "summary",
    "meeting_id": "meeting",
    "meeting_pk": "meeting",
    "agenda_item_id": "agenda_item",
    "requirement_id": "requirement",
    "seat_id": "seat",
    "evidence_id": "nomination_evidence",
    "throttle_id": "address",
}
# Parameters that name no record: the value both requests use.
FIXED = {
    "year": "2026",
    "kind": "form.docx",
    "action": "accept",
    "version": "1",
    "rendition": "thumb",
}
# Routes whose only parameters name no record (a year, a day, a ballot code): nothing to hide.
# number: a public certificate; slug and file: a published news item's public page and photos
NO_RECORD = {"year", "day", "token", "code", "kind", "number", "slug", "file"}


@dataclass(frozen=True)
class Route:
    surface: str  # page, api
    template: str  # with {name} placeholders
    params: tuple[tuple[str, str], ...]  # (parameter, record kind or "" for a fixed value)
    methods: tuple[str, ...]
    body: Any = None  # the API's request body (a minimal valid one), None for none


def _walk(resolver: URLResolver, prefix: str = "") -> Iterator[tuple[str, URLPattern]]:
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            yield from _walk(entry, prefix + str(entry.pattern))
        else:
            yield prefix + str(entry.pattern), entry


PARAM_RE = re.compile(r"<(?:(\w+):)?(\w+)>")


def page_routes() -> list[Route]:
    routes = []
    for pattern, _entry in _walk(get_resolver()):
        if pattern.startswith("api/") or "<" not in pattern:
            continue
        names = [m.group(2) for m in PARAM_RE.finditer(pattern)]
        if set(names) <= NO_RECORD | {"action"}:
            continue
        params = []
        for name in names:
            if name == "pk":
                kind = next(k for p, k in PAGE_PK if pattern.startswith(p))
            elif name == "attachment_id":
                kind = (
                    "item_attachment" if pattern.startswith("supervision/") else "task_attachment"
                )
            elif name in FIXED:
                kind = ""
            else:
                kind = PARAMS[name]  # an id route not mapped: map it above
            params.append((name, kind))
        template = "/" + PARAM_RE.sub(lambda m: "{" + m.group(2) + "}", pattern)
        routes.append(Route("page", template, tuple(params), ("get",)))
    return routes


def _example(schema: dict[str, Any], components: dict[str, Any]) -> Any:
    """A minimal value valid for a JSON schema of the API (required fields only)."""
    if "$ref" in schema:
        return _example(components[schema["$ref"].rsplit("/", 1)[1]], components)
    for key in ("anyOf", "oneOf", "allOf"):
        if key in schema:
            options = [s for s in schema[key] if s.get("type") != "null"]
            return _example(options[0], components) if options else None
    if "enum" in schema:
        return schema["enum"][0]
    kind = schema.get("type")
    if kind == "object":
        props = schema.get("properties", {})
        return {k: _example(props[k], components) for k in schema.get("required", [])}
    if kind == "array":
        return []
    if kind == "integer":
        return max(int(schema.get("minimum", 1)), 1)
    if kind == "number":
        return max(schema.get("minimum", 1), 1)
    if kind == "boolean":
        return False
    if kind == "string":
        if schema.get("format") == "date":
            return "2026-01-05"
        if schema.get("format") == "date-time":
            return "2026-01-05T09:00:00+08:00"
        pattern = schema.get("pattern", "")
        alternatives = re.match(r"^\^\((.*)\)\$$", pattern)
        if alternatives:
            return next(a for a in alternatives.group(1).split("|") if a)
        return "x" * max(int(schema.get("minLength", 1)), 1)
    return None


def api_routes() -> list[Route]:
    schema = ninja_api.get_openapi_schema()
    components = schema.get("components", {}).get("schemas", {})
    routes = []
    for path, operations in schema["paths"].items():
        names = re.findall(r"{(\w+)}", path)
        if not names or set(names) <= NO_RECORD:
            continue
        for method, operation in operations.items():
            params = tuple((n, "" if n in FIXED else PARAMS[n]) for n in names)
            content = operation.get("requestBody", {}).get("content", {})
            body = None
            if "application/json" in content:
                body = _example(content["application/json"]["schema"], components)
            routes.append(Route("api", path, params, (method,), body))
    return routes


def _resolver_api_patterns() -> set[str]:
    """The API's id routes as the URL resolver lists them (to check the ninja walk misses none)."""
    found = set()
    for pattern, _entry in _walk(get_resolver()):
        if pattern.startswith("api/v1/") and "<" in pattern:
            found.add("/" + PARAM_RE.sub(lambda m: "{" + m.group(2) + "}", pattern))
    return found


# --- who may see what -----------------------------------------------------------------------


def _sees(user: User, kind: str, pk: int) -> bool:
    """Whether a persona may see the other agency's record (then it is not hidden from them):
    the organisation's records for those who maintain it; every business record is hidden."""
    if kind in ("unit", "agency"):
        return org_perms.units_visible(user).filter(pk=pk).exists()
    if kind == "person":
        return org_perms.people_visible(user).filter(pk=pk).exists()
    if kind == "account":
        return org_perms.can_create_accounts(user) or org_perms.can_manage_security(user)
    if kind == "address":  # one list for the whole installation: the security administrator's
        return org_perms.can_manage_security(user)
    if kind in ("webhook", "delivery"):  # one list for the whole installation
        return notify_perms.can_manage_webhooks(user)
    return False


def _url(route: Route, values: dict[str, str]) -> str:
    url = route.template
    for name, _kind in route.params:
        url = url.replace("{" + name + "}", values[name])
    return url


def _request(route: Route, method: str, values: dict[str, str], page: Client, api: Client) -> int:
    url = _url(route, values)
    if route.surface == "page":
        return int(getattr(page, method)(url).status_code)
    if method in ("get", "delete"):
        return int(getattr(api, method)(url).status_code)
    body = route.body if route.body is not None else {}
    return int(getattr(api, method)(url, body, content_type="application/json").status_code)


def _missing_ids() -> dict[str, Any]:
    return {
        kind: (
            uuid.uuid4()
            if isinstance(model._meta.pk, models.UUIDField)
            else (model._default_manager.aggregate(top=models.Max("pk"))["top"] or 0) + 100_000
        )
        for kind, model in MODELS.items()
    }


def test_the_walk_finds_every_api_route() -> None:
    walked = {r.template for r in api_routes()}
    listed = {
        p for p in _resolver_api_patterns() if not set(re.findall(r"{(\w+)}", p)) <= NO_RECORD
    }
    assert listed <= walked


def test_forbidden_equals_missing_on_every_id_route(
    org: Org, client_for: Callable[[str], Client], token_for: Callable[[str], dict[str, str]]
) -> None:
    hidden = build_hidden(build_other_org())
    missing = _missing_ids()
    routes = page_routes() + api_routes()
    assert len(routes) > 100  # every page and API route with an id
    differ: list[str] = []
    compared = 0
    statuses: Counter[int] = Counter()  # what a missing id answers
    for persona in PERSONAS:
        user = org.users[persona]
        page_client = client_for(persona)
        headers: Any = token_for(persona)
        api_client = Client(**headers)
        for route in routes:
            kinds = [k for _n, k in route.params if k]
            if any(_sees(user, k, hidden.ids[k]) for k in kinds):
                continue
            real = {n: (str(hidden.ids[k]) if k else FIXED[n]) for n, k in route.params}
            gone = {n: (str(missing[k]) if k else FIXED[n]) for n, k in route.params}
            for method in route.methods:
                answers = [
                    _request(route, method, values, page_client, api_client)
                    for values in (real, gone)
                ]
                if route.surface == "page" and answers == [405, 405]:  # a form's POST only
                    answers = [
                        _request(route, "post", values, page_client, api_client)
                        for values in (real, gone)
                    ]
                    method = "post"
                compared += 1
                statuses[answers[1]] += 1
                if answers[0] != answers[1]:
                    differ.append(
                        f"{persona}: {method.upper()} {_url(route, real)} answers {answers[0]}, "
                        f"a missing id {answers[1]}"
                    )
    assert compared > 600
    # the sweep reaches the look-ups: most requests get past the method and the body's checks
    assert statuses[404] > compared * 0.7, statuses
    assert not differ, "\n".join(differ)
