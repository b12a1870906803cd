"""Browser: issue 15 finding 11 — a staff member's pages on a phone (390×844).

Found on a phone: the top bar was wider than the screen (the account menu and log-out off it),
the ledger squeezed its titles to two characters a line, the filters filled the first screen, the
report form sat below the history and the ballot's radio buttons were 14 px. Every page a staff
member uses must fit 360–414 px without scrolling the frame sideways, with targets a finger can
hit (44 px); the desktop (1280 px) keeps its layout.
"""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Iterator
from typing import Any

import pytest
from django.utils import timezone

from conftest import PASSWORD
from luoshi.core import demodata
from luoshi.core.calendar import ensure_seeded
from luoshi.evaluation import services as evaluation
from luoshi.evaluation.models import Campaign
from luoshi.orgs.demo import build_demo
from luoshi.orgs.models import User
from luoshi.plans.models import Task
from luoshi.plans.permissions import tasks_visible
from luoshi.plans.services.plans import key_point_create, plan_approve, plan_create, plan_issue
from luoshi.plans.services.reports import ReportIn, report_submit
from luoshi.plans.services.roadmap import MilestoneIn
from luoshi.plans.services.tasks import IndicatorIn, TaskIn, task_create
from luoshi.supervision import services as supervision
from luoshi.supervision.models import SupervisionItem
from luoshi.supervision.permissions import items_visible

from .conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
TITLE = "举办侨商投资合作交流会，签约项目不少于20个，推动一批重点项目落地见效"


def _page(browser: Any, live_server: Any, viewport: dict[str, int]) -> Iterator[Any]:
    context = browser.new_context(locale="zh-CN", viewport=viewport)
    page = context.new_page()
    page.set_default_timeout(15_000)
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.base_url = live_server.url
    page.console_errors = errors
    yield page
    context.close()


@pytest.fixture
def phone(browser: Any, live_server: Any) -> Iterator[Any]:
    yield from _page(browser, live_server, PHONE)


@pytest.fixture
def desktop(browser: Any, live_server: Any) -> Iterator[Any]:
    yield from _page(browser, live_server, DESKTOP)


def make_task(org: Any) -> Task:
    """An issued task of 经济科技部 (the staff persona's unit) with a roadmap, an indicator and
    four progress reports, so that its history is long."""
    sup = org.users["supervisor"]
    today = timezone.localdate()
    plan = plan_create(actor=sup, agency=org.agency, year=today.year, title="工作要点")
    point = key_point_create(
        actor=sup, plan=plan, title="服务经济发展", level=1, number=1, label="一、", sort_order=1
    )
    end = dt.date(today.year, 12, 31)
    task = task_create(
        actor=sup,
        data=TaskIn(
            plan=plan,
            key_point=point,
            code=f"{today.year}-1-0-1",
            title=TITLE,
            lead_unit=org.econ,
            leader_in_charge=org.people["vice"],
            deadline=end,
            milestones=[
                MilestoneIn("制定实施方案，明确责任分工", end),
                MilestoneIn("总结评估", end),
            ],
            indicators=[IndicatorIn("签约项目", decimal.Decimal(20), "个")],
        ),
    )
    plan_approve(actor=org.users["leader"], plan=plan)
    plan_issue(actor=sup, plan=plan)
    for percent in (10, 20, 30, 40):
        report_submit(
            actor=org.users["staff"],
            task=Task.objects.get(pk=task.pk),
            unit=org.econ,
            data=ReportIn(
                text=f"按计划推进，已完成{percent}%的工作，正在征求有关单位意见。", percent=percent
            ),
        )
    return task


def make_item(org: Any) -> SupervisionItem:
    """A supervision item assigned to 经济科技部 and accepted: the staff persona feeds back."""
    today = timezone.localdate()
    item = supervision.item_register(
        actor=org.users["supervisor"],
        data=supervision.ItemIn(
            title="推动侨资企业座谈会议定事项落实，逐项明确责任单位和完成时限",
            source=SupervisionItem.Source.INSTRUCTION,
            lead_unit=org.econ,
            cooperating_units=[org.liaison],
            responsible_person=org.people["staff"],
            leader_in_charge=org.people["vice"],
            instruction_by=org.people["leader"],
            instruction_on=today,
            instruction_text="请经济科技部牵头，抓紧研究落实。",
            deadline_working_days=10,
        ),
    )
    item = supervision.item_assign(actor=org.users["supervisor"], item=item)
    return supervision.item_accept(actor=org.users["staff"], item=item)


