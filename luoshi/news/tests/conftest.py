from __future__ import annotations

import io
from typing import Any

import pytest
from django.utils import translation
from PIL import Image, ImageDraw

from luoshi.news import services
from luoshi.news.models import NewsItem
from luoshi.orgs import services as org_services
from luoshi.orgs.roles import Role


@pytest.fixture(autouse=True)
def _english_messages() -> Any:
    with translation.override("en"):
        yield


def jpeg(
    size: tuple[int, int] = (640, 480), color: str = "#3366aa", gps: bool = False, text: str = ""
) -> bytes:
    """A JPEG drawn with Pillow; with `gps`, EXIF carrying a location, a camera make and model
    and an orientation (rotated 90°)."""
    img = Image.new("RGB", size, color)
    ImageDraw.Draw(img).rectangle((10, 10, size[0] // 3, size[1] // 3), fill="#ffffff")
    if text:
        ImageDraw.Draw(img).text((20, 20), text, fill="#000000")
    out = io.BytesIO()
    if gps:
        exif = Image.Exif()
        exif[0x010F] = "FictionalCam"  # Make
        exif[0x0110] = "FC-1000"  # Model
        exif[0x0112] = 6  # Orientation: rotate 90° clockwise to display
        exif[0xA431] = "SN123456"  # BodySerialNumber
        gps_ifd = {1: "N", 2: (30.0, 15.0, 12.5), 3: "E", 4: (120.0, 9.0, 30.0)}
        exif[0x8825] = gps_ifd
        img.save(out, "JPEG", exif=exif)
    else:
        img.save(out, "JPEG")
    return out.getvalue()


@pytest.fixture
def editor(org: Any) -> Any:
    """The agency's news editor (责任编辑), who holds the first review."""
    user = org_services.user_create(
        actor=None, username="editor", password="Luoshi-test-1", person=org.people["office_staff"]
    )
    org_services.role_assign(actor=None, user=user, role=Role.STAFF, anchor=None)
    org_services.role_assign(actor=None, user=user, role=Role.NEWS_EDITOR, anchor=org.agency)
    return user


@pytest.fixture
def author(org: Any) -> Any:
    """A writer in the office (whose head is the persona `head`)."""
    return org.users["supervisor"]


@pytest.fixture
def item(author: Any) -> NewsItem:
    return services.item_create(
        actor=author,
        title="测试省侨联召开2025年度机关工作会议",
        blocks=[{"type": "paragraph", "text": "12月28日，会议召开。"}],
    )


def approve_all(item: NewsItem, org: Any, editor: Any, accept: bool = False) -> NewsItem:
    item = services.submit(actor=item.author, item=item)
    item = services.review(actor=editor, item=item, decision="approve")
    item = services.review(actor=org.users["head"], item=item, decision="approve")
    return services.review(
        actor=org.users["leader"], item=item, decision="approve", accept_warnings=accept
    )
