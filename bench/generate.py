"""Generate a national-scale Luoshi dataset in PostgreSQL (issue 3 §8).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/luoshi_bench \
        .venv/bin/python bench/generate.py --reset [--scale 0.01]

At --scale 1: about 3,000 org units in four levels (the national agency with its departments →
31 provincial federations → 248 city federations → 744 county federations, each with
departments), 60,000 people, 1,000,000 tasks in 2,048 work plans (every agency, this year and
last year), 3 milestones per task, 3,000,000 progress reports, cooperating units, indicators and
the leader-in-charge matrix. --scale shrinks people, tasks and everything under them; the org
tree keeps its size.

Bulk loading: the generator writes rows with psycopg 3 `cursor.copy` (several COPY streams at
once, one per table), with the foreign-key triggers off for the loading session
(`session_replication_role = replica`) and the secondary indexes of the big tables dropped
before and rebuilt after (their definitions are read from pg_indexes, so the schema ends up
exactly as the migrations made it). Paths, depth, search_text and the people's sort_key are
computed in Python as the app's own helpers do. No audit rows are written for bulk data.

Accounts (made through the app's services inside Django): bench_national (agency leader, whole
tree), bench_province (agency leader of the largest province), bench_staff (staff of a national
department that leads many tasks) and bench_reporter (the submitter of the bulk reports). Their
API tokens and the ids the runner needs are written to bench/var/dataset.json.

The newer apps (skipped with --no-apps): this year's commendation program of the national
agency and of each provincial one, created, given its quotas (嘉奖 by staff family, 优秀共产党员
for a tenth of the staff, 先进集体) and opened through the honours services by bench_hr
(personnel officer, whole tree), with nominations in bulk up to each unit's places (85 %
submitted, 10 % draft, 5 % withdrawn; two collectives) and the honours of the five years before
(about a sixth of the agency's people a year, imported records); last year's work meeting of the
national agency, closed, organised by bench_office (supervisor): 600 participants (the agency's
people by post and rank, then the provincial federations' chairs and vice chairs, then guests;
bulk, with the services' sort key), the agenda, presidium, seating, invitations and the state
changes through the meeting services, sign-in as one update; news items (40 of the national
agency, 20 of each provincial one, four text blocks, no photos; 70 % published) by bench_editor
(news editor), in bulk. About 5-9 s (3 % of the generation at --scale 0.01, 5 % at 0.25).

`--reset` drops and re-creates the database (only one whose name contains "bench") and runs
`luoshi migrate`. Not part of the test suite.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import random
import secrets
import subprocess
import sys
import time
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse, urlunparse
from zoneinfo import ZoneInfo

import psycopg

ROOT = Path(__file__).resolve().parent.parent
VAR = Path(__file__).resolve().parent / "var"
sys.path.insert(0, str(ROOT))

TZ = ZoneInfo("Asia/Shanghai")
TODAY = dt.datetime.now(TZ).date()
CUR = TODAY.year
PREV = CUR - 1
PATH_WIDTH = 8  # luoshi.orgs.services.PATH_WIDTH

N_TASKS = 1_000_000
N_PEOPLE = 60_000
MILESTONES_PER_TASK = 3
REPORTS_CUR = 4  # this year's tasks: the last four months; last year's: two (3 per task overall)
REPORTS_PREV = 2

# --- the org tree --------------------------------------------------------------------------------

# (province, short name, weight of its federations' work: the provinces of origin of most
# overseas Chinese carry far more)
PROVINCES = [
    ("北京市", "京", 1.2), ("天津市", "津", 1.0), ("河北省", "冀", 1.0), ("山西省", "晋", 1.0),
    ("内蒙古自治区", "蒙", 1.0), ("辽宁省", "辽", 1.0), ("吉林省", "吉", 1.0),
    ("黑龙江省", "黑", 1.0), ("上海市", "沪", 1.2), ("江苏省", "苏", 1.2), ("浙江省", "浙", 1.5),
    ("安徽省", "皖", 1.0), ("福建省", "闽", 2.5), ("江西省", "赣", 1.0), ("山东省", "鲁", 1.0),
    ("河南省", "豫", 1.0), ("湖北省", "鄂", 1.0), ("湖南省", "湘", 1.0), ("广东省", "粤", 3.0),
    ("广西壮族自治区", "桂", 1.3), ("海南省", "琼", 1.3), ("重庆市", "渝", 1.0),
    ("四川省", "川", 1.0), ("贵州省", "黔", 1.0), ("云南省", "滇", 1.2), ("西藏自治区", "藏", 0.6),
    ("陕西省", "陕", 1.0), ("甘肃省", "甘", 0.8), ("青海省", "青", 0.6),
    ("宁夏回族自治区", "宁", 0.6), ("新疆维吾尔自治区", "新", 0.8),
]  # fmt: skip
CITIES_PER_PROVINCE = 8
COUNTIES_PER_CITY = 3
TOTAL_UNITS = 3000

NATIONAL_DEPARTMENTS = [
    ("办公室", "department"), ("组织联络部", "department"), ("经济科技部", "department"),
    ("文化交流部", "department"), ("权益保障部", "department"), ("宣传部", "department"),
    ("海外联谊部", "department"), ("人事部", "department"), ("机关党委", "department"),
    ("研究室", "department"), ("财务部", "department"), ("对外联络部", "department"),
    ("侨联信息中心", "affiliated"), ("华侨文化交流中心", "affiliated"),
    ("侨界权益服务中心", "affiliated"),
]  # fmt: skip
PROVINCE_DEPARTMENTS = [n for n, _k in NATIONAL_DEPARTMENTS[:9]]
CITY_DEPARTMENTS = ["办公室", "组织联络部", "经济科技部", "权益保障部"]
COUNTY_DEPARTMENTS = ["办公室"]

CITY_SYLLABLES = "安宁平江海山清云阳泉丰和兴隆昌华东西南北新德泰嘉庆永福明瑞长春临桂梅澄望"

# people per unit, before scaling to N_PEOPLE
PEOPLE_WEIGHT = {
    ("national", "agency"): 30, ("national", "department"): 40, ("national", "affiliated"): 40,
    ("provincial", "agency"): 12, ("provincial", "department"): 20,
    ("municipal", "agency"): 8, ("municipal", "department"): 10,
    ("county", "agency"): 6, ("county", "department"): 5,
}  # fmt: skip
# tasks per agency plan-year, before scaling to N_TASKS (times the province's weight)
TASK_WEIGHT = {"national": 20, "provincial": 8, "municipal": 3, "county": 1}

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余"
    "杜叶程魏苏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙"
)
GIVEN = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红建文辉力宁波斌凤云海燕飞林"
    "鹏晨子浩然欣怡思远晓雨若琳嘉懿梓涵一鸣志远婉清雅琪书瑶家豪俊熙宇航梦洁佳慧泽楷"
)

KEY_POINTS = [
    "坚持党建引领，全面加强侨联自身建设",
    "聚焦中心大局，服务经济社会高质量发展",
    "深化海外联谊，广泛凝聚侨心侨力",
    "依法维护侨益，持续提升为侨服务水平",
    "加强文化交流，讲好中国故事和华侨故事",
    "夯实基层基础，推进侨联组织改革创新",
]
SECTIONS = ["强化思想政治引领", "完善工作机制", "抓好重点项目落实"]
VERBS = [
    "组织开展",
    "深入推进",
    "持续实施",
    "扎实做好",
    "高质量举办",
    "积极筹办",
    "全面落实",
    "探索建立",
]
OBJECTS = [
    "侨界青年创新创业大赛", "海外侨胞寻根之旅夏令营", "归侨侨眷关爱工程", "新侨人才联谊交流活动",
    "侨法宣传进社区活动", "华文教育支持计划", "侨资企业服务专项行动", "侨界法律顾问服务",
    "侨史资料征集整理工作", "基层侨联组织建设达标工作", "“侨家乐”文化品牌活动",
    "海外侨团负责人研修班",
    "侨商投资项目对接会", "侨界乡村振兴助力行动", "涉侨信访矛盾化解工作", "侨联网上工作平台建设",
]  # fmt: skip
GOALS = [
    "举办活动{n}场，覆盖{m}人次",
    "培训骨干{n}期，培训{m}人次",
    "新增联系对象{m}人，建立台账{n}册",
    "完成项目{n}个，落实资金{m}万元",
    "办结事项{m}件，群众满意率达到{n}0%以上",
]
MEASURES = (
    "加强统筹协调，细化工作方案，明确责任分工和时间节点，定期调度推进，"
    "及时报送工作进展，确保各项任务按期高质量完成。"
)
MILESTONE_TITLES = ["制定工作方案", "组织实施推进", "总结评估验收"]
REPORT_TEXTS = [
    "本月按计划推进各项工作，召开专题推进会{n}次，完成阶段目标。",
    "已完成方案细化和任务分解，落实责任人，本月开展相关活动{n}场。",
    "工作进展顺利，协调解决具体问题{n}个，下一步将加快推进。",
    "受客观因素影响进度略有滞后，已采取措施追赶，预计下月完成阶段任务。",
]


@dataclass
class Unit:
    id: int
    name: str
    short_name: str
    code: str
    parent: Unit | None
    kind: str
    level: str
    sort_order: int
    path: str = ""
    depth: int = 0
    agency: Unit | None = None  # the agency whose plan a department's tasks are in
    weight: float = 1.0  # the province's weight
    departments: list[Unit] = field(default_factory=list)
    people: list[int] = field(default_factory=list)
    chair: int | None = None
    vice_chairs: list[int] = field(default_factory=list)


def build_tree() -> list[Unit]:
    units: list[Unit] = []
    rng = random.Random(1)

    def add(name: str, short: str, code: str, parent: Unit | None, kind: str, level: str) -> Unit:
        unit = Unit(len(units) + 1, name, short, code, parent, kind, level, len(units))
        unit.path = (parent.path if parent else "") + f"{unit.id:0{PATH_WIDTH}d}/"
        unit.depth = unit.path.count("/") - 1
        unit.weight = parent.weight if parent else 1.0
        units.append(unit)
        return unit

    def departments(agency: Unit, names: Iterable[tuple[str, str]]) -> None:
        agency.agency = agency
        for i, (name, kind) in enumerate(names, start=1):
            dept = add(name, name, f"{agency.code}-D{i:02d}", agency, kind, agency.level)
            dept.agency = agency
            agency.departments.append(dept)

    root = add("全国归国华侨联合会", "全国侨联", "QG", None, "agency", "national")
    departments(root, NATIONAL_DEPARTMENTS)
    fixed = 1 + len(NATIONAL_DEPARTMENTS)
    per_province = 1 + len(PROVINCE_DEPARTMENTS)
    per_city = 1 + len(CITY_DEPARTMENTS)
    counties = len(PROVINCES) * CITIES_PER_PROVINCE * COUNTIES_PER_CITY
    cities = len(PROVINCES) * CITIES_PER_PROVINCE
    county_depts = (
        TOTAL_UNITS - fixed - len(PROVINCES) * per_province - cities * per_city - counties
    )
    with_dept = set(rng.sample(range(counties), max(0, min(counties, county_depts))))
    county_no = 0
    for p, (pname, pshort, weight) in enumerate(PROVINCES, start=1):
        prov = add(
            f"{pname}归国华侨联合会", f"{pshort}侨联", f"P{p:02d}", root, "local", "provincial"
        )
        prov.weight = weight
        departments(prov, ((n, "department") for n in PROVINCE_DEPARTMENTS))
        for c in range(1, CITIES_PER_PROVINCE + 1):
            cname = (
                CITY_SYLLABLES[(p * 7 + c) % len(CITY_SYLLABLES)]
                + CITY_SYLLABLES[(p * 3 + c * 5) % len(CITY_SYLLABLES)]
            )
            city = add(
                f"{pshort}{cname}市归国华侨联合会",
                f"{cname}市侨联",
                f"P{p:02d}C{c:02d}",
                prov,
                "local",
                "municipal",
            )
            departments(city, ((n, "department") for n in CITY_DEPARTMENTS))
            for k in range(1, COUNTIES_PER_CITY + 1):
                kname = cname[0] + CITY_SYLLABLES[(p + c * 3 + k * 11) % len(CITY_SYLLABLES)]
                county = add(
                    f"{cname}市{kname}县归国华侨联合会",
                    f"{kname}县侨联",
                    f"P{p:02d}C{c:02d}X{k:02d}",
                    city,
                    "local",
                    "county",
                )
                names = COUNTY_DEPARTMENTS if county_no in with_dept else []
                departments(county, ((n, "department") for n in names))
                county_no += 1
    return units


# --- helpers ------------------------------------------------------------------------------------


def ts(day: dt.date, hour: int = 9) -> str:
    return f"{day.isoformat()} {hour:02d}:00:00+08"


def month_end(year: int, month: int) -> dt.date:
    nxt = dt.date(year + (month == 12), month % 12 + 1, 1)
    return nxt - dt.timedelta(days=1)


def add_months(day: dt.date, months: int) -> dt.date:
    total = day.year * 12 + day.month - 1 + months
    return dt.date(total // 12, total % 12 + 1, 1)


def nz(value: object) -> str:
    return "\\N" if value is None else str(value)


def line(*values: object) -> str:
    return (
        "\t".join(
            "\\N" if v is None else ("t" if v is True else "f" if v is False else str(v))
            for v in values
        )
        + "\n"
    )


class Stream:
    """One COPY ... FROM STDIN on its own connection, fed in large chunks."""

    def __init__(self, conn: psycopg.Connection, table: str, columns: list[str]) -> None:
        self.table = table
        self.cursor = conn.cursor()
        self.copy_cm = self.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN")
        self.copy = self.copy_cm.__enter__()
        self.buffer: list[str] = []
        self.size = 0
        self.rows = 0

    def add(self, row: str) -> None:
        self.buffer.append(row)
        self.rows += 1
        if len(self.buffer) >= 5000:
            self.flush()

    def flush(self) -> None:
        if self.buffer:
            self.copy.write("".join(self.buffer).encode())
            self.buffer.clear()

    def close(self) -> None:
        self.flush()
        self.copy_cm.__exit__(None, None, None)


def connect(url: str) -> psycopg.Connection:
    conn = psycopg.connect(url)
    conn.execute("SET session_replication_role = replica")  # no FK triggers while loading
    conn.execute("SET synchronous_commit = off")
    conn.execute("SET maintenance_work_mem = '512MB'")
    return conn


def secondary_indexes(conn: psycopg.Connection, table: str) -> list[tuple[str, str]]:
    """Indexes of `table` that back no constraint (primary key and unique constraints stay)."""
    rows = conn.execute(
        """
        SELECT i.indexname, i.indexdef FROM pg_indexes i
        WHERE i.schemaname = 'public' AND i.tablename = %s
          AND i.indexname NOT IN (
            SELECT c.conname FROM pg_constraint c WHERE c.conrelid = %s::regclass
          )
        ORDER BY i.indexname
        """,
        (table, table),
    ).fetchall()
    return [(r[0], r[1]) for r in rows]


def log(message: str, started: float) -> None:
    print(f"[{time.monotonic() - started:7.1f}s] {message}", flush=True)


# --- database reset -------------------------------------------------------------------------------


def reset_database(url: str) -> None:
    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    if "bench" not in name:
        raise SystemExit(f"refusing to drop {name!r}: --reset only drops a database named *bench*")
    admin = urlunparse(parsed._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = %s AND pid <> pg_backend_pid()",
            (name,),
        )
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    env = {**os.environ, "DATABASE_URL": url, "LUOSHI_DEBUG": "1"}
    subprocess.run(
        [str(Path(sys.executable).parent / "luoshi"), "migrate", "--verbosity", "0"],
        cwd=ROOT,
        env=env,
        check=True,
    )


# --- generation --------------------------------------------------------------------------------


def list_ids(conn: psycopg.Connection, table: str) -> dict[str, int]:
    return {name: pk for pk, name in conn.execute(f"SELECT id, name FROM {table}").fetchall()}


def load_units_and_people(
    url: str, units: list[Unit], n_people: int, started: float
) -> dict[str, object]:
    from luoshi.core.text import search_key

    rng = random.Random(2)
    with connect(url) as conn:
        posts = list_ids(conn, "orgs_post")
        post_orders = dict(conn.execute("SELECT id, sort_order FROM orgs_post").fetchall())
        ranks = list(list_ids(conn, "orgs_rank").values())
        categories = list(list_ids(conn, "orgs_staffcategory").values())
        political = list(list_ids(conn, "orgs_politicalstatus").values())
        now = ts(TODAY)
        stream = Stream(
            conn,
            "orgs_orgunit",
            ["id", "created_at", "updated_at", "version", "name", "short_name", "code", "kind",
             "level", "sort_order", "path", "depth", "is_active", "search_text", "parent_id",
             "head_id"],
        )  # fmt: skip
        for u in units:
            stream.add(
                line(
                    u.id,
                    now,
                    now,
                    1,
                    u.name,
                    u.short_name,
                    u.code,
                    u.kind,
                    u.level,
                    u.sort_order,
                    u.path,
                    u.depth,
                    True,
                    search_key(u.name, u.short_name, u.code),
                    u.parent.id if u.parent else None,
                    None,
                )
            )
        stream.close()
        log(f"org units: {len(units)}", started)

        weights = [
            PEOPLE_WEIGHT[(u.level, u.kind if u.kind != "local" else "agency")] for u in units
        ]
        factor = n_people / sum(weights)
        counts = [max(1, int(w * factor)) for w in weights]
        for k in range(n_people - sum(counts)):  # the remainder, one each to the first units
            counts[k % len(counts)] += 1
        stream = Stream(
            conn,
            "orgs_person",
            ["id", "created_at", "updated_at", "version", "name", "gender", "birth_month",
             "work_start", "post_since", "mobile", "is_active", "search_text", "sort_key",
             "unit_id", "political_status_id", "post_id", "rank_id", "staff_category_id"],
        )  # fmt: skip
        pid = 0
        for u, count in zip(units, counts, strict=True):
            is_agency = u.kind in ("agency", "local")
            for i in range(count):
                pid += 1
                if is_agency:
                    post = (
                        "主席" if i == 0 else "副主席" if i <= 3 else "秘书长" if i == 4 else "干部"
                    )
                else:
                    post = (
                        ("部长" if u.kind == "department" else "主任")
                        if i == 0
                        else "副部长"
                        if i <= 2
                        else "科长"
                        if i % 4 == 3
                        else "副科长"
                        if i % 4 == 0
                        else "科员"
                    )
                name = rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=rng.choice((1, 2))))
                mobile = f"1{rng.choice('3589')}{pid:09d}"
                birth = dt.date(rng.randint(1962, 1998), rng.randint(1, 12), 1)
                work = dt.date(birth.year + 22 + rng.randint(0, 3), rng.randint(1, 12), 1)
                stream.add(
                    line(
                        pid,
                        now,
                        now,
                        1,
                        name,
                        rng.choice("MF"),
                        birth,
                        work,
                        dt.date(max(work.year, CUR - rng.randint(0, 8)), 1, 1),
                        mobile,
                        True,
                        search_key(name, mobile),
                        # services.person_sort_key
                        f"{u.path}!{post_orders[posts[post]] + 2**31:010d}",
                        u.id,
                        rng.choice(political),
                        posts[post],
                        rng.choice(ranks),
                        rng.choice(categories),
                    )
                )
                u.people.append(pid)
                if is_agency and i == 0:
                    u.chair = pid
                elif is_agency and i <= 3:
                    u.vice_chairs.append(pid)
        stream.close()
        log(f"people: {pid}", started)

        # The leader-in-charge matrix: each department is in a vice chair's charge.
        stream = Stream(
            conn,
            "orgs_leaderassignment",
            ["id", "created_at", "updated_at", "version", "start_date", "end_date", "leader_id",
             "unit_id"],
        )  # fmt: skip
        aid = 0
        for agency in (u for u in units if u.agency is u):
            leaders = agency.vice_chairs or ([agency.chair] if agency.chair else [])
            for j, dept in enumerate(agency.departments):
                if leaders:
                    aid += 1
                    stream.add(
                        line(
                            aid,
                            now,
                            now,
                            1,
                            dt.date(PREV - 1, 1, 1),
                            None,
                            leaders[j % len(leaders)],
                            dept.id,
                        )
                    )
        stream.close()
        conn.commit()
        for table in ("orgs_orgunit", "orgs_person", "orgs_leaderassignment"):
            conn.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"  # noqa: E501
            )
        conn.commit()
    return {"people": pid, "leader_assignments": aid}


def leader_of(unit: Unit) -> int | None:
    agency = unit.agency
    if agency is None:
        return None
    if unit is agency:
        return agency.chair
    leaders = agency.vice_chairs or ([agency.chair] if agency.chair else [])
    return leaders[agency.departments.index(unit) % len(leaders)] if leaders else None


def create_accounts(units: list[Unit]) -> dict[str, object]:
    """Accounts with roles and API tokens, through the app's services."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    from luoshi.orgs.models import OrgUnit, Person
    from luoshi.orgs.roles import Role
    from luoshi.orgs.services import api_token_create, role_assign, user_create

    root = units[0]
    province = max(
        (u for u in units if u.level == "provincial" and u.agency is u), key=lambda u: u.weight
    )
    staff_unit = root.departments[2]  # 经济科技部 of the national agency
    staff_person = staff_unit.people[-1]

    def account(
        username: str, person_id: int | None, role: str | None, anchor: Unit | None
    ) -> dict[str, object]:
        person = Person.objects.get(pk=person_id) if person_id else None
        user = user_create(
            actor=None,
            username=username,
            password=secrets.token_urlsafe(18) + "Aa1!",
            person=person,
            validate_password=False,
        )
        if role is not None:
            role_assign(
                actor=None,
                user=user,
                role=role,
                anchor=OrgUnit.objects.get(pk=anchor.id) if anchor else None,
            )
        _token, raw = api_token_create(actor=None, user=user, name="bench")
        return {"user_id": user.pk, "person_id": person_id, "token": raw, "role": role}

    return {
        "bench_national": account("bench_national", root.chair, Role.AGENCY_LEADER, root),
        "bench_province": account("bench_province", province.chair, Role.AGENCY_LEADER, province),
        "bench_staff": account("bench_staff", staff_person, Role.STAFF, None),
        "bench_reporter": account("bench_reporter", None, None, None),
        "_province_unit": province.id,
        "_province_name": province.name,
        "_staff_unit": staff_unit.id,
    }


