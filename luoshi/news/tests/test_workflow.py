"""Photos, the gate on real items, 三审 and its separation, publication, the public pages,
withdrawal and the exports — through the services, the API and the pages."""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

import pytest
from django.test import Client
from PIL import Image

from luoshi.core.errors import Forbidden, InvalidInput
from luoshi.news import services
from luoshi.news.models import NewsItem

from .conftest import approve_all, jpeg

pytestmark = pytest.mark.django_db

PATH = r"C:\Users\…\Desktop\临时文件夹\DSC_6478.JPG"


def _photo_blocks(*ids: int) -> list[dict[str, Any]]:
    return [
        {"type": "paragraph", "text": "12月28日，会议召开。"},
        {
            "type": "photos",
            "caption": "部门汇报",
            "photos": [{"photo": i, "caption": f"汇报{i}", "alt": f"负责同志汇报{i}"} for i in ids],
        },
    ]


def test_exif_location_and_device_data_are_removed_and_orientation_applied(item: NewsItem) -> None:
    data = jpeg((400, 200), gps=True)
    assert Image.open(io.BytesIO(data)).getexif().get_ifd(0x8825)  # the test photo has a location
    photo, duplicate = services.photo_add(actor=item.author, item=item, name="DSC_1.JPG", data=data)
    assert not duplicate
    for rendition in (photo.image, photo.web, photo.thumb):
        stored = bytes(rendition)
        img = Image.open(io.BytesIO(stored))
        exif = img.getexif()
        assert not exif.get_ifd(0x8825) and 0x8825 not in exif
        assert 0x010F not in exif and 0x0110 not in exif and 0x0112 not in exif
        assert b"FictionalCam" not in stored and b"SN123456" not in stored and b"Exif" not in stored
    assert (photo.width, photo.height) == (200, 400)  # rotated as the camera said
    assert services.photo_warnings(photo)  # below 1920×1080


def test_duplicates_by_hash_and_only_jpeg_or_png(item: NewsItem) -> None:
    data = jpeg()
    first, _ = services.photo_add(actor=item.author, item=item, name="a.jpg", data=data)
    again, duplicate = services.photo_add(actor=item.author, item=item, name="b.jpg", data=data)
    assert duplicate and again.pk == first.pk and item.photos.count() == 1
    big, _ = services.photo_add(actor=item.author, item=item, name="c.jpg", data=jpeg((1920, 1080)))
    assert services.photo_warnings(big) == []
    gif = io.BytesIO()
    Image.new("RGB", (10, 10)).save(gif, "GIF")
    with pytest.raises(InvalidInput):
        services.photo_add(actor=item.author, item=item, name="x.gif", data=gif.getvalue())
    with pytest.raises(InvalidInput):
        services.photo_add(actor=item.author, item=item, name="x.jpg", data=b"not an image")


def test_tagging_people_from_the_roster(item: NewsItem, org: Any) -> None:
    photo, _ = services.photo_add(actor=item.author, item=item, name="a.jpg", data=jpeg())
    services.photo_tag(actor=item.author, photo=photo, people=[org.people["leader"].pk])
    assert list(photo.people.all()) == [org.people["leader"]]
    from luoshi.orgs.models import Person

    stranger = Person.objects.create(name="外人", gender="M", unit=org.city)
    stranger.unit = org.city
    # a person of the city federation is below the agency's path, but not a foreign one:
    # someone of no unit below the agency is refused
    with pytest.raises(InvalidInput):
        services.photo_tag(actor=item.author, photo=photo, people=[999999])


def test_review_separation(item: NewsItem, org: Any, editor: Any) -> None:
    from luoshi.orgs import services as org_services
    from luoshi.orgs.roles import Role

    item = services.submit(actor=item.author, item=item)
    with pytest.raises(InvalidInput) as exc:  # the author holds no stage
        services.review(actor=item.author, item=item, decision="approve")
    assert exc.value.code == "review_separation"
    with pytest.raises(Forbidden):  # the department head is not the first stage
        services.review(actor=org.users["head"], item=item, decision="approve")
    # the head made an editor too: may take the first stage, then not the second
    org_services.role_assign(
        actor=None, user=org.users["head"], role=Role.NEWS_EDITOR, anchor=org.agency
    )
    head = type(org.users["head"]).objects.get(pk=org.users["head"].pk)
    item = services.review(actor=head, item=item, decision="approve")
    assert item.status == NewsItem.Status.SECOND_REVIEW
    with pytest.raises(InvalidInput) as exc:
        services.review(actor=head, item=item, decision="approve")
    assert exc.value.code == "review_separation"


def test_return_with_comments_then_three_stages_and_the_approval_form(
    item: NewsItem, org: Any, editor: Any
) -> None:
    item = services.submit(actor=item.author, item=item)
    with pytest.raises(InvalidInput):  # returning needs comments
        services.review(actor=editor, item=item, decision="return")
    item = services.review(actor=editor, item=item, decision="return", comments="请补充参会人员")
    assert item.status == NewsItem.Status.DRAFT and item.review_round == 2
    item = approve_all(item, org, editor)
    assert item.status == NewsItem.Status.APPROVED
    assert item.approval_form_sha256 and bytes(item.approval_form or b"")[:2] == b"PK"
    from docx import Document

    text = "\n".join(
        c.text
        for t in Document(io.BytesIO(bytes(item.approval_form or b""))).tables
        for r in t.rows
        for c in r.cells
    )
    for name in ("丁科员", "丙主任", "甲主席"):
        assert name in text