def make_ballot(org: Any) -> None:
    """An open democratic evaluation in which the staff persona rates three people."""
    hr = org.users["hr"]
    campaign = evaluation.campaign_create(
        actor=hr,
        unit=org.agency,
        year=timezone.localdate().year,
        title="年度机关工作人员民主测评",
        ballot_mode=Campaign.BallotMode.IDENTIFIED,  # signed-in voters, each with a link
    )
    p = org.people
    evaluation.candidates_set(
        actor=hr, campaign=campaign, people=[p["head"], p["office_staff"], p["liaison_staff"]]
    )
    evaluation.voters_set(actor=hr, campaign=campaign, people=[p["staff"], p["head"]])
    evaluation.campaign_publish(actor=hr, campaign=campaign)


def overflow(page: Any) -> int:
    """How far the frame scrolls sideways (0: not at all)."""
    return int(page.evaluate("document.documentElement.scrollWidth - window.innerWidth"))


def box(locator: Any) -> dict[str, float]:
    b = locator.bounding_box()
    assert b is not None, locator
    return dict(b)


def on_screen_horizontally(locator: Any, width: int = PHONE["width"]) -> bool:
    b = box(locator)
    return b["x"] >= 0 and b["x"] + b["width"] <= width


def open_ballot(page: Any) -> None:
    page.goto(page.base_url + "/evaluation/my-ballots/")
    page.locator("a[href*='/evaluation/ballot/']").first.click()
    page.wait_for_selector("fieldset")


def history_card(page: Any) -> Any:
    return page.locator(".ls-card", has=page.locator("h2", has_text="历史沿革"))


def staff_pages_fit(
    page: Any, paths: list[str], widths: tuple[int, ...], *, ballot: bool = True
) -> None:
    """Each of `paths` (and the ballot behind "my ballots") answers 200 and does not scroll
    sideways at each of `widths` (the page is signed in)."""
    for width in widths:
        page.set_viewport_size({"width": width, "height": PHONE["height"]})
        for path in paths:
            response = page.goto(page.base_url + path)
            assert response.status == 200, path
            assert overflow(page) <= 0, (width, path)
        if ballot:
            open_ballot(page)
            assert overflow(page) <= 0, (width, "ballot")


def test_no_page_a_staff_member_uses_scrolls_sideways_on_a_phone(phone: Any, org: Any) -> None:
    """issue 15 finding 11: sign-in, home, my work, the ledger, a task with its report form, a
    supervision item with its feedback form, my items, my ballots and the ballot all fit 390 px
    (and 360 and 414 px, the narrowest and widest common phones)."""
    task, item = make_task(org), make_item(org)
    make_ballot(org)
    for path in ("/login/", "/vote/"):
        phone.goto(phone.base_url + path)
        assert overflow(phone) <= 0, path
    login(phone, "staff", PASSWORD)
    paths = [
        "/",
        "/my-work/",
        "/tasks/",
        f"/tasks/{task.pk}/",
        f"/supervision/items/{item.pk}/",
        "/supervision/mine/",
        "/evaluation/my-ballots/",
    ]
    staff_pages_fit(phone, paths, (390, 360, 414))
    assert not phone.console_errors, phone.console_errors


def test_the_demo_staff_member_s_pages_fit_a_phone(phone: Any, settings: Any) -> None:
    """issue 15 finding 11 as found: the demo's staff member (经济科技部) on a phone — every
    task and supervision item they can open, with the demo's long names and histories, fits."""
    settings.LUOSHI_DEMO_PASSWORD = "luoshi-demo"
    ensure_seeded()  # the working-day calendar (a transactional test starts with none)
    build_demo()
    for _name, run in demodata.steps():
        run()
    staff = User.objects.get(username="demo_staff")
    tasks = [f"/tasks/{pk}/" for pk in tasks_visible(staff).values_list("pk", flat=True)]
    items = [
        f"/supervision/items/{pk}/" for pk in items_visible(staff).values_list("pk", flat=True)
    ]
    assert tasks and items
    login(phone, "demo_staff", "luoshi-demo")
    paths = ["/", "/my-work/", "/tasks/", "/supervision/mine/", "/evaluation/my-ballots/"]
    # the demo's open evaluation uses anonymous slips: no ballot waits behind "my ballots"
    staff_pages_fit(phone, [*paths, *tasks, *items], (390, 360), ballot=False)
    assert not phone.console_errors, phone.console_errors


