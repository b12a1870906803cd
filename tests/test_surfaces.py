"""Page and API decide alike (issue 14, item 4): a table of workflow operations run through both
surfaces for each persona.

Each row names an operation, the state it starts from and a persona, and the outcome expected of
it. The operation runs twice from the same state — once as a page POST with the session client
(the page's form fields), once as an API call with a Bearer token — each in a savepoint that is
rolled back afterwards. Both answers are mapped to one outcome:

- "ok": done (the page redirects with no error message; the API answers 2xx), and the state it
  leaves behind is compared between the surfaces;
- "404" / "403": refused as not found (missing or hidden) / as forbidden (visible, not allowed);
- "refused": a permitted caller refused by the service (the task or item is in the wrong state,
  or the input is wrong): the API's message must be the one the page shows, and a page that
  answers with a 4xx status answers with the API's.

Every row asserts that both surfaces give the row's expected outcome, so a row fails when a
surface drifts and when both drift alike. Operations that only the pages offer (adjustments)
run through the page alone.
"""

from __future__ import annotations

import datetime as dt
import html
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
import time_machine
from django.contrib.messages import constants as message_levels
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.db import transaction
from django.test import Client

from luoshi.appraisal import services as appraisal_services
from luoshi.appraisal.models import AnnualCycle, Appeal, Objection, Participant, RoutineCycle
from luoshi.core.cache import clear_local
from luoshi.plans.models import AdjustmentRequest, Task
from luoshi.plans.services import adjustments as adjustment_services
from luoshi.plans.services import closeout as closeout_services
from luoshi.plans.tests.conftest import (
    issue,
    plan,  # noqa: F401  (the plans fixture)
)
from luoshi.supervision import services as supervision_services
from luoshi.supervision.models import SupervisionItem
from luoshi.supervision.tests.conftest import register

pytestmark = pytest.mark.django_db

PERSONAS = ("leader", "vice", "head", "staff", "supervisor", "hr", "outsider")
LANG = {"HTTP_ACCEPT_LANGUAGE": "en"}


@dataclass(frozen=True)
class Outcome:
    kind: str  # ok, 403, 404, refused
    status: int
    text: str = ""  # API: the error message; page: the messages and the page's text
    state: Any = None


@dataclass(frozen=True)
class Op:
    """One workflow operation. `setup` builds the starting state and returns the object's key
    (a dict of primary keys); `page` and `api` give the URL and the posted data; `state` reads
    what the operation left behind."""

    setup: Callable[[Any], dict[str, Any]]
    page: Callable[[dict[str, Any]], tuple[str, dict[str, Any]]]
    api: Callable[[dict[str, Any]], tuple[str, dict[str, Any]]] | None
    state: Callable[[dict[str, Any]], Any]
    expected: dict[str, str]  # persona -> outcome; a persona not named: "404"
    clock: str


def _fresh_caches() -> None:
    cache.clear()
    clear_local()


def _rolled_back(run: Callable[[], Outcome]) -> Outcome:
    """Run one surface's call in a savepoint and undo it, so that the other surface starts from
    the same state."""
    _fresh_caches()
    with transaction.atomic():
        outcome = run()
        transaction.set_rollback(True)
    _fresh_caches()
    return outcome


def _page_outcome(response: Any, state: Any) -> Outcome:
    status = response.status_code
    if status in (403, 404):
        return Outcome(str(status), status)
    shown = list(get_messages(response.wsgi_request))
    errors = [str(m) for m in shown if m.level >= message_levels.ERROR]
    if status == 302 and not errors:
        return Outcome("ok", status, state=state)
    page = html.unescape(response.content.decode()) if status != 302 else ""
    return Outcome("refused", status, " | ".join([*errors, page]))


def _api_outcome(response: Any, state: Any) -> Outcome:
    status = response.status_code
    if 200 <= status < 300:
        return Outcome("ok", status, state=state)
    body = response.json()
    if status in (403, 404):
        return Outcome(str(status), status, body.get("message", ""))
    return Outcome("refused", status, str(body.get("message", body)))


def _assert_same(row: str, expected: str, page: Outcome, api: Outcome | None) -> None:
    assert page.kind == expected, f"{row}: the page gave {page.kind} ({page.text[:300]})"
    if api is None:
        return
    assert api.kind == expected, f"{row}: the API gave {api.kind} ({api.text[:300]})"
    if expected == "ok":
        assert page.state == api.state, f"{row}: the surfaces left different states"
    if expected == "refused":
        assert api.text and api.text in page.text, (
            f"{row}: the API said {api.text!r}; the page did not ({page.text[:300]!r})"
        )
        if page.status not in (200, 302):  # a page refusing with a 4xx answers as the API
            assert page.status == api.status, f"{row}: page {page.status}, API {api.status}"


# --- plans ------------------------------------------------------------------------------------