def plan_sizes(units: list[Unit], n_tasks: int) -> list[tuple[Unit, int, int]]:
    """(agency, year, number of tasks) for every plan, adding up to n_tasks."""
    agencies = [u for u in units if u.agency is u]
    plans = [(a, y, TASK_WEIGHT[a.level] * a.weight) for a in agencies for y in (PREV, CUR)]
    total = sum(w for _a, _y, w in plans)
    sizes = [(a, y, max(1, int(w * n_tasks / total))) for a, y, w in plans]
    short = n_tasks - sum(n for _a, _y, n in sizes)
    a, y, n = sizes[1]  # the national agency's plan of this year
    sizes[1] = (a, y, n + short)
    return sizes


def deadline_for(year: int, rng: random.Random) -> dt.date:
    month = rng.choices([3, 6, 9, 11, 12], weights=[8, 25, 15, 7, 45])[0]
    return month_end(year, month)


def working_days_between(start: dt.date, end: dt.date) -> int:
    """Weekdays after start up to end (close enough for generating yellow lights)."""
    days = 0
    day = start
    while day < end and days < 10:
        day += dt.timedelta(days=1)
        days += day.weekday() < 5
    return days


def task_state(
    year: int, deadline: dt.date, rng: random.Random
) -> tuple[str, str, str, int, dt.date | None]:
    """status, light, light_code, progress, completed_on as of TODAY."""
    start = dt.date(year, 2, 20)
    span = max(1, (deadline - start).days)
    elapsed = min(1.0, max(0.0, (TODAY - start).days / span))
    if deadline < TODAY:
        status = rng.choices(
            ["completed", "in_progress", "completion_requested", "cancelled"],
            weights=[82, 12, 3, 3] if year == CUR else [88, 7, 1, 4],
        )[0]
    else:
        status = rng.choices(
            ["in_progress", "completion_requested", "completed", "adjustment_requested", "draft"],
            weights=[84, 5, 7, 2, 2],
        )[0]
    if status in ("completed", "cancelled"):
        done = min(deadline, TODAY) - dt.timedelta(days=rng.randint(0, 25))
        if rng.random() < 0.08:
            done = min(TODAY, deadline + dt.timedelta(days=rng.randint(1, 30)))
        return (
            status,
            "grey",
            json.dumps(["closed", {}]),
            100 if status == "completed" else rng.randint(0, 80),
            done if status == "completed" else None,
        )
    if status == "draft":
        return status, "grey", json.dumps(["not_started", {}]), 0, None
    progress = min(99, max(0, int(elapsed * 100) + rng.randint(-25, 10)))
    if deadline < TODAY:
        return (
            status,
            "red",
            json.dumps(["deadline_passed", {"date": deadline.isoformat()}]),
            progress,
            None,
        )
    if working_days_between(TODAY, deadline) <= 3:
        return (
            status,
            "yellow",
            json.dumps(["deadline_near", {"date": deadline.isoformat()}]),
            progress,
            None,
        )
    roll = rng.random()
    if roll < 0.10:
        due = TODAY - dt.timedelta(days=rng.randint(3, 60))
        return (
            status,
            "red",
            json.dumps(
                ["milestone_overdue", {"title": MILESTONE_TITLES[1], "date": due.isoformat()}],
                ensure_ascii=False,
            ),
            progress,
            None,
        )
    if roll < 0.28:
        behind = max(0, int(elapsed * 100) - rng.randint(16, 40))
        return (
            status,
            "yellow",
            json.dumps(["behind", {"progress": behind, "elapsed": round(elapsed * 100)}]),
            behind,
            None,
        )
    return status, "green", json.dumps(["on_track", {}]), max(progress, int(elapsed * 90)), None