def test_the_account_menu_and_log_out_are_on_the_screen(phone: Any, org: Any) -> None:
    """issue 15 finding 11: the account menu's button is inside the screen, opening it shows
    the profile, the language list and log-out on the screen, and log-out works; the menu
    button opens the navigation over the page with links 44 px tall."""
    make_task(org)  # something to do, so that "my work" is offered
    login(phone, "staff", PASSWORD)
    phone.goto(phone.base_url + "/tasks/")
    account = phone.locator("#ls-user-menu")
    assert account.is_visible() and on_screen_horizontally(account)
    account.click()
    log_out = phone.locator(".ls-topbar button[type=submit]", has_text="退出登录")
    log_out.wait_for(state="visible")
    assert on_screen_horizontally(log_out)
    assert box(log_out)["height"] >= 44
    language = phone.locator("#ls-language-menu")
    assert language.is_visible() and on_screen_horizontally(language)
    assert phone.locator(".ls-topbar a", has_text="个人中心").is_visible()
    phone.keyboard.press("Escape")

    navigation = phone.locator("#ls-sidebar")
    assert not navigation.is_visible()
    toggle = phone.locator("[data-ls-toggle-nav]")
    toggle.click()
    assert navigation.is_visible() and toggle.get_attribute("aria-expanded") == "true"
    link = navigation.locator("a.nav-link", has_text="我的待办")
    assert on_screen_horizontally(link) and box(link)["height"] >= 44
    # a tap beside the open navigation closes it and follows nothing
    phone.mouse.click(PHONE["width"] - 10, 400)
    assert not navigation.is_visible() and phone.url.endswith("/tasks/")

    account.click()
    log_out.click()
    phone.wait_for_url("**/login/**")
    assert overflow(phone) <= 0
    assert not phone.console_errors, phone.console_errors


def test_the_ledger_is_a_list_of_cards_with_the_title_across(phone: Any, org: Any) -> None:
    """issue 15 finding 11: each ledger row is a card inside the screen with the title across
    it (it was squeezed to two characters a line); the sort links stay."""
    task = make_task(org)
    login(phone, "staff", PASSWORD)
    phone.goto(phone.base_url + "/tasks/")
    rows = phone.locator("#ledger-results tbody tr")
    assert rows.count() == 1
    row = rows.first
    assert row.evaluate("tr => getComputedStyle(tr).display") != "table-row"
    assert on_screen_horizontally(row)
    title = row.locator("td", has=phone.locator(f"a[href='/tasks/{task.pk}/']"))
    assert box(title)["width"] > 200
    assert box(title)["height"] < 80  # two lines at most, not a column of characters
    assert row.locator("td", has_text="经济科技部").is_visible()
    sort = phone.locator("#ledger-results thead a", has_text="完成时限")
    assert sort.is_visible() and box(sort)["height"] >= 44


def test_the_ledger_filters_fold_away_on_a_phone(phone: Any, org: Any) -> None:
    """issue 15 finding 11: the filters no longer fill the first screen: they are folded behind
    a toggle, the first task is on the first screen, and the toggle opens them."""
    make_task(org)
    login(phone, "staff", PASSWORD)
    phone.goto(phone.base_url + "/tasks/")
    search = phone.locator("#id_q")
    assert not search.is_visible()
    first = phone.locator("#ledger-results tbody tr").first
    assert box(first)["y"] + 40 < PHONE["height"]
    toggle = phone.locator("summary", has_text="筛选")
    assert box(toggle)["height"] >= 44
    toggle.click()
    assert search.is_visible()
    search.fill("不存在的任务")
    phone.wait_for_selector("#ledger-results td[colspan]")
    assert overflow(phone) <= 0


def test_the_report_form_comes_before_the_history_on_a_phone(phone: Any, org: Any) -> None:
    """issue 15 finding 11: on the task page the report form follows the task's summary, above
    the reports and the history (it sat below them); the feedback form of a supervision item
    likewise comes before its timeline."""
    task, item = make_task(org), make_item(org)
    login(phone, "staff", PASSWORD)
    phone.goto(phone.base_url + f"/tasks/{task.pk}/")
    form = phone.locator("form[action$='/report/']")
    reports = phone.locator(".ls-card", has=phone.locator("h2", has_text="进展报告"))
    assert box(form)["y"] < box(reports)["y"] < box(history_card(phone))["y"]
    assert box(form)["y"] < PHONE["height"] * 2  # within the second screen
    assert on_screen_horizontally(form)

    phone.goto(phone.base_url + f"/supervision/items/{item.pk}/")
    feedback = phone.locator("form[action$='/feedback/']")
    timeline = phone.locator(".ls-card", has=phone.locator("h2", has_text="办理过程"))
    assert box(feedback)["y"] < box(timeline)["y"]


