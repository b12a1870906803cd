"""The rules of a news release's body, as pure functions (no database): the shape of its
blocks, the publishing gate, and the limits of the WeChat export.

Values marked as in RULES.md:
- WeChat official-account limits: title at most 64 characters, digest at most 120 [practice —
  the platform's editor refuses longer ones; settings LUOSHI_NEWS["wechat_title_max"] …].
- A photo below 1920×1080 is a warning, not a refusal [practice: the print and screen size the
  agency's website asks for; LUOSHI_NEWS["min_width"], ["min_height"]].

The gate (`check`) lists every problem of the body, block by block: errors block publication,
warnings (a title that the roster does not confirm) must be accepted by the final reviewer.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

BLOCK_TYPES = ("paragraph", "photos", "quote", "missing_photo")
MAX_BLOCKS = 300
MAX_TEXT = 20_000
MAX_PHOTOS_PER_BLOCK = 12


@dataclass(frozen=True)
class Policy:
    wechat_title_max: int = 64  # [practice]
    wechat_digest_max: int = 120  # [practice]
    min_width: int = 1920  # [practice]
    min_height: int = 1080  # [practice]
    web_long_side: int = 1600  # the web rendition's longer side, in pixels
    thumb_long_side: int = 320
    max_upload_bytes: int = 20 * 1024 * 1024


def policy() -> Policy:
    overrides: dict[str, Any] = dict(settings.LUOSHI_NEWS or {})
    if "max_upload_bytes" not in overrides:
        overrides["max_upload_bytes"] = settings.LUOSHI_ATTACHMENT_MAX_BYTES
    known = set(Policy.__dataclass_fields__)
    unknown = set(overrides) - known
    if unknown:
        raise ValueError(f"Unknown LUOSHI_NEWS settings: {sorted(unknown)}")
    return Policy(**overrides)


# --- the shape of the blocks ------------------------------------------------------------------


class BlockError(ValueError):
    """The blocks are not well formed; `problems` lists each as {block, field, message}."""

    def __init__(self, problems: list[dict[str, Any]]) -> None:
        self.problems = problems
        super().__init__("; ".join(str(p["message"]) for p in problems))


def _text(value: Any, limit: int = MAX_TEXT) -> str | None:
    if not isinstance(value, str) or "\x00" in value or len(value) > limit:
        return None
    return value


def normalize_blocks(raw: Any) -> list[dict[str, Any]]:
    """The blocks in their stored form (unknown keys dropped), or BlockError listing each
    malformed one. Well formed is not publishable: that is the gate's business."""
    if not isinstance(raw, list):
        raise BlockError(
            [{"block": None, "field": "blocks", "message": _("The body must be a list of blocks.")}]
        )
    if len(raw) > MAX_BLOCKS:
        raise BlockError(
            [
                {
                    "block": None,
                    "field": "blocks",
                    "message": _("A news item has at most %(n)d blocks.") % {"n": MAX_BLOCKS},
                }
            ]
        )
    out: list[dict[str, Any]] = []
    problems: list[dict[str, Any]] = []

    def bad(i: int, name: str, message: str) -> None:
        problems.append({"block": i, "field": name, "message": message})

    for i, block in enumerate(raw):
        if not isinstance(block, dict) or block.get("type") not in BLOCK_TYPES:
            bad(i, "type", _("Unknown block type: use paragraph, photos or quote."))
            continue
        kind = block["type"]
        if kind == "paragraph":
            text = _text(block.get("text", ""))
            if text is None:
                bad(
                    i,
                    "text",
                    _("A paragraph's text must be plain text of at most %(n)d characters.")
                    % {"n": MAX_TEXT},
                )
                continue
            out.append({"type": "paragraph", "text": text})
        elif kind == "quote":
            text = _text(block.get("text", ""))
            source = _text(block.get("source", ""), 200)
            if text is None or source is None:
                bad(i, "text", _("A quote's text and source must be plain text."))
                continue
            out.append({"type": "quote", "text": text, "source": source})
        elif kind == "missing_photo":
            ref = _text(block.get("reference", ""), 1000)
            if ref is None:
                bad(i, "reference", _("The image reference must be plain text."))
                continue
            out.append({"type": "missing_photo", "reference": ref})
        else:
            photos = block.get("photos")
            if not isinstance(photos, list) or not 1 <= len(photos) <= MAX_PHOTOS_PER_BLOCK:
                bad(
                    i,
                    "photos",
                    _("A photo block holds 1 to %(n)d photos.") % {"n": MAX_PHOTOS_PER_BLOCK},
                )
                continue
            slots = []
            for slot in photos:
                if not isinstance(slot, dict):
                    bad(i, "photos", _("Each photo of a block names an uploaded photo."))
                    break
                pid = slot.get("photo")
                caption = _text(slot.get("caption", ""), 500)
                alt = _text(slot.get("alt", ""), 500)
                if isinstance(pid, str) and pid.isdigit():
                    pid = int(pid)
                if (
                    not (isinstance(pid, int) and not isinstance(pid, bool) and pid > 0)
                    or caption is None
                    or alt is None
                ):
                    bad(
                        i,
                        "photos",
                        _(
                            "Each photo of a block names an uploaded photo, with plain-text caption and alt text."  # noqa: E501
                        ),
                    )
                    break
                slots.append(
                    {
                        "photo": pid,
                        "caption": caption,
                        "alt": alt,
                        "decorative": bool(slot.get("decorative", False)),
                    }
                )
            else:
                caption = _text(block.get("caption", ""), 500) or ""
                out.append({"type": "photos", "photos": slots, "caption": caption})
    if problems:
        raise BlockError(problems)
    return out


