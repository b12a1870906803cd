"""Browser: a news item written on a phone — a collage of three photos, a pasted text whose
image path becomes a problem to resolve (the gate fails on it), the problem resolved, three
reviews, publication by the editor, and the public page seen without a login."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from conftest import PASSWORD
from luoshi.news import services
from luoshi.news.models import NewsItem
from luoshi.news.tests.conftest import jpeg
from luoshi.orgs import services as org_services
from luoshi.orgs.roles import Role

from .conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
PATH = r"C:\Users\…\Desktop\临时文件夹\DSC_6478.JPG"


def test_write_a_collage_fail_on_a_pasted_path_fix_and_publish(
    org: Any, window: Callable[[dict[str, int]], Any], tmp_path: Path
) -> None:
    editor = org_services.user_create(
        actor=None, username="editor", password=PASSWORD, person=org.people["office_staff"]
    )
    org_services.role_assign(actor=None, user=editor, role=Role.STAFF, anchor=None)
    org_services.role_assign(actor=None, user=editor, role=Role.NEWS_EDITOR, anchor=org.agency)

    page = window(PHONE)
    login(page, "supervisor", PASSWORD)
    page.goto(page.base_url + "/newsdesk/new/")
    page.fill("input[name=title]", "测试省侨联召开机关工作会议")
    page.click("#news-create button[type=submit]")
    page.wait_for_selector("#news-edit")
    item = NewsItem.objects.get()
    for n, color in enumerate(("#aa3333", "#33aa33", "#3333aa")):
        photo = tmp_path / f"汇报{n}.jpg"
        photo.write_bytes(jpeg(color=color, gps=True))
        page.set_input_files("#photo-upload input[name=file]", str(photo))
        page.click("#photo-upload button[type=submit]")
        page.wait_for_selector(f"#photo-list [data-photo]:nth-child({n + 2})")
    ids = list(item.photos.order_by("id").values_list("pk", flat=True))
    assert len(ids) == 3

    page.click("[data-add=paragraph]")
    page.fill(".news-paragraph", "12月28日，机关工作会议召开。")
    page.click("[data-add=photos]")
    page.click(".news-add-photo")
    page.click(".news-add-photo")
    for k, pk in enumerate(ids):
        page.locator(".news-photo-choice").nth(k).select_option(str(pk))
        page.locator(".news-caption").nth(k).fill(f"部门汇报{k + 1}")
        page.locator(".news-alt").nth(k).fill(f"负责同志在发言席汇报工作{k + 1}")
    page.fill(".news-collage-caption", "各部门负责同志汇报工作")
    page.fill("#paste-box", f"会议要求，各部门要狠抓落实。\n{PATH}")
    page.click("#paste-add")
    assert page.locator(".news-block-missing code").inner_text() == PATH
    texts = page.locator(".news-paragraph").evaluate_all("els => els.map(e => e.value)")
    assert all("DSC_6478" not in t for t in texts)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.evaluate("window.innerWidth"), width

    page.click("#save-check")
    page.wait_for_selector("#gate")
    assert page.locator("#gate-problems [data-code=missing_photo]").count() == 1
    assert PATH in page.locator("#gate-problems").inner_text()

    page.click("#edit-link")
    page.locator(".news-block-missing .news-delete").click()
    page.click("#save-check")
    page.wait_for_selector("#gate-ok")
    page.click("#submit-review")
    page.wait_for_selector("#news-status")
    item.refresh_from_db()
    assert item.status == NewsItem.Status.FIRST_REVIEW
    item = services.review(actor=editor, item=item, decision="approve")
    item = services.review(actor=org.users["head"], item=item, decision="approve")
    services.review(actor=org.users["leader"], item=item, decision="approve")

    desk = window(PHONE)
    login(desk, "editor", PASSWORD)
    desk.goto(desk.base_url + f"/newsdesk/{item.pk}/")
    desk.click("#publish")
    desk.wait_for_selector("#public-link")
    public = desk.locator("#public-link").get_attribute("href")

    reader = window(PHONE)
    reader.goto(reader.base_url + public)
    collage = reader.locator("#public-article .news-collage img")
    assert collage.count() == 3
    # every picture arrives and decodes (waits; a loaded machine serves them slowly)
    reader.wait_for_function(
        "() => [...document.querySelectorAll('#public-article .news-collage img')]"
        ".every(e => e.complete && e.naturalWidth > 0)"
    )
    assert "DSC_6478" not in reader.content()
    width = reader.evaluate("document.documentElement.scrollWidth")
    assert width <= reader.evaluate("window.innerWidth"), width
