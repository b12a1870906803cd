"""Task categories (tags), kept per agency, and a task's classification (categories, source).

Each agency keeps its own list — the national, provincial and city federations alike — and only
its office changes it: names are unique within the agency whatever the case. A category in use
cannot be removed, only deactivated: it is then no longer offered for new use but stays on the
tasks that have it, in the ledger's filter and in exports. Writes are keyword-only, atomic and
audited like every service; the reads the page, the forms and the API share come first."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from luoshi.core import audit
from luoshi.core.errors import InvalidInput, NotFound
from luoshi.core.versioning import check_version, save_versioned
from luoshi.orgs.models import OrgUnit
from luoshi.orgs.permissions import scope_for
from luoshi.orgs.selectors import organization_of

from .. import permissions as perms
from ..models import Category, Task, TaskEvent
from ..selectors.categories import AGENCY_KINDS, agency_categories
from ..services.history import _event
from ..services.tasks import TaskIn, check_task_categories, task_create, task_update

NAME_MAX = Category._meta.get_field("name").max_length or 64


ORDER_STEP = 10


def office_agency(user: Any) -> OrgUnit:
    """The agency whose list this user keeps: the office's own organization (others: NotFound)."""
    person = getattr(user, "person", None) if perms.can_manage_categories(user) else None
    if person is None:
        raise NotFound()
    return organization_of(person.unit)


def access_category(user: Any, pk: Any) -> Category:
    """A category of the list this user keeps; any other (or none) is NotFound."""
    agency = office_agency(user)
    try:
        return Category.objects.get(pk=int(pk), agency=agency)
    except (Category.DoesNotExist, ValueError, TypeError, OverflowError):
        raise NotFound() from None


def access_agency_list(user: Any, agency_id: Any) -> OrgUnit:
    """An agency whose list the user may read: their own organization, or one their data scope
    covers (a provincial office reads its cities' lists, never the national one)."""
    person = getattr(user, "person", None)
    try:
        agency = OrgUnit.objects.get(pk=int(agency_id), kind__in=AGENCY_KINDS)
    except (OrgUnit.DoesNotExist, ValueError, TypeError, OverflowError):
        raise NotFound() from None
    own = person is not None and organization_of(person.unit).pk == agency.pk
    if not own and not scope_for(user).covers_unit(agency.pk, agency.path):
        raise NotFound()
    return agency


def _clean_name(name: str, *, agency_id: int, exclude: Category | None = None) -> str:
    clean = " ".join(name.split())
    if not clean:
        raise InvalidInput(details=[{"field": "name", "message": _("A category needs a name.")}])
    if len(clean) > NAME_MAX:
        raise InvalidInput(
            details=[
                {
                    "field": "name",
                    "message": _("The name is longer than %(n)d characters.") % {"n": NAME_MAX},
                }
            ]
        )
    clash = Category.objects.filter(agency_id=agency_id, name__iexact=clean)
    if exclude is not None:
        clash = clash.exclude(pk=exclude.pk)
    found = clash.first()
    if found is not None:
        message = (
            _("The category %(name)s already exists.")
            if found.is_active
            else _("The category %(name)s already exists but is inactive: reactivate it.")
        )
        raise InvalidInput(details=[{"field": "name", "message": message % {"name": found.name}}])
    return clean


@transaction.atomic
def category_create(*, actor: Any, agency: OrgUnit, name: str) -> Category:
    """A new category in the agency's list, placed last."""
    if agency.kind not in AGENCY_KINDS:
        raise InvalidInput(_("Categories are kept by an agency or a local federation."))
    clean = _clean_name(name, agency_id=agency.pk)
    last = Category.objects.filter(agency=agency).aggregate(m=Max("sort_order"))["m"] or 0
    category = Category.objects.create(agency=agency, name=clean, sort_order=last + ORDER_STEP)
    audit.record("category.create", actor=actor, obj=category, after=audit.snapshot(category))
    return category


@transaction.atomic
def category_rename(
    *, actor: Any, category: Category, name: str, version: int | None = None
) -> Category:
    check_version(category, version)
    clean = _clean_name(name, agency_id=category.agency_id, exclude=category)
    if clean == category.name:
        return category
    before = {"name": category.name}
    category.name = clean
    save_versioned(category, ["name"])
    audit.record("category.rename", actor=actor, obj=category, before=before, after={"name": clean})
    return category


@transaction.atomic
def category_reorder(*, actor: Any, agency: OrgUnit, order: Sequence[int]) -> list[Category]:
    """Put the agency's categories in this order (ids); those not named keep their place after."""
    categories = {c.pk: c for c in Category.objects.select_for_update().filter(agency=agency)}
    if len(set(order)) != len(order) or set(order) - set(categories):
        raise InvalidInput(_("The order names an unknown category."))
    rest = [c.pk for c in sorted(categories.values(), key=lambda c: (c.sort_order, c.name))]
    ids = [*order, *(pk for pk in rest if pk not in set(order))]
    before = {str(pk): categories[pk].sort_order for pk in ids}
    changed = []
    for position, pk in enumerate(ids, start=1):
        category = categories[pk]
        if category.sort_order != position * ORDER_STEP:
            category.sort_order = position * ORDER_STEP
            save_versioned(category, ["sort_order"])
            changed.append(pk)
    if changed:
        audit.record(
            "category.reorder",
            actor=actor,
            obj=agency,  # the agency's list
            object_repr=(f"{agency.name}: " + ", ".join(categories[pk].name for pk in ids))[:255],
            before={str(pk): before[str(pk)] for pk in changed},
            after={str(pk): categories[pk].sort_order for pk in changed},
        )
    return [categories[pk] for pk in ids]


