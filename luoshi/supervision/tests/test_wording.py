"""Wording on an item's page (issue 15 finding 7): "Final" and "Accepted" take the Chinese word
of their place."""

from __future__ import annotations

import re
from typing import Any

import pytest

from luoshi.supervision import services

from .conftest import D, register

pytestmark = pytest.mark.django_db


def test_a_final_feedback_accepted_reads_as_such_beside_an_accepted_item(
    org: Any, client_for: Any
) -> None:
    """issue 15 finding 7: a final feedback read 已确定 and an approved one 已签收 (the word for
    an item the unit has signed for). On one page: the item signed for (已签收), its final
    feedback (办结反馈) and that feedback approved (已通过)."""
    item = register(org, title="落实侨务政策")
    services.item_assign(actor=None, item=item, today=D(2025, 9, 26))
    item.refresh_from_db()
    services.item_accept(actor=org.users["staff"], item=item, today=D(2025, 9, 26))
    item.refresh_from_db()
    periodic = services.feedback_submit(
        actor=org.users["staff"], item=item, kind="periodic", text="推进中", today=D(2025, 9, 27)
    )
    services.feedback_review(actor=org.users["supervisor"], feedback=periodic, accept=True)
    item.refresh_from_db()
    before_final = client_for("supervisor").get(
        f"/supervision/items/{item.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    text = before_final.content.decode()
    assert "已签收" in text  # the item's status
    assert re.search(r"2025-09-27 · 阶段性反馈 · [^<]* · 已通过</div>", text)

    final = services.feedback_submit(
        actor=org.users["staff"], item=item, kind="final", text="全部完成", today=D(2025, 9, 29)
    )
    services.feedback_review(actor=org.users["supervisor"], feedback=final, accept=True)
    html = client_for("supervisor").get(
        f"/supervision/items/{item.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    text = html.content.decode()
    assert re.search(r"2025-09-29 · 办结反馈 · [^<]* · 已通过</div>", text)
    assert "已确定" not in text