def photo_ids(blocks: Iterable[dict[str, Any]]) -> list[int]:
    return [slot["photo"] for b in blocks if b["type"] == "photos" for slot in b["photos"]]


def block_texts(block: dict[str, Any]) -> list[str]:
    """The free text of a block the gate reads (captions and alt texts too)."""
    if block["type"] in ("paragraph",):
        return [block["text"]]
    if block["type"] == "quote":
        return [block["text"], block["source"]]
    if block["type"] == "photos":
        texts = [block.get("caption", "")]
        for slot in block["photos"]:
            texts += [slot["caption"], slot["alt"]]
        return texts
    return []


# --- light emphasis -------------------------------------------------------------------------

EMPHASIS = re.compile(r"\*\*(.+?)\*\*")


def emphasis_spans(text: str) -> list[tuple[str, bool]]:
    """A paragraph's text as (piece, emphasised) pairs: **…** marks the light emphasis."""
    spans: list[tuple[str, bool]] = []
    pos = 0
    for m in EMPHASIS.finditer(text):
        if m.start() > pos:
            spans.append((text[pos : m.start()], False))
        spans.append((m.group(1), True))
        pos = m.end()
    if pos < len(text):
        spans.append((text[pos:], False))
    return spans


def plain(text: str) -> str:
    return EMPHASIS.sub(r"\1", text)


# --- image references: what a pasted text must never keep as text -------------------------------

IMAGE_EXT = r"(?:jpe?g|png|gif|bmp|tiff?|webp|heic|heif)"
# a Windows drive path (C:\… G:\…), or one cut short with an ellipsis (…\Downloads\x.jpg)
DRIVE_PATH = re.compile(r"(?<![A-Za-z])[A-Za-z]:[\\/][^\s\"'<>|，。；、]*")
ELLIPSIS_PATH = re.compile(r"(?:…|\.\.\.)[\\/][^\s\"'<>|，。；、]*")
UNC_PATH = re.compile(r"\\\\[^\s\\\"'<>|]+\\[^\s\"'<>|，。；、]*")
FILE_URI = re.compile(r"file:[^\s\"'<>，。；、]*", re.IGNORECASE)
UNIX_PATH = re.compile(
    r"(?<![\w.:/])(?:/(?:Users|home|mnt|media|tmp|Volumes)/|~/)[^\s\"'<>，。；、]*"
)
BARE_NAME = re.compile(
    r"(?<![\w\-./\\:])[^\s\\/:*?\"<>|，。；：、（）()【】\[\]“”‘’]+\."
    + IMAGE_EXT
    + r"(?![A-Za-z0-9_.])",
    re.IGNORECASE,
)
PLACEHOLDER = re.compile(
    r"[【\[〔［〖]\s*[^】\]〕］〗\n]{0,12}?(?:图|圖|照片|图片|圖片|配图|插图)[^】\]〕］〗\n]{0,12}[】\]〕］〗]"
    r"|[（(]\s*(?:图|圖|图片|照片)\s*[0-9０-９一二三四五六七八九十]+\s*[）)]"
)
HTML_IMAGE = re.compile(r"<img\b[^>]*>|!\[[^\]]*\]\([^)]*\)", re.IGNORECASE)
_URL_CHARS = r"[A-Za-z0-9\-._~:/?#@!$&*+,;=%]"
LINK = re.compile(
    r"(?:https?://|www\.)"
    + _URL_CHARS
    + r"+|(?<![\w/\\.])/[A-Za-z0-9_\-]+(?:/"
    + _URL_CHARS
    + r"*)?",
    re.IGNORECASE,
)
IMAGE_URL = re.compile(r"\." + IMAGE_EXT + r"(?:\?|#|$)", re.IGNORECASE)


