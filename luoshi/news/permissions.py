"""Who may do what with news releases. Forbidden and missing look the same (NotFound) for
items the user cannot see; Forbidden only for a visible item the user may not act on.

- Anyone of the agency with a business role writes items (the author); the author and the
  agency's news editors edit a draft.
- 三审: the first review by a news editor (Role.NEWS_EDITOR) of the agency, the second by the
  head of the author's department, the final by the leader in charge of that department (or
  the agency leader). The services refuse a second stage to one person and any stage to the
  author.
- The news editors publish and withdraw.
- An item is seen by its author, its reviewers, and those whose data scope covers its
  department (editors and leaders through theirs).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from luoshi.appraisal import permissions as appraisal_perms
from luoshi.core.errors import Forbidden, NotFound
from luoshi.orgs.models import OrgUnit
from luoshi.orgs.permissions import has_role, scope_for
from luoshi.orgs.roles import Role
from luoshi.orgs.selectors import organization_of

from .models import NewsItem, NewsPhoto, ReviewStep


def require(check: bool) -> None:
    if not check:
        raise Forbidden()


def own_unit(user: Any) -> OrgUnit | None:
    """The user's unit (appraisal's, kept for the request)."""
    return appraisal_perms._own_unit(user)


def home_agency(user: Any) -> OrgUnit | None:
    unit = own_unit(user)
    return organization_of(unit) if unit is not None else None


def may_write(user: Any) -> bool:
    return own_unit(user) is not None and not scope_for(user).is_empty


def is_editor(user: Any, agency: OrgUnit) -> bool:
    return has_role(user, Role.NEWS_EDITOR) and scope_for(user).covers_unit(agency.pk, agency.path)


def may_edit(user: Any, item: NewsItem) -> bool:
    return item.status == NewsItem.Status.DRAFT and (
        item.author_id == user.pk or is_editor(user, item.agency)
    )


def holds_stage(user: Any, item: NewsItem, stage: str) -> bool:
    """Whether the user's post is the one the stage asks for (separation is the service's)."""
    if stage == ReviewStep.Stage.FIRST:
        return is_editor(user, item.agency)
    if stage == ReviewStep.Stage.SECOND:
        return appraisal_perms.is_unit_head(user, item.unit)
    if stage == ReviewStep.Stage.FINAL:
        return appraisal_perms.is_leader_in_charge(user, item.unit)
    return False


def may_publish(user: Any, item: NewsItem) -> bool:
    return is_editor(user, item.agency)


def items_visible(user: Any) -> QuerySet[NewsItem]:
    qs = NewsItem.objects.select_related("agency", "unit", "author")
    if not getattr(user, "is_authenticated", False):
        return qs.none()
    scope = scope_for(user)
    if scope.is_empty:
        return qs.none()
    q = Q(author_id=user.pk) | Q(
        pk__in=ReviewStep.objects.filter(reviewer_id=user.pk).values("item_id")
    )
    scoped = scope.q(unit="unit")
    q |= Q(pk__isnull=False) if scoped is None else scoped
    if has_role(user, Role.NEWS_EDITOR):
        q |= scope.q(unit="agency") or Q(pk__isnull=False)
    return qs.filter(q)


def access_item(user: Any, pk: Any) -> NewsItem:
    try:
        return items_visible(user).get(pk=int(pk))
    except (NewsItem.DoesNotExist, ValueError, TypeError, OverflowError):
        raise NotFound() from None


def access_photo(user: Any, item: NewsItem, pk: Any) -> NewsPhoto:
    try:
        return item.photos.get(pk=int(pk))
    except (NewsPhoto.DoesNotExist, ValueError, TypeError, OverflowError):
        raise NotFound() from None
