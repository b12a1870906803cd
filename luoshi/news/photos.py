"""What an uploaded photo becomes: a JPEG or PNG with its orientation applied and every
metadata block dropped (EXIF with its GPS location and camera make, model and serial; XMP;
PNG text chunks), a web rendition and a thumbnail. No database here."""

from __future__ import annotations

import hashlib
import io
import warnings
from dataclasses import dataclass

from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from luoshi.core.errors import InvalidInput

from . import rules

FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png"}


class PhotoRefused(InvalidInput):
    code = "photo_invalid"


@dataclass(frozen=True)
class Processed:
    sha256: str
    content_type: str
    width: int
    height: int
    image: bytes
    web: bytes
    thumb: bytes
    low_resolution: bool


def _save(img: Image.Image, fmt: str, quality: int = 90) -> bytes:
    out = io.BytesIO()
    if fmt == "JPEG":
        if img.mode not in ("RGB", "L"):
            img = img.convert("RGB")
        img.save(out, "JPEG", quality=quality, optimize=True)  # no exif=: none is written
    else:
        if img.mode not in ("RGB", "RGBA", "L", "LA", "P"):
            img = img.convert("RGBA")
        img.save(out, "PNG", optimize=True)  # no pnginfo: no text chunks
    return out.getvalue()


def _scaled(img: Image.Image, long_side: int) -> Image.Image:
    copy = img.copy()
    copy.thumbnail((long_side, long_side), Image.Resampling.LANCZOS)
    return copy


def process(data: bytes, pol: rules.Policy | None = None) -> Processed:
    """The stored forms of an upload, or PhotoRefused (not JPEG/PNG, too large, unreadable)."""
    pol = pol or rules.policy()
    if not data:
        raise PhotoRefused(_("The file is empty."))
    if len(data) > pol.max_upload_bytes:
        raise PhotoRefused(
            _("The photo is larger than %(mb)d MB.") % {"mb": pol.max_upload_bytes // (1024 * 1024)}
        )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            source = Image.open(io.BytesIO(data))
            fmt = source.format or ""
            if fmt not in FORMATS:
                raise PhotoRefused(_("Only JPEG and PNG photos can be uploaded."))
            source.load()
            img = ImageOps.exif_transpose(source)
    except PhotoRefused:
        raise
    except (
        UnidentifiedImageError,
        OSError,
        ValueError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
        SyntaxError,
    ):
        raise PhotoRefused(_("The file is not a readable JPEG or PNG photo.")) from None
    img.info.clear()  # ICC profile aside, nothing of the camera's is carried over
    width, height = img.size
    web_fmt = fmt if fmt == "PNG" and img.mode in ("RGBA", "LA", "P") else "JPEG"
    return Processed(
        sha256=hashlib.sha256(data).hexdigest(),
        content_type=FORMATS[fmt],
        width=width,
        height=height,
        image=_save(img, fmt, quality=92),
        web=_save(_scaled(img, pol.web_long_side), web_fmt, quality=85),
        thumb=_save(_scaled(img, pol.thumb_long_side), "JPEG", quality=80),
        low_resolution=rules.low_resolution(width, height, pol),
    )


def rendition_type(data: bytes) -> str:
    return "image/png" if data[:8] == b"\x89PNG\r\n\x1a\n" else "image/jpeg"
