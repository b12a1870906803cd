"""The files a news release becomes: the WeChat-ready package (zip: one HTML file with inline
styles and its images as separate files, made offline), the PDF copy for the archive (with
its photos, in the CJK font), and the approval form (信息发布审批表, docx) kept once the
final review approves."""

from __future__ import annotations

import html
import io
import json
import zipfile
from typing import IO, Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from luoshi.core.errors import InvalidInput
from luoshi.documents import pdf
from luoshi.documents.exporters import EXPORTERS, Exporter
from luoshi.documents.official import OfficialDocument, chinese_date

from . import rules
from .models import NewsItem, NewsPhoto, ReviewStep
from .photos import rendition_type

register = EXPORTERS.register
DOCX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


class WechatLimits(InvalidInput):
    code = "wechat_limits"


def _photos(item: NewsItem) -> dict[int, NewsPhoto]:
    return {p.pk: p for p in item.photos.all()}


def emphasis_html(text: str, strong: str = "<strong>") -> str:
    end = "</strong>"
    return "".join(
        f"{strong}{html.escape(piece)}{end}" if bold else html.escape(piece)
        for piece, bold in rules.emphasis_spans(text)
    ).replace("\n", "<br>")


# --- WeChat ---------------------------------------------------------------------------------

P_STYLE = (
    "margin:0 0 1em;line-height:1.75;font-size:16px;color:#333;text-indent:2em;text-align:justify;"
)
CAPTION_STYLE = "margin:4px 0 1em;font-size:14px;color:#888;text-align:center;line-height:1.5;"
IMG_STYLE = "display:block;width:100%;height:auto;margin:0 auto;"
QUOTE_STYLE = "margin:0 0 1em;padding:8px 12px;border-left:4px solid #b71c1c;background:#f7f7f7;color:#555;font-size:15px;line-height:1.75;"  # noqa: E501


def wechat_package(item: NewsItem) -> bytes:
    """The zip, or WechatLimits (title over 64 characters, digest over 120)."""
    pol = rules.policy()
    digest = rules.digest_of(item.digest, item.blocks, pol)
    problems = rules.wechat_problems(item.title, digest, pol)
    if problems:
        raise WechatLimits(
            _("The item does not fit WeChat's limits: %(list)s")
            % {"list": " ".join(str(p["message"]) for p in problems)},
            details=problems,
        )
    photos = _photos(item)
    files: dict[str, bytes] = {}
    parts = []
    for block in item.blocks:
        kind = block["type"]
        if kind == "paragraph":
            parts.append(f'<p style="{P_STYLE}">{emphasis_html(block["text"])}</p>')
        elif kind == "quote":
            source = (
                f'<br><span style="color:#999">——{html.escape(block["source"])}</span>'
                if block["source"]
                else ""
            )
            parts.append(
                f'<blockquote style="{QUOTE_STYLE}">{html.escape(block["text"])}{source}</blockquote>'  # noqa: E501
            )
        elif kind == "photos":
            for slot in block["photos"]:
                photo = photos.get(slot["photo"])
                if photo is None:
                    continue
                ext = "png" if rendition_type(bytes(photo.web)) == "image/png" else "jpg"
                name = f"images/{photo.key}.{ext}"
                files[name] = bytes(photo.web)
                alt = "" if slot["decorative"] else slot["alt"]
                parts.append(
                    f'<p style="margin:0;text-align:center;"><img src="{name}" alt="{html.escape(alt)}" style="{IMG_STYLE}"></p>'  # noqa: E501
                )
                if slot["caption"]:
                    parts.append(f'<p style="{CAPTION_STYLE}">{html.escape(slot["caption"])}</p>')
            if block.get("caption"):
                parts.append(f'<p style="{CAPTION_STYLE}">{html.escape(block["caption"])}</p>')
    byline = "　".join(
        x
        for x in (
            f"来源：{item.source}" if item.source else "",
            f"文：{item.authors}" if item.authors else "",
            f"摄影：{item.photographers}" if item.photographers else "",
            f"责任编辑：{item.editors}" if item.editors else "",
        )
        if x
    )
    head = f'<meta charset="utf-8"><title>{html.escape(item.title)}</title>'
    lead = (
        f'<p style="margin:0;font-size:15px;color:#666;text-align:center;">{html.escape(item.lead_title)}</p>'  # noqa: E501
        if item.lead_title
        else ""
    )
    sub = (
        f'<p style="margin:0 0 8px;font-size:15px;color:#666;text-align:center;">{html.escape(item.subtitle)}</p>'  # noqa: E501
        if item.subtitle
        else ""
    )
    body = (
        f'<section style="max-width:677px;margin:0 auto;padding:0 8px;font-family:-apple-system,PingFang SC,Microsoft YaHei,sans-serif;">'  # noqa: E501
        f'{lead}<h1 style="margin:8px 0;font-size:22px;line-height:1.4;color:#222;text-align:center;">{html.escape(item.title)}</h1>{sub}'  # noqa: E501
        f'<p style="margin:0 0 16px;font-size:13px;color:#999;text-align:center;">{html.escape(byline)}</p>'  # noqa: E501
        + "".join(parts)
        + "</section>"
    )
    document = f'<!doctype html><html lang="zh-CN"><head>{head}</head><body style="margin:0;">{body}</body></html>'  # noqa: E501
    meta = {"title": item.title, "digest": digest, "author": item.authors, "source": item.source}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("article.html", document)
        zf.writestr("meta.json", json.dumps(meta, ensure_ascii=False, indent=1))
        for name, data in files.items():
            zf.writestr(name, data)
    return buffer.getvalue()


