"""The ledger at scale: sortable columns, the capped count, the filter form's short lists, the
lead-unit filter that skips the visibility OR when the scope covers the subtree."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest

from luoshi.plans.models import Task, WorkPlan
from luoshi.plans.permissions import tasks_visible
from luoshi.plans.selectors import choices
from luoshi.plans.selectors.ledger import TaskFilter, ledger_count, task_ledger
from luoshi.plans.services.tasks import TaskIn, task_create

from .conftest import issue

pytestmark = pytest.mark.django_db


def _codes(html: str) -> list[str]:
    return re.findall(r'<td class="text-nowrap small">([^<]+)</td>', html)


def test_columns_sort_both_ways_and_keep_the_filters(
    org: Any, plan: WorkPlan, client_for: Any
) -> None:
    issue(org, plan)
    client = client_for("leader")
    by_plan = _codes(client.get("/tasks/").content.decode())
    assert by_plan == list(
        Task.objects.exclude(status__in=["completed", "cancelled"])
        .order_by("plan_year", "sort_order", "id")
        .values_list("code", flat=True)
    )
    html = client.get("/tasks/", {"sort": "code"}).content.decode()
    assert _codes(html) == sorted(by_plan)
    assert 'aria-sort="ascending"' in html
    assert "sort=-code" in html  # the header now sorts the other way
    desc = _codes(client.get("/tasks/", {"sort": "-code"}).content.decode())
    assert desc == sorted(by_plan, reverse=True)
    kept = client.get("/tasks/", {"sort": "deadline", "light": "green"}).content.decode()
    assert 'name="sort" value="deadline"' in kept
    assert "light=green" in kept
    # an unknown key falls back to the plan's order
    assert _codes(client.get("/tasks/", {"sort": "title; drop"}).content.decode()) == by_plan


def test_api_sorts_and_reports_a_capped_count(
    org: Any, plan: WorkPlan, client_for: Any, settings: Any
) -> None:
    issue(org, plan)
    client = client_for("leader")
    data = client.get("/api/v1/tasks", {"sort": "-deadline", "page_size": 50}).json()
    deadlines = [t["deadline"] for t in data["results"] if t["deadline"]]
    assert deadlines == sorted(deadlines, reverse=True)
    assert data["count_capped"] is False
    settings.LUOSHI_COUNT_LIMIT = 2
    data = client.get("/api/v1/tasks", {"page_size": 1}).json()
    assert data["count"] == 2 and data["count_capped"] is True and data["pages"] == 2
    html = client.get("/tasks/").content.decode()
    assert "More than 2 records" in html or "超过 2 条" in html


def test_a_text_search_counts_up_to_its_own_limit(
    org: Any, plan: WorkPlan, client_for: Any, settings: Any
) -> None:
    """A text search stops counting at LUOSHI_SEARCH_COUNT_LIMIT (page and API); the same
    filters without `q` count up to LUOSHI_COUNT_LIMIT."""
    issue(org, plan)
    client = client_for("leader")
    titles = list(Task.objects.values_list("title", flat=True))
    word = max(set("".join(titles)), key=lambda ch: sum(ch in t for t in titles))
    assert sum(word in t for t in titles) >= 2
    settings.LUOSHI_SEARCH_COUNT_LIMIT = 1
    settings.LUOSHI_COUNT_LIMIT = 1000
    data = client.get("/api/v1/tasks", {"q": word, "page_size": 1}).json()
    assert data["count"] == 1 and data["count_capped"] is True and data["pages"] == 1
    assert len(data["results"]) == 1
    unfiltered = client.get("/api/v1/tasks", {"page_size": 1}).json()
    assert unfiltered["count_capped"] is False and unfiltered["count"] >= 2
    html = client.get("/tasks/", {"q": word}).content.decode()
    assert "More than 1 records" in html or "超过 1 条" in html
    settings.LUOSHI_SEARCH_COUNT_LIMIT = 1000
    data = client.get("/api/v1/tasks", {"q": word, "page_size": 1}).json()
    assert data["count_capped"] is False and data["count"] >= 2


def test_filter_form_lists_matrix_leaders_not_every_leadership_person(
    org: Any, plan: WorkPlan, client_for: Any
) -> None:
    issue(org, plan)
    html = client_for("leader").get("/tasks/").content.decode()
    select = re.search(r'<select[^>]*name="leader_in_charge".*?</select>', html, re.S)
    assert select is not None
    names = re.findall(r'<option value="\d+"[^>]*>([^<]+)</option>', select.group(0))
    leaders = set(
        Task.objects.exclude(leader_in_charge=None).values_list("leader_in_charge__name", flat=True)
    )
    assert leaders and leaders <= set(names)


def test_subtree_filter_in_scope_matches_the_visible_tasks(org: Any, plan: WorkPlan) -> None:
    issue(org, plan)
    task_create(
        actor=org.users["supervisor"],
        data=TaskIn(
            plan=plan,
            code="2026-9-9-1",
            title="x",
            lead_unit=org.econ,
            deadline=dt.date(2026, 9, 1),
        ),
    )
    for key in ("leader", "staff", "head", "outsider", "supervisor"):
        user = org.users[key]
        for unit in (org.agency, org.econ, org.liaison, org.city):
            f = TaskFilter(lead_unit=unit.pk, include_closed=True)
            fast = set(task_ledger(user, f).values_list("pk", flat=True))
            slow = set(
                tasks_visible(user)
                .filter(lead_unit__path__startswith=unit.path)
                .values_list("pk", flat=True)
            )
            assert fast == slow, (key, unit.name)


def _unit_options(html: str) -> dict[str, str]:
    select = re.search(r'<select[^>]*name="lead_unit".*?</select>', html, re.S)
    assert select is not None
    return dict(re.findall(r'<option value="(\d+)"[^>]*>([^<]+)</option>', select.group(0)))


def test_a_chosen_unit_beyond_the_list_is_added_only_when_the_viewer_sees_it(
    org: Any, plan: WorkPlan, client_for: Any, monkeypatch: Any
) -> None:

    issue(org, plan)
    monkeypatch.setattr(choices, "UNIT_CHOICES_DEPTH", 0)  # the list: the scope's top unit only
    leader = client_for("leader")
    assert str(org.econ.pk) not in _unit_options(leader.get("/tasks/").content.decode())
    chosen = _unit_options(leader.get(f"/tasks/?lead_unit={org.econ.pk}").content.decode())
    assert org.econ.name in chosen[str(org.econ.pk)]  # in scope: added, and selected
    # a unit outside the viewer's scope (or none at all) is not offered, whoever asks for it
    staff = client_for("staff")
    for pk in (org.city.pk, 999999):
        html = staff.get(f"/tasks/?lead_unit={pk}").content.decode()
        assert str(pk) not in _unit_options(html)
        assert org.city.name not in html


def test_ledger_rows_escape_every_text_and_show_every_column(
    org: Any, plan: WorkPlan, client_for: Any
) -> None:
    from luoshi.orgs.models import OrgUnit

    issue(org, plan)
    task = Task.objects.exclude(status__in=["completed", "cancelled"]).first()
    assert task is not None
    Task.objects.filter(pk=task.pk).update(
        title='<script>alert("t")</script> & \'x\'', is_key=True, progress=42,
        deadline=dt.date(2026, 12, 31), light="red",
        light_code='["milestone_overdue", {"title": "<i>M</i>", "date": "2026-06-30"}]',
    )  # fmt: skip
    OrgUnit.objects.filter(pk=task.lead_unit_id).update(name="<b>组</b>")
    html = client_for("leader").get("/tasks/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    row = next(r for r in html.split("<tr>") if f"/tasks/{task.pk}/" in r)
    assert "<script>" not in html and "<b>组</b>" not in html
    assert "&lt;script&gt;alert(&quot;t&quot;)&lt;/script&gt; &amp; &#x27;x&#x27;" in row
    assert "&lt;b&gt;组&lt;/b&gt;" in row
    assert '<span class="badge text-bg-warning">Key</span>' in row
    assert "2026-12-31" in row and "42%" in row
    reason = "Milestone “&lt;i&gt;M&lt;/i&gt;” was due 2026-06-30"
    assert f'<span class="ls-light ls-light-red" title="{reason}">Red' in row


def test_a_scope_over_every_top_unit_lists_without_the_visibility_condition(
    org: Any, plan: WorkPlan
) -> None:
    """The agency leader's subtree is the whole tree: every task is theirs to see, and the
    ledger reads the task table in order without the OR over cooperating units; once a second
    tree exists, the condition is back (and still lets them see what their units cooperate on)."""
    from luoshi.orgs import services as org_services
    from luoshi.orgs.models import OrgUnit
    from luoshi.orgs.permissions import forget_cached_access

    issue(org, plan)
    leader = org.users["leader"]
    everything = TaskFilter(include_closed=True)
    qs = task_ledger(leader, everything)
    assert "EXISTS" not in str(qs.query)
    assert set(qs.values_list("pk", flat=True)) == set(Task.objects.values_list("pk", flat=True))
    assert ledger_count(leader, TaskFilter(status="in_progress")) == (
        Task.objects.filter(status="in_progress").count()
    )

    other = org_services.org_unit_create(
        actor=None, name="另一机关", code="T-OTHER",
        kind=OrgUnit.Kind.AGENCY, level=OrgUnit.Level.PROVINCIAL,
    )  # fmt: skip
    made = [
        task_create(
            actor=org.users["supervisor"],
            data=TaskIn(
                plan=plan,
                code=f"2026-9-9-{i}",
                title="别处牵头",
                lead_unit=other,
                cooperating_units=coop,
                deadline=dt.date(2026, 9, 1),
            ),
        )
        for i, coop in ((1, ()), (2, (org.econ,)))
    ]
    forget_cached_access(leader)
    qs = task_ledger(leader, everything)
    assert "EXISTS" in str(qs.query)
    seen = set(qs.values_list("pk", flat=True))
    assert made[0].pk not in seen and made[1].pk in seen
    assert seen == set(tasks_visible(leader).values_list("pk", flat=True))
    assert ledger_count(leader, TaskFilter(status="in_progress")) is None
