"""Roles and data-scope kinds (names from the glossary)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    SYSTEM_ADMIN = "system_admin", _("System administrator")
    SECURITY_ADMIN = "security_admin", _("Security administrator")
    AUDIT_ADMIN = "audit_admin", _("Audit administrator")
    AGENCY_LEADER = "agency_leader", _("Agency leader")
    LEADER_IN_CHARGE = "leader_in_charge", _("Leader in charge")
    UNIT_HEAD = "unit_head", _("Unit head")
    STAFF = "staff", _("Staff")
    SUPERVISOR = "supervisor", _("Supervisor")
    PERSONNEL_OFFICER = "personnel_officer", _("Personnel officer")
    COMMITTEE_MEMBER = "committee_member", _("Appraisal committee member")
    DISCIPLINE_INSPECTOR = "discipline_inspector", _("Discipline inspector")
    NEWS_EDITOR = "news_editor", _("News editor")


class ScopeKind(models.TextChoices):
    NONE = "none", _("No business records")
    OWN = "own", _("Own records")
    UNIT = "unit", _("Own unit")
    IN_CHARGE = "in_charge", _("Units in charge")
    SUBTREE = "subtree", _("Unit and everything below it")
    ALL = "all", _("Everything")


# The three administrators (三员) each do only their own job: none of them sees business records
# (plans, supervision, appraisal) by virtue of that role. The system administrator maintains the
# org tree, people and lists, and reads those through orgs.selectors, not through a data scope.
DEFAULT_SCOPE: dict[str, str] = {
    Role.SYSTEM_ADMIN: ScopeKind.NONE,
    Role.SECURITY_ADMIN: ScopeKind.NONE,
    Role.AUDIT_ADMIN: ScopeKind.NONE,
    Role.AGENCY_LEADER: ScopeKind.SUBTREE,
    Role.LEADER_IN_CHARGE: ScopeKind.IN_CHARGE,
    Role.UNIT_HEAD: ScopeKind.SUBTREE,
    Role.STAFF: ScopeKind.UNIT,
    Role.SUPERVISOR: ScopeKind.SUBTREE,
    Role.PERSONNEL_OFFICER: ScopeKind.SUBTREE,
    Role.COMMITTEE_MEMBER: ScopeKind.UNIT,
    Role.DISCIPLINE_INSPECTOR: ScopeKind.SUBTREE,
    Role.NEWS_EDITOR: ScopeKind.SUBTREE,
}

ADMIN_ROLES = frozenset({Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN})


def admin_roles_conflict(current: set[str], new_role: str) -> bool:
    """三员: an account holding one of the three administrator roles holds nothing else."""
    combined = current | {new_role}
    return bool(combined & ADMIN_ROLES) and len(combined) > 1
