"""The registry of the plans' exporters: `ExportFile`, the `Exporter` base and `register`."""

from __future__ import annotations

import tempfile
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import IO, Any, ClassVar

from ..models import WorkPlan
from .cells import safe_file_name


@dataclass
class ExportFile:
    """A rendered export: the file (rewound, for streaming) and what the audit log records."""

    identifier: str
    file_name: str
    content_type: str
    file: IO[bytes]
    rows: int
    params: dict[str, Any] = field(default_factory=dict)
    plan: WorkPlan | None = None


class Exporter(ABC):
    """An export for one viewer. Subclasses set the class attributes and `write`."""

    identifier: ClassVar[str]
    verbose_name: ClassVar[Any]
    extension: ClassVar[str]
    content_type: ClassVar[str]

    def __init__(self, user: Any) -> None:
        self.user = user

    @abstractmethod
    def file_name(self) -> str: ...

    @abstractmethod
    def write(self, target: IO[bytes]) -> int:
        """Write the file to `target`; return the number of rows (tasks) in it."""

    def params(self) -> dict[str, Any]:
        """What the export was asked for, for the audit log."""
        return {}

    @property
    def plan(self) -> WorkPlan | None:
        return None

    def render(self) -> ExportFile:
        handle = tempfile.TemporaryFile()  # noqa: SIM115 (the caller streams and closes it)
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
            plan=self.plan,
        )


EXPORTERS: dict[str, type[Exporter]] = {}


def register(cls: type[Exporter]) -> type[Exporter]:
    if cls.identifier in EXPORTERS:
        raise ValueError(f"An exporter {cls.identifier!r} is already registered.")
    EXPORTERS[cls.identifier] = cls
    return cls
