"""Time and peak memory of the work meeting's and the commendation's documents, without a database.

    LUOSHI_DEBUG=1 .venv/bin/python bench/meeting_docs.py [--only NAME ...] [--repeat 3]

Each scenario runs in a process of its own (so that one's memory does not hide another's):
Django is set up and the CJK font registered first (once per process in production too; its
cost is printed as "font"), then the scenario runs `--repeat` times for the wall time (best and
median), then once more under tracemalloc for the peak of Python allocations. "rss" is the
process's peak resident size (getrusage) minus its size before the scenario.

Scenarios:
- participants_xlsx_600: the participant list (xlsx) of 600 participants (588 of 20 units
  with their posts and ranks, 12 guests), by the page's own writer (meetings.exports) over
  participants built in memory;
- arrange_600: the hall of 600 (20 rows of 8 | 14 | 8) by zones (12 honourees on the
  aisle seats of the front rows, then 20 units of 30 in their order; 600 seated) plus a
  presidium of 15 in two rows (luoshi.meetings.seating);
- seat_chart_600: the A3 seat chart of those 615 seats;
- table_cards_615: one table card per seat (615 sheets);
- compilation_300p_{10,50,150}: a 300-page materials compilation cut into 10, 50 or 150 parts
  (the text streamed from a generator, one part at a time; a two-page PDF appended to 3 of
  the parts), to show memory not growing with the number of parts;
- compilation_600p_50: 600 pages in 50 parts, to show how it grows with pages;
- certificates_300_{design,overprint}: a commendation round's 300 certificates (one page each,
  with its verification QR code) on blank paper and as the overprint on pre-printed stock.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

PARAGRAPH = (
    "一年来，机关各部门在上级党组织的坚强领导下，认真贯彻落实年度工作要点，扎实推进各项重点"
    "任务，加强督查督办和绩效考核，各项工作取得了明显成效，为完成全年目标任务打下了坚实基础。"
)
SURNAMES = "赵钱孙李周吴郑王冯陈褚卫蒋沈韩杨朱秦尤许何吕施张孔曹严华金魏陶姜"
GIVEN = "明远文静志强海燕晓东建国丽华振宇思源春梅国栋"


def _name(i: int) -> str:
    return SURNAMES[i % len(SURNAMES)] + GIVEN[(i * 7) % len(GIVEN)] + GIVEN[(i * 3) % len(GIVEN)]


def _hall() -> tuple:
    from luoshi.meetings import seating

    layout = seating.HallLayout(rows=20, blocks=(8, 14, 8))
    zones = [
        seating.Zone("honourees", rows=(1, 2), fill="aisle"),
        seating.Zone("units"),
    ]
    people = [seating.HallOccupant(f"h{i}", "honourees") for i in range(12)]
    for unit in range(20):
        people += [seating.HallOccupant(f"u{unit}-{i}", "units", f"unit{unit}") for i in range(30)]
    people = people[:600]
    return layout, zones, people


def participants_xlsx_600() -> Callable[[], object]:
    import datetime as dt
    import io

    from django.utils import timezone

    from luoshi.meetings.exports import participants_xlsx
    from luoshi.meetings.models import Participant
    from luoshi.orgs.models import OrgUnit, Person, Post, Rank

    units = [OrgUnit(name=f"某某单位{u + 1}") for u in range(20)]
    posts = [Post(name=n) for n in ("主任", "副主任", "处长", "副处长", "科员")]
    ranks = [Rank(name=n) for n in ("副局级", "一级调研员", "四级调研员", "一级主任科员")]
    signed = timezone.now() - dt.timedelta(minutes=5)
    rows = []
    for i in range(600):
        if i < 588:
            unit = units[i % 20]
            person = Person(name=_name(i), unit=unit, post=posts[i % 5], rank=ranks[i % 4])
            rows.append(
                Participant(
                    person=person,
                    unit=unit,
                    source="rule",
                    reply="leave" if i % 50 == 0 else "accepted",
                    leave_reason="公务外出" if i % 50 == 0 else "",
                    signed_in_at=signed if i % 3 else None,
                )
            )
        else:
            rows.append(
                Participant(
                    guest_name=_name(i), guest_body="某某协会", guest_title="会长", source="guest"
                )
            )

    def run() -> object:
        target = io.BytesIO()
        participants_xlsx(rows, target)
        return target.getvalue()

    return run


def arrange_600() -> Callable[[], object]:
    from luoshi.meetings import seating

    layout, zones, people = _hall()

    def run() -> object:
        seating.seat_presidium([f"p{i}" for i in range(15)], row_sizes=[9, 6])
        return seating.arrange_hall(layout, zones, people)

    return run


def _chart_input() -> tuple:
    from luoshi.documents.seatchart import ChartSeat, ChartZone, SeatChart
    from luoshi.meetings import seating

    layout, zones, people = _hall()
    plan = seating.arrange_hall(layout, zones, people)
    names = {p.key: _name(i) for i, p in enumerate(people)}
    presidium = seating.seat_presidium([f"p{i}" for i in range(15)], row_sizes=[9, 6])
    chart = SeatChart(
        title="2026年度机关工作会议座次图",
        subtitle="2026年12月30日　机关三楼会议室",
        hall_rows=layout.rows,
        hall_blocks=layout.blocks,
        presidium=tuple(ChartSeat(s.row, s.position, _name(900 + s.rank_order)) for s in presidium),
        hall=tuple(
            ChartSeat(seat.row, seat.number, names[key]) for key, seat in plan.seats.items()
        ),
        zones=(ChartZone("受表彰人员", 1, 2, 1, 30), ChartZone("各单位", 3, 20, 1, 30)),
    )
    cards = [s.name for s in chart.presidium] + [s.name for s in chart.hall]
    return chart, cards


def seat_chart_600() -> Callable[[], object]:
    from luoshi.documents.seatchart import seat_chart_pdf

    chart, _cards = _chart_input()
    return lambda: seat_chart_pdf(chart)


def table_cards_615() -> Callable[[], object]:
    from luoshi.documents.tablecards import TableCard, table_cards_pdf

    _chart, names = _chart_input()
    cards = [TableCard(name, "某某单位") for name in names]
    return lambda: table_cards_pdf(cards)


def _certificates(count: int, mode: str) -> Callable[[], object]:
    from luoshi.honors import rules
    from luoshi.honors.exports import CertificateText, certificates_pdf

    texts = [
        CertificateText(
            number=f"2026-{i:04d}",
            holder=_name(i),
            body="在2026年度机关先进集体和先进个人表彰中，荣获“先进工作者”。特发此证，以资鼓励。",
            issuer="某某市归国华侨联合会",
            date="2026年12月30日",
            verify_url=f"https://luoshi.example.org/verify/{i:08x}",
        )
        for i in range(count)
    ]
    policy = rules.Policy()
    return lambda: certificates_pdf(texts, policy, mode=mode)


def _compilation(pages: int, parts: int) -> Callable[[], object]:
    from luoshi.documents.compilation import (
        Compilation,
        CompilationAttachment,
        CompilationPart,
        CompilationSection,
        write_compilation,
    )
    from luoshi.documents.tablecards import TableCard, table_cards_pdf

    tmp = tempfile.mkdtemp(prefix="bench-compilation-")
    attachment = os.path.join(tmp, "attachment.pdf")
    with open(attachment, "wb") as out:
        out.write(table_cards_pdf([TableCard("附件甲"), TableCard("附件乙")]))
    # about 10.4 paragraphs of 90 characters fill an A4 page at 12 pt (measured); each part
    # starts on a page of its own, and 3 parts bring 2 appended pages each
    text_pages = pages - 6 - parts / 2
    per_section = max(1, round(text_pages * 10.4 / parts / 3))

    appended = {0, parts // 2, parts - 1}  # the same 3 appended PDFs whatever the parts

    def source() -> Iterator[CompilationPart]:
        for i in range(parts):
            text = "\n".join(PARAGRAPH for _ in range(per_section))
            sections = tuple(CompilationSection(f"{j + 1}. 第{j + 1}部分", text) for j in range(3))
            yield CompilationPart(
                f"第{i + 1}份材料：单位年度工作总结",
                sections,
                attachments=(CompilationAttachment("附件", attachment),) if i in appended else (),
                subtitle="某某单位",
            )

    def run() -> object:
        target = os.path.join(tmp, "out.pdf")
        result = write_compilation(
            Compilation("2026年度机关工作会议材料汇编", "2026年12月", "第1版"), source(), target
        )
        return result.pages

    return run


SCENARIOS: dict[str, Callable[[], Callable[[], object]]] = {
    "participants_xlsx_600": participants_xlsx_600,
    "arrange_600": arrange_600,
    "seat_chart_600": seat_chart_600,
    "table_cards_615": table_cards_615,
    "compilation_300p_10": lambda: _compilation(300, 10),
    "compilation_300p_50": lambda: _compilation(300, 50),
    "compilation_300p_150": lambda: _compilation(300, 150),
    "compilation_600p_50": lambda: _compilation(600, 50),
    "certificates_300_design": lambda: _certificates(300, "design"),
    "certificates_300_overprint": lambda: _certificates(300, "overprint"),
}


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def child(name: str, repeat: int) -> dict[str, object]:
    import django

    django.setup()
    from luoshi.documents import pdf

    start = time.perf_counter()
    pdf.cjk_font()
    font = time.perf_counter() - start
    run = SCENARIOS[name]()
    rss_before = _rss_mb()
    times = []
    output: object = None
    for _ in range(repeat):
        start = time.perf_counter()
        output = run()
        times.append(time.perf_counter() - start)
    rss_after = _rss_mb()
    tracemalloc.start()
    run()
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    pages = output if isinstance(output, int) else None
    if isinstance(output, bytes) and output.startswith(b"PK"):
        pages = None  # a workbook: no pages
    elif isinstance(output, bytes):
        from io import BytesIO

        from pypdf import PdfReader

        pages = len(PdfReader(BytesIO(output)).pages)
    return {
        "name": name,
        "font_s": font,
        "best_s": min(times),
        "median_s": statistics.median(times),
        "peak_mb": peak / 1e6,
        "rss_mb": rss_after - rss_before,
        "pages": pages,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="*", default=list(SCENARIOS))
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.repeat)))
        return
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    print(f"commit {commit}, repeat {args.repeat}")
    print(
        f"{'scenario':<22} {'pages':>6} {'best s':>7} {'median s':>8} "
        f"{'py peak MB':>10} {'rss +MB':>8} {'font s':>7}"
    )
    for name in args.only:
        out = subprocess.run(
            [sys.executable, __file__, "--child", name, "--repeat", str(args.repeat)],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        r = json.loads(out.strip().splitlines()[-1])
        print(
            f"{r['name']:<22} {r['pages'] or '':>6} {r['best_s']:>7.2f} {r['median_s']:>8.2f} "
            f"{r['peak_mb']:>10.1f} {r['rss_mb']:>8.1f} {r['font_s']:>7.2f}",
            flush=True,
        )


if __name__ == "__main__":
    main()
