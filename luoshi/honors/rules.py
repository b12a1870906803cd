"""The rules of commendation (表彰), as pure functions (no database).

RULES.md §3 and issue 16. Marks: [law] from the Civil Servant Law (art. 51–56) and the Public
Institution Personnel Regulations (art. 27); [practice] seen in public practice; [open] not
verified. [law] values are constants here, in one place; every [practice] and [open] value is a
field of `Policy` with that default, overridden by the Django setting
LUOSHI_HONORS = {"field": value, ...} (an unknown key is an error).

Award kinds are stored as codes; `KINDS` gives each its family, the Chinese word used on the
official documents, its GB/T 8563 code where the standard has one, and whether it is a
collective honour.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_FLOOR, Decimal
from typing import Any

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from luoshi.appraisal import rules as appraisal_rules

CIVIL_SERVANT = appraisal_rules.CIVIL_SERVANT
PUBLIC_INSTITUTION = appraisal_rules.PUBLIC_INSTITUTION
ANY = "any"  # Party and collective honours: no staff family
FAMILIES_WITH_AWARDS = (CIVIL_SERVANT, PUBLIC_INSTITUTION)

# --- award kinds -----------------------------------------------------------------------------

COMMENDATION = "commendation"  # 嘉奖 (both families)
MERIT_THIRD = "merit_third"  # 记三等功 (civil servants, 参公)
MERIT_SECOND = "merit_second"  # 记二等功
MERIT_FIRST = "merit_first"  # 记一等功
MERIT = "merit"  # 记功 (public institutions)
MAJOR_MERIT = "major_merit"  # 记大功 (public institutions)
TITLE = "title"  # 授予称号 (both families)
PARTY_MEMBER = "party_member"  # 优秀共产党员
PARTY_WORKER = "party_worker"  # 优秀党务工作者
PARTY_ORG = "party_org"  # 先进基层党组织 (collective)
ADVANCED_COLLECTIVE = "advanced_collective"  # 先进集体 (collective)
ADVANCED_UNIT = "advanced_unit"  # 先进单位 (collective)
ADVANCED_INDIVIDUAL = "advanced_individual"  # 先进个人 (no pay consequence)


@dataclass(frozen=True)
class Kind:
    code: str
    label: Any
    word: str  # the Chinese word on official documents, whatever the interface language
    families: tuple[str, ...]  # who may receive it
    gbt_code: str = ""  # GB/T 8563 (奖励代码) where the standard has one
    collective: bool = False
    pay_consequence: bool = False  # an award under the law (嘉奖, 记功 …), not a Party honour


KINDS: dict[str, Kind] = {
    k.code: k
    for k in (
        Kind(
            COMMENDATION,
            pgettext_lazy("award", "Commendation"),
            "嘉奖",
            (CIVIL_SERVANT, PUBLIC_INSTITUTION),
            "01115",
            pay_consequence=True,
        ),
        Kind(
            MERIT_THIRD,
            _("Third-class merit"),
            "记三等功",
            (CIVIL_SERVANT,),
            "01114",
            pay_consequence=True,
        ),
        Kind(
            MERIT_SECOND,
            _("Second-class merit"),
            "记二等功",
            (CIVIL_SERVANT,),
            "01113",
            pay_consequence=True,
        ),
        Kind(
            MERIT_FIRST,
            _("First-class merit"),
            "记一等功",
            (CIVIL_SERVANT,),
            "01112",
            pay_consequence=True,
        ),
        Kind(MERIT, _("Merit"), "记功", (PUBLIC_INSTITUTION,), pay_consequence=True),
        Kind(MAJOR_MERIT, _("Major merit"), "记大功", (PUBLIC_INSTITUTION,), pay_consequence=True),
        Kind(
            TITLE,
            pgettext_lazy("award", "Honorary title"),
            "授予称号",
            (CIVIL_SERVANT, PUBLIC_INSTITUTION),
            "01111",
            pay_consequence=True,
        ),
        Kind(PARTY_MEMBER, _("Outstanding Party member"), "优秀共产党员", (ANY,)),
        Kind(PARTY_WORKER, _("Outstanding Party affairs worker"), "优秀党务工作者", (ANY,)),
        Kind(
            PARTY_ORG,
            _("Advanced primary Party organization"),
            "先进基层党组织",
            (ANY,),
            collective=True,
        ),
        Kind(
            ADVANCED_COLLECTIVE,
            _("Advanced collective"),
            "先进集体",
            (ANY,),
            collective=True,
        ),
        Kind(ADVANCED_UNIT, _("Advanced unit"), "先进单位", (ANY,), collective=True),
        Kind(ADVANCED_INDIVIDUAL, _("Advanced individual"), "先进个人", (ANY,)),
    )
}
KIND_CHOICES = [(k.code, k.label) for k in KINDS.values()]
# Each kind's certificates are one numbered series "honors.cert.<kind>" (NumberSeries.kind holds
# 32 characters: the longest code must fit).
assert all(len(f"honors.cert.{code}") <= 32 for code in KINDS)


def kind(code: str) -> Kind:
    try:
        return KINDS[code]
    except KeyError:
        raise ValueError(f"unknown award kind {code!r}") from None


def family_may_receive(kind_code: str, family: str) -> bool:
    """Whether a person of the rule family `family` may receive an award of this kind
    (the family-bound awards of the law; Party and collective honours: anyone)."""
    families = kind(kind_code).families
    return ANY in families or appraisal_rules.family_for(family) in families


# Quotas fixed by law for public-institution staff (Public Institution Personnel Regulations,
# art. 27 and the 2018 provisions on rewards): 嘉奖 ≤ 20 %, 记功 ≤ 2 % of the staff; 嘉奖 up to
# 25 % in a unit that is itself commended. [law]
PUBLIC_INSTITUTION_QUOTA: dict[str, Decimal] = {COMMENDATION: Decimal("20"), MERIT: Decimal("2")}
PUBLIC_INSTITUTION_COMMENDED_UNIT_QUOTA = Decimal("25")

# GB/T 8563 codes are listed with the kinds above; the standard's codes for the public
# institution awards 记功 and 记大功 are not verified [open] and left blank.


# --- policy: every configurable value, with its default ----------------------------------------


@dataclass(frozen=True)
class Policy:
    # Quota for 参公 / civil-servant 嘉奖 as a share of the family's staff [open]
    civil_servant_commendation_percent: Decimal = Decimal("20")
    # Other quotas by kind for civil servants (记功 levels) [open]: none by default beyond what the
    # program sets; a program may set any kind's percent explicitly.
    # Leaders (县处级 and above) at most this share of a program's individual honourees [practice]
    leader_share_percent: Decimal = Decimal("20")
    leader_posts: tuple[str, ...] = (
        "主席",
        "副主席",
        "秘书长",
        "主任",
        "部长",
        "副主任",
        "副部长",
        "处长",
        "副处长",
    )
    leader_ranks: tuple[str, ...] = (
        "一级巡视员",
        "二级巡视员",
        "一级调研员",
        "二级调研员",
        "三级调研员",
        "四级调研员",
    )
    # Titles with these words need an approval reference before the program opens [practice]
    restricted_title_words: tuple[str, ...] = ("中国", "全国", "国家", "中华", "全球", "国际")
    # Eligibility: the negative list, each a reason shown [practice]
    eligibility_checks: tuple[str, ...] = ("penalty", "investigation", "low_grade")
    # Deeds limits in characters [practice]
    deeds_brief_max: int = 300
    deeds_person_max: int = 1500
    deeds_collective_max: int = 2000
    # Vetting (联审): the bodies whose opinion is required, and the role that signs for each
    # [practice]; further bodies may be listed as optional.
    vetting_required: tuple[str, ...] = ("discipline", "personnel")
    vetting_optional: tuple[str, ...] = ()
    vetting_roles: Mapping[str, str] = field(
        default_factory=lambda: {
            "discipline": "discipline_inspector",
            "personnel": "personnel_officer",
        }
    )
    # Publicity (RULES.md §3 [practice]: usually at least 5 working days)
    publicity_working_days: int = 5
    publication_day_counts: bool = True
    # Certificate numbers: per agency, year and kind, gap-free [practice]. The format's fields:
    # prefix (empty: the agency's short name followed by 奖), year, mark (the kind's word, e.g.
    # 嘉奖; a number must tell the kinds apart, since each kind counts from 1) and number.
    certificate_prefix: str = ""
    certificate_number_format: str = "{prefix}〔{year}〕{mark}第{number:03d}号"
    # Certificate printing [practice]: A4 landscape; for the pre-printed stock (套打) each
    # field's position from the page's lower-left corner, (x mm, y mm, size pt) — the QR code's
    # size in mm — and the printer's calibration offset (dx mm, dy mm).
    certificate_landscape: bool = True
    certificate_overprint: Mapping[str, tuple[float, float, float]] = field(
        default_factory=lambda: {
            "holder": (60.0, 120.0, 22.0),
            "body": (60.0, 105.0, 16.0),
            "issuer": (180.0, 50.0, 16.0),
            "date": (180.0, 40.0, 16.0),
            "number": (30.0, 22.0, 10.0),
            "qr": (30.0, 28.0, 22.0),
        }
    )
    certificate_offset_mm: tuple[float, float] = (0.0, 0.0)


def policy_from(overrides: Mapping[str, Any] | None) -> Policy:
    """A Policy with `overrides` applied (unknown keys are an error: a typo must not pass)."""
    if not overrides:
        return Policy()
    defaults = Policy()
    names = {f.name for f in dataclasses.fields(Policy)}
    values: dict[str, Any] = {}
    for key, value in overrides.items():
        if key not in names:
            raise ValueError(f"LUOSHI_HONORS: unknown rule {key!r}")
        default = getattr(defaults, key)
        if isinstance(default, Decimal):
            value = Decimal(str(value))
        elif isinstance(default, tuple):
            value = tuple(value)
        elif key == "certificate_overprint":
            value = {str(k): tuple(float(x) for x in v) for k, v in dict(value).items()}
        elif isinstance(default, bool):
            if not isinstance(value, bool):
                raise ValueError(f"LUOSHI_HONORS: {key} must be true or false")
        elif isinstance(default, int):
            value = int(value)
        values[key] = value
    return dataclasses.replace(defaults, **values)


def policy() -> Policy:
    return policy_from(settings.LUOSHI_HONORS)


# --- outside approval ------------------------------------------------------------------------

INTERNAL, SYSTEM = "internal", "system"  # the agency's own staff / across the federation system


def restricted_words_in(title: str, pol: Policy) -> list[str]:
    return [w for w in pol.restricted_title_words if w and w in title]


def needs_approval(title: str, scope: str, pol: Policy) -> bool:
    """A program across the federation system, or one whose title uses a restricted word, needs
    an approval reference before it opens [practice]; the agency's internal programs do not."""
    return scope != INTERNAL or bool(restricted_words_in(title, pol))