def load_plans(
    url: str, units: list[Unit], n_tasks: int, reporter_id: int, started: float
) -> dict[str, int]:
    from luoshi.core.text import search_key

    rng = random.Random(3)
    big = ["plans_task", "plans_milestone", "plans_progressreport", "plans_task_cooperating_units",
           "plans_indicator", "plans_keypoint"]  # fmt: skip
    conns = {name: connect(url) for name in ["plans_workplan", *big]}
    dropped: list[tuple[str, str]] = []
    for table in big:
        for name, definition in secondary_indexes(conns[table], table):
            conns[table].execute(f'DROP INDEX "{name}"')
            dropped.append((name, definition))
        conns[table].commit()
    log(f"dropped {len(dropped)} secondary indexes", started)

    now = ts(TODAY)
    s_plan = Stream(conns["plans_workplan"], "plans_workplan",
                    ["id", "created_at", "updated_at", "version", "year", "title", "preamble",
                     "status", "approved_at", "issued_at", "agency_id", "archived"])  # fmt: skip
    s_kp = Stream(conns["plans_keypoint"], "plans_keypoint",
                  ["id", "created_at", "updated_at", "version", "level", "number", "label",
                   "title", "sort_order", "parent_id", "plan_id"])  # fmt: skip
    s_task = Stream(conns["plans_task"], "plans_task",
                    ["id", "created_at", "updated_at", "version", "code", "title", "goal",
                     "measures", "start_date", "deadline", "ongoing", "is_key", "source",
                     "status", "light", "light_code", "light_checked_on", "progress",
                     "report_cadence", "report_due_day", "completion_note",
                     "completion_requested_at", "completed_on", "sort_order", "search_text",
                     "carried_from_id", "key_point_id", "lead_unit_id", "leader_in_charge_id",
                     "responsible_person_id", "plan_id", "lead_unit_path",
                     "plan_year"])  # fmt: skip
    s_coop = Stream(conns["plans_task_cooperating_units"], "plans_task_cooperating_units",
                    ["id", "task_id", "orgunit_id"])  # fmt: skip
    s_ms = Stream(conns["plans_milestone"], "plans_milestone",
                  ["id", "created_at", "updated_at", "version", "title", "due_date", "done_on",
                   "evidence", "sort_order", "task_id"])  # fmt: skip
    s_ind = Stream(conns["plans_indicator"], "plans_indicator",
                   ["id", "created_at", "updated_at", "version", "name", "unit", "target",
                    "direction", "actual", "sort_order", "task_id", "allows_negative"])  # fmt: skip
    s_rep = Stream(conns["plans_progressreport"], "plans_progressreport",
                   ["id", "created_at", "updated_at", "version", "period", "text", "percent",
                    "submitted_at", "due_on", "submitted_by_id", "unit_id", "task_id",
                    "progress_drop_reason"])  # fmt: skip
    streams = [s_plan, s_kp, s_task, s_coop, s_ms, s_ind, s_rep]

    plan_id = kp_id = task_id = coop_id = ms_id = ind_id = rep_id = 0
    sizes = plan_sizes(units, n_tasks)
    titles = [v + o for v in VERBS for o in OBJECTS]
    for agency, year, n in sizes:
        plan_id += 1
        issued = dt.date(year, 2, 18)
        s_plan.add(line(plan_id, ts(issued), ts(issued), 1, year,
                        f"{agency.name}{year}年工作要点", "", "issued",
                        ts(issued - dt.timedelta(days=5)),
                        ts(issued), agency.id, False))  # fmt: skip
        sections: list[tuple[int, int, int]] = []  # (key point id, k1, k2)
        order = 0
        for k1, title in enumerate(KEY_POINTS, start=1):
            kp_id += 1
            parent = kp_id
            s_kp.add(
                line(
                    kp_id,
                    now,
                    now,
                    1,
                    1,
                    k1,
                    "一二三四五六"[k1 - 1] + "、",
                    title,
                    order,
                    None,
                    plan_id,
                )
            )
            order += 1
            for k2, stitle in enumerate(SECTIONS, start=1):
                kp_id += 1
                s_kp.add(
                    line(
                        kp_id,
                        now,
                        now,
                        1,
                        2,
                        k2,
                        f"（{'一二三'[k2 - 1]}）",
                        stitle,
                        order,
                        parent,
                        plan_id,
                    )
                )
                order += 1
                sections.append((kp_id, k1, k2))
        leads = agency.departments or [agency]
        per_section: dict[int, int] = {}
        for j in range(n):
            task_id += 1
            kp, k1, k2 = sections[j % len(sections)]
            per_section[kp] = per_section.get(kp, 0) + 1
            code = f"{year}-{k1}-{k2}-{per_section[kp]}"
            lead = agency if rng.random() < 0.04 else rng.choice(leads)
            title = rng.choice(titles)
            if rng.random() < 0.5:
                title = f"{agency.short_name}{title}"
            goal = rng.choice(GOALS).format(n=rng.randint(2, 9), m=rng.randint(50, 2000))
            deadline = deadline_for(year, rng)
            status, light, light_code, progress, completed_on = task_state(year, deadline, rng)
            start = dt.date(year, 2, 20)
            requested = (
                ts(TODAY - dt.timedelta(days=rng.randint(1, 10)))
                if status == "completion_requested"
                else None
            )
            responsible = rng.choice(lead.people) if lead.people else None
            s_task.add(line(
                task_id, ts(issued), now, 1 + rng.randint(0, 6), code, title, goal, MEASURES,
                start, deadline, False, rng.random() < 0.15, rng.choices(
                    ["work_plan", "instruction", "meeting", "higher_level"],
                    weights=[85, 6, 5, 4])[0],
                status, light, light_code, TODAY, progress, "monthly", 5,
                "已按要求完成，相关材料已归档。"
                if status in ("completed", "completion_requested") else "",
                requested, completed_on, j, search_key(code, title, goal, MEASURES),
                None, kp, lead.id, leader_of(lead), responsible, plan_id, lead.path, year,
            ))  # fmt: skip
            if len(leads) > 1 and rng.random() < 0.3:
                others = [d for d in leads if d is not lead]
                for other in rng.sample(others, min(len(others), rng.choice((1, 1, 2)))):
                    coop_id += 1
                    s_coop.add(f"{coop_id}\t{task_id}\t{other.id}\n")
            # three milestones over the task's span
            span = (deadline - start).days
            for m, mtitle in enumerate(MILESTONE_TITLES):
                ms_id += 1
                due = start + dt.timedelta(days=span * (m + 1) // 3)
                done = None
                if status == "completed" or (due < TODAY and (light != "red" or m == 0)):
                    done = min(TODAY, due - dt.timedelta(days=rng.randint(0, 10)))
                s_ms.add(
                    line(
                        ms_id,
                        now,
                        now,
                        1,
                        mtitle,
                        due,
                        done,
                        "见工作台账" if done else "",
                        m,
                        task_id,
                    )
                )
            if rng.random() < 0.25:
                ind_id += 1
                target = rng.randint(4, 40)
                s_ind.add(line(ind_id, now, now, 1, "举办活动", "场", f"{target}.00", "higher",
                               f"{target * progress // 100}.00", 0, task_id, False))  # fmt: skip
            # progress reports: the months before the deadline (or before this month)
            count = REPORTS_CUR if year == CUR else REPORTS_PREV
            last = min(
                dt.date(deadline.year, deadline.month, 1),
                add_months(dt.date(TODAY.year, TODAY.month, 1), -1),
            )
            last = max(last, dt.date(year, count, 1))
            for r in range(count):
                rep_id += 1
                period = add_months(last, r - count + 1)
                due_on = add_months(period, 1).replace(day=5)
                submitted = due_on + dt.timedelta(days=rng.randint(-4, 3))
                percent = progress * (r + 1) // count
                at = ts(submitted, 10)
                text = rng.choice(REPORT_TEXTS).format(n=rng.randint(1, 6))
                s_rep.add(
                    line(rep_id, at, at, 1, period, text, percent, at, due_on, reporter_id,
                         lead.id, task_id, "")
                )  # fmt: skip
        if plan_id % 200 == 0:
            log(f"plans {plan_id}/{len(sizes)}, tasks {task_id}", started)
    for s in streams:
        s.close()
    for c in conns.values():
        c.commit()
    log(
        f"loaded: {task_id} tasks, {ms_id} milestones, {rep_id} reports, "
        f"{coop_id} cooperating, {ind_id} indicators",
        started,
    )

    main = conns["plans_task"]
    for table in ["plans_workplan", *big]:
        main.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
        )
    main.commit()

    # Rebuild the dropped indexes, two at a time (one per core), the biggest tables first.
    def rebuild(definition: str) -> None:
        with connect(url) as conn:
            conn.execute(definition)

    with ThreadPoolExecutor(max_workers=2) as pool:
        list(pool.map(rebuild, [definition for _name, definition in dropped]))
    log(f"rebuilt {len(dropped)} indexes", started)
    for c in conns.values():
        c.close()
    return {
        "plans": plan_id, "key_points": kp_id, "tasks": task_id, "milestones": ms_id,
        "reports": rep_id, "cooperating": coop_id, "indicators": ind_id,
    }  # fmt: skip


