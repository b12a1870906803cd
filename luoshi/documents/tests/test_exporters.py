"""The exporter registry: an exporter renders a rewound file with its name, type, rows and
parameters; the registry finds it by identifier and by app; the response is the download Django's
FileResponse makes (the same Content-Disposition bytes, streamed or whole); the audit entry
records who took which file, on its record or under the exporter's object type."""

from __future__ import annotations

import io
from typing import IO, Any

import pytest
from django.http import FileResponse, HttpResponse

from luoshi.core.models import AuditEntry
from luoshi.documents.exporters import (
    Exporter,
    ExportFile,
    Registry,
    export_record,
    export_response,
    safe_file_name,
)


class Lines(Exporter):
    """A small test export: one line per word, about an optional record."""

    identifier = "test_lines"
    verbose_name = "Lines"
    extension = "txt"
    content_type = "text/plain"
    app_label = "tests"
    audit_action = "test.export"
    audit_object_type = "tests.lines"

    def __init__(self, user: Any, words: list[str], name: str = "lines", about: Any = None):
        super().__init__(user)
        self.words = words
        self.name = name
        self.about = about

    @property
    def obj(self) -> Any:
        return self.about

    def file_name(self) -> str:
        return self.name

    def params(self) -> dict[str, Any]:
        return {"words": len(self.words)}

    def write(self, target: IO[bytes]) -> int:
        for word in self.words:
            target.write(word.encode() + b"\n")
        return len(self.words)


class WholeLines(Lines):
    identifier = "test_whole_lines"
    streaming = False
    no_store = True


class Broken(Lines):
    identifier = "test_broken"

    def write(self, target: IO[bytes]) -> int:
        target.write(b"half")
        raise RuntimeError("the layout failed")


def test_render_gives_a_rewound_file_with_its_name_type_rows_and_params() -> None:
    export = Lines(None, ["a", "b", "c"]).render()
    assert isinstance(export, ExportFile)
    assert (export.identifier, export.file_name, export.content_type) == (
        "test_lines",
        "lines.txt",
        "text/plain",
    )
    assert export.rows == 3 and export.params == {"words": 3}
    assert (export.action, export.object_type, export.obj) == ("test.export", "tests.lines", None)
    assert export.streaming and not export.no_store
    assert export.file.read() == b"a\nb\nc\n"
    export.file.close()


def test_the_file_name_is_made_safe_and_gets_its_extension() -> None:
    export = Lines(None, [], name="2026年/工作:要点?").render()
    assert export.file_name == "2026年_工作_要点_.txt"
    assert safe_file_name("...") == "export"
    export.file.close()


def test_a_failed_write_raises_and_gives_no_file() -> None:
    with pytest.raises(RuntimeError, match="the layout failed"):
        Broken(None, ["a"]).render()


def test_registry_registers_once_looks_up_and_lists_an_app() -> None:
    registry = Registry()
    assert registry.register(Lines) is Lines
    registry.register(WholeLines)
    with pytest.raises(ValueError, match="test_lines"):
        registry.register(Lines)
    assert registry.get("test_lines") is Lines
    assert "test_whole_lines" in registry and "nothing" not in registry
    with pytest.raises(KeyError):
        registry.get("nothing")
    assert registry.for_app("tests") == [Lines, WholeLines]
    assert registry.for_app("plans") == []


@pytest.mark.parametrize(
    ("name", "disposition"),
    [
        ("ballot-codes-7", 'attachment; filename="ballot-codes-7.txt"'),
        (
            "任务台账-20250101",
            "attachment; filename*=utf-8''%E4%BB%BB%E5%8A%A1%E5%8F%B0%E8%B4%A6-20250101.txt",
        ),
        ("a b", 'attachment; filename="a b.txt"'),
    ],
)
def test_the_response_has_the_content_disposition_of_a_file_response(
    name: str, disposition: str
) -> None:
    export = Lines(None, ["x"], name=name).render()
    streamed = export_response(export)
    assert isinstance(streamed, FileResponse)
    assert streamed["Content-Disposition"] == disposition
    assert streamed["Content-Type"] == "text/plain"
    assert streamed["Content-Length"] == "2"
    assert b"".join(streamed.streaming_content) == b"x\n"  # type: ignore[arg-type]
    export.file.close()
    whole = export_response(WholeLines(None, ["x"], name=name).render())
    assert isinstance(whole, HttpResponse)
    assert whole["Content-Disposition"] == disposition
    assert whole["Content-Type"] == "text/plain"
    assert whole.content == b"x\n"


def test_the_same_bytes_as_the_file_response_plans_sends() -> None:
    """The plans' downloads are `FileResponse(file, as_attachment=True, filename=…)`."""
    export = WholeLines(None, ["x"], name="2025年度 工作要点（定稿）").render()
    expected = FileResponse(io.BytesIO(), as_attachment=True, filename=export.file_name)
    assert export_response(export)["Content-Disposition"] == expected["Content-Disposition"]


def test_a_confidential_export_is_not_stored_by_caches() -> None:
    assert export_response(WholeLines(None, []).render())["Cache-Control"] == "no-store"
    assert "Cache-Control" not in export_response(Lines(None, []).render())


@pytest.mark.django_db
def test_export_record_writes_the_entry_on_the_record(org: Any) -> None:
    user = org.users["staff"]
    export = WholeLines(None, ["a", "b"], about=org.econ).render()
    entry = export_record(actor=user, export=export)
    assert isinstance(entry, AuditEntry)
    assert (entry.action, entry.actor_id) == ("test.export", user.pk)
    assert (entry.object_type, entry.object_id) == ("orgs.orgunit", str(org.econ.pk))
    assert entry.after == {"export": "test_whole_lines", "file": "lines.txt", "rows": 2, "words": 2}


@pytest.mark.django_db
def test_export_record_without_a_record_uses_the_object_type_and_the_file_name(org: Any) -> None:
    export = Lines(None, ["a"], name="台账").render()
    entry = export_record(actor=org.users["staff"], export=export)
    assert (entry.action, entry.object_type, entry.object_repr) == (
        "test.export",
        "tests.lines",
        "台账.txt",
    )
    # A record given by the caller wins over none.
    on_unit = export_record(actor=org.users["staff"], export=export, obj=org.econ)
    assert on_unit.object_type == "orgs.orgunit"
    export.file.close()


@pytest.mark.django_db
def test_an_exporter_without_an_audit_action_cannot_be_recorded(org: Any) -> None:
    class Silent(Lines):
        identifier = "test_silent"
        audit_action = ""

    export = Silent(None, []).render()
    with pytest.raises(ValueError, match="test_silent"):
        export_record(actor=org.users["staff"], export=export)
    assert not AuditEntry.objects.filter(action="").exists()
    export.file.close()
