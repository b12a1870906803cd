"""Reading back what a PDF made by reportlab embeds: its TrueType fonts and the text they draw.

`embedded_fonts` parses each embedded font program (FontFile2) with fontTools and pairs it with
the font's ToUnicode map, so a test can check that every character drawn has a real glyph
(contours) in the font inside the file, not the empty .notdef box.
"""

from __future__ import annotations

import io
import re
import zlib
from base64 import a85decode
from dataclasses import dataclass

from fontTools.ttLib import TTFont


@dataclass
class EmbeddedFont:
    base_font: str
    program: TTFont
    to_unicode: dict[int, str]

    def missing(self, text: str) -> set[str]:
        """The characters of `text` this font draws with an empty glyph (or not at all)."""
        cmap: dict[int, str] = {}
        for table in self.program["cmap"].tables:  # reportlab's subsets: (1, 0), code -> glyph
            cmap.update(table.cmap)
        glyf = self.program["glyf"]
        codes = {char: code for code, char in self.to_unicode.items() if char != "\0"}
        empty = set()
        for char in set(text):
            if char.isspace():
                continue
            name = cmap.get(codes[char]) if char in codes else None
            glyph = glyf[name] if name is not None else None
            if glyph is None or name == ".notdef" or glyph.numberOfContours == 0:
                empty.add(char)
        return empty


def _objects(data: bytes) -> dict[int, bytes]:
    return {
        int(m.group(1)): m.group(2) for m in re.finditer(rb"(\d+) 0 obj\s*(.*?)endobj", data, re.S)
    }


def _stream(obj: bytes) -> bytes:
    raw = re.search(rb"stream\r?\n(.*?)endstream", obj, re.S)
    assert raw is not None
    body = raw.group(1)
    if b"/ASCII85Decode" in obj:
        body = body.strip().removeprefix(b"<~").removesuffix(b"~>")
        body = a85decode(body)
    if b"/FlateDecode" in obj:
        body = zlib.decompressobj().decompress(body)  # whatever follows the data is ignored
    return body


def _unicode(hex_digits: bytes) -> str:
    """The text of a ToUnicode destination: UTF-16BE, or (as reportlab writes a character
    beyond the BMP) its code point in hex."""
    if len(hex_digits) % 4:
        return chr(int(hex_digits, 16))
    return bytes.fromhex(hex_digits.decode()).decode("utf-16-be")


def _to_unicode(cmap: bytes) -> dict[int, str]:
    result: dict[int, str] = {}
    for block in re.findall(rb"beginbfchar(.*?)endbfchar", cmap, re.S):
        for src, dst in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            result[int(src, 16)] = _unicode(dst)
    for block in re.findall(rb"beginbfrange(.*?)endbfrange", cmap, re.S):
        for lo, hi, dst in re.findall(
            rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block
        ):
            first = ord(_unicode(dst))
            for i, code in enumerate(range(int(lo, 16), int(hi, 16) + 1)):
                result[code] = chr(first + i)
    return result


def embedded_fonts(data: bytes) -> list[EmbeddedFont]:
    """Every TrueType font embedded in the PDF `data`, with its ToUnicode map."""
    objects = _objects(data)
    fonts = []
    for obj in objects.values():
        if b"/Type /Font" not in obj or b"/Subtype /TrueType" not in obj:
            continue
        base = re.search(rb"/BaseFont\s*/([^\s/]+)", obj)
        descriptor = re.search(rb"/FontDescriptor\s+(\d+) 0 R", obj)
        to_unicode = re.search(rb"/ToUnicode\s+(\d+) 0 R", obj)
        assert base and descriptor and to_unicode, obj[:200]
        program = re.search(rb"/FontFile2\s+(\d+) 0 R", objects[int(descriptor.group(1))])
        assert program is not None, "the TrueType font is not embedded"
        fonts.append(
            EmbeddedFont(
                base_font=base.group(1).decode(),
                program=TTFont(io.BytesIO(_stream(objects[int(program.group(1))]))),
                to_unicode=_to_unicode(_stream(objects[int(to_unicode.group(1))])),
            )
        )
    return fonts


def drawn_characters(data: bytes) -> set[str]:
    """The characters that the PDF's embedded fonts can draw (their ToUnicode maps)."""
    return {c for f in embedded_fonts(data) for c in f.to_unicode.values()}
