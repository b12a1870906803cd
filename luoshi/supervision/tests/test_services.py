"""Supervision items through their services: numbering, deadlines on the national calendar,
the lifecycle, extensions, lights and the urging ladder (exactly once)."""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

import pytest
import time_machine
from django.db import connection, connections

from luoshi.core.errors import Conflict, InvalidInput
from luoshi.core.models import AuditEntry, NumberSeries
from luoshi.core.tests.samples import pdf_bytes
from luoshi.core.workdays import add_working_days
from luoshi.supervision import services
from luoshi.supervision.models import (
    ExtensionRequest,
    Feedback,
    ItemEvent,
    SupervisionItem,
    SupervisionSettings,
    UrgingStep,
)

from .conftest import D, register

pytestmark = pytest.mark.django_db
S = SupervisionItem.Status


def test_numbers_are_consecutive_per_year_with_the_agency_prefix(org) -> None:
    first = register(org)
    second = register(org)
    assert (first.serial, second.serial) == (1, 2)
    assert first.number == "督办〔2025〕1号"
    assert second.number == "督办〔2025〕2号"
    SupervisionSettings.objects.create(agency=org.agency, number_prefix="侨督")
    third = register(org)
    assert third.number == "侨督〔2025〕3号"
    next_year = register(org, today=D(2026, 1, 5))
    assert next_year.number == "督办〔2026〕1号".replace("督办", "侨督")


def test_a_failed_registration_gives_its_number_back(org) -> None:
    register(org)
    with pytest.raises(InvalidInput) as info:
        register(org, instruction_text="", instruction_by=None)
    fields = {d["field"] for d in info.value.details}
    assert {"instruction_text", "instruction_by"} <= fields
    assert register(org).serial == 2  # no gap
    assert NumberSeries.objects.get(kind="supervision.item", year=2025).last == 2


def test_five_working_days_from_26_september_2025_cross_national_day(org, item) -> None:
    """Assigned Friday 2025-09-26: Sunday 9-28 is a make-up working day, 10-1 to 10-8 are the
    National Day and Mid-Autumn holiday, so the fifth working day is Friday 10-10."""
    assert item.deadline is None  # fixed at assignment
    services.item_assign(actor=None, item=item, today=D(2025, 9, 26))
    item.refresh_from_db()
    assert item.deadline == D(2025, 10, 10)
    assert item.deadline == add_working_days(D(2025, 9, 26), 5).value
    assert item.original_deadline == D(2025, 10, 10)
    assert item.deadline_warning == ""
    assert item.status == S.ASSIGNED


def test_a_deadline_past_the_calendar_carries_a_warning(org) -> None:
    late = register(org, today=D(2026, 12, 28), instruction_on=D(2026, 12, 28))
    services.item_assign(actor=None, item=late, today=D(2026, 12, 28))
    late.refresh_from_db()
    assert late.deadline is not None and late.deadline.year == 2027
    assert "2027" in late.deadline_warning


def lifecycle_to_reviewed(org, item, *, done: dt.date) -> None:
    services.item_assign(actor=org.users["supervisor"], item=item, today=D(2025, 9, 26))
    item.refresh_from_db()
    services.item_accept(actor=org.users["staff"], item=item, today=D(2025, 9, 28))
    item.refresh_from_db()
    services.feedback_submit(
        actor=org.users["staff"],
        item=item,
        kind=Feedback.Kind.PERIODIC,
        text="已召开专题会议",
        percent=40,
        today=D(2025, 9, 29),
    )
    item.refresh_from_db()
    final = services.feedback_submit(
        actor=org.users["staff"],
        item=item,
        kind=Feedback.Kind.FINAL,
        text="已全部落实",
        files=[("落实情况.pdf", pdf_bytes())],
        today=done,
    )
    item.refresh_from_db()
    assert item.status == S.FINAL_SUBMITTED
    services.feedback_review(actor=org.users["supervisor"], feedback=final, accept=True, today=done)
    item.refresh_from_db()
    assert item.status == S.REVIEWED


def test_lifecycle_to_close_out_with_audit_and_timeline(org, item) -> None:
    lifecycle_to_reviewed(org, item, done=D(2025, 10, 9))
    services.item_close_out(actor=org.users["vice"], item=item, approve=True, today=D(2025, 10, 13))
    item.refresh_from_db()
    assert item.status == S.CLOSED
    assert item.closed_on == D(2025, 10, 13)
    assert item.closed_on_time is True  # done 10-09, before the deadline 10-10
    assert item.light == "grey"
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {
        "supervision.register",
        "supervision.assign",
        "supervision.accept",
        "supervision.feedback",
        "supervision.review",
        "supervision.close_out",
    } <= actions
    kinds = list(item.events.order_by("at", "id").values_list("kind", flat=True))
    assert kinds[0] == ItemEvent.Kind.REGISTERED and kinds[-1] == ItemEvent.Kind.CLOSED
    assert item.feedback.get(kind="final").attachments.get().name == "落实情况.pdf"