# --- quotas ----------------------------------------------------------------------------------


def cap_for(count: int, percent: Decimal | int | str) -> int:
    """floor(count × percent %) — a whole number of people, rounded down."""
    if count <= 0:
        return 0
    value = Decimal(count) * Decimal(str(percent)) / Decimal(100)
    return int(value.to_integral_value(rounding=ROUND_FLOOR))


def default_percent(kind_code: str, family: str, pol: Policy) -> Decimal | None:
    """The share of a family's staff an award kind may go to, where a rule sets one: the law's
    caps for public-institution staff, the setting for 参公 嘉奖; None where no rule caps it
    (the program then sets the number of places)."""
    if family == PUBLIC_INSTITUTION:
        return PUBLIC_INSTITUTION_QUOTA.get(kind_code)
    if family == CIVIL_SERVANT and kind_code == COMMENDATION:
        return pol.civil_servant_commendation_percent
    return None


def max_percent(
    kind_code: str, family: str, pol: Policy, *, unit_commended: bool
) -> Decimal | None:
    """The highest share allowed: for public-institution 嘉奖 25 % in a unit itself commended."""
    if family == PUBLIC_INSTITUTION and kind_code == COMMENDATION and unit_commended:
        return PUBLIC_INSTITUTION_COMMENDED_UNIT_QUOTA
    return default_percent(kind_code, family, pol)


