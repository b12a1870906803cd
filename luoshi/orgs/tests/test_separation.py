"""三员: the system, security and audit administrators each do only their own job."""

from __future__ import annotations

import pytest

from luoshi.core.errors import Forbidden, InvalidInput
from luoshi.orgs import selectors, services
from luoshi.orgs.models import RoleAssignment, User
from luoshi.orgs.permissions import scope_for
from luoshi.orgs.roles import Role

pytestmark = pytest.mark.django_db


def test_nobody_changes_their_own_roles(org) -> None:
    security = org.users["security"]
    with pytest.raises(Forbidden):
        services.role_assign(actor=security, user=security, role=Role.STAFF)
    with pytest.raises(Forbidden):
        services.role_revoke(actor=security, assignment=security.role_assignments.get())


@pytest.mark.parametrize("role", [Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN])
def test_administrator_roles_are_not_granted_through_the_web(org, role) -> None:
    with pytest.raises(Forbidden):
        services.role_assign(actor=org.users["security"], user=org.users["staff"], role=role)
    assert not org.users["staff"].role_assignments.filter(role=role).exists()


def test_administrator_accounts_hold_one_role_only(org) -> None:
    with pytest.raises(InvalidInput):  # even from the command line
        services.role_assign(actor=None, user=org.users["auditor"], role=Role.SYSTEM_ADMIN)
    with pytest.raises(InvalidInput):
        services.role_assign(actor=None, user=org.users["staff"], role=Role.AUDIT_ADMIN)
    with pytest.raises(InvalidInput):
        services.role_assign(actor=org.users["security"], user=org.users["admin"], role=Role.STAFF)


def test_administrator_accounts_cannot_be_taken_over_or_shut_out(org) -> None:
    with pytest.raises(Forbidden):
        services.password_change(
            actor=org.users["security"],
            user=org.users["auditor"],
            old_password=None,
            new_password="Taken-over-1",
        )
    with pytest.raises(Forbidden):
        services.user_set_active(actor=org.users["admin"], user=org.users["security"], active=False)
    assert User.objects.get(pk=org.users["auditor"].pk).check_password("Persona-pass-1")
    # Ordinary accounts are still served.
    services.password_change(
        actor=org.users["security"],
        user=org.users["staff"],
        old_password=None,
        new_password="Fresh-pass-22",
    )


def test_self_grant_through_the_page_is_refused(org, client_for) -> None:
    security = org.users["security"]
    response = client_for("security").post(
        f"/accounts/{security.pk}/", {"action": "assign", "role": "audit_admin"}, follow=True
    )
    assert response.status_code == 200
    assert not RoleAssignment.objects.filter(user=security, role="audit_admin").exists()
    assert client_for("security").get("/audit/").status_code == 404


def test_system_admin_maintains_org_data_but_has_no_business_scope(org) -> None:
    admin = org.users["admin"]
    assert scope_for(admin).is_empty  # no plans, supervision or appraisal records
    assert selectors.people_visible(admin).count() == len(org.people)
    assert selectors.units_visible(admin).count() == 6


@pytest.mark.parametrize("persona", ["supervisor", "hr"])
def test_office_roles_see_the_whole_agency(org, persona) -> None:
    visible = {p.name for p in selectors.people_visible(org.users[persona])}
    assert visible == {p.name for p in org.people.values()}


def test_committee_member_sees_own_unit(org) -> None:
    visible = {p.name for p in selectors.people_visible(org.users["committee"])}
    assert visible == {"庚科员", "卯委员"}