# --- the newer apps: honours, the work meeting, news ------------------------------------------

DEEDS = (
    "该同志政治站位高，工作作风扎实，全年牵头完成重点任务{n}项，在服务归侨侨眷、"
    "联络海外侨胞工作中成效明显，得到领导和同事一致好评。"
)
HONOUR_TITLES = ["年度先进工作者", "优秀共产党员", "为侨服务先进个人", "侨联系统先进工作者"]
GUEST_BODIES = ["中央统战部", "国务院侨办", "中国侨商联合会", "中华海外联谊会", "中国致公党中央",
                "全国人大华侨委员会", "中国华侨历史博物馆", "中国华侨公益基金会"]  # fmt: skip
GUEST_TITLES = ["局长", "副局长", "处长", "副处长", "会长", "秘书长", "副主任"]
NEWS_TOPICS = [
    "召开{y}年度工作会议", "举办侨界青年创新创业大赛", "开展“侨法宣传月”活动",
    "举行海外侨胞寻根之旅夏令营开营仪式", "召开归侨侨眷关爱工程推进会", "举办侨商投资项目对接会",
    "开展基层侨联组织建设调研", "举办华文教育研讨会", "召开涉侨权益保护工作座谈会",
    "举办“侨家乐”文化品牌活动", "开展主题党日活动", "举办侨史资料征集成果展",
]  # fmt: skip
NEWS_PARAGRAPH = (
    "{date}，{agency}{topic}。会议强调，要坚持以习近平新时代中国特色社会主义思想为指导，"
    "深入学习贯彻关于侨务工作的重要论述，凝聚侨心、发挥侨力、维护侨益，为推进中国式现代化"
    "贡献侨界力量。各部门负责同志参加会议。"
)
NEWS_PER_PROVINCE = 20
NEWS_NATIONAL = 40


