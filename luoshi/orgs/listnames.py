"""The editable lists' entries (posts, ranks, staff categories, political statuses) in the
viewer's language and script.

The lists are data, stored in Simplified Chinese (orgs.defaults seeds them; administrators add
to them). A zh-Hant page shows a name converted to the Taiwan/Hong Kong standard forms
(`luoshi.core.text.to_traditional`); an English page shows the default entries by this
translation table, and an entry the table does not know as it is stored. Exports and official
documents keep the stored name.
"""

from __future__ import annotations

from functools import lru_cache

from django.utils import translation

from luoshi.core.text import to_traditional

ENGLISH: dict[str, str] = {
    # posts
    "主席": "Chair",
    "副主席": "Vice-chair",
    "秘书长": "Secretary-general",
    "主任": "Director",
    "部长": "Head of department",
    "副主任": "Deputy director",
    "副部长": "Deputy head of department",
    "处长": "Division director",
    "副处长": "Deputy division director",
    "科长": "Section chief",
    "副科长": "Deputy section chief",
    "科员": "Section member",
    "干部": "Staff member",
    # ranks
    "一级巡视员": "Inspector, first grade",
    "二级巡视员": "Inspector, second grade",
    "一级调研员": "Researcher, first grade",
    "二级调研员": "Researcher, second grade",
    "三级调研员": "Researcher, third grade",
    "四级调研员": "Researcher, fourth grade",
    "一级主任科员": "Principal staff member, first grade",
    "二级主任科员": "Principal staff member, second grade",
    "三级主任科员": "Principal staff member, third grade",
    "四级主任科员": "Principal staff member, fourth grade",
    "一级科员": "Staff member, first grade",
    "二级科员": "Staff member, second grade",
    "专业技术岗位": "Professional and technical post",
    "管理岗位": "Management post",
    "工勤技能岗位": "Skilled worker post",
    # staff categories
    "公务员": "Civil servant",
    "参照公务员法管理": "Managed under the Civil Servant Law",
    "事业单位": "Public institution staff",
    "企业": "Enterprise staff",
    "其他": "Other",
    # political statuses
    "中共党员": "CPC member",
    "中共预备党员": "CPC probationary member",
    "共青团员": "Communist Youth League member",
    "民革党员": "RCCK member",
    "民盟盟员": "China Democratic League member",
    "民建会员": "CNDCA member",
    "民进会员": "CAPD member",
    "农工党党员": "Chinese Peasants' and Workers' Democratic Party member",
    "致公党党员": "China Zhi Gong Party member",
    "九三学社社员": "Jiusan Society member",
    "台盟盟员": "Taiwan Democratic Self-Government League member",
    "无党派人士": "Non-party personage",
    "群众": "No party affiliation",
}


@lru_cache(maxsize=4096)
def _traditional(name: str) -> str:
    return to_traditional(name)


def display(name: str) -> str:
    """`name` (stored Simplified) as the active language shows it."""
    language = (translation.get_language() or "").lower()
    if language.startswith("en"):
        return ENGLISH.get(name, name)
    if language == "zh-hant":
        return _traditional(name)
    return name