def _short_targets(page: Any, scope: str) -> list[str]:
    """The visible buttons, fields and radio/checkbox labels in `scope` under 44 px tall."""
    return list(
        page.evaluate(
            """scope => Array.from(document.querySelectorAll(
                `${scope} button, ${scope} input:not([type=hidden]):not([type=radio])`
                + `:not([type=checkbox]), ${scope} select, ${scope} textarea,`
                + ` ${scope} .form-check-label, ${scope} .ls-grade`))
              .filter(el => el.offsetParent !== null)
              .filter(el => el.getBoundingClientRect().height < 44)
              .map(el => `${el.tagName} ${el.name || el.textContent.trim()}`
                         + ` ${Math.round(el.getBoundingClientRect().height)}px`)""",
            scope,
        )
    )


def test_targets_are_44_px_on_the_ballot_and_the_report_form(phone: Any, org: Any) -> None:
    """issue 15 finding 11: the ballot's radio labels (14 px radios before), its button and every
    field and button of the report and feedback forms are at least 44 px tall; a tap on the
    radio's row chooses it."""
    task, item = make_task(org), make_item(org)
    make_ballot(org)
    login(phone, "staff", PASSWORD)
    open_ballot(phone)
    labels = phone.locator(".ls-ballot .ls-grade")  # each grade a labelled row
    assert labels.count() >= 9
    assert _short_targets(phone, ".ls-ballot") == []
    first = labels.first
    b = box(first)
    assert b["height"] >= 44 and b["width"] >= 44
    phone.mouse.click(b["x"] + 8, b["y"] + b["height"] - 6)  # the row's corner, off the radio
    assert first.locator("input[type=radio]").is_checked()

    phone.goto(phone.base_url + f"/tasks/{task.pk}/")
    assert phone.locator("form[action$='/report/'] textarea").count() >= 1  # text (+ drop reason)
    assert _short_targets(phone, "form[action$='/report/']") == []
    phone.goto(phone.base_url + f"/supervision/items/{item.pk}/")
    assert _short_targets(phone, "form[action$='/feedback/']") == []


def test_the_desktop_layout_keeps_its_key_points(desktop: Any, org: Any) -> None:
    """issue 15 finding 11, the other side: at 1280 px nothing of the phone layout shows — the
    navigation is a column on the left, the language list and the account menu are in the top
    bar, the ledger is a table under its open filters, and the task's forms are beside the
    record, to the right."""
    task = make_task(org)
    login(desktop, "staff", PASSWORD)
    desktop.goto(desktop.base_url + "/tasks/")
    assert overflow(desktop) <= 0
    navigation = box(desktop.locator("#ls-sidebar"))
    assert navigation["x"] == 0 and navigation["width"] == 208
    assert not desktop.locator("[data-ls-toggle-nav]").is_visible()
    for selector in ("#ls-language", "#ls-user-menu", "#ls-notices"):
        element = desktop.locator(selector)
        assert element.is_visible() and box(element)["y"] < 52, selector
    assert not desktop.locator("#ls-language-menu").is_visible()
    assert desktop.locator("#id_q").is_visible()
    assert not desktop.locator("summary", has_text="筛选").is_visible()
    assert desktop.locator("#ledger-results thead th").first.is_visible()
    row = desktop.locator("#ledger-results tbody tr").first
    assert row.evaluate("tr => getComputedStyle(tr).display") == "table-row"
    assert box(row)["height"] < 60  # one line

    desktop.goto(desktop.base_url + f"/tasks/{task.pk}/")
    form, history = box(desktop.locator("form[action$='/report/']")), box(history_card(desktop))
    assert form["x"] > history["x"] + history["width"]  # the right-hand column
    summary = box(desktop.locator(".ls-card").first)
    assert abs(form["y"] - summary["y"]) < 2  # both columns start at the top
    assert overflow(desktop) <= 0
    assert not desktop.console_errors, desktop.console_errors