def test_returned_feedback_needs_a_reason_and_reopens_the_item(org, item) -> None:
    services.item_assign(actor=None, item=item, today=D(2025, 9, 26))
    item.refresh_from_db()
    services.item_accept(actor=org.users["staff"], item=item, today=D(2025, 9, 26))
    item.refresh_from_db()
    final = services.feedback_submit(
        actor=org.users["staff"], item=item, kind="final", text="完成", today=D(2025, 9, 29)
    )
    with pytest.raises(InvalidInput):
        services.feedback_review(actor=org.users["supervisor"], feedback=final, accept=False)
    services.feedback_review(
        actor=org.users["supervisor"],
        feedback=final,
        accept=False,
        reason="缺少佐证材料",
        today=D(2025, 9, 30),
    )
    item.refresh_from_db()
    assert item.status == S.ACCEPTED
    assert item.returned_on == D(2025, 9, 30)
    assert item.completed_on is None
    final.refresh_from_db()
    assert final.review == Feedback.Review.RETURNED and final.review_note == "缺少佐证材料"


def test_extension_before_the_deadline_only_and_statistics_keep_the_original(org, item) -> None:
    services.item_assign(actor=None, item=item, today=D(2025, 9, 26))
    item.refresh_from_db()
    services.item_accept(actor=org.users["staff"], item=item, today=D(2025, 9, 26))
    item.refresh_from_db()
    with pytest.raises(InvalidInput) as info:
        services.extension_request(
            actor=org.users["staff"],
            item=item,
            new_deadline=D(2025, 10, 31),
            reason="x",
            today=D(2025, 10, 11),
        )
    assert info.value.code == "extension_too_late"
    request = services.extension_request(
        actor=org.users["staff"],
        item=item,
        new_deadline=D(2025, 10, 31),
        reason="需协调外省",
        today=D(2025, 10, 10),
    )
    services.extension_decide(
        actor=org.users["supervisor"], request=request, approve=True, today=D(2025, 10, 10)
    )
    item.refresh_from_db()
    assert item.deadline == D(2025, 10, 31)
    assert item.original_deadline == D(2025, 10, 10)
    assert ExtensionRequest.objects.get().status == "approved"
    # done on 10-20: within the extension, but late against the original deadline
    final = services.feedback_submit(
        actor=org.users["staff"], item=item, kind="final", text="完成", today=D(2025, 10, 20)
    )
    services.feedback_review(actor=org.users["supervisor"], feedback=final, accept=True)
    item.refresh_from_db()
    services.item_close_out(actor=org.users["vice"], item=item, approve=True, today=D(2025, 10, 21))
    item.refresh_from_db()
    assert item.closed_on_time is False


def test_edits_use_optimistic_locking(org, item) -> None:
    stale = item.version
    services.item_update(actor=None, item=item, changes={"title": "新标题"}, version=stale)
    other = SupervisionItem.objects.get(pk=item.pk)
    other.version = stale
    with pytest.raises(Conflict):
        services.item_update(actor=None, item=other, changes={"title": "又改"}, version=stale)
    assert SupervisionItem.objects.get(pk=item.pk).title == "新标题"


def test_suspend_and_resume(org, item) -> None:
    services.item_assign(actor=None, item=item, today=D(2025, 9, 26))
    item.refresh_from_db()
    services.item_suspend(actor=None, item=item, reason="上级暂缓")
    item.refresh_from_db()
    assert (item.status, item.light) == (S.SUSPENDED, "grey")
    services.item_resume(actor=None, item=item)
    item.refresh_from_db()
    assert item.status == S.ASSIGNED


def test_lights_follow_the_task_rules(org, item) -> None:
    services.item_assign(actor=None, item=item, today=D(2025, 9, 26))
    qs = SupervisionItem.objects.filter(pk=item.pk)
    services.refresh_lights(qs, today=D(2025, 9, 26))
    assert qs.get().light == "green" or qs.get().light == "yellow"
    services.refresh_lights(qs, today=D(2025, 10, 9))
    assert qs.get().light == "yellow"
    services.refresh_lights(qs, today=D(2025, 10, 11))
    assert qs.get().light == "red"
    assert "2025-10-10" in qs.get().light_reason


def test_ladder_runs_twice_a_day_and_each_step_happens_once(org, item) -> None:
    services.item_assign(actor=None, item=item, today=D(2025, 9, 26))
    taken: dict[str, dt.date] = {}
    day = D(2025, 9, 26)
    while day <= D(2025, 10, 31):
        with time_machine.travel(dt.datetime(day.year, day.month, day.day, 8), tick=False):
            for _run in range(2):
                counts = services.run_ladder(day)
                for step, n in counts.items():
                    if n:
                        assert step not in taken, f"{step} twice"
                        taken[step] = day
        day += dt.timedelta(days=1)
    # 3 working days before 10-10 (9-29: 9-30, 10-9, 10-10 remain); first overdue working day is
    # the make-up Saturday 10-11; five working days after it, 10-17.
    assert taken == {
        "reminder": D(2025, 9, 29),
        "urging": D(2025, 10, 11),
        "escalation": D(2025, 10, 17),
    }
    assert UrgingStep.objects.count() == 3
    urging = UrgingStep.objects.get(step="urging")
    assert urging.number == "催办〔2025〕1号"
    assert AuditEntry.objects.filter(action="supervision.urging").count() == 1


