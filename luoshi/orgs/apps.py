from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _


class OrgsConfig(AppConfig):
    name = "luoshi.orgs"
    label = "orgs"
    verbose_name = _("Organization")

    def ready(self) -> None:
        # Imported when called: apps.py is loaded before the app registry is ready.
        from luoshi.core import audit, cache, home, navigation

        from . import models
        from . import navigation as org_navigation
        from .home import home_todos

        # What the cached navigation, agency name and filter choices derive from.
        cache.invalidate_on(
            "org",
            (
                models.User,
                models.Person,
                models.OrgUnit,
                models.RoleAssignment,
                models.LeaderAssignment,
            ),
        )

        # A log-in (or a failed one) writes these on the account: no cached entry reads them, and
        # at national scale logins every minute would otherwise empty the "org" entries.
        cache.ignore_updates_of(models.User, ("last_login", "failed_logins", "locked_until"))

        # The cached account and token look-ups of authentication (orgs.selectors).
        cache.invalidate_on("tokens", (models.ApiToken,))
        post_save.connect(_account_changed, sender=models.User, dispatch_uid="luoshi-account-save")
        post_delete.connect(
            _account_changed, sender=models.User, dispatch_uid="luoshi-account-delete"
        )

        navigation.register(org_navigation.nav_sections)
        navigation.register_agency_name(org_navigation.agency_name)
        home.register_todos("orgs", home_todos)

        audit.register_action_labels(
            {
                "api_token.create": _("Created an access token"),
                "api_token.revoke": _("Revoked an access token"),
                "api_token.end_with_password": _("Ended access tokens with a password change"),
                "auth.address_throttled": _("Slowed down log-ins from a network address"),
                "auth.locked": _("Account locked after failed log-ins"),
                "auth.login": _("Logged in"),
                "auth.login_failed": _("Failed log-in"),
                "auth.unlock": _("Unlocked an account"),
                "leader_assignment.create": _("Assigned a leader in charge"),
                "leader_assignment.end": _("Ended a leader-in-charge assignment"),
                "list_item.create": _("Added a list entry"),
                "list_item.update": _("Changed a list entry"),
                "org_people.import": _("Imported units and people"),
                "org_people.export": _("Exported units and people"),
                "org_unit.create": _("Created a unit"),
                "org_unit.move": _("Moved a unit"),
                "org_unit.set_head": _("Set the head of a unit"),
                "org_unit.update": _("Changed a unit"),
                "person.create": _("Added a person"),
                "person.update": _("Changed a person"),
                "role.assign": _("Granted a role"),
                "role.revoke": _("Withdrew a role"),
                "user.create": _("Created an account"),
                "user.language": _("Changed the language"),
                "user.password_change": _("Changed a password"),
                "user.set_active": _("Enabled or disabled an account"),
            }
        )


def _account_changed(sender: Any, instance: Any, **kwargs: Any) -> None:
    """Every write to an account, bookkeeping included, moves its own generation."""
    # Imported when called: apps.py is loaded before the app registry is ready.
    from luoshi.core import cache

    from .selectors import account_generation

    if not kwargs.get("raw"):
        cache.bump(account_generation(instance.pk))