def _task(code: str) -> Task:
    return Task.objects.get(code=code)


def _econ_task(world: Any) -> dict[str, Any]:
    """组建侨界专家智库: led by 经济科技部 (staff), in progress."""
    return {"task": _task("2026-2-0-2").pk}


def _office_task(world: Any) -> dict[str, Any]:
    """制定年度学习计划: led by 办公室 (head), 经济科技部 cooperating."""
    return {"task": _task("2026-1-1-1").pk}


def _requested(world: Any) -> dict[str, Any]:
    task = _task("2026-2-0-2")
    closeout_services.completion_request(actor=world.users["staff"], task=task, note="已组建")
    return {"task": task.pk}


def _completed(world: Any) -> dict[str, Any]:
    key = _requested(world)
    closeout_services.completion_verify(
        actor=world.users["supervisor"], task=Task.objects.get(pk=key["task"]), accept=True
    )
    return key


def _adjustment(world: Any) -> dict[str, Any]:
    task = _task("2026-2-0-2")
    adjustment = adjustment_services.adjustment_request(
        actor=world.users["staff"],
        task=task,
        reason="专家遴选延后",
        changes={"deadline": dt.date(2026, 9, 30)},
    )
    return {"task": task.pk, "adjustment": adjustment.pk}


def _decided_adjustment(world: Any) -> dict[str, Any]:
    key = _adjustment(world)
    adjustment_services.adjustment_decide(
        actor=world.users["supervisor"],
        adjustment=AdjustmentRequest.objects.get(pk=key["adjustment"]),
        approve=True,
    )
    return key


def _version(key: dict[str, Any]) -> int:
    return Task.objects.get(pk=key["task"]).version


def _task_state(key: dict[str, Any]) -> Any:
    task = Task.objects.get(pk=key["task"])
    reports = sorted(task.reports.values_list("unit_id", "percent", "text"))
    adjustments = sorted(task.adjustments.values_list("status", "changes"))
    return (task.status, task.progress, task.deadline, reports, adjustments)


