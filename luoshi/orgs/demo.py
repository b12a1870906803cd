"""A fictional provincial federation agency to try Luoshi with (all names invented).

The departments and affiliated units carry the same names as the agency in the shared sample
files, so plans written for that agency resolve against the demo; the province is another one,
so importing the sample adds a second agency beside it.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from . import services
from .defaults import ensure_default_lists
from .models import OrgUnit, Person, PoliticalStatus, Post, Rank, StaffCategory, User
from .roles import Role

AGENCY_CODE = "JLQL"
AGENCY_NAME = "江岚省归国华侨联合会机关"

DEPARTMENTS = [
    ("办公室", "BGS"),
    ("组织联络部", "ZLB"),
    ("经济科技部", "JKB"),
    ("文化交流部", "WJB"),
    ("权益保障部", "QBB"),
    ("宣传部", "XCB"),
    ("海外联谊部", "HLB"),
    ("人事部", "RSB"),
    ("机关党委", "JGDW"),
    ("研究室", "YJS"),
]
AFFILIATED = [("侨联信息中心", "XXZX"), ("华侨文化交流中心", "WHZX"), ("侨界权益服务中心", "QYZX")]
CITIES = [
    ("澄州市归国华侨联合会", "C01"),
    ("梅岭市归国华侨联合会", "C02"),
    ("望海市归国华侨联合会", "C03"),
]

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余"
    "杜叶程魏苏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙"
    "史黎贺顾毛郝龚邵万钱覃武戴孔汤庞樊兰殷施陶洪翟安颜倪严牛温芦季俞章鲁葛伍申尤毕聂"
    "柴焦向柳邢骆岳齐沿梅莫庄辛管祝左涂谷时舒耿牟卜路詹关苗凌费纪靳盛童欧甄项曲成游阳"
    "裴席卫查屈鲍位覃霍翁隋植甘景薄单包司柏宁柯阮桂闵欧阳解强丛华车冉房边"
)
GIVEN = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红建文辉力宁波斌凤云海燕飞林"
    "鹏晨子浩然欣怡思远晓雨若琳嘉懿梓涵一鸣志远婉清雅琪书瑶家豪俊熙宇航梦洁佳慧泽楷"
)

ACCOUNTS = [
    ("demo_admin", Role.SYSTEM_ADMIN, "系统管理员"),
    ("demo_security", Role.SECURITY_ADMIN, "安全管理员"),
    ("demo_auditor", Role.AUDIT_ADMIN, "审计管理员"),
    ("demo_leader", Role.AGENCY_LEADER, "机关主要领导"),
    ("demo_vice", Role.LEADER_IN_CHARGE, "分管领导"),
    ("demo_head", Role.UNIT_HEAD, "办公室主任"),
    ("demo_staff", Role.STAFF, "经济科技部工作人员"),
    ("demo_supervisor", Role.SUPERVISOR, "督查督办人员"),
    ("demo_hr", Role.PERSONNEL_OFFICER, "人事干部"),
    ("demo_outsider", Role.STAFF, "市侨联工作人员（看不到机关内部记录）"),
]


@dataclass
class DemoResult:
    created: bool
    units: int
    people: int


def _month(year: int, month: int) -> dt.date:
    return dt.date(year, month, 1)


class _Names:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.used: set[str] = set()

    def next(self) -> str:
        for _attempt in range(1000):
            given = self.rng.choice(GIVEN) + (
                self.rng.choice(GIVEN) if self.rng.random() < 0.6 else ""
            )
            name = self.rng.choice(SURNAMES) + given
            if name not in self.used:
                self.used.add(name)
                return name
        raise RuntimeError("ran out of demo names")


def demo_exists() -> bool:
    return OrgUnit.objects.filter(code=AGENCY_CODE).exists()


@transaction.atomic
def build_demo(*, seed: int = 20261126) -> DemoResult:
    """Create the demo agency once; a second call changes nothing."""
    if demo_exists():
        return DemoResult(False, 0, 0)
    ensure_default_lists()  # the lists the demo people use (migrations seed them)
    rng = random.Random(seed)
    names = _Names(rng)
    actor = None
    agency = services.org_unit_create(
        actor=actor,
        name=AGENCY_NAME,
        short_name="江岚侨联",
        code=AGENCY_CODE,
        kind=OrgUnit.Kind.AGENCY,
        level=OrgUnit.Level.PROVINCIAL,
        sort_order=1,
    )
    units: dict[str, OrgUnit] = {}
    for i, (name, code) in enumerate(DEPARTMENTS, start=1):
        units[name] = services.org_unit_create(
            actor=actor,
            name=name,
            code=f"JL-{code}",
            parent=agency,
            kind=OrgUnit.Kind.DEPARTMENT,
            level=OrgUnit.Level.PROVINCIAL,
            sort_order=i,
        )
    for i, (name, code) in enumerate(AFFILIATED, start=101):
        units[name] = services.org_unit_create(
            actor=actor,
            name=name,
            code=f"JL-{code}",
            parent=agency,
            kind=OrgUnit.Kind.AFFILIATED,
            level=OrgUnit.Level.PROVINCIAL,
            sort_order=i,
        )
    cities = [
        services.org_unit_create(
            actor=actor,
            name=name,
            code=f"JL-{code}",
            parent=agency,
            short_name=name[:3] + "侨联",
            kind=OrgUnit.Kind.LOCAL,
            level=OrgUnit.Level.MUNICIPAL,
            sort_order=200 + i,
        )
        for i, (name, code) in enumerate(CITIES, start=1)
    ]

    posts = {p.name: p for p in Post.objects.all()}
    ranks = list(Rank.objects.all())
    civil_ranks = [r for r in ranks if "科员" in r.name or "调研员" in r.name]
    categories = {c.name: c for c in StaffCategory.objects.all()}
    statuses = list(PoliticalStatus.objects.all())
    party = next(s for s in statuses if s.name == "中共党员")

    def person(
        unit: OrgUnit,
        post: str | None = None,
        rank: Rank | None = None,
        category: str = "参照公务员法管理",
        senior: bool = False,
    ) -> Person:
        year = rng.randint(1965, 1975) if senior else rng.randint(1966, 2000)
        start = min(2024, year + rng.randint(21, 25))
        return services.person_create(
            actor=actor,
            name=names.next(),
            gender=rng.choice([Person.Gender.MALE, Person.Gender.FEMALE]),
            birth_month=_month(year, rng.randint(1, 12)),
            political_status=party if senior or rng.random() < 0.5 else rng.choice(statuses),
            unit=unit,
            post=posts.get(post) if post else None,
            rank=rank or rng.choice(civil_ranks),
            staff_category=categories[category],
            work_start=_month(start, rng.randint(1, 12)),
            post_since=_month(min(2025, start + rng.randint(1, 10)), rng.randint(1, 12)),
            mobile=f"139{rng.randint(0, 99_999_999):08d}",
        )

    chair = person(agency, "主席", senior=True)
    vices = [person(agency, "副主席", senior=True) for _ in range(3)]
    secretary = person(agency, "秘书长", senior=True)
    heads: dict[str, Person] = {}
    staff: dict[str, list[Person]] = {}
    for name, unit in units.items():
        affiliated = unit.kind == OrgUnit.Kind.AFFILIATED
        category = "事业单位" if affiliated else "参照公务员法管理"
        head_post = "主任" if name.endswith(("室", "中心")) else "部长"
        heads[name] = person(unit, head_post, category=category, senior=True)
        services.unit_set_head(actor=actor, unit=unit, head=heads[name])
        staff[name] = [person(unit, category=category) for _ in range(11)]
    city_people = []
    for city in cities:
        chief = person(city, "主席", category="参照公务员法管理", senior=True)
        services.unit_set_head(actor=actor, unit=city, head=chief)
        city_people.append([person(city) for _ in range(4)])

    # The leader-in-charge matrix, with one change during the year to show history.
    year = timezone.localdate().year
    start = dt.date(year, 1, 1)
    matrix = {
        vices[0]: ["组织联络部", "海外联谊部", "文化交流部", "华侨文化交流中心"],
        vices[1]: ["经济科技部", "权益保障部", "侨界权益服务中心", "侨联信息中心"],
        vices[2]: ["宣传部", "研究室"],
        secretary: ["办公室", "人事部", "机关党委"],
    }
    for leader, unit_names in matrix.items():
        for unit_name in unit_names:
            services.leader_assign(
                actor=actor, leader=leader, unit=units[unit_name], start_date=start
            )
    services.leader_assign(
        actor=actor,
        leader=vices[2],
        unit=units["权益保障部"],
        start_date=dt.date(year - 1, 1, 1),
        end_date=dt.date(year - 1, 12, 31),
    )
    for city in cities:
        services.leader_assign(actor=actor, leader=vices[0], unit=city, start_date=start)

    people_for = {
        "demo_admin": staff["侨联信息中心"][0],
        "demo_security": staff["侨联信息中心"][1],
        "demo_auditor": staff["机关党委"][0],
        "demo_leader": chair,
        "demo_vice": vices[0],
        "demo_head": heads["办公室"],
        "demo_staff": staff["经济科技部"][0],
        "demo_supervisor": staff["办公室"][0],
        "demo_hr": staff["人事部"][0],
        "demo_outsider": city_people[0][0],
    }
    anchors = {"demo_leader": agency, "demo_supervisor": agency, "demo_hr": agency}
    password = settings.LUOSHI_DEMO_PASSWORD
    for username, role, _label in ACCOUNTS:
        user = services.user_create(
            actor=actor,
            username=username,
            password=password,
            person=people_for[username],
            validate_password=False,
        )
        services.role_assign(actor=actor, user=user, role=role, anchor=anchors.get(username))
        if username in {"demo_head", "demo_vice", "demo_leader", "demo_supervisor", "demo_hr"}:
            services.role_assign(actor=actor, user=user, role=Role.STAFF)
    committee = User.objects.get(username="demo_hr")
    services.role_assign(actor=actor, user=committee, role=Role.COMMITTEE_MEMBER)
    return DemoResult(
        True,
        OrgUnit.objects.filter(path__startswith=agency.path).count(),
        Person.objects.filter(unit__path__startswith=agency.path).count(),
    )