def unit_cap(
    headcount: int, kind_code: str, family: str, pol: Policy, *, unit_commended: bool, share: int
) -> int | None:
    """The most places a unit itself commended may hold of an award kind: its share of the
    quota by headcount (`share`), or floor(headcount × the higher share) where the law allows
    one (嘉奖 up to 25 % of a commended public institution's staff) [law], whichever is more.
    None where only the quota as a whole binds (a unit not commended, or a kind without a
    higher share)."""
    if not unit_commended:
        return None
    high = max_percent(kind_code, family, pol, unit_commended=True)
    if high is None or high == default_percent(kind_code, family, pol):
        return None
    return max(share, cap_for(headcount, high))


def allocation_ceiling(
    quota_places: int,
    units: Sequence[tuple[int, bool, int]],
    kind_code: str,
    family: str,
    pol: Policy,
) -> int:
    """How many places the units' shares may add up to: the quota, plus for each unit itself
    commended what its higher cap adds over its share (`units`: (headcount, commended, share by
    headcount) of each unit)."""
    extra = 0
    for headcount, commended, share in units:
        cap = unit_cap(headcount, kind_code, family, pol, unit_commended=commended, share=share)
        if cap is not None:
            extra += cap - share
    return quota_places + extra


def leader_cap(places: int, pol: Policy) -> int:
    """How many of `places` individual honourees may be leaders (县处级 and above)."""
    return cap_for(places, pol.leader_share_percent)


