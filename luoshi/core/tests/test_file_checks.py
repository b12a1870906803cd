"""luoshi.core.zipguard and luoshi.core.uploads.check_file: the limits and content checks every
upload goes through (docs/security.md, "Hostile files" and "Uploads")."""

from __future__ import annotations

import pytest

from luoshi.core import zipguard
from luoshi.core.errors import InvalidInput
from luoshi.core.tests import bombs
from luoshi.core.tests.samples import docx_bytes, pdf_bytes, png_bytes
from luoshi.core.uploads import check_file, clean_name

MB = 1024 * 1024


def test_too_many_parts_is_suspicious(settings) -> None:
    settings.LUOSHI_ZIP_MAX_PARTS = 5
    data = bombs.plain_zip({f"p{i}.txt": b"x" for i in range(6)})
    with pytest.raises(zipguard.FileRefused) as caught:
        zipguard.check_zip(data)
    assert caught.value.code == "file_suspicious" and "5" in str(caught.value.message)


def test_a_highly_compressed_part_is_suspicious_below_the_total() -> None:
    data = bombs.plain_zip({"a.xml": b"<a>" + b"0" * (3 * MB) + b"</a>"})
    with pytest.raises(zipguard.FileRefused) as caught:
        zipguard.check_zip(data)
    assert caught.value.code == "file_suspicious" and "100" in str(caught.value.message)


def test_the_total_is_too_large(settings) -> None:
    settings.LUOSHI_ZIP_MAX_UNPACKED_BYTES = MB
    data = bombs.plain_zip({"a.bin": bytes(range(256)) * 3000, "b.bin": bytes(range(256)) * 3000})
    with pytest.raises(zipguard.FileRefused) as caught:
        zipguard.check_zip(data, xml=False)
    assert caught.value.code == "file_too_large" and "1 MB" in str(caught.value.message)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16-le", "utf-16-be"])
def test_a_dtd_is_refused_in_any_encoding(encoding) -> None:
    xml = '<?xml version="1.0"?><!DOCTYPE a [<!ENTITY x "y">]><a>&x;</a>'.encode(encoding)
    with pytest.raises(zipguard.FileRefused) as caught:
        zipguard.check_zip(bombs.plain_zip({"word/document.xml": xml}))
    assert caught.value.code == "file_suspicious"


def test_names_are_cleaned() -> None:
    assert clean_name("C:\\Users\\a\\证明\r\n.pdf") == "证明.pdf"
    assert clean_name("a\x00b\u202etxt.exe") == "abtxt.exe"
    assert clean_name("../..") == "attachment"


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("a.pdf", pdf_bytes()),
        ("a.png", png_bytes()),
        ("a.docx", docx_bytes()),
        ("a.txt", "进展顺利\r\n".encode()),
        ("a.txt", "进展顺利".encode("gb18030")),
        ("a.zip", bombs.plain_zip({"x.txt": b"x"})),
    ],
)
def test_real_files_pass(name, content) -> None:
    assert check_file(name, content)[0] == name


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("a.pdf", b"%PDF-1.4 evidence", "attachment_type"),
        ("a.pdf", pdf_bytes()[:-30], "attachment_type"),
        ("a.png", b"\x89PNG\r\n\x1a\n" + bytes(50), "attachment_type"),
        ("a.jpg", png_bytes(), "attachment_type"),  # a PNG named .jpg
        ("a.docx", bombs.plain_zip({"[Content_Types].xml": b"<Types/>"}), "attachment_type"),
        ("a.docx", bombs.docx_body_bomb(), "file_too_large"),
        ("a.docx", bombs.docx_with_entity(), "file_suspicious"),
        ("a.txt", b"MZ\x90\x00\x03", "attachment_type"),
        ("a.txt", b"\xff\xfe\xfd\x00", "attachment_type"),
        ("a.html", b"<script>", "attachment_type"),
        ("a.pdf", b"", "attachment_empty"),
    ],
)
def test_files_that_are_not_what_they_say_are_refused(name, content, code) -> None:
    with pytest.raises(InvalidInput) as caught:
        check_file(name, content)
    assert caught.value.code == code
