"""Time and peak memory of writing ledger-shaped rows to xlsx (the ledger export's writer).

    LUOSHI_DEBUG=1 .venv/bin/python bench/xlsx_writer.py [ROWS]     # default 50,000

The rows have the ledger's 16 columns (numbers, Chinese text, a coloured light cell), made in
Python, so the figure is the writer's own cost, without the database.
"""

from __future__ import annotations

import os
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("LUOSHI_DEBUG", "1")

import django

django.setup()

from luoshi.documents.xlsx import Styled, XlsxWriter  # noqa: E402
from luoshi.plans.exports.ledger import LEDGER_HEADERS, LEDGER_WIDTHS  # noqa: E402


def rows(n: int):  # type: ignore[no-untyped-def]
    for i in range(1, n + 1):
        yield [
            i,
            f"2026-{i:05d}",
            f"落实第{i}项重点任务，推进侨联系统改革",
            "2026年工作要点",
            "一、加强思想政治引领",
            "经济科技部",
            "组织联络部、宣传文化部",
            "王某某",
            "李某某",
            "2026-12-31",
            i % 100,
            "进行中",
            Styled("黄灯", fill="FFF3C4"),
            "临近完成时限",
            "是" if i % 3 == 0 else "",
            "改革任务",
        ]


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 50_000
    start = time.perf_counter()
    writer = XlsxWriter()
    sheet = writer.add_sheet("任务台账", LEDGER_HEADERS, widths=LEDGER_WIDTHS)
    sheet.extend(rows(n))
    with tempfile.TemporaryFile() as out:
        writer.save(out)
        size = out.tell()
    elapsed = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    mb = size / 1e6
    print(f"| xlsx, {n:,} ledger rows | {elapsed:.2f} s | {peak:.0f} MB peak | {mb:.1f} MB |")


if __name__ == "__main__":
    main()
