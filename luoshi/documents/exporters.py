"""The exporter registry: every file that leaves the system is an `Exporter` class.

An exporter is built for one viewer and its parameters (a plan, a month, a ledger's filters …),
reads only what that viewer may see through its app's selectors, and `render()`s an `ExportFile`:
the file (rewound, ready to send), its name and content type, the number of rows in it and the
parameters it was asked for. Around it:

- `EXPORTERS` (a `Registry`): `register` a class by its identifier, look one up (`get`), list an
  app's exporters (`for_app`).
- `export_response(export)`: the HTTP download, with the Content-Disposition Django's
  FileResponse writes (RFC 6266; a plain ASCII name quoted, any other as RFC 5987
  `filename*=utf-8''…`), streamed from its temporary file or, for a file built whole in memory,
  sent whole.
- `export_record(actor=…, export=…)`: the audit entry that records who took which file (the
  action and object type each exporter declares, so every app keeps its own action names).

No domain rules live here: this module imports only luoshi.core and Django.
"""

from __future__ import annotations

import io
import re
import tempfile
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import IO, Any, ClassVar

from django.apps import apps
from django.db import models, transaction
from django.http import FileResponse, HttpResponse, HttpResponseBase
from django.utils.http import content_disposition_header

from luoshi.core import audit
from luoshi.core.models import AuditEntry

_UNSAFE_NAME = re.compile(r'[\\/:*?"<>|\x00-\x1f]+')


def safe_file_name(text: str) -> str:
    """A file name from a title: no path separators or characters Windows refuses."""
    return _UNSAFE_NAME.sub("_", text).strip(" .") or "export"


@dataclass
class ExportFile:
    """A rendered export: the file (rewound, for sending) and what the audit log records."""

    identifier: str
    file_name: str
    content_type: str
    file: IO[bytes]
    rows: int
    params: dict[str, Any] = field(default_factory=dict)
    obj: models.Model | None = None  # the record the file is about, if it is about one
    action: str = ""  # the audit action of taking it
    object_type: str = ""  # the audit object type when it is about no one record
    streaming: bool = True  # sent from the file as it is read; otherwise sent whole
    no_store: bool = False  # Cache-Control: no-store (confidential files)


class Exporter(ABC):
    """An export for one viewer. Subclasses set the class attributes and `file_name`/`write`.

    `file_name()` is the name without its extension; `render()` makes it safe and adds
    `extension`. `obj` is the record the file is about (the audit entry goes on it); without
    one the entry is written with `audit_object_type` and the file's name.
    """

    identifier: ClassVar[str]
    verbose_name: ClassVar[Any]
    extension: ClassVar[str]
    content_type: ClassVar[str]
    app_label: ClassVar[str] = ""  # by default the Django app the class's module belongs to
    audit_action: ClassVar[str] = ""
    audit_object_type: ClassVar[str] = ""
    streaming: ClassVar[bool] = True  # False: built whole in memory (a page's worth of bytes)
    no_store: ClassVar[bool] = False

    def __init__(self, user: Any) -> None:
        self.user = user
        self.on_progress: Callable[[int], None] | None = None

    # --- background exports (luoshi.documents.background) -------------------------------------
    # An exporter that can be rebuilt from its `params()` (JSON) may run in the background when
    # it holds many rows: it implements `from_params` and `count_rows`, and calls `progress(n)`
    # as it writes.

    @classmethod
    def from_params(cls, user: Any, params: dict[str, Any]) -> Exporter:
        """The same export again, for `user`, from what `params()` returned."""
        raise NotImplementedError

    @classmethod
    def runs_in_background(cls) -> bool:
        return cls.from_params.__func__ is not Exporter.from_params.__func__  # type: ignore[attr-defined]

    def count_rows(self, limit: int | None = None) -> int:
        """The number of rows the file will hold (counting stops at `limit` when given)."""
        raise NotImplementedError

    def progress(self, rows: int) -> None:
        """Tell whoever waits how many rows are written so far."""
        if self.on_progress is not None:
            self.on_progress(rows)

    @abstractmethod
    def file_name(self) -> str:
        """The file's name without its extension."""

    @abstractmethod
    def write(self, target: IO[bytes]) -> int:
        """Write the file to `target`; return the number of rows in it."""

    def params(self) -> dict[str, Any]:
        """What the export was asked for, for the audit log."""
        return {}

    @property
    def obj(self) -> models.Model | None:
        return None

    @classmethod
    def app(cls) -> str:
        """The label of the app the exporter belongs to."""
        if cls.app_label:
            return cls.app_label
        config = apps.get_containing_app_config(cls.__module__)
        return config.label if config is not None else ""

    def render(self) -> ExportFile:
        # A temporary file for what streams (the caller sends and closes it); memory otherwise.
        handle: IO[bytes] = tempfile.TemporaryFile() if self.streaming else io.BytesIO()  # noqa: SIM115
        try:
            rows = self.write(handle)
            handle.seek(0)
        except BaseException:
            handle.close()
            raise
        return ExportFile(
            identifier=self.identifier,
            file_name=f"{safe_file_name(self.file_name())}.{self.extension}",
            content_type=self.content_type,
            file=handle,
            rows=rows,
            params=self.params(),
            obj=self.obj,
            action=self.audit_action,
            object_type=self.audit_object_type,
            streaming=self.streaming,
            no_store=self.no_store,
        )


