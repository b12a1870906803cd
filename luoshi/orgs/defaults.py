"""Sensible Chinese defaults for the editable lists (administrators may change them).

Used by migration orgs.0002 and by `ensure_default_lists()`, which puts back whatever a
transactional test's flush or an administrator removed by mistake.
"""

from __future__ import annotations

from typing import Any

from .models import PoliticalStatus, Post, Rank, StaffCategory

POSTS = [
    ("主席", True),
    ("副主席", True),
    ("秘书长", True),
    ("主任", True),
    ("部长", True),
    ("副主任", True),
    ("副部长", True),
    ("处长", True),
    ("副处长", True),
    ("科长", True),
    ("副科长", True),
    ("科员", False),
    ("干部", False),
]
RANKS = [
    "一级巡视员",
    "二级巡视员",
    "一级调研员",
    "二级调研员",
    "三级调研员",
    "四级调研员",
    "一级主任科员",
    "二级主任科员",
    "三级主任科员",
    "四级主任科员",
    "一级科员",
    "二级科员",
    "专业技术岗位",
    "管理岗位",
    "工勤技能岗位",
]
CATEGORIES = [
    ("公务员", "civil_servant"),
    ("参照公务员法管理", "civil_servant"),
    ("事业单位", "public_institution"),
    ("企业", "other"),
    ("其他", "other"),
]
POLITICAL = [
    "中共党员",
    "中共预备党员",
    "共青团员",
    "民革党员",
    "民盟盟员",
    "民建会员",
    "民进会员",
    "农工党党员",
    "致公党党员",
    "九三学社社员",
    "台盟盟员",
    "无党派人士",
    "群众",
]


def seed_lists(post: Any, rank: Any, staff_category: Any, political_status: Any) -> None:
    """Create any missing default entries (the model classes may be historical ones)."""
    for i, (name, leading) in enumerate(POSTS):
        post.objects.get_or_create(
            name=name, defaults={"sort_order": i * 10, "is_leadership": leading}
        )
    for i, name in enumerate(RANKS):
        rank.objects.get_or_create(name=name, defaults={"sort_order": i * 10})
    for i, (name, family) in enumerate(CATEGORIES):
        staff_category.objects.get_or_create(
            name=name, defaults={"sort_order": i * 10, "appraisal_family": family}
        )
    for i, name in enumerate(POLITICAL):
        political_status.objects.get_or_create(name=name, defaults={"sort_order": i * 10})


def ensure_default_lists() -> None:

    if Post.objects.exists() and StaffCategory.objects.exists():
        return
    seed_lists(Post, Rank, StaffCategory, PoliticalStatus)
