"""The demo agency's news (fictional people and pictures drawn with Pillow): last year's
work-meeting news published with its photos (one single photo and a collage of department
reports), and this year's draft waiting for the second review (the office head's). A news
editor account (demo_editor) holds the first reviews. Built through the services; idempotent.
"""

from __future__ import annotations

import datetime as dt
import io

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from PIL import Image, ImageDraw, ImageFont

from luoshi.orgs import services as org_services
from luoshi.orgs.demo import AGENCY_CODE
from luoshi.orgs.models import OrgUnit, Person, User
from luoshi.orgs.roles import Role

from . import drafting, services
from .models import NewsItem

EDITOR = "demo_editor"


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    for path in (
        "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
        "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    ):
        try:
            return ImageFont.truetype(path, size)
        except OSError:
            continue
    return ImageFont.load_default()


def picture(text: str, color: str, size: tuple[int, int] = (1920, 1080)) -> bytes:
    """A coloured scene: a stage, a banner with the text, rows of seats (no real person)."""
    img = Image.new("RGB", size, color)
    draw = ImageDraw.Draw(img)
    w, h = size
    draw.rectangle((0, int(h * 0.62), w, h), fill="#5b3a29")
    draw.rectangle((int(w * 0.1), int(h * 0.08), int(w * 0.9), int(h * 0.22)), fill="#b71c1c")
    draw.text((int(w * 0.14), int(h * 0.11)), text, fill="#ffffff", font=_font(h // 14))
    for row in range(3):
        for seat in range(12):
            x = int(w * 0.08) + seat * int(w * 0.07)
            y = int(h * 0.68) + row * int(h * 0.1)
            draw.ellipse((x, y, x + int(w * 0.03), y + int(w * 0.03)), fill="#333333")
    out = io.BytesIO()
    img.save(out, "JPEG", quality=85)
    return out.getvalue()


def _editor(agency: OrgUnit) -> User:
    user = User.objects.filter(username=EDITOR).first()
    if user is not None:
        return user
    office = OrgUnit.objects.filter(path__startswith=agency.path, name="办公室").first()
    taken = User.objects.exclude(person=None).values("person_id")
    person = (
        Person.objects.filter(unit=office, is_active=True)
        .exclude(pk__in=taken)
        .order_by("pk")
        .first()
    )
    user = org_services.user_create(
        actor=None,
        username=EDITOR,
        password=settings.LUOSHI_DEMO_PASSWORD,
        person=person,
        validate_password=False,
    )
    org_services.role_assign(actor=None, user=user, role=Role.STAFF)
    org_services.role_assign(actor=None, user=user, role=Role.NEWS_EDITOR, anchor=agency)
    return user


def _facts(year: int) -> drafting.MeetingFacts:
    return drafting.MeetingFacts(
        date=dt.date(year, 12, 28) if year < timezone.localdate().year else timezone.localdate(),
        title=f"{year}年度机关工作会议",
        organization="省侨联",
        venue="机关三楼会议室",
        presiding_name="",
        presiding_title="",
        speakers=(
            drafting.Speaker("机关主要领导", "", "作年度工作报告"),
            drafting.Speaker("办公室主任", "", f"宣读了《关于表彰{year}年度机关先进工作者的决定》"),
        ),
        reporting_units=12,
        exchange_speeches=4,
        awards=(drafting.Award(f"{year}年度机关先进工作者", "经济科技部等部门的10名同志"),),
        attendance="机关全体干部职工、各直属单位负责同志",
    )


@transaction.atomic
def build_demo() -> str:
    agency = OrgUnit.objects.filter(code=AGENCY_CODE).first()
    if agency is None:
        return "no demo agency"
    if NewsItem.objects.filter(agency=agency).exists():
        return "already there"
    editor = _editor(agency)
    author = User.objects.get(username="demo_supervisor")
    head = User.objects.get(username="demo_head")
    leader = User.objects.get(username="demo_leader")
    year = timezone.localdate().year
    last = services.news_from_facts(
        actor=author,
        facts=_facts(year - 1),
        authors="办公室 宣传组",
        photographers="办公室 宣传组",
        editors="责任编辑（演示）",
    )
    photos = [
        services.photo_add(actor=author, item=last, name=f"scene-{i}.jpg", data=picture(t, c))[0]
        for i, (t, c) in enumerate(
            [
                (f"{year - 1}年度机关工作会议", "#1f4e79"),
                ("部门工作汇报（一）", "#2e7d32"),
                ("部门工作汇报（二）", "#6a1b9a"),
                ("交流发言", "#ef6c00"),
            ]
        )
    ]
    blocks = list(last.blocks)
    blocks.insert(
        1,
        {
            "type": "photos",
            "photos": [
                {
                    "photo": photos[0].pk,
                    "caption": "会议现场",
                    "alt": "会场全景，主席台上方悬挂会标",
                }
            ],
        },
    )
    blocks.append(
        {
            "type": "photos",
            "caption": "各部门和直属单位负责同志汇报工作",
            "photos": [
                {"photo": p.pk, "caption": c, "alt": a}
                for p, c, a in (
                    (photos[1], "部门汇报", "一位负责同志在发言席汇报工作"),
                    (photos[2], "部门汇报", "另一位负责同志汇报工作"),
                    (photos[3], "交流发言", "一位同志作交流发言"),
                )
            ],
        }
    )
    last = services.item_update(actor=author, item=last, version=last.version, blocks=blocks)
    last = services.submit(actor=author, item=last)
    last = services.review(actor=editor, item=last, decision="approve", comments="文字已校")
    last = services.review(actor=head, item=last, decision="approve", comments="情况属实")
    last = services.review(
        actor=leader, item=last, decision="approve", comments="同意发布", accept_warnings=True
    )
    services.publish(actor=editor, item=last)
    this = services.news_from_facts(actor=author, facts=_facts(year), authors="办公室 宣传组")
    this = services.submit(actor=author, item=this)
    services.review(actor=editor, item=this, decision="approve", comments="文字已校")
    return "2 news items (one published, one waiting for the second review)"