def test_ladder_settings_are_per_agency(org, item) -> None:
    SupervisionSettings.objects.create(
        agency=org.agency, reminder_working_days=1, escalate_after_working_days=2
    )
    services.item_assign(actor=None, item=item, today=D(2025, 9, 26))
    assert services.run_ladder(D(2025, 9, 30))["reminder"] == 0
    assert services.run_ladder(D(2025, 10, 9))["reminder"] == 1
    assert services.run_ladder(D(2025, 10, 11))["urging"] == 1
    assert services.run_ladder(D(2025, 10, 14))["escalation"] == 1


def test_closed_and_final_submitted_items_are_not_urged(org, item) -> None:
    lifecycle_to_reviewed(org, item, done=D(2025, 10, 9))
    assert services.run_ladder(D(2025, 10, 20)) == {"reminder": 0, "urging": 0, "escalation": 0}


# --- concurrency (real transactions on PostgreSQL) ----------------------------------------------


def _skip_on_sqlite() -> None:
    if connection.vendor == "sqlite":
        pytest.skip(
            "Needs row locks taken by concurrent transactions (PostgreSQL). On SQLite the "
            "immediate transactions serialise writers, so the same code cannot race there."
        )


def _run_threads(target: Any, n: int) -> list[BaseException]:
    barrier = threading.Barrier(n)
    errors: list[BaseException] = []

    def run(i: int) -> None:
        try:
            barrier.wait(timeout=10)
            target(i)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return errors


@pytest.mark.django_db(transaction=True)
def test_concurrent_registrations_get_distinct_consecutive_numbers(org) -> None:
    _skip_on_sqlite()
    per_thread, threads = 5, 4

    def work(i: int) -> None:
        for _ in range(per_thread):
            register(org, title=f"并发登记 {i}")

    errors = _run_threads(work, threads)
    assert not errors, errors
    serials = sorted(SupervisionItem.objects.values_list("serial", flat=True))
    assert serials == list(range(1, per_thread * threads + 1))


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_ticks_take_each_step_once(org) -> None:
    _skip_on_sqlite()
    items = [register(org, title=f"事项{i}") for i in range(6)]
    for it in items:
        services.item_assign(actor=None, item=it, today=D(2025, 9, 26))

    def work(_i: int) -> None:
        for day in (D(2025, 9, 29), D(2025, 10, 11), D(2025, 10, 17)):
            services.run_ladder(day)

    errors = _run_threads(work, 2)
    assert not errors, errors
    assert UrgingStep.objects.count() == 3 * len(items)
    numbers = sorted(UrgingStep.objects.filter(step="urging").values_list("number", flat=True))
    assert len(set(numbers)) == len(items)
    assert AuditEntry.objects.filter(action="supervision.urging").count() == len(items)


def test_luoshi_tick_runs_the_ladder_once_a_step(org, item) -> None:
    from io import StringIO

    from django.core.management import call_command

    services.item_assign(actor=None, item=item, today=D(2025, 9, 26))
    for _ in range(2):
        out = StringIO()
        call_command("tick", "--today=2025-10-11", stdout=out)
    assert "supervision.ladder" in out.getvalue()
    assert list(UrgingStep.objects.values_list("step", flat=True)) == ["urging"]
    item.refresh_from_db()
    assert item.light == "red"


def test_workdays_cli_agrees_with_the_assignment(org) -> None:
    """Issue 4 §5: `luoshi workdays add DATE N --json` gives the date items use."""
    import json
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("workdays", "add", "2025-09-26", "5", "--json", stdout=out)
    answer = json.loads(out.getvalue())
    assert answer["value"] == "2025-10-10" and answer["covered"] is True


def test_people_are_notified_in_their_language(org, item) -> None:
    from luoshi.notify.models import Notice

    staff = org.users["staff"]
    staff.language = "en"
    staff.save(update_fields=["language"])
    services.item_assign(actor=org.users["supervisor"], item=item, today=D(2025, 9, 26))
    notice = Notice.objects.get(recipient=staff, event="supervision.assigned")
    assert notice.subject == f"Supervision item assigned: {item.number}"
    assert notice.link == f"/supervision/items/{item.pk}/"
    services.run_ladder(D(2025, 10, 11))
    assert Notice.objects.filter(recipient=staff, event="supervision.urging").count() == 1
    services.run_ladder(D(2025, 10, 17))
    vice = org.users["vice"]
    assert Notice.objects.filter(recipient=vice, event="supervision.escalation").count() == 1
