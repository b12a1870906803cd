"""Wording on the appraisal pages (issue 15 findings 7 and 8): one English word, the Chinese
word of its place; no raw keys; 考核 in Traditional script."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import reverse

from luoshi.appraisal import services
from luoshi.appraisal.models import AnnualCycle

pytestmark = pytest.mark.django_db


def test_open_reads_as_start_on_the_button_and_in_progress_in_the_status(
    org: Any, client_for: Any
) -> None:
    """issue 15 finding 7: "Open" was 开始 everywhere. The routine appraisal page shows it twice:
    the button that opens a quarter (启动) and the status of an open quarter (进行中)."""
    services.routine_open(actor=org.users["head"], unit=org.office, year=2025, quarter=2)
    html = client_for("head").get("/appraisal/routine/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    text = html.content.decode()
    assert re.search(r'type="submit">启动</button>', text)
    assert "<td>进行中</td>" in text
    assert "开始" not in text


def test_the_cycle_tab_is_an_overview_not_the_leaders_dashboard(
    org: Any, cycle: AnnualCycle, client_for: Any
) -> None:
    """issue 15 finding 7: HR's overview tab of a cycle read 领导驾驶舱 (the plans dashboard)."""
    html = client_for("hr").get(
        reverse("appraisal:cycle", args=[cycle.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    tabs = html.content.decode().split('<ul class="nav nav-tabs', 1)[1].split("</ul>", 1)[0]
    assert ">概览</a>" in tabs and "领导驾驶舱" not in tabs


def test_unit_weights_are_named_not_keyed(org: Any, client_for: Any) -> None:
    """issue 15 finding 7: the weights line read "权重: completion 30 · on_time 30"."""
    text = (
        client_for("hr")
        .get(reverse("appraisal:units"), HTTP_ACCEPT_LANGUAGE="zh-hans")
        .content.decode()
    )
    weights = text.split("权重", 1)[1].split("</p>", 1)[0]
    assert "任务完成率（%） 30" in weights and "领导评价" in weights
    for key in ("completion", "on_time", "supervision", "reports_on_time", "leadership"):
        assert key not in weights


def test_traditional_pages_write_kaohe_with_the_standard_form(
    org: Any, cycle: AnnualCycle, client_for: Any
) -> None:
    """issue 15 finding 8: zh-Hant pages wrote 考核 as 考覈."""
    client = client_for("hr")
    for url in (reverse("appraisal:cycles"), reverse("appraisal:cycle", args=[cycle.pk])):
        text = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hant").content.decode()
        assert "考核" in text, url
        assert "考覈" not in text and "審覈" not in text, url


def test_history_preview_and_eligibility_changes_show_labels_not_codes(
    org: Any, cycle: AnnualCycle, client_for: Any
) -> None:
    """issue 15 finding 7: the import preview showed grade codes ("excellent") and a
    participant's eligibility history its codes ("graded → ungraded")."""
    import io

    from openpyxl import Workbook

    from .conftest import part

    wb = Workbook()
    ws = wb.active
    ws.append(["年度", "姓名", "单位", "等次"])
    ws.append([2023, "戊科员", "经济科技部", "优秀"])
    ws.append([2024, "丙主任", "", ""])
    out = io.BytesIO()
    wb.save(out)
    out.seek(0)
    out.name = "history.xlsx"
    c = client_for("hr")
    resp = c.post(
        reverse("appraisal:history_import", args=[cycle.pk]),
        {"file": out},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    table = resp.content.decode().split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    assert "<td>优秀</td>" in table and "<td>不定等次</td>" in table
    assert "excellent" not in table

    p = part(cycle, org, "staff")
    services.eligibility_change(
        actor=org.users["hr"], participant=p, reason="试用期", override="comments_only"
    )
    html = c.get(
        reverse("appraisal:participant", args=[p.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans"
    ).content.decode()
    history = html.split('<ul class="small mt-2">', 1)[1].split("</ul>", 1)[0]
    assert "确定等次 → 只写评语（试用期）" in history
    assert "graded" not in history and "comments_only" not in history