def is_leader(post_name: str, rank_name: str, pol: Policy) -> bool:
    return (post_name or "") in pol.leader_posts or (rank_name or "") in pol.leader_ranks


def allocate(headcounts: Sequence[tuple[Any, int]], places: int) -> dict[Any, int]:
    """Share `places` among units in proportion to their headcounts, by largest remainder
    (Hamilton): each unit gets floor(places × share), and the places left go one each to the
    largest remainders (ties: the earlier unit in the given order). The shares add up to
    `places` exactly; a unit with nobody gets nothing."""
    total = sum(max(n, 0) for _unit, n in headcounts)
    if total <= 0 or places <= 0:
        return {unit: 0 for unit, _n in headcounts}
    shares: dict[Any, int] = {}
    remainders: list[tuple[int, int, Any]] = []
    for order, (unit, n) in enumerate(headcounts):
        n = max(n, 0)
        whole, rest = divmod(places * n, total)
        shares[unit] = whole
        remainders.append((-rest, order, unit))
    left = places - sum(shares.values())
    for _rest, _order, unit in sorted(remainders)[:left]:
        shares[unit] += 1
    return shares


# --- eligibility (the negative list) -----------------------------------------------------------

REASONS: dict[str, Any] = {
    "penalty": _("A penalty is in its effect period."),
    "investigation": _("Under investigation."),
    "low_grade": _("Annual appraisal grade below Competent / Qualified for the year."),
    "family": _("This award kind is not given to this staff category."),
    "nominated": _("Already nominated in this program."),
}


@dataclass(frozen=True)
class EligibilityFacts:
    year: int
    penalties: tuple[appraisal_rules.Penalty, ...] = ()
    under_investigation: bool = False
    annual_grade: str = ""  # the year's final grade, "" when none (yet)