@transaction.atomic
def category_move(
    *, actor: Any, category: Category, step: int, among_active: bool = False
) -> list[Category]:
    """Move a category one place up (step -1) or down (step +1) in its agency's list; with
    `among_active`, past the inactive ones (the page that hides them moves what it shows)."""
    rows = list(
        agency_categories(category.agency_id).values_list("pk", "is_active")  # in order
    )
    ids = [pk for pk, _active in rows]
    shown = [pk for pk, active in rows if active or not among_active or pk == category.pk]
    index = shown.index(category.pk)
    target = index + (1 if step > 0 else -1)
    if not 0 <= target < len(shown):
        return list(Category.objects.filter(pk__in=ids))
    a, b = ids.index(shown[index]), ids.index(shown[target])
    ids[a], ids[b] = ids[b], ids[a]
    return category_reorder(actor=actor, agency=category.agency, order=ids)


def _set_active(actor: Any, category: Category, active: bool, version: int | None) -> Category:
    check_version(category, version)
    if category.is_active == active:
        return category
    category.is_active = active
    save_versioned(category, ["is_active"])
    audit.record(
        "category.reactivate" if active else "category.deactivate",
        actor=actor,
        obj=category,
        before={"is_active": not active},
        after={"is_active": active},
    )
    return category


@transaction.atomic
def category_deactivate(*, actor: Any, category: Category, version: int | None = None) -> Category:
    """No longer offered for new use; the tasks that have it keep it (and the ledger filters and
    exports show it)."""
    return _set_active(actor, category, False, version)


@transaction.atomic
def category_reactivate(*, actor: Any, category: Category, version: int | None = None) -> Category:
    return _set_active(actor, category, True, version)


@transaction.atomic
def category_delete(*, actor: Any, category: Category) -> None:
    """Remove a category no task uses (one in use stays, so the tasks keep their tags: deactivate
    it instead)."""
    used = Task.categories.through.objects.filter(category_id=category.pk).count()
    if used:
        raise InvalidInput(
            _(
                "The category %(name)s is used by %(n)d tasks and cannot be removed; "
                "deactivate it instead."
            )
            % {"name": category.name, "n": used},
            code="category_in_use",
        )
    snapshot = audit.snapshot(category)
    audit.record("category.delete", actor=actor, obj=category, before=snapshot)
    category.delete()


@transaction.atomic
def task_classify(
    *,
    actor: Any,
    task: Task,
    categories: Iterable[Category] | None = None,
    source: str | None = None,
    version: int | None = None,
) -> Task:
    """Set a task's categories and/or its source; both may change after the plan is issued
    (they are not owners, deadline, milestones or indicators). Recorded in the task's history.
    Categories come from the list of the task's agency (see services.check_task_categories)."""
    check_version(task, version)
    if not task.is_open:
        raise InvalidInput(_("A closed task cannot be changed."))
    before: dict[str, Any] = {}
    after: dict[str, Any] = {}
    if source is not None and source != task.source:
        if source not in Task.Source.values:
            raise InvalidInput(
                details=[{"field": "source", "message": _("Choose a source from the list.")}]
            )
        before["source"], after["source"] = task.source, source
        task.source = source
        save_versioned(task, ["source"])
    if categories is not None:
        chosen = list(categories)
        wanted = sorted({c.pk for c in chosen})
        current = sorted(task.categories.values_list("pk", flat=True))
        if wanted != current:
            check_task_categories(task, chosen)
            task.categories.set(wanted)
            before["categories"], after["categories"] = current, wanted
    if after:
        _event(task, TaskEvent.Kind.CHANGED, actor, before=before, after=after)
        audit.record("task.classify", actor=actor, obj=task, before=before, after=after)
    return task


@transaction.atomic
def task_create_classified(
    *, actor: Any, data: TaskIn, categories: Iterable[Category] = ()
) -> Task:
    """Create a task and tag it with categories in one step (TaskIn has no categories): the
    task page's create form."""
    task = task_create(actor=actor, data=data)
    chosen = list(categories)
    if chosen:
        task_classify(actor=actor, task=task, categories=chosen)
    return task


@transaction.atomic
def task_update_classified(
    *,
    actor: Any,
    task: Task,
    version: int | None,
    changes: dict[str, Any],
    categories: Iterable[Category] | None = None,
    source: str | None = None,
) -> Task:
    """Change a task's fields (services.tasks.task_update) and its classification in one step:
    the task page's edit form. The version is checked once, by the first write."""
    if changes:
        task_update(actor=actor, task=task, version=version, changes=changes)
    return task_classify(
        actor=actor,
        task=task,
        categories=categories,
        source=source,
        version=None if changes else version,
    )