def image_references(text: str) -> list[tuple[str, str]]:
    """Every image reference in a text as (code, the offending text), in order: local and
    network paths, file: addresses, foreign images, placeholders such as 【图1】, and bare image
    file names (a name inside a path is reported with its path, once)."""
    found: list[tuple[int, int, str, str]] = []
    taken: list[tuple[int, int]] = []

    def add(code: str, regex: re.Pattern[str]) -> None:
        for m in regex.finditer(text):
            start, end = m.span()
            if any(s <= start < e or s < end <= e for s, e in taken):
                continue
            found.append((start, end, code, m.group(0)))
            taken.append((start, end))

    add("local_path", UNC_PATH)
    add("local_path", FILE_URI)
    add("local_path", DRIVE_PATH)
    add("local_path", ELLIPSIS_PATH)
    add("local_path", UNIX_PATH)
    add("foreign_image", HTML_IMAGE)
    for m in LINK.finditer(text):
        if IMAGE_URL.search(m.group(0)) and not any(s <= m.start() < e for s, e in taken):
            found.append((m.start(), m.end(), "foreign_image", m.group(0)))
            taken.append(m.span())
    add("placeholder", PLACEHOLDER)
    add("bare_file_name", BARE_NAME)
    found.sort()
    return [(code, piece) for _s, _e, code, piece in found]


def links(text: str, taken: Sequence[str] = ()) -> list[str]:
    """The links of a text (absolute and site-relative), without image references."""
    return [
        m.group(0).rstrip(".,")
        for m in LINK.finditer(text)
        if not any(m.group(0) in t or t in m.group(0) for t in taken)
    ]


def paste_blocks(text: str) -> list[dict[str, Any]]:
    """Pasted text as blocks: one paragraph per non-empty line; every image reference in it
    becomes a `missing_photo` block (a problem to resolve: upload the photo, or delete the
    block) and never stays in the text."""
    blocks: list[dict[str, Any]] = []
    for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        refs = image_references(line)
        rest = line
        for _code, piece in refs:
            rest = rest.replace(piece, " ")
        rest = re.sub(r"[ \t\u3000]{2,}", " ", rest).strip()
        if rest:
            blocks.append({"type": "paragraph", "text": rest})
        blocks += [{"type": "missing_photo", "reference": piece} for _code, piece in refs]
    return blocks


# --- the publishing gate --------------------------------------------------------------------


@dataclass(frozen=True)
class RosterEntry:
    """A person of the agency as the roster knows them on the checked date."""

    name: str
    post: str  # "" when not known
    post_since: Any = None  # the post is known only from this date on


@dataclass(frozen=True)
class Problem:
    code: str
    block: int | None  # index into the blocks (0-based); None for the item itself
    text: str  # the offending text
    message: str
    severity: str = "error"  # "error" blocks publication; "warning" is accepted at final review

    def as_dict(self, blocks: Sequence[dict[str, Any]] = ()) -> dict[str, Any]:
        data = {
            "code": self.code,
            "severity": self.severity,
            "block": self.block,
            "block_type": blocks[self.block]["type"]
            if self.block is not None and self.block < len(blocks)
            else None,
            "text": self.text,
            "message": self.message,
        }
        return data


@dataclass(frozen=True)
class GateInput:
    blocks: Sequence[dict[str, Any]]
    own_photos: frozenset[int]  # the ids of this item's uploaded photos
    link_resolves: Callable[[str], bool]
    roster: Sequence[RosterEntry] = ()
    posts: Sequence[str] = ()  # every post name the lists know
    on: Any = None  # the date titles are checked for
    title: str = ""
    extra_texts: Sequence[str] = field(default_factory=tuple)


def _messages() -> dict[str, str]:
    return {
        "local_path": _(
            "A path on a computer or a network share is not a picture: upload the photo and put it in a photo block."  # noqa: E501
        ),
        "bare_file_name": _(
            "An image file name is not a picture: upload the photo and put it in a photo block."
        ),
        "placeholder": _(
            "A placeholder for a picture: put the uploaded photo in a photo block instead."
        ),
        "foreign_image": _("An image that is not an uploaded photo of this item: upload it here."),
        "missing_photo": _(
            "A pasted image reference waits for its photo: upload it and replace this block, or delete the block."  # noqa: E501
        ),
        "missing_caption": _("A photo needs a caption under it."),
        "missing_alt": _(
            "A photo needs alt text for readers who cannot see it (or mark it decorative)."
        ),
        "broken_link": _("The link does not resolve inside the site."),
        "empty": _("The body is empty."),
        "no_title": _("The item has no title."),
    }


