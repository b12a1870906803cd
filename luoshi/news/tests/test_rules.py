"""The publishing gate, rule by rule, including the paths of the published failure."""

from __future__ import annotations

import datetime as dt

import pytest

from luoshi.news import drafting, rules

PATHS = [
    r"C:\Users\…\Desktop\临时文件夹\DSC_6478.JPG",
    r"G:\机关工作会新闻稿\02-主席单人.jpg",
    r"…\Downloads\汇报拼图.jpg",
    r"…\发言拼图.jpg",
    r"\\server\新闻\照片\01.jpg",
    "file:///D:/photos/a.png",
]


def _check(blocks: list[dict], own: frozenset[int] = frozenset(), **kw: object) -> list:
    return rules.check(
        rules.GateInput(
            blocks=rules.normalize_blocks(blocks),
            own_photos=own,
            link_resolves=kw.pop("resolves", lambda link: link.startswith("/ok")),  # type: ignore[arg-type]
            title="标题",
            **kw,  # type: ignore[arg-type]
        )
    )


@pytest.mark.parametrize("path", PATHS)
def test_a_local_or_network_path_blocks_publication(path: str) -> None:
    problems = _check([{"type": "paragraph", "text": f"会议现场。{path}"}])
    assert [(p.code, p.block, p.text, p.severity) for p in problems] == [
        ("local_path", 0, path, "error")
    ]


@pytest.mark.parametrize(
    "name", ["DSC_6478.JPG", "02-主席单人.jpg", "汇报拼图.jpg", "IMG_0001.png"]
)
def test_a_bare_image_file_name_blocks(name: str) -> None:
    problems = _check(
        [{"type": "paragraph", "text": "会议现场"}, {"type": "paragraph", "text": name}]
    )
    assert [(p.code, p.block, p.text) for p in problems] == [("bare_file_name", 1, name)]


@pytest.mark.parametrize(
    "placeholder", ["【图1】", "【图片】", "[图2]", "（图3）", "【此处插入照片】"]
)
def test_a_placeholder_blocks(placeholder: str) -> None:
    problems = _check([{"type": "paragraph", "text": f"甲主席讲话{placeholder}"}])
    assert [(p.code, p.text) for p in problems] == [("placeholder", placeholder)]


def test_foreign_images_block() -> None:
    problems = _check(
        [
            {"type": "paragraph", "text": '<img src="http://cdn.example.com/a.jpg">'},
            {"type": "paragraph", "text": "见 https://cdn.example.com/b.png"},
            {"type": "photos", "photos": [{"photo": 99, "caption": "会场", "alt": "会场全景"}]},
        ],
        own=frozenset({1}),
    )
    assert [(p.code, p.block) for p in problems] == [
        ("foreign_image", 0),
        ("foreign_image", 1),
        ("foreign_image", 2),
    ]


def test_a_photo_needs_caption_and_alt_text_unless_decorative() -> None:
    problems = _check(
        [
            {
                "type": "photos",
                "photos": [
                    {"photo": 1, "caption": "", "alt": "会场"},
                    {"photo": 2, "caption": "会场", "alt": ""},
                    {"photo": 3, "caption": "花饰", "alt": "", "decorative": True},
                ],
            }
        ],
        own=frozenset({1, 2, 3}),
    )
    assert [p.code for p in problems] == ["missing_caption", "missing_alt"]


def test_links_must_resolve_inside_the_site() -> None:
    problems = _check(
        [
            {
                "type": "paragraph",
                "text": "详见 /ok/page/ 和 /missing/page/ 以及 https://example.org/x",
            }
        ]
    )
    assert [(p.code, p.text) for p in problems] == [
        ("broken_link", "/missing/page/"),
        ("broken_link", "https://example.org/x"),
    ]


