from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from luoshi.supervision import services
from luoshi.supervision.models import SupervisionItem

D = dt.date
ASSIGNED_ON = D(2025, 9, 26)


def register(org: Any, *, today: dt.date = ASSIGNED_ON, **overrides: Any) -> SupervisionItem:
    """An item from the leader's instruction, led by 经济科技部 with 组织联络部 helping."""
    fields: dict[str, Any] = {
        "title": "推动侨资企业座谈会议定事项落实",
        "source": SupervisionItem.Source.INSTRUCTION,
        "lead_unit": org.econ,
        "cooperating_units": [org.liaison],
        "responsible_person": org.people["staff"],
        "leader_in_charge": org.people["vice"],
        "instruction_by": org.people["leader"],
        "instruction_on": today,
        "instruction_text": "请经济科技部牵头，抓紧研究落实。",
        "source_document": "关于侨资企业座谈会情况的报告",
        "deadline_working_days": 5,
    }
    fields.update(overrides)
    return services.item_register(
        actor=org.users["supervisor"], data=services.ItemIn(**fields), today=today
    )


@pytest.fixture
def item(org: Any) -> SupervisionItem:
    return register(org)