def check(data: GateInput) -> list[Problem]:
    """Every problem of the body, block by block, in block order."""
    msg = _messages()
    problems: list[Problem] = []
    if not data.title.strip():
        problems.append(Problem("no_title", None, "", msg["no_title"]))
    if not data.blocks:
        problems.append(Problem("empty", None, "", msg["empty"]))
    for i, block in enumerate(data.blocks):
        if block["type"] == "missing_photo":
            problems.append(Problem("missing_photo", i, block["reference"], msg["missing_photo"]))
            continue
        if block["type"] == "photos":
            for slot in block["photos"]:
                if slot["photo"] not in data.own_photos:
                    problems.append(
                        Problem("foreign_image", i, f"#{slot['photo']}", msg["foreign_image"])
                    )
                if not slot["caption"].strip():
                    problems.append(
                        Problem(
                            "missing_caption",
                            i,
                            slot["alt"] or f"#{slot['photo']}",
                            msg["missing_caption"],
                        )
                    )
                if not slot["decorative"] and not slot["alt"].strip():
                    problems.append(
                        Problem(
                            "missing_alt",
                            i,
                            slot["caption"] or f"#{slot['photo']}",
                            msg["missing_alt"],
                        )
                    )
        for text in block_texts(block):
            refs = image_references(text)
            for code, piece in refs:
                problems.append(Problem(code, i, piece, msg[code]))
            for link in links(text, [p for _c, p in refs]):
                if not data.link_resolves(link):
                    problems.append(Problem("broken_link", i, link, msg["broken_link"]))
            problems += _titles(i, plain(text), data)
    return problems


def _titles(i: int, text: str, data: GateInput) -> list[Problem]:
    """Names of the agency's people in the text with the title written right before them,
    compared with the roster on the date: a different or unconfirmed title is a warning."""
    out: list[Problem] = []
    posts = sorted(
        {p for p in data.posts if p} | {r.post for r in data.roster if r.post},
        key=len,
        reverse=True,
    )
    for person in data.roster:
        if len(person.name) < 2:
            continue
        for m in re.finditer(re.escape(person.name), text):
            before = text[max(0, m.start() - 16) : m.start()]
            written = next((p for p in posts if before.endswith(p)), "")
            if not written:
                continue
            mention = written + person.name
            if written != person.post:
                out.append(
                    Problem(
                        "wrong_title",
                        i,
                        mention,
                        _(
                            "The roster gives %(name)s the title “%(post)s” on %(day)s, not “%(written)s”."  # noqa: E501
                        )
                        % {
                            "name": person.name,
                            "post": person.post or "—",
                            "day": data.on,
                            "written": written,
                        },
                        severity="warning",
                    )
                )
            elif (
                person.post_since is not None
                and data.on is not None
                and person.post_since > data.on
            ):
                out.append(
                    Problem(
                        "wrong_title",
                        i,
                        mention,
                        _("%(name)s holds “%(post)s” only since %(since)s, after %(day)s.")
                        % {
                            "name": person.name,
                            "post": person.post,
                            "since": person.post_since,
                            "day": data.on,
                        },
                        severity="warning",
                    )
                )
    return out


def blocking(problems: Iterable[Problem]) -> list[Problem]:
    return [p for p in problems if p.severity == "error"]


def warnings(problems: Iterable[Problem]) -> list[Problem]:
    return [p for p in problems if p.severity == "warning"]


# --- the WeChat export's limits ---------------------------------------------------------------


def digest_of(digest: str, blocks: Sequence[dict[str, Any]], pol: Policy) -> str:
    """The digest as written, or (when none is) the start of the first paragraph."""
    if digest.strip():
        return digest.strip()
    first = next(
        (
            plain(b["text"]).strip()
            for b in blocks
            if b["type"] == "paragraph" and b["text"].strip()
        ),
        "",
    )
    return first[: pol.wechat_digest_max]


def wechat_problems(title: str, digest: str, pol: Policy) -> list[dict[str, Any]]:
    out = []
    if len(title) > pol.wechat_title_max:
        out.append(
            {
                "field": "title",
                "message": _("The title has %(n)d characters; WeChat takes at most %(max)d.")
                % {"n": len(title), "max": pol.wechat_title_max},
            }
        )
    if len(digest) > pol.wechat_digest_max:
        out.append(
            {
                "field": "digest",
                "message": _("The digest has %(n)d characters; WeChat takes at most %(max)d.")
                % {"n": len(digest), "max": pol.wechat_digest_max},
            }
        )
    return out


def low_resolution(width: int, height: int, pol: Policy) -> bool:
    """Below 1920×1080 in either orientation."""
    return max(width, height) < pol.min_width or min(width, height) < pol.min_height