def _report(key: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    return f"/tasks/{key['task']}/report/", {"text": "专家遴选进展顺利", "percent": 40}


def _report_api(key: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    return f"/api/v1/tasks/{key['task']}/reports", {"text": "专家遴选进展顺利", "percent": 40}


def _completion(key: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    return f"/tasks/{key['task']}/completion/", {"note": "智库已组建", "version": _version(key)}


def _completion_api(key: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    return (
        f"/api/v1/tasks/{key['task']}/completion-request",
        {"note": "智库已组建", "version": _version(key)},
    )


def _verify(accept: bool) -> Any:
    def page(key: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        return f"/tasks/{key['task']}/verify/", {
            "decision": "accept" if accept else "return",
            "reason": "" if accept else "证据不足",
            "version": _version(key),
        }

    return page


def _verify_api(accept: bool) -> Any:
    def api(key: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        return f"/api/v1/tasks/{key['task']}/verify", {
            "accept": accept,
            "reason": "" if accept else "证据不足",
            "version": _version(key),
        }

    return api


def _adjust(key: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    return f"/tasks/{key['task']}/adjust/", {"reason": "专家遴选延后", "deadline": "2026-09-30"}


def _decide(key: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    return f"/adjustments/{key['adjustment']}/decide/", {"decision": "approve", "note": ""}


# Issue 15 finding 3: close-out against the facts, decided alike on both surfaces.


def _office_requested(world: Any) -> dict[str, Any]:
    """制定年度学习计划 waiting for verification while its milestone (due 31 March) is not done
    and its indicator (集体学习, target 12) has no actual value: not ready to close out."""
    task = _task("2026-1-1-1")
    closeout_services.completion_request(actor=world.users["head"], task=task, note="已完成")
    return {"task": task.pk}


def _office_at_55(world: Any) -> dict[str, Any]:
    """制定年度学习计划 last reported at 55 %."""
    task = _task("2026-1-1-1")
    Task.objects.filter(pk=task.pk).update(progress=55)
    return {"task": task.pk, "indicator": task.indicators.get().pk}


def _override(key: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    return f"/tasks/{key['task']}/verify/", {
        "decision": "accept",
        "override": "on",
        "reason": "节点已并入全会学习",
        "version": _version(key),
    }


def _override_api(key: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    return f"/api/v1/tasks/{key['task']}/verify", {
        "accept": True,
        "override": True,
        "reason": "节点已并入全会学习",
        "version": _version(key),
    }


def _negative(key: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    return f"/tasks/{key['task']}/report/", {
        "text": "开展集体学习",
        "percent": 60,
        f"indicator_{key['indicator']}": "-5",
    }


def _negative_api(key: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    return f"/api/v1/tasks/{key['task']}/reports", {
        "text": "开展集体学习",
        "percent": 60,
        "indicators": [{"id": key["indicator"], "value": -5}],
    }


def _drop(reason: str) -> Any:
    def page(key: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        return f"/tasks/{key['task']}/report/", {
            "text": "计划重新起草",
            "percent": 40,
            "drop_reason": reason,
        }

    def api(key: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        return f"/api/v1/tasks/{key['task']}/reports", {
            "text": "计划重新起草",
            "percent": 40,
            "drop_reason": reason,
        }

    return page, api


def _facts_state(key: dict[str, Any]) -> Any:
    task = Task.objects.get(pk=key["task"])
    reports = sorted(task.reports.values_list("unit_id", "percent", "progress_drop_reason"))
    actuals = list(task.indicators.values_list("actual", flat=True))
    return (task.status, task.progress, reports, actuals)


PLANS_CLOCK = "2026-03-10 10:00 +08:00"
# Who sees the tasks: 经济科技部's task is seen by its staff, the agency leader, the office
# (supervisor) and the personnel officer (agency scope); the vice (in charge of 组织联络部), the
# office head (办公室) and the city federation's staff do not see it.
SEE_ECON = {"leader": "403", "staff": "403", "supervisor": "403", "hr": "403"}
# 办公室's task is seen by the agency leader, the office (head, supervisor), the personnel
# officer and 经济科技部 (cooperating); the office's members (head, supervisor, personnel officer)
# report as the lead unit, 经济科技部's staff as the cooperating unit.
SEE_OFFICE = {"leader": "403", "head": "403", "staff": "403", "supervisor": "403", "hr": "403"}

PLANS: dict[str, Op] = {
    "report by the lead unit": Op(
        _econ_task, _report, _report_api, _task_state, {**SEE_ECON, "staff": "ok"}, PLANS_CLOCK
    ),
    "report by a cooperating unit": Op(
        _office_task,
        _report,
        _report_api,
        _task_state,
        {"leader": "403", "head": "ok", "staff": "ok", "supervisor": "ok", "hr": "ok"},
        PLANS_CLOCK,
    ),
    "report on a closed task": Op(
        _completed, _report, _report_api, _task_state, SEE_ECON, PLANS_CLOCK
    ),
    "completion request": Op(
        _econ_task,
        _completion,
        _completion_api,
        _task_state,
        {**SEE_ECON, "staff": "ok"},
        PLANS_CLOCK,
    ),
    "completion request of a task already waiting": Op(
        _requested,
        _completion,
        _completion_api,
        _task_state,
        {**SEE_ECON, "staff": "refused"},
        PLANS_CLOCK,
    ),
    "verify: accept": Op(
        _requested,
        _verify(True),
        _verify_api(True),
        _task_state,
        {**SEE_ECON, "supervisor": "ok"},
        PLANS_CLOCK,
    ),
    "verify: return": Op(
        _requested,
        _verify(False),
        _verify_api(False),
        _task_state,
        {**SEE_ECON, "supervisor": "ok"},
        PLANS_CLOCK,
    ),
    # the drift of issue 14: 403 on the page, 422 telling the state in the API
    "verify a task still in progress": Op(
        _econ_task,
        _verify(True),
        _verify_api(True),
        _task_state,
        {**SEE_ECON, "supervisor": "refused"},
        PLANS_CLOCK,
    ),
    "verify a task that is not ready": Op(
        _office_requested,
        _verify(True),
        _verify_api(True),
        _facts_state,
        {**SEE_OFFICE, "supervisor": "refused"},
        PLANS_CLOCK,
    ),
    "verify a task that is not ready, by override with a reason": Op(
        _office_requested,
        _override,
        _override_api,
        _facts_state,
        {**SEE_OFFICE, "supervisor": "ok"},
        PLANS_CLOCK,
    ),
    "report a negative actual": Op(
        _office_at_55,
        _negative,
        _negative_api,
        _facts_state,
        {
            "leader": "403",
            "head": "refused",
            "staff": "refused",
            "supervisor": "refused",
            "hr": "refused",
        },
        PLANS_CLOCK,
    ),
    "report a lower progress without a reason": Op(
        _office_at_55,
        *_drop(""),
        _facts_state,
        {
            "leader": "403",
            "head": "refused",
            "staff": "ok",
            "supervisor": "refused",
            "hr": "refused",
        },
        PLANS_CLOCK,
    ),
    "report a lower progress with its reason": Op(
        _office_at_55,
        *_drop("上级要求调整学习内容"),
        _facts_state,
        {"leader": "403", "head": "ok", "staff": "ok", "supervisor": "ok", "hr": "ok"},
        PLANS_CLOCK,
    ),
    "adjustment request": Op(
        _econ_task, _adjust, None, _task_state, {**SEE_ECON, "staff": "ok"}, PLANS_CLOCK
    ),
    "adjustment request of a task waiting for a decision": Op(
        _adjustment, _adjust, None, _task_state, SEE_ECON, PLANS_CLOCK
    ),
    "adjustment decision": Op(
        _adjustment, _decide, None, _task_state, {**SEE_ECON, "supervisor": "ok"}, PLANS_CLOCK
    ),
    "adjustment decided twice": Op(
        _decided_adjustment,
        _decide,
        None,
        _task_state,
        {**SEE_ECON, "supervisor": "refused"},
        PLANS_CLOCK,
    ),
}


# --- supervision ------------------------------------------------------------------------------

D = dt.date(2025, 9, 26)
SUPERVISION_CLOCK = "2025-09-26 09:00 +08:00"


def _registered(world: Any) -> dict[str, Any]:
    return {"item": register(world).pk}


def _assigned(world: Any) -> dict[str, Any]:
    item = register(world)
    supervision_services.item_assign(actor=world.users["supervisor"], item=item, today=D)
    return {"item": item.pk}


def _item(key: dict[str, Any]) -> SupervisionItem:
    return SupervisionItem.objects.get(pk=key["item"])


def _accepted(world: Any) -> dict[str, Any]:
    key = _assigned(world)
    supervision_services.item_accept(actor=world.users["staff"], item=_item(key), today=D)
    return key


def _with_feedback(world: Any) -> dict[str, Any]:
    key = _accepted(world)
    feedback = supervision_services.feedback_submit(
        actor=world.users["staff"],
        item=_item(key),
        kind="final",
        text="已办结",
        percent=100,
        files=[],
    )
    return {**key, "feedback": feedback.pk}


def _reviewed(world: Any) -> dict[str, Any]:
    key = _with_feedback(world)
    item = _item(key)
    supervision_services.feedback_review(
        actor=world.users["supervisor"], feedback=item.feedback.get(), accept=True
    )
    return key


def _with_extension(world: Any) -> dict[str, Any]:
    key = _accepted(world)
    item = _item(key)
    extension = supervision_services.extension_request(
        actor=world.users["staff"],
        item=item,
        new_deadline=item.deadline + dt.timedelta(days=14),
        reason="需会同组织联络部调研",
    )
    return {**key, "extension": extension.pk}


def _suspended(world: Any) -> dict[str, Any]:
    key = _assigned(world)
    supervision_services.item_suspend(
        actor=world.users["supervisor"], item=_item(key), reason="等待上级部署"
    )
    return key


def _item_state(key: dict[str, Any]) -> Any:
    item = _item(key)
    return (
        item.status,
        item.progress,
        item.deadline,
        sorted(item.feedback.values_list("kind", "text", "percent", "review")),
        sorted(item.extensions.values_list("status", "new_deadline")),
    )


def _iv(key: dict[str, Any]) -> int:
    return _item(key).version


def _action(name: str, **data: Any) -> Any:
    def page(key: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        return f"/supervision/items/{key['item']}/do/{name}/", {**data, "version": _iv(key)}

    def api(key: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        return f"/api/v1/supervision/items/{key['item']}/{name}", {**data, "version": _iv(key)}

    return page, api


def _feedback(key: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    data = {"kind": "periodic", "text": "已召开座谈会", "percent": 50, "version": _iv(key)}
    return f"/supervision/items/{key['item']}/feedback/", data


def _feedback_api(key: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    data = {"kind": "periodic", "text": "已召开座谈会", "percent": 50, "version": _iv(key)}
    return f"/api/v1/supervision/items/{key['item']}/feedback", data


def _review(key: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    url = f"/supervision/items/{key['item']}/feedback/{key['feedback']}/review/"
    return url, {"decision": "accept", "reason": ""}


def _review_api(key: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    url = f"/api/v1/supervision/items/{key['item']}/feedback/{key['feedback']}/review"
    return url, {"accept": True, "reason": ""}


def _extension(key: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    data = {"new_deadline": "2025-10-31", "reason": "需会同组织联络部调研"}
    return f"/supervision/items/{key['item']}/extension/", data


def _extension_api(key: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    data = {"new_deadline": "2025-10-31", "reason": "需会同组织联络部调研"}
    return f"/api/v1/supervision/items/{key['item']}/extensions", data


def _extension_decide(key: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    url = f"/supervision/items/{key['item']}/extension/{key['extension']}/decide/"
    return url, {"decision": "approve", "note": "", "version": _iv(key)}


def _extension_decide_api(key: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    url = f"/api/v1/supervision/items/{key['item']}/extensions/{key['extension']}/decide"
    return url, {"approve": True, "note": "", "version": _iv(key)}


def _close_out(key: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    data = {"decision": "approve", "note": "", "version": _iv(key)}
    return f"/supervision/items/{key['item']}/close-out/", data


def _close_out_api(key: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    data = {"approve": True, "note": "", "version": _iv(key)}
    return f"/api/v1/supervision/items/{key['item']}/close-out", data


# Who sees the item (led by 经济科技部, 组织联络部 cooperating, the vice in charge, the leader's
# instruction): all but the office head (办公室) and the city federation's staff.
SEE_ITEM = {"leader": "403", "vice": "403", "staff": "403", "supervisor": "403", "hr": "403"}
ASSIGN, ACCEPT = _action("assign"), _action("accept")
SUSPEND, RESUME = _action("suspend", reason="等待上级部署"), _action("resume")

SUPERVISION: dict[str, Op] = {
    "assign": Op(
        _registered,
        *ASSIGN,
        _item_state,
        {**SEE_ITEM, "supervisor": "ok"},
        SUPERVISION_CLOCK,
    ),
    "assign an item already assigned": Op(
        _assigned, *ASSIGN, _item_state, SEE_ITEM, SUPERVISION_CLOCK
    ),
    "accept": Op(_assigned, *ACCEPT, _item_state, {**SEE_ITEM, "staff": "ok"}, SUPERVISION_CLOCK),
    "accept an item not yet assigned": Op(
        _registered, *ACCEPT, _item_state, SEE_ITEM, SUPERVISION_CLOCK
    ),
    "feedback": Op(
        _accepted,
        _feedback,
        _feedback_api,
        _item_state,
        {**SEE_ITEM, "staff": "ok"},
        SUPERVISION_CLOCK,
    ),
    "review feedback": Op(
        _with_feedback,
        _review,
        _review_api,
        _item_state,
        {**SEE_ITEM, "supervisor": "ok"},
        SUPERVISION_CLOCK,
    ),
    "extension request": Op(
        _accepted,
        _extension,
        _extension_api,
        _item_state,
        {**SEE_ITEM, "staff": "ok"},
        SUPERVISION_CLOCK,
    ),
    "extension request while one is pending": Op(
        _with_extension,
        _extension,
        _extension_api,
        _item_state,
        {**SEE_ITEM, "staff": "refused"},
        SUPERVISION_CLOCK,
    ),
    "extension decision": Op(
        _with_extension,
        _extension_decide,
        _extension_decide_api,
        _item_state,
        {**SEE_ITEM, "vice": "ok", "supervisor": "ok"},
        SUPERVISION_CLOCK,
    ),
    "close-out": Op(
        _reviewed,
        _close_out,
        _close_out_api,
        _item_state,
        {**SEE_ITEM, "vice": "ok"},
        SUPERVISION_CLOCK,
    ),
    "close-out before review": Op(
        _accepted, _close_out, _close_out_api, _item_state, SEE_ITEM, SUPERVISION_CLOCK
    ),
    "suspend": Op(
        _assigned, *SUSPEND, _item_state, {**SEE_ITEM, "supervisor": "ok"}, SUPERVISION_CLOCK
    ),
    "resume": Op(
        _suspended, *RESUME, _item_state, {**SEE_ITEM, "supervisor": "ok"}, SUPERVISION_CLOCK
    ),
}


# --- appraisal --------------------------------------------------------------------------------

APPRAISAL_CLOCK = "2025-12-01 10:00 +08:00"


def _cycle(world: Any) -> AnnualCycle:
    return appraisal_services.cycle_open(
        actor=world.users["hr"], agency=world.agency, year=2025, as_of=dt.date(2025, 12, 31)
    )


def _participant(cycle: AnnualCycle, world: Any, persona: str) -> Participant:
    return Participant.objects.get(cycle=cycle, person=world.people[persona])


def _open_cycle(world: Any) -> dict[str, Any]:
    """The 2025 appraisal, open; the row acts on 戊科员's (staff, 经济科技部) record."""
    cycle = _cycle(world)
    return {"cycle": cycle.pk, "p": _participant(cycle, world, "staff").pk}


def _in_committee(world: Any) -> dict[str, Any]:
    key = _open_cycle(world)
    cycle = AnnualCycle.objects.get(pk=key["cycle"])
    for p in cycle.participants.exclude(person=world.people["leader"]):
        appraisal_services.propose(
            actor=world.users["leader"], participant=p, grade="competent", comments="好"
        )
    appraisal_services.cycle_to_committee(
        actor=world.users["hr"], cycle=cycle, override_reason="个人总结为纸质材料"
    )
    return key


def _participant_state(key: dict[str, Any]) -> Any:
    p = Participant.objects.get(pk=key["p"])
    return (
        p.self_summary,
        p.proposed_grade,
        p.leader_comments,
        p.decided_grade,
        p.eligibility,
        list(p.eligibility_changes.values_list("reason", flat=True)),
    )


def _pv(key: dict[str, Any]) -> int:
    return Participant.objects.get(pk=key["p"]).version


def _participant_step(action: str, page_data: dict[str, Any], api_path: str, api_data: Any) -> Any:
    def page(key: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        return f"/appraisal/participants/{key['p']}/", {"action": action, **page_data}

    def api(key: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        return f"/api/v1/appraisal/participants/{key['p']}/{api_path}", api_data(key)

    return page, api


SUMMARY = (
    lambda key: (
        f"/appraisal/participants/{key['p']}/",
        {"action": "summary", "duties": "经济", "self_summary": "全年总结", "version": _pv(key)},
    ),
    lambda key: (
        f"/api/v1/appraisal/participants/{key['p']}/summary",
        {"duties": "经济", "self_summary": "全年总结", "version": _pv(key)},
    ),
)
PROPOSE = _participant_step(
    "propose",
    {"grade": "excellent", "comments": "表现突出"},
    "proposal",
    lambda key: {"grade": "excellent", "comments": "表现突出"},
)
DECIDE = _participant_step(
    "decide",
    {"grade": "excellent", "note": ""},
    "decision",
    lambda key: {"grade": "excellent", "note": ""},
)
ELIGIBILITY = _participant_step(
    "eligibility",
    {"leave_days": "0", "reason": "核实请假天数"},
    "eligibility",
    lambda key: {"leave_days": 0, "reason": "核实请假天数"},
)


def _routine(world: Any) -> dict[str, Any]:
    """办公室's fourth quarter, opened by its head; the row grades 丁科员."""
    cycle = appraisal_services.routine_open(
        actor=world.users["head"], unit=world.office, year=2025, quarter=4
    )
    entry = cycle.entries.get(person=world.people["office_staff"])
    return {"routine": cycle.pk, "entry": entry.pk}


def _routine_graded(world: Any) -> dict[str, Any]:
    key = _routine(world)
    for entry in RoutineCycle.objects.get(pk=key["routine"]).entries.all():
        appraisal_services.routine_propose(
            actor=world.users["leader"], entry=entry, grade="fairly_good", comments=""
        )
    return key


def _routine_confirmed(world: Any) -> dict[str, Any]:
    key = _routine_graded(world)
    appraisal_services.routine_confirm(
        actor=world.users["leader"], cycle=RoutineCycle.objects.get(pk=key["routine"])
    )
    return key


def _routine_state(key: dict[str, Any]) -> Any:
    cycle = RoutineCycle.objects.get(pk=key["routine"])
    return (cycle.status, sorted(cycle.entries.values_list("person_id", "grade")))


GRADE = (
    lambda key: (
        f"/appraisal/routine/{key['routine']}/",
        {"action": "grade", "entry": key["entry"], "grade": "average", "comments": ""},
    ),
    lambda key: (
        f"/api/v1/appraisal/routine-entries/{key['entry']}/grade",
        {"grade": "average", "comments": ""},
    ),
)
CONFIRM = (
    lambda key: (f"/appraisal/routine/{key['routine']}/", {"action": "confirm"}),
    lambda key: (f"/api/v1/appraisal/routine/{key['routine']}/confirm", {}),
)

# Who opens 戊科员's record: the person, the personnel officer and the agency leader (whose
# leader scope covers 经济科技部); nobody else can tell it exists.
SEE_RECORD = {"leader": "403", "staff": "403", "hr": "403"}
# Who opens 办公室's routine quarter: its head, the agency leader and the personnel officer.
SEE_ROUTINE = {"leader": "403", "head": "403", "hr": "403"}
# Everyone in the cycle may object while the list is published; only the office answers.
SEE_CYCLE_OBJECT = {p: "ok" for p in ("leader", "vice", "head", "staff", "supervisor", "hr")}
SEE_CYCLE_REFUSED = {p: "refused" for p in SEE_CYCLE_OBJECT}
SEE_CYCLE_ANSWER = {**{p: "403" for p in SEE_CYCLE_OBJECT}, "hr": "ok"}


def _in_publicity(world: Any) -> dict[str, Any]:
    """The 2025 appraisal after the committee decided everyone: the list is published."""
    key = _in_committee(world)
    cycle = AnnualCycle.objects.get(pk=key["cycle"])
    hr = world.users["hr"]
    appraisal_services.committee_record(
        actor=hr, cycle=cycle, meeting_date=dt.date(2025, 12, 1), members_present="考核委员会委员"
    )
    for p in cycle.participants.filter(decided_at__isnull=True):
        appraisal_services.decide(actor=hr, participant=p, grade="competent")
    appraisal_services.publicity_start(actor=hr, cycle=AnnualCycle.objects.get(pk=cycle.pk))
    return key


def _with_objection(world: Any) -> dict[str, Any]:
    key = _in_publicity(world)
    objection = appraisal_services.objection_raise(
        actor=world.users["staff"], cycle=AnnualCycle.objects.get(pk=key["cycle"]), text="有异议"
    )
    return {**key, "objection": objection.pk}


def _notified(world: Any) -> dict[str, Any]:
    """The results final after publicity, and each person's notice sent."""
    key = _in_publicity(world)
    cycle = AnnualCycle.objects.get(pk=key["cycle"])
    assert cycle.publicity_end is not None
    appraisal_services.finalize_cycle(cycle, cycle.publicity_end + dt.timedelta(days=1))
    appraisal_services.notices_send(
        actor=world.users["hr"], cycle=AnnualCycle.objects.get(pk=cycle.pk)
    )
    return key


def _ack_state(key: dict[str, Any]) -> Any:
    p = Participant.objects.get(pk=key["p"])
    return (p.ack, p.ack_text)


def _appeals_state(key: dict[str, Any]) -> Any:
    return sorted(Appeal.objects.filter(participant_id=key["p"]).values_list("kind", "reason"))


def _objections_state(key: dict[str, Any]) -> Any:
    return sorted(Objection.objects.filter(cycle_id=key["cycle"]).values_list("text", "answer"))


ACK = _participant_step(
    "ack", {"choice": "agree", "text": ""}, "acknowledgement", lambda key: {"choice": "agree"}
)
APPEAL = _participant_step(
    "appeal",
    {"kind": "review", "learned_on": "", "reason": "对结果有异议"},
    "appeals",
    lambda key: {"kind": "review", "reason": "对结果有异议"},
)
OBJECT = (
    lambda key: (
        f"/appraisal/{key['cycle']}/publicity/",
        {"action": "object", "participant": "", "text": "名单有误"},
    ),
    lambda key: (f"/api/v1/appraisal/cycles/{key['cycle']}/objections", {"text": "名单有误"}),
)
ANSWER = (
    lambda key: (
        f"/appraisal/{key['cycle']}/publicity/",
        {"action": "answer", "objection": key["objection"], "answer": "经核实无误"},
    ),
    lambda key: (
        f"/api/v1/appraisal/objections/{key['objection']}/answer",
        {"answer": "经核实无误"},
    ),
)


def _cycle_state(key: dict[str, Any]) -> Any:
    cycle = AnnualCycle.objects.get(pk=key["cycle"])
    return (cycle.status, sorted(cycle.participants.values_list("person_id", "decided_grade")))


def _proposed(world: Any) -> dict[str, Any]:
    """The 2025 appraisal, open, everyone but the agency leader proposed; no self-summary."""
    key = _open_cycle(world)
    cycle = AnnualCycle.objects.get(pk=key["cycle"])
    for p in cycle.participants.exclude(person=world.people["leader"]):
        appraisal_services.propose(
            actor=world.users["leader"], participant=p, grade="competent", comments="好"
        )
    return key


def _to_committee(reason: str) -> Any:
    return (
        lambda key: (
            f"/appraisal/{key['cycle']}/",
            {"action": "to_committee", "override_reason": reason},
        ),
        lambda key: (
            f"/api/v1/appraisal/cycles/{key['cycle']}/to-committee",
            {"override_reason": reason},
        ),
    )


def _decision_rows(key: dict[str, Any]) -> list[tuple[int, str]]:
    """Everyone as proposed; the agency leader, who has no proposal, Competent."""
    rows = Participant.objects.filter(cycle_id=key["cycle"]).values_list("pk", "proposed_at")
    return [(pk, "proposed" if at else "competent") for pk, at in rows]


DECIDE_ALL = (
    lambda key: (
        f"/appraisal/{key['cycle']}/committee/",
        {"action": "decide_all", **{f"grade-{pk}": g for pk, g in _decision_rows(key)}},
    ),
    lambda key: (
        f"/api/v1/appraisal/cycles/{key['cycle']}/decisions",
        {"decisions": [{"participant": pk, "grade": g} for pk, g in _decision_rows(key)]},
    ),
)
# The cycle is visible to everyone taking part and to the leaders; only the officer acts.
SEE_CYCLE_OFFICER = {
    **{p: "403" for p in ("leader", "vice", "head", "staff", "supervisor")},
    "hr": "ok",
}

APPRAISAL: dict[str, Op] = {
    "to the committee with summaries missing, no reason": Op(
        _proposed,
        *_to_committee(""),
        _cycle_state,
        {**SEE_CYCLE_OFFICER, "hr": "refused"},
        APPRAISAL_CLOCK,
    ),
    "to the committee with summaries missing, with a reason": Op(
        _proposed,
        *_to_committee("个人总结为纸质材料"),
        _cycle_state,
        SEE_CYCLE_OFFICER,
        APPRAISAL_CLOCK,
    ),
    "the committee's decisions on one page": Op(
        _in_committee, *DECIDE_ALL, _cycle_state, SEE_CYCLE_OFFICER, APPRAISAL_CLOCK
    ),
    "the committee's decisions while the cycle is open": Op(
        _proposed,
        *DECIDE_ALL,
        _cycle_state,
        {**SEE_CYCLE_OFFICER, "hr": "refused"},
        APPRAISAL_CLOCK,
    ),
    "self-summary": Op(
        _open_cycle,
        *SUMMARY,
        _participant_state,
        {**SEE_RECORD, "staff": "ok", "hr": "ok"},
        APPRAISAL_CLOCK,
    ),
    "self-summary after the cycle went to the committee": Op(
        _in_committee,
        *SUMMARY,
        _participant_state,
        {**SEE_RECORD, "staff": "refused", "hr": "refused"},
        APPRAISAL_CLOCK,
    ),
    "proposal": Op(
        _open_cycle, *PROPOSE, _participant_state, {**SEE_RECORD, "leader": "ok"}, APPRAISAL_CLOCK
    ),
    "proposal after the cycle went to the committee": Op(
        _in_committee,
        *PROPOSE,
        _participant_state,
        {**SEE_RECORD, "leader": "refused"},
        APPRAISAL_CLOCK,
    ),
    "decision": Op(
        _in_committee, *DECIDE, _participant_state, {**SEE_RECORD, "hr": "ok"}, APPRAISAL_CLOCK
    ),
    "decision while the cycle is open": Op(
        _open_cycle, *DECIDE, _participant_state, {**SEE_RECORD, "hr": "refused"}, APPRAISAL_CLOCK
    ),
    "eligibility change": Op(
        _open_cycle,
        *ELIGIBILITY,
        _participant_state,
        {**SEE_RECORD, "hr": "ok"},
        APPRAISAL_CLOCK,
    ),
    "objection during publicity": Op(
        _in_publicity, *OBJECT, _objections_state, SEE_CYCLE_OBJECT, APPRAISAL_CLOCK
    ),
    "objection before publicity": Op(
        _in_committee, *OBJECT, _objections_state, SEE_CYCLE_REFUSED, APPRAISAL_CLOCK
    ),
    "answer to an objection": Op(
        _with_objection, *ANSWER, _objections_state, SEE_CYCLE_ANSWER, APPRAISAL_CLOCK
    ),
    "acknowledgement of the notice": Op(
        _notified, *ACK, _ack_state, {"staff": "ok"}, APPRAISAL_CLOCK
    ),
    "acknowledgement before the notice": Op(
        _in_publicity, *ACK, _ack_state, {"staff": "refused"}, APPRAISAL_CLOCK
    ),
    # The person files, or the personnel officer enters it for them; nobody else sees it.
    "review request after the notice": Op(
        _notified, *APPEAL, _appeals_state, {"staff": "ok", "hr": "ok"}, APPRAISAL_CLOCK
    ),
    "review request before the result is final": Op(
        _in_publicity,
        *APPEAL,
        _appeals_state,
        {"staff": "refused", "hr": "refused"},
        APPRAISAL_CLOCK,
    ),
    "routine grade": Op(
        _routine,
        *GRADE,
        _routine_state,
        {**SEE_ROUTINE, "leader": "ok", "head": "ok"},
        APPRAISAL_CLOCK,
    ),
    "routine grade after confirmation": Op(
        _routine_confirmed,
        *GRADE,
        _routine_state,
        {**SEE_ROUTINE, "leader": "refused", "head": "refused"},
        APPRAISAL_CLOCK,
    ),
    "routine confirmation": Op(
        _routine_graded,
        *CONFIRM,
        _routine_state,
        {**SEE_ROUTINE, "leader": "ok"},
        APPRAISAL_CLOCK,
    ),
}


OPERATIONS = {
    **{f"plans: {k}": v for k, v in PLANS.items()},
    **{f"supervision: {k}": v for k, v in SUPERVISION.items()},
    **{f"appraisal: {k}": v for k, v in APPRAISAL.items()},
}
ROWS = [(name, persona) for name in OPERATIONS for persona in PERSONAS]


@pytest.mark.parametrize(("operation", "persona"), ROWS, ids=[f"{o} / {p}" for o, p in ROWS])
def test_page_and_api_decide_alike(
    operation: str, persona: str, org: Any, request: Any, client_for: Any, token_for: Any
) -> None:
    op = OPERATIONS[operation]
    work_plan = request.getfixturevalue("plan")
    expected = op.expected.get(persona, "404")
    with time_machine.travel(op.clock, tick=False):
        issue(org, work_plan)
        key = op.setup(org)
        page_client, headers = client_for(persona), token_for(persona)

        def page() -> Outcome:
            url, data = op.page(key)
            response = page_client.post(url, data, **LANG)
            return _page_outcome(response, op.state(key))

        def api() -> Outcome:
            assert op.api is not None
            url, data = op.api(key)
            response = Client().post(
                url, json.dumps(data), content_type="application/json", **headers, **LANG
            )
            return _api_outcome(response, op.state(key))

        page_outcome = _rolled_back(page)
        api_outcome = _rolled_back(api) if op.api is not None else None
    _assert_same(f"{operation} / {persona}", expected, page_outcome, api_outcome)
