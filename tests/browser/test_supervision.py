"""Browser: register an item from an instruction, assign it, feed back, review, close out."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from conftest import PASSWORD
from luoshi.supervision.models import SupervisionItem

from .conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def switch_user(page: Any, username: str) -> None:
    page.context.clear_cookies()
    login(page, username, PASSWORD)


def submit(page: Any, form: str) -> None:
    page.click(f"{form} button[type=submit]")
    page.wait_for_load_state("networkidle")


def test_register_assign_feedback_close_out(page: Any, org: Any) -> None:
    login(page, "supervisor", PASSWORD)
    page.goto(page.base_url + "/supervision/register/")
    page.select_option("select[name=source]", "instruction")
    page.fill("input[name=title]", "推动侨资企业座谈会议定事项落实")
    page.fill("textarea[name=instruction_text]", "请经济科技部牵头，抓紧研究落实。")
    page.select_option("select[name=instruction_by]", str(org.people["leader"].pk))
    page.fill("input[name=instruction_on]", timezone.localdate().isoformat())
    page.select_option("select[name=lead_unit]", str(org.econ.pk))
    page.select_option("select[name=cooperating_units]", [str(org.liaison.pk)])
    page.select_option("select[name=leader_in_charge]", str(org.people["vice"].pk))
    page.select_option("select[name=urgency]", "urgent")
    page.fill("input[name=deadline_working_days]", "10")
    page.click(".ls-content form[method=post] button[type=submit]")
    page.wait_for_url("**/supervision/items/*/")
    item = SupervisionItem.objects.get()
    assert page.locator("text=" + item.number).first.is_visible()
    assert item.status == "registered"

    page.once("dialog", lambda dialog: dialog.accept())
    submit(page, "form[action$='/do/assign/']")
    page.wait_for_selector("a[href$='assignment-sheet.docx']")
    item.refresh_from_db()
    assert item.status == "assigned" and item.deadline is not None
    with page.expect_download() as download:
        page.click("a[href$='assignment-sheet.docx']")
    assert download.value.suggested_filename.endswith(".docx")

    switch_user(page, "staff")
    page.goto(page.base_url + f"/supervision/items/{item.pk}/")
    submit(page, "form[action$='/do/accept/']")
    page.wait_for_selector("form[action$='/feedback/']")
    page.select_option("form[action$='/feedback/'] select[name=kind]", "final")
    page.fill("form[action$='/feedback/'] textarea[name=text]", "议定事项已全部落实，材料已归档")
    submit(page, "form[action$='/feedback/']")
    page.wait_for_selector("text=议定事项已全部落实，材料已归档")
    item.refresh_from_db()
    assert item.status == "final_submitted"

    switch_user(page, "supervisor")
    page.goto(page.base_url + "/supervision/mine/")
    page.click(f"a[href='/supervision/items/{item.pk}/']")
    page.select_option("form[action*='/review/'] select[name=decision]", "accept")
    submit(page, "form[action*='/review/']")
    item.refresh_from_db()
    assert item.status == "reviewed"

    switch_user(page, "vice")
    page.goto(page.base_url + f"/supervision/items/{item.pk}/")
    page.select_option("form[action$='/close-out/'] select[name=decision]", "approve")
    submit(page, "form[action$='/close-out/']")
    item.refresh_from_db()
    assert item.status == "closed"
    page.goto(page.base_url + "/supervision/?status=closed")
    assert page.locator(f"a[href='/supervision/items/{item.pk}/']").is_visible()
    assert not page.console_errors, page.console_errors