# --- the archive PDF -------------------------------------------------------------------------


def archive_pdf(item: NewsItem) -> bytes:
    from reportlab.lib.units import mm
    from reportlab.platypus import Image, Paragraph, Spacer

    font = pdf.cjk_font()
    st = pdf.styles(font, size=11)
    photos = _photos(item)
    flow: list[Any] = []
    if item.lead_title:
        flow.append(pdf.paragraph(item.lead_title, st["small"]))
    flow.append(pdf.paragraph(item.title, st["title"]))
    if item.subtitle:
        flow.append(pdf.paragraph(item.subtitle, st["heading"]))
    byline = "　".join(
        x
        for x in (
            item.source,
            item.authors and f"文：{item.authors}",
            item.photographers and f"摄影：{item.photographers}",
            item.editors and f"责任编辑：{item.editors}",
        )
        if x
    )
    when = item.published_at or item.created_at
    flow.append(pdf.paragraph(f"{byline}　{timezone.localtime(when):%Y-%m-%d}", st["small"]))
    if item.status != NewsItem.Status.PUBLISHED:
        flow.append(pdf.paragraph(f"［{item.get_status_display()}］", st["small"]))
    flow.append(Spacer(1, 4 * mm))
    width = 170 * mm
    for block in item.blocks:
        kind = block["type"]
        if kind == "paragraph":
            flow.append(
                Paragraph(
                    "　　" + emphasis_html(block["text"], "<b>").replace("</strong>", "</b>"),
                    st["body"],
                )
            )
        elif kind == "quote":
            flow.append(
                pdf.paragraph(
                    f"“{block['text']}”" + (f" ——{block['source']}" if block["source"] else ""),
                    st["body"],
                )
            )
        elif kind == "photos":
            for slot in block["photos"]:
                photo = photos.get(slot["photo"])
                if photo is None:
                    continue
                scale = min(width / photo.width, 110 * mm / photo.height)
                flow.append(
                    Image(
                        io.BytesIO(bytes(photo.web)),
                        width=photo.width * scale,
                        height=photo.height * scale,
                    )
                )
                if slot["caption"]:
                    flow.append(pdf.paragraph(slot["caption"], st["small"]))
            if block.get("caption"):
                flow.append(pdf.paragraph(block["caption"], st["small"]))
        flow.append(Spacer(1, 2 * mm))
    return pdf.build_pdf(flow, title=item.title, author=item.source)


# --- the approval form -------------------------------------------------------------------------


def approval_form_docx(item: NewsItem) -> bytes:
    """信息发布审批表: the item's particulars and each stage's reviewer, opinion and date."""
    doc = OfficialDocument(title="信息发布审批表")
    doc.title("信息发布审批表")
    steps = {
        r.stage: r
        for r in item.reviews.filter(review_round=item.review_round).order_by("id")
        if r.decision == ReviewStep.Decision.APPROVE
    }
    author = item.author
    person = getattr(author, "person", None)

    def stage(code: str) -> str:
        step = steps.get(code)
        if step is None:
            return ""
        day = chinese_date(timezone.localtime(step.at).date())
        return f"{step.comments or '同意'}　{step.reviewer_name}（已签）　{day}"

    rows = [
        ("标题", item.title),
        ("来源", item.source),
        ("作者", item.authors or (person.name if person else author.get_username())),
        ("摄影", item.photographers),
        ("责任编辑", item.editors),
        ("拟稿部门", item.unit.name),
        ("初审意见（编辑）", stage(ReviewStep.Stage.FIRST)),
        ("复审意见（部门负责人）", stage(ReviewStep.Stage.SECOND)),
        ("终审意见（分管领导）", stage(ReviewStep.Stage.FINAL)),
        (
            "已接受的提示",
            "；".join(f"{w['text']}：{w['message']}" for w in item.accepted_warnings) or "无",
        ),
    ]
    doc.table(["项目", "内容"], rows, widths=(40, 116))
    return doc.to_bytes()


# --- the registered exporters ------------------------------------------------------------------


class NewsExporter(Exporter):
    streaming = False

    def __init__(self, user: Any, item: NewsItem) -> None:
        super().__init__(user)
        self.item = item

    @property
    def obj(self) -> Any:
        return self.item

    def file_name(self) -> str:
        return self.item.title[:60]

    def write(self, target: IO[bytes]) -> int:
        raise NotImplementedError


@register
class WechatZip(NewsExporter):
    identifier = "news_wechat_zip"
    verbose_name = gettext_lazy("WeChat package")
    extension = "zip"
    content_type = "application/zip"
    audit_action = "news.export_wechat"

    def write(self, target: IO[bytes]) -> int:
        target.write(wechat_package(self.item))
        return 1


@register
class ArchivePdf(NewsExporter):
    identifier = "news_archive_pdf"
    verbose_name = gettext_lazy("Archive copy (PDF)")
    extension = "pdf"
    content_type = pdf.PDF_CONTENT_TYPE
    audit_action = "news.export_pdf"

    def write(self, target: IO[bytes]) -> int:
        target.write(archive_pdf(self.item))
        return 1


@register
class ApprovalForm(NewsExporter):
    identifier = "news_approval_docx"
    verbose_name = gettext_lazy("Approval form")
    extension = "docx"
    content_type = DOCX_CONTENT_TYPE
    audit_action = "news.export_approval_form"

    def file_name(self) -> str:
        return f"信息发布审批表-{self.item.title[:40]}"

    def write(self, target: IO[bytes]) -> int:
        if not self.item.approval_form:
            raise InvalidInput(_("The approval form exists once the final review approves."))
        target.write(bytes(self.item.approval_form))
        return 1