class Registry:
    """Exporter classes by identifier (unique across the product)."""

    def __init__(self) -> None:
        self._classes: dict[str, type[Exporter]] = {}

    def register(self, cls: type[Exporter]) -> type[Exporter]:
        """Register `cls` (usable as a class decorator); an identifier is taken once."""
        if cls.identifier in self._classes:
            raise ValueError(f"An exporter {cls.identifier!r} is already registered.")
        self._classes[cls.identifier] = cls
        return cls

    def get(self, identifier: str) -> type[Exporter]:
        """The exporter registered as `identifier`; KeyError if there is none."""
        return self._classes[identifier]

    def __contains__(self, identifier: object) -> bool:
        return identifier in self._classes

    def for_app(self, app_label: str) -> list[type[Exporter]]:
        """The exporters of one app, by identifier."""
        return sorted(
            (cls for cls in self._classes.values() if cls.app() == app_label),
            key=lambda cls: cls.identifier,
        )


EXPORTERS = Registry()
register = EXPORTERS.register


def export_response(export: ExportFile) -> HttpResponseBase:
    """The download of `export` as an attachment: streamed from its file (a FileResponse, which
    closes the file when sent) or, for a file built in memory, sent whole. Either way the
    Content-Type and Content-Disposition are those Django's FileResponse writes."""
    response: HttpResponseBase
    if export.streaming:
        response = FileResponse(
            export.file,
            as_attachment=True,
            filename=export.file_name,
            content_type=export.content_type,
        )
    else:
        with export.file:
            data = export.file.read()
        response = HttpResponse(data, content_type=export.content_type)
        disposition = content_disposition_header(True, export.file_name)
        if disposition:
            response["Content-Disposition"] = disposition
    if export.no_store:
        response["Cache-Control"] = "no-store"
    return response


@transaction.atomic
def export_record(*, actor: Any, export: ExportFile, obj: models.Model | None = None) -> AuditEntry:
    """Record that `actor` took `export`: on `obj` (or the record the export is about) when
    there is one, else under the exporter's audit object type with the file's name."""
    if not export.action:
        raise ValueError(f"The exporter {export.identifier!r} declares no audit action.")
    after = {
        "export": export.identifier,
        "file": export.file_name,
        "rows": export.rows,
        **export.params,
    }
    target = obj if obj is not None else export.obj
    if target is not None:
        return audit.record(export.action, actor=actor, obj=target, after=after)
    return audit.record(
        export.action,
        actor=actor,
        object_type=export.object_type,
        object_repr=export.file_name,
        after=after,
    )