def ineligibility(facts: EligibilityFacts, pol: Policy) -> list[str]:
    """Every reason (a key of REASONS) on the configured negative list that applies; empty when
    the person may be nominated."""
    reasons: list[str] = []
    checks = set(pol.eligibility_checks)
    if "penalty" in checks and appraisal_rules.governing_penalty(facts.penalties, facts.year):
        reasons.append("penalty")
    if "investigation" in checks and facts.under_investigation:
        reasons.append("investigation")
    if "low_grade" in checks and facts.annual_grade in (
        appraisal_rules.BASIC,
        appraisal_rules.INCOMPETENT,
    ):
        reasons.append("low_grade")
    return reasons


def reason_text(code: str) -> str:
    return str(REASONS.get(code, code))


# --- deeds -------------------------------------------------------------------------------------


def deeds_limits(pol: Policy, *, collective: bool) -> tuple[int, int]:
    """(brief, full) character limits of the deeds."""
    return pol.deeds_brief_max, pol.deeds_collective_max if collective else pol.deeds_person_max


def deeds_problems(
    brief: str, full: str, pol: Policy, *, collective: bool, complete: bool = True
) -> list[str]:
    """What is wrong with the deeds, as translated sentences (empty: fine). Characters are
    counted after trimming, as a person counts them (each CJK character one). A draft
    (`complete=False`) is only held to the limits; a submission also needs the brief deeds."""
    brief_max, full_max = deeds_limits(pol, collective=collective)
    problems: list[str] = []
    if complete and not brief.strip():
        problems.append(str(_("The brief deeds are required.")))
    elif len(brief.strip()) > brief_max:
        problems.append(
            str(_("The brief deeds have %(n)d characters; at most %(max)d are allowed."))
            % {"n": len(brief.strip()), "max": brief_max}
        )
    if len(full.strip()) > full_max:
        problems.append(
            str(_("The full deeds have %(n)d characters; at most %(max)d are allowed."))
            % {"n": len(full.strip()), "max": full_max}
        )
    return problems


# --- vetting -----------------------------------------------------------------------------------

PASS, FAIL, CONDITIONAL = "pass", "fail", "conditional"
VERDICTS = (PASS, FAIL, CONDITIONAL)
VERDICT_LABELS = {
    PASS: pgettext_lazy("vetting", "Pass"),
    FAIL: pgettext_lazy("vetting", "Fail"),
    CONDITIONAL: pgettext_lazy("vetting", "Conditional pass"),
}
BODY_LABELS: dict[str, Any] = {
    "discipline": _("Discipline inspection"),
    "personnel": pgettext_lazy("vetting body", "Personnel"),
    "finance": _("Finance"),
    "security": pgettext_lazy("vetting body", "Security"),
    "family_planning": _("Family planning"),
}


def vetting_bodies(pol: Policy) -> tuple[str, ...]:
    return tuple(dict.fromkeys((*pol.vetting_required, *pol.vetting_optional)))


def body_label(code: str) -> str:
    return str(BODY_LABELS.get(code, code))


def vetting_outcome(opinions: Mapping[str, str], pol: Policy) -> str:
    """ "pending" while a required body has not signed; "fail" when any opinion fails; else
    "pass" (a conditional pass counts as a pass, its note goes to the decision)."""
    if any(v == FAIL for v in opinions.values()):
        return FAIL
    if any(body not in opinions for body in pol.vetting_required):
        return "pending"
    return PASS


# --- certificates ------------------------------------------------------------------------------


def certificate_number(
    number: int, year: int, kind_code: str, pol: Policy, *, agency_mark: str
) -> str:
    """The printed number, e.g. 省侨联奖〔2026〕嘉奖第018号 (format and prefix are settings;
    `agency_mark` is the agency's short name, used when no prefix is set)."""
    return pol.certificate_number_format.format(
        prefix=pol.certificate_prefix or f"{agency_mark}奖",
        year=year,
        mark=kind(kind_code).word,
        number=number,
    )