def test_a_wrong_title_must_be_accepted_by_the_final_reviewer(
    author: Any, org: Any, editor: Any
) -> None:
    from luoshi.orgs.models import Post

    post = Post.objects.create(name="党组书记")
    vice = org.people["vice"]
    vice.post = Post.objects.create(name="党组成员")
    vice.save()
    item = services.item_create(
        actor=author,
        title="t",
        blocks=[{"type": "paragraph", "text": f"{post.name}乙副主席讲话。"}],
    )
    item = services.submit(actor=author, item=item)
    item = services.review(actor=editor, item=item, decision="approve")
    item = services.review(actor=org.users["head"], item=item, decision="approve")
    with pytest.raises(InvalidInput) as exc:
        services.review(actor=org.users["leader"], item=item, decision="approve")
    assert exc.value.code == "warnings_not_accepted"
    assert exc.value.details[0]["code"] == "wrong_title"
    item = services.review(
        actor=org.users["leader"], item=item, decision="approve", accept_warnings=True
    )
    assert item.status == NewsItem.Status.APPROVED and item.accepted_warnings


def test_publish_blocked_over_the_api_lists_each_problem(
    org: Any, editor: Any, token_for: Any
) -> None:
    author = Client(**token_for("supervisor"))
    r = author.post(
        "/api/v1/news",
        {
            "title": "机关工作会议召开",
            "blocks": [
                {"type": "paragraph", "text": "12月28日，会议召开。"},
                {"type": "paragraph", "text": PATH},
                {"type": "paragraph", "text": r"G:\机关工作会新闻稿\02-主席单人.jpg 【图1】"},
            ],
        },
        content_type="application/json",
    )
    assert r.status_code == 201, r.content
    pk = r.json()["id"]
    check = author.get(f"/api/v1/news/{pk}/check").json()
    assert not check["publishable"]
    assert [(p["code"], p["block"], p["text"]) for p in check["problems"]] == [
        ("local_path", 1, PATH),
        ("local_path", 2, r"G:\机关工作会新闻稿\02-主席单人.jpg"),
        ("placeholder", 2, "【图1】"),
    ]
    item = NewsItem.objects.get(pk=pk)
    approve_all(item, org, editor)
    from luoshi.orgs.models import User

    user = User.objects.get(pk=editor.pk)
    from luoshi.orgs import services as org_services

    _t, raw = org_services.api_token_create(actor=None, user=user, name="t")
    ed = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    r = ed.post(f"/api/v1/news/{pk}/publish")
    assert r.status_code == 422
    body = r.json()
    assert body["code"] == "publication_blocked"
    assert [(d["block"], d["text"]) for d in body["details"]] == [
        (1, PATH),
        (2, r"G:\机关工作会新闻稿\02-主席单人.jpg"),
        (2, "【图1】"),
    ]
    assert NewsItem.objects.get(pk=pk).status == NewsItem.Status.APPROVED