def test_a_pasted_image_reference_becomes_a_problem_block_never_text() -> None:
    pasted = rules.paste_blocks(f"第一段。\n{PATHS[0]}\n第二段【图1】完。\n{PATHS[1]}")
    assert pasted == [
        {"type": "paragraph", "text": "第一段。"},
        {"type": "missing_photo", "reference": PATHS[0]},
        {"type": "paragraph", "text": "第二段 完。"},
        {"type": "missing_photo", "reference": "【图1】"},
        {"type": "missing_photo", "reference": PATHS[1]},
    ]
    assert all("jpg" not in b.get("text", "").lower() for b in pasted)
    problems = _check(pasted)
    assert [p.code for p in problems] == ["missing_photo"] * 3


def test_a_wrong_title_is_a_warning() -> None:
    roster = [rules.RosterEntry("乙某某", "副主席", dt.date(2020, 1, 1))]
    problems = _check(
        [{"type": "paragraph", "text": "主席乙某某出席。副主席乙某某讲话。"}],
        roster=roster,
        posts=["主席", "副主席"],
        on=dt.date(2025, 12, 28),
    )
    assert [(p.code, p.text, p.severity) for p in problems] == [
        ("wrong_title", "主席乙某某", "warning")
    ]
    later = [rules.RosterEntry("乙某某", "副主席", dt.date(2026, 3, 1))]
    problems = _check(
        [{"type": "paragraph", "text": "副主席乙某某讲话。"}],
        roster=later,
        posts=["副主席"],
        on=dt.date(2025, 12, 28),
    )
    assert [(p.code, p.severity) for p in problems] == [("wrong_title", "warning")]


def test_a_clean_body_has_no_problems() -> None:
    assert (
        _check(
            [
                {"type": "paragraph", "text": "12月28日，会议召开，**成效显著**。增长12.5%。"},
                {"type": "photos", "photos": [{"photo": 1, "caption": "会场", "alt": "会场全景"}]},
                {"type": "quote", "text": "一分部署，九分落实。", "source": "甲主席"},
            ],
            own=frozenset({1}),
        )
        == []
    )


def test_malformed_blocks_are_refused() -> None:
    with pytest.raises(rules.BlockError):
        rules.normalize_blocks([{"type": "html", "text": "<p>x</p>"}])
    with pytest.raises(rules.BlockError):
        rules.normalize_blocks([{"type": "photos", "photos": []}])


def test_wechat_limits() -> None:
    pol = rules.Policy()
    assert rules.wechat_problems("标" * 64, "摘" * 120, pol) == []
    assert [p["field"] for p in rules.wechat_problems("标" * 65, "摘" * 121, pol)] == [
        "title",
        "digest",
    ]


def test_draft_from_the_facts_of_a_meeting() -> None:
    facts = drafting.MeetingFacts(
        date=dt.date(2025, 12, 28),
        title="2025年度机关工作会议",
        organization="测试省侨联",
        venue="机关三楼会议室",
        presiding_name="乙某某",
        presiding_title="副主席",
        speakers=(
            drafting.Speaker("甲某某", "主席", "作工作报告"),
            drafting.Speaker(
                "丙某某", "办公室主任", "宣读了《关于表彰2025年度机关先进工作者的决定》"
            ),
        ),
        reporting_units=12,
        exchange_speeches=4,
        awards=(drafting.Award("2025年度机关先进工作者", "戊某某等10名同志"),),
        attendance="机关全体干部职工",
    )
    texts = [b["text"] for b in drafting.draft_blocks(facts)]
    assert (
        texts[0]
        == "12月28日，测试省侨联2025年度机关工作会议在机关三楼会议室召开。副主席乙某某主持会议。"
    )
    assert "主席甲某某作工作报告" in texts[1] and "办公室主任丙某某宣读了" in texts[1]
    assert texts[2].startswith("12个部门和直属单位") and "4名同志作交流发言" in texts[2]
    assert "戊某某等10名同志被评为2025年度机关先进工作者" in texts[3]
    assert texts[4] == "机关全体干部职工参加会议。"
    assert drafting.draft_title(facts) == "测试省侨联召开2025年度机关工作会议"