def bench_account(username: str, role: str, anchor_id: int, person_id: int | None) -> Any:
    from luoshi.orgs.models import OrgUnit, Person
    from luoshi.orgs.services import api_token_create, role_assign, user_create

    user = user_create(
        actor=None,
        username=username,
        password=secrets.token_urlsafe(18) + "Aa1!",
        person=Person.objects.get(pk=person_id) if person_id else None,
        validate_password=False,
    )
    role_assign(actor=None, user=user, role=role, anchor=OrgUnit.objects.get(pk=anchor_id))
    _token, raw = api_token_create(actor=None, user=user, name="bench")
    return user, {"user_id": user.pk, "person_id": person_id, "token": raw, "role": role}


def load_honours(units: list[Unit], started: float) -> dict[str, Any]:
    """This year's commendation program of the national agency and of each provincial one
    (created, given quotas and opened through the services), its nominations in bulk (submitted
    up to each unit's places, a few drafts and withdrawn), and the honours of the five years
    before (imported records), in bulk."""
    from django.db import transaction
    from django.utils import timezone

    from luoshi.honors import rules as hrules
    from luoshi.honors import services as hsvc
    from luoshi.honors.models import Honour, Nomination, UnitAllocation
    from luoshi.orgs.models import OrgUnit, Person
    from luoshi.orgs.roles import Role

    root = units[0]
    hr, account = bench_account("bench_hr", Role.PERSONNEL_OFFICER, root.id, root.people[-1])
    agencies = [root] + [u for u in units if u.level == "provincial" and u.agency is u]
    rng = random.Random(5)
    deadline = TODAY + dt.timedelta(days=21)
    programs: list[int] = []
    nominations: list[Nomination] = []
    honours: list[Honour] = []
    for agency in agencies:
        org = OrgUnit.objects.get(pk=agency.id)
        with transaction.atomic():
            program = hsvc.program_create(
                actor=hr, agency=org, year=CUR, title=f"{CUR}年度先进工作者评选",
                scope="internal", nomination_deadline=deadline,
            )  # fmt: skip
            for family in hrules.FAMILIES_WITH_AWARDS:
                with contextlib.suppress(Exception):  # no staff of the family: no quota
                    hsvc.quota_set(
                        actor=hr, program=program, kind=hrules.COMMENDATION, family=family
                    )
            hsvc.quota_set(actor=hr, program=program, kind=hrules.ADVANCED_COLLECTIVE, places=3)
            staff = len(agency.people) + sum(len(d.people) for d in agency.departments)
            hsvc.quota_set(
                actor=hr, program=program, kind=hrules.PARTY_MEMBER, places=max(1, staff // 10)
            )
            hsvc.program_open(actor=hr, program=program)
        programs.append(program.pk)
        free: dict[tuple[int, str, str], int] = {}  # (unit, kind, family) -> places left
        for a in UnitAllocation.objects.filter(quota__program=program).select_related("quota"):
            free[(a.unit_id, a.quota.kind, a.quota.family)] = a.places
        people = (
            Person.objects.filter(unit_id__in=[agency.id, *(d.id for d in agency.departments)])
            .select_related("unit", "post", "rank", "staff_category", "political_status")
            .order_by("unit__path", "pk")
        )
        now = timezone.now()
        for person in people:
            family = (
                hrules.appraisal_rules.family_for(person.staff_category.appraisal_family)
                if person.staff_category
                else ""
            )
            kind = hrules.COMMENDATION
            if free.get((person.unit_id, kind, family), 0) <= 0:
                status_name = person.political_status.name if person.political_status else ""
                kind, family = hrules.PARTY_MEMBER, ""
                if (
                    not status_name.startswith("中共")
                    or free.get((person.unit_id, kind, ""), 0) <= 0
                ):
                    continue
            free[(person.unit_id, kind, family)] -= 1
            roll = rng.random()
            status = "submitted" if roll < 0.85 else "draft" if roll < 0.95 else "withdrawn"
            post = person.post.name if person.post else ""
            nominations.append(
                Nomination(
                    program=program, kind=kind, person=person,
                    unit_id=person.unit_id, family=family,
                    is_leader=hrules.is_leader(post, person.rank.name if person.rank else "",
                                               hrules.policy()),
                    post_at_time=person.unit.name + post,
                    deeds_brief=DEEDS.format(n=rng.randint(2, 9)), unit_opinion="同意推荐。",
                    status=status, nominated_by=hr,
                    submitted_at=now if status != "draft" else None,
                )
            )  # fmt: skip
        for dept in agency.departments[:2]:
            nominations.append(
                Nomination(
                    program=program, kind=hrules.ADVANCED_COLLECTIVE, unit_id=dept.id,
                    deeds_brief=DEEDS.format(n=rng.randint(5, 12)), unit_opinion="同意推荐。",
                    status="submitted", nominated_by=hr, submitted_at=now,
                )
            )  # fmt: skip
        # the honours of earlier years: about the quota's size each year
        sample = [p for p in agency.people] + [p for d in agency.departments for p in d.people]
        unit_of = {p: agency.id for p in agency.people}
        for d in agency.departments:
            unit_of.update({p: d.id for p in d.people})
        per_year = max(1, len(sample) // 6)
        for year in range(CUR - 5, CUR):
            for pid in rng.sample(sample, min(len(sample), per_year)):
                honours.append(
                    Honour(
                        agency_id=agency.id, person_id=pid, unit_id=unit_of[pid],
                        kind=hrules.COMMENDATION, title=rng.choice(HONOUR_TITLES),
                        gbt_code="01115", year=year, approving_body=agency.name,
                        document_number=f"{agency.short_name}发〔{year}〕{rng.randint(10, 60)}号",
                        awarded_on=dt.date(year, 12, rng.randint(15, 28)), source="import",
                    )
                )  # fmt: skip
    with transaction.atomic():
        Nomination.objects.bulk_create(nominations, batch_size=2000)
        Honour.objects.bulk_create(honours, batch_size=2000)
    log(
        f"honours: {len(programs)} programs, {len(nominations)} nominations, "
        f"{len(honours)} earlier honours",
        started,
    )
    national = Nomination.objects.filter(program_id=programs[0]).count()
    return {
        "accounts": {"bench_hr": account},
        "counts": {"honours_programs": len(programs), "honours_nominations": len(nominations),
                   "honours_nominations_national": national, "honours_earlier": len(honours)},
        "ids": {"honours_program": programs[0], "honours_program_province": programs[1]},
    }  # fmt: skip


def load_meeting(units: list[Unit], started: float) -> dict[str, Any]:
    """Last year's work meeting of the national agency, closed: 600 participants (the agency's
    people by rank, then the provincial federations' chairs and vice chairs, then guests), the
    agenda, the presidium and the hall seated, sign-in. Made through the services except the
    participants (bulk, with the services' sort key) and the sign-in (one update)."""
    from django.db import transaction
    from django.utils import timezone

    from luoshi.meetings import services as msvc
    from luoshi.meetings.models import AgendaItem, Participant
    from luoshi.orgs.models import OrgUnit, Person
    from luoshi.orgs.roles import Role

    root = units[0]
    office, account = bench_account("bench_office", Role.SUPERVISOR, root.id, root.people[-2])
    rng = random.Random(6)
    agency = OrgUnit.objects.get(pk=root.id)
    day = dt.date(CUR, 1, 16) if dt.date(CUR, 1, 20) < TODAY else TODAY - dt.timedelta(days=3)
    planned = day - dt.timedelta(days=10)
    chair = Person.objects.get(pk=root.chair)
    vices = list(Person.objects.filter(pk__in=root.vice_chairs).order_by("pk"))
    own = [root.id, *(d.id for d in root.departments)]
    provinces = [u for u in units if u.level == "provincial" and u.agency is u]
    outside = [p for u in provinces for p in [u.chair, *u.vice_chairs] if p]
    people = list(
        Person.objects.filter(unit_id__in=own)
        .select_related("unit", "post", "rank")
        .order_by("post__sort_order", "rank__sort_order", "pk")
    )
    people += list(
        Person.objects.filter(pk__in=outside).select_related("unit", "post", "rank").order_by("pk")
    )
    people = people[:560]
    with transaction.atomic():
        meeting = msvc.meeting_create(
            actor=office, agency=agency, year=PREV, title=f"{PREV}年度机关工作会议", date=day,
            starts_at=dt.time(9, 0), venue="机关办公楼一层报告厅", presiding=vices[0] if vices
            else chair, today=planned,
        )  # fmt: skip
        now = timezone.now()
        rows = [
            Participant(
                meeting=meeting, person=p, unit_id=p.unit_id,
                source="rule" if p.unit_id in own else "named",
                sort_key=msvc._sort_key(p, p.unit), invited_at=now,
                reply="leave" if i % 40 == 39 else "accepted",
                leave_reason="公务外出" if i % 40 == 39 else "",
            )
            for i, p in enumerate(people)
        ]  # fmt: skip
        for g in range(600 - len(rows)):
            rows.append(
                Participant(
                    meeting=meeting, guest_name=rng.choice(SURNAMES)
                    + "".join(rng.choices(GIVEN, k=2)), guest_body=rng.choice(GUEST_BODIES),
                    guest_title=rng.choice(GUEST_TITLES), source="guest",
                    role="observe" if g % 3 else "attend", sort_key="~guest", invited_at=now,
                    reply="accepted",
                )
            )  # fmt: skip
        Participant.objects.bulk_create(rows, batch_size=1000)
        K = AgendaItem.Kind
        depts = {d.id: d for d in OrgUnit.objects.filter(pk__in=[d.id for d in root.departments])}
        items = [(K.SPEECH, f"主席作{PREV}年度工作总结讲话", chair, None, 40)]
        items += [(K.REPORT, f"{d.name}{PREV}年度工作汇报", None, depts[d.id], 8)
                  for d in root.departments[:3]]  # fmt: skip
        ours = [p for p in people if p.unit_id in own]
        items += [(K.EXCHANGE, f"{p.name}同志交流发言", p, None, 6) for p in ours[-3:]]
        for kind, title, presenter, unit, minutes in items:
            msvc.agenda_add(
                actor=office, meeting=meeting, kind=kind, title=title, presenter=presenter,
                unit=unit, duration_minutes=minutes,
            )  # fmt: skip
        msvc.presidium_set(
            actor=office, meeting=meeting,
            person_ids=[p.pk for p in msvc.presidium_proposal(meeting)][:15],
        )  # fmt: skip
        msvc.meeting_advance(actor=office, meeting=meeting, to="notified", today=planned)
        seated = msvc.seating_arrange(actor=office, meeting=meeting)
        msvc.meeting_advance(actor=office, meeting=meeting, to="in_session", today=day)
        opened = timezone.make_aware(dt.datetime.combine(day, dt.time(8, 40)))
        meeting.participants.exclude(reply="leave").exclude(
            pk__in=[r.pk for r in rows[::17]]
        ).update(signed_in_at=opened, sign_in_method="desk")
        msvc.meeting_advance(actor=office, meeting=meeting, to="closed", today=day)
    log(f"meeting: {meeting.participants.count()} participants, seats {seated}", started)
    return {
        "accounts": {"bench_office": account},
        "counts": {"meeting_participants": meeting.participants.count(),
                   "meeting_seats": meeting.seats.count(), "meeting_agenda": len(items)},
        "ids": {"meeting": meeting.pk},
    }  # fmt: skip


def load_news(units: list[Unit], started: float) -> dict[str, Any]:
    """News items of the national agency and of each provincial one (paragraph and quote blocks,
    no photos): most published, some in review, a few drafts and withdrawn; in bulk."""
    from django.db import transaction
    from django.utils import timezone

    from luoshi.news.models import NewsItem
    from luoshi.orgs.roles import Role

    root = units[0]
    editor, account = bench_account("bench_editor", Role.NEWS_EDITOR, root.id, root.people[-3])
    rng = random.Random(7)
    agencies = [root] + [u for u in units if u.level == "provincial" and u.agency is u]
    items: list[NewsItem] = []
    for agency in agencies:
        count = NEWS_NATIONAL if agency is root else NEWS_PER_PROVINCE
        for k in range(count):
            event = TODAY - dt.timedelta(days=3 + k * 9 + rng.randint(0, 5))
            topic = rng.choice(NEWS_TOPICS).format(y=event.year)
            date_text = f"{event.month}月{event.day}日"
            blocks = [
                {"type": "paragraph", "text": NEWS_PARAGRAPH.format(
                    date=date_text, agency=agency.short_name, topic=topic)},
                {"type": "paragraph", "text": MEASURES * 2},
                {"type": "quote", "text": "凝聚侨心侨力，同圆共享中国梦。"},
                {"type": "paragraph", "text": REPORT_TEXTS[k % 3].format(n=k % 5 + 1)},
            ]  # fmt: skip
            roll = rng.random()
            status = (
                "published" if roll < 0.7 else "first_review" if roll < 0.8
                else "second_review" if roll < 0.86 else "draft" if roll < 0.97 else "withdrawn"
            )  # fmt: skip
            at = timezone.make_aware(dt.datetime.combine(event, dt.time(17, 0)))
            dept = agency.departments[k % len(agency.departments)] if agency.departments else agency
            items.append(
                NewsItem(
                    agency_id=agency.id, unit_id=dept.id, author=editor,
                    title=f"{agency.short_name}{topic}", source=agency.short_name,
                    authors="宣传部", editors="宣传部", digest=f"{agency.short_name}{topic}。",
                    event_date=event, blocks=blocks, status=status,
                    slug=f"{event:%Y%m%d}-{secrets.token_hex(4)}"
                    if status in ("published", "withdrawn") else None,
                    published_at=at if status in ("published", "withdrawn") else None,
                    withdrawn_at=at if status == "withdrawn" else None,
                    withdrawal_reason="内容需更新" if status == "withdrawn" else "",
                )
            )  # fmt: skip
    with transaction.atomic():
        NewsItem.objects.bulk_create(items, batch_size=1000)
    published = sum(i.status == "published" for i in items)
    log(f"news: {len(items)} items, {published} published", started)
    return {
        "accounts": {"bench_editor": account},
        "counts": {"news_items": len(items), "news_published": published},
        "ids": {},
    }


def build_rollups(started: float) -> None:
    """The dashboards' roll-up tables, from the loaded tasks (as `luoshi rollup --rebuild`)."""
    from luoshi.plans import rollup

    rows = rollup.rebuild()
    log(f"roll-ups: {rows} rows", started)


def vacuum(url: str, started: float) -> None:
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("VACUUM (ANALYZE)")
    log("vacuum analyze", started)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--scale", type=float, default=1.0, help="1 = a million tasks")
    parser.add_argument(
        "--reset", action="store_true", help="drop, create and migrate the database"
    )
    parser.add_argument(
        "--no-apps", action="store_true", help="skip honours, the work meeting and news"
    )
    args = parser.parse_args(argv)
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        raise SystemExit(
            "Set DATABASE_URL to a dedicated PostgreSQL database, e.g. .../luoshi_bench"
        )
    os.environ.setdefault("LUOSHI_SECRET_KEY", "bench-generator-" + secrets.token_hex(16))
    os.environ.setdefault("LUOSHI_AUDIT_KEY", "bench-audit-" + secrets.token_hex(16))
    os.environ.setdefault("LUOSHI_BALLOT_KEY", "bench-ballot-" + secrets.token_hex(16))
    started = time.monotonic()
    if args.reset:
        reset_database(url)
        log("database reset and migrated", started)
    with psycopg.connect(url) as conn:
        if conn.execute("SELECT EXISTS (SELECT 1 FROM orgs_orgunit)").fetchone()[0]:  # type: ignore[index]
            raise SystemExit("The database already holds org units: use --reset (it is dropped).")
    n_tasks = max(1000, int(N_TASKS * args.scale))
    n_people = max(6000, int(N_PEOPLE * args.scale))
    units = build_tree()
    people = load_units_and_people(url, units, n_people, started)
    accounts = create_accounts(units)
    log("accounts and tokens", started)
    reporter = accounts["bench_reporter"]
    assert isinstance(reporter, dict)
    counts = load_plans(url, units, n_tasks, int(reporter["user_id"]), started)
    build_rollups(started)
    extra_counts: dict[str, Any] = {}
    ids: dict[str, Any] = {}
    if not args.no_apps:
        for loader in (load_honours, load_meeting, load_news):
            made = loader(units, started)
            accounts.update(made["accounts"])
            extra_counts.update(made["counts"])
            ids.update(made["ids"])
    vacuum(url, started)
    seconds = time.monotonic() - started
    VAR.mkdir(exist_ok=True)
    dataset = {
        "generated_at": dt.datetime.now(TZ).isoformat(timespec="seconds"),
        "today": TODAY.isoformat(),
        "scale": args.scale,
        "seconds": round(seconds, 1),
        "units": len(units),
        **people,
        **counts,
        **extra_counts,
        "ids": ids,
        "accounts": accounts,
    }
    (VAR / "dataset.json").write_text(json.dumps(dataset, ensure_ascii=False, indent=2))
    log(f"done in {seconds:.0f}s → {VAR / 'dataset.json'}", started)
    shown = {k: v for k, v in dataset.items() if k != "accounts"}
    print(json.dumps(shown, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        sys.exit(main())