def test_api_upload_edit_publish_public_withdraw(
    org: Any, editor: Any, token_for: Any, client_for: Any
) -> None:
    from luoshi.orgs import services as org_services

    author = Client(**token_for("supervisor"))
    pk = author.post(
        "/api/v1/news", {"title": "会议召开", "blocks": []}, content_type="application/json"
    ).json()["id"]
    ids = []
    for color in ("#aa0000", "#00aa00"):
        r = author.post(f"/api/v1/news/{pk}/photos", {"file": _upload(jpeg(color=color, gps=True))})
        assert r.status_code == 201, r.content
        assert r.json()["url"].endswith("/web/")
        ids.append(r.json()["id"])
    photo = client_for("supervisor").get(r.json()["url"])
    assert photo.status_code == 200 and photo["Content-Type"] == "image/jpeg"
    assert Client().get(r.json()["url"]).status_code == 302  # no login: the login page
    item = author.get(f"/api/v1/news/{pk}").json()
    r = author.patch(
        f"/api/v1/news/{pk}",
        {"version": item["version"], "blocks": _photo_blocks(*ids)},
        content_type="application/json",
    )
    assert r.status_code == 200, r.content
    assert author.get(f"/api/v1/news/{pk}/check").json() == {"publishable": True, "problems": []}
    r = author.patch(
        f"/api/v1/news/{pk}",
        {"version": item["version"], "title": "x"},
        content_type="application/json",
    )
    assert r.status_code == 409
    approve_all(NewsItem.objects.get(pk=pk), org, editor)
    _t, raw = org_services.api_token_create(actor=None, user=editor, name="t")
    ed = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    r = ed.post(f"/api/v1/news/{pk}/publish")
    assert r.status_code == 200, r.content
    public_url = r.json()["public_url"]
    assert public_url
    listed = ed.get("/api/v1/news", {"status": "published"}).json()["results"]
    assert [(i["id"], i["public_url"]) for i in listed] == [(pk, public_url)]
    anonymous = Client()
    page = anonymous.get(public_url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "会议召开" in html and "负责同志汇报" in html
    img = [part.split('"')[0] for part in html.split('src="')[1:] if "/img/" in part]
    assert len(img) == 2 and all(anonymous.get(u).status_code == 200 for u in img)
    assert "会议召开" in anonymous.get("/news/").content.decode()
    feed = anonymous.get("/news/feed.atom")
    assert feed.status_code == 200 and "会议召开" in feed.content.decode()
    assert ed.get(f"/api/v1/news/{pk}/exports/pdf").content[:4] == b"%PDF"
    wechat = ed.get(f"/api/v1/news/{pk}/exports/wechat")
    zf = zipfile.ZipFile(io.BytesIO(wechat.content))
    names = zf.namelist()
    assert "article.html" in names and len([n for n in names if n.startswith("images/")]) == 2
    article = zf.read("article.html").decode()
    assert 'style="' in article and "<script" not in article and "http" not in article
    assert json.loads(zf.read("meta.json"))["title"] == "会议召开"
    assert ed.get(f"/api/v1/news/{pk}/exports/approval-form").status_code == 200
    r = ed.post(
        f"/api/v1/news/{pk}/withdraw", {"reason": "信息有误"}, content_type="application/json"
    )
    assert r.status_code == 200
    gone = anonymous.get(public_url)
    assert (
        gone.status_code == 410 and "withdrawn" in gone.content.decode().lower()
    ) or gone.status_code == 410
    assert all(anonymous.get(u).status_code == 404 for u in img)
    assert "会议召开" not in anonymous.get("/news/").content.decode()


def _upload(data: bytes, name: str = "DSC_6478.JPG") -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data, content_type="image/jpeg")


def test_wechat_export_refuses_a_long_title(item: NewsItem, client_for: Any) -> None:
    services.item_update(actor=item.author, item=item, version=item.version, title="标" * 65)
    from luoshi.news import exports

    with pytest.raises(InvalidInput) as exc:
        exports.wechat_package(NewsItem.objects.get(pk=item.pk))
    assert exc.value.code == "wechat_limits"
    r = Client(**{}).get("/")
    assert r.status_code in (200, 302)


def test_public_pages_show_nothing_unpublished(item: NewsItem, org: Any, editor: Any) -> None:
    anonymous = Client()
    assert item.title not in anonymous.get("/news/").content.decode()
    item = approve_all(item, org, editor)
    assert NewsItem.objects.get(pk=item.pk).slug is None
    assert anonymous.get("/news/feed.atom").content.decode().count("<entry>") == 0
    assert anonymous.get("/news/nothing-here/").status_code == 404


def test_drafts_are_scoped(item: NewsItem, client_for: Any, token_for: Any) -> None:
    for persona in ("outsider", "admin", "auditor"):
        assert client_for(persona).get(f"/newsdesk/{item.pk}/").status_code == 404
        api = Client(**token_for(persona))
        assert api.get(f"/api/v1/news/{item.pk}").status_code == 404
        assert item.title not in api.get("/api/v1/news").content.decode()
    assert client_for("supervisor").get(f"/newsdesk/{item.pk}/").status_code == 200
    assert client_for("head").get(f"/newsdesk/{item.pk}/").status_code == 200


def test_draft_from_facts_over_the_api(token_for: Any) -> None:
    r = Client(**token_for("supervisor")).post(
        "/api/v1/news/drafts",
        {
            "date": "2025-12-28",
            "title": "2025年度机关工作会议",
            "organization": "测试省侨联",
            "presiding_name": "乙副主席",
            "presiding_title": "副主席",
            "speakers": [{"name": "甲主席", "title": "主席", "did": "作工作报告"}],
            "reporting_units": 12,
            "exchange_speeches": 4,
        },
        content_type="application/json",
    )
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["title"] == "测试省侨联召开2025年度机关工作会议"
    assert body["event_date"] == "2025-12-28" and len(body["blocks"]) == 3


def test_pages_render(item: NewsItem, client_for: Any, editor: Any) -> None:
    c = client_for("supervisor")
    assert c.get("/newsdesk/").status_code == 200
    assert c.get("/newsdesk/?q=机关&status=draft").status_code == 200
    assert c.get("/newsdesk/new/").status_code == 200
    assert c.get("/newsdesk/from-meeting/").status_code == 200
    assert c.get(f"/newsdesk/{item.pk}/edit/").status_code == 200
    r = c.post(f"/newsdesk/{item.pk}/photos/", {"file": _upload(jpeg())})
    assert r.status_code == 302 and item.photos.count() == 1
    r = c.post(
        "/newsdesk/from-meeting/",
        {
            "title": "2025年度机关工作会议",
            "date": "2025-12-28",
            "speakers": "甲主席|主席|作工作报告",
            "awards": "先进工作者|戊科员",
            "reporting_units": "3",
            "exchange_speeches": "2",
        },
    )
    assert r.status_code == 302
