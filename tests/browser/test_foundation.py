"""Browser: log in, import the sample people file, search across scripts, switch the language."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from conftest import PASSWORD
from luoshi.orgs.models import OrgUnit, Person

from .conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SAMPLE = Path(settings.BASE_DIR).parent / "shared" / "data" / "org-people.xlsx"


def test_import_search_and_switch_language(page: Any, org: Any) -> None:
    units_before, people_before = OrgUnit.objects.count(), Person.objects.count()
    login(page, "admin", PASSWORD)

    page.click("nav >> text=导入单位和人员")
    page.set_input_files("input[type=file]", str(SAMPLE))
    page.click("button:has-text('检查文件')")
    page.wait_for_selector("text=立即导入")
    assert page.locator("text=将新建 17 个单位").count() == 1
    assert page.locator("text=将新建 160 名人员").count() == 1
    page.click("button:has-text('立即导入')")
    page.wait_for_selector("h1:has-text('导入完成')")
    assert OrgUnit.objects.count() == units_before + 17
    assert Person.objects.count() == people_before + 160

    # 贺萍杰 of the sample, found by a Traditional-script search.
    page.click("nav >> text=人员")
    page.fill("input[name=q]", "賀萍傑")
    page.press("input[name=q]", "Enter")
    page.wait_for_selector("table >> text=贺萍杰")
    assert page.locator("table tbody tr").count() == 1

    # With the keyboard, an arrow key only changes the choice (WCAG 3.2.2): the page stays...
    page.focus("#ls-language")
    page.keyboard.press("ArrowDown")
    page.wait_for_timeout(300)
    assert page.locator("h1:has-text('人员')").count() == 1
    # ...until Enter confirms it.
    page.select_option("#ls-language", "en")
    page.press("#ls-language", "Enter")
    page.wait_for_selector("h1:has-text('People')")
    assert page.locator("nav >> text=Org tree").count() == 1
    page.goto(page.base_url + "/")
    assert page.locator("h1:has-text('My workbench')").count() == 1  # kept on the account
    assert not page.console_errors, page.console_errors


def test_outsider_sees_nothing_of_the_agency(page: Any, org: Any) -> None:
    login(page, "outsider", PASSWORD)
    page.goto(page.base_url + "/people/")
    assert page.locator("table >> text=寅市侨联").count() == 1
    assert page.locator("table >> text=戊科员").count() == 0
    response = page.goto(page.base_url + f"/people/{org.people['leader'].pk}/")
    assert response.status == 404
