"""Writes to the categories (tags) of tasks and to a task's classification (categories, source).

Keyword-only, atomic and audited like every service. Categories are one list for the whole
installation (the Category model has no agency and no active flag yet): a category still used by
a task cannot be removed, only renamed or moved.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from luoshi.core import audit
from luoshi.core.errors import InvalidInput
from luoshi.core.versioning import check_version, save_versioned

from .models import Category, Task, TaskEvent
from .services import _event

NAME_MAX = Category._meta.get_field("name").max_length or 64
ORDER_STEP = 10


def _clean_name(name: str, *, exclude: Category | None = None) -> str:
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
    clash = Category.objects.filter(name__iexact=clean)
    if exclude is not None:
        clash = clash.exclude(pk=exclude.pk)
    if clash.exists():
        raise InvalidInput(
            details=[
                {
                    "field": "name",
                    "message": _("The category %(name)s already exists.") % {"name": clean},
                }
            ]
        )
    return clean


@transaction.atomic
def category_create(*, actor: Any, name: str) -> Category:
    """A new category, placed last."""
    clean = _clean_name(name)
    last = Category.objects.aggregate(m=Max("sort_order"))["m"] or 0
    category = Category.objects.create(name=clean, sort_order=last + ORDER_STEP)
    audit.record("category.create", actor=actor, obj=category, after=audit.snapshot(category))
    return category


@transaction.atomic
def category_rename(
    *, actor: Any, category: Category, name: str, version: int | None = None
) -> Category:
    check_version(category, version)
    clean = _clean_name(name, exclude=category)
    if clean == category.name:
        return category
    before = {"name": category.name}
    category.name = clean
    save_versioned(category, ["name"])
    audit.record("category.rename", actor=actor, obj=category, before=before, after={"name": clean})
    return category


@transaction.atomic
def category_reorder(*, actor: Any, order: Sequence[int]) -> list[Category]:
    """Put the categories in this order (ids); categories not named keep their place after."""
    categories = {c.pk: c for c in Category.objects.select_for_update()}
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
            object_type="plans.category",
            object_repr=", ".join(categories[pk].name for pk in ids)[:255],
            before={str(pk): before[str(pk)] for pk in changed},
            after={str(pk): categories[pk].sort_order for pk in changed},
        )
    return [categories[pk] for pk in ids]


@transaction.atomic
def category_move(*, actor: Any, category: Category, step: int) -> list[Category]:
    """Move a category one place up (step -1) or down (step +1)."""
    ids = list(Category.objects.order_by("sort_order", "name").values_list("pk", flat=True))
    index = ids.index(category.pk)
    target = index + (1 if step > 0 else -1)
    if not 0 <= target < len(ids):
        return list(Category.objects.filter(pk__in=ids))
    ids[index], ids[target] = ids[target], ids[index]
    return category_reorder(actor=actor, order=ids)


@transaction.atomic
def category_delete(*, actor: Any, category: Category) -> None:
    """Remove a category no task uses (one in use stays, so the tasks keep their tags)."""
    used = Task.categories.through.objects.filter(category_id=category.pk).count()
    if used:
        raise InvalidInput(
            _("The category %(name)s is used by %(n)d tasks and cannot be removed.")
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
    (they are not owners, deadline, milestones or indicators). Recorded in the task's history."""
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
        wanted = sorted({c.pk for c in categories})
        current = sorted(task.categories.values_list("pk", flat=True))
        if wanted != current:
            task.categories.set(wanted)
            before["categories"], after["categories"] = current, wanted
    if after:
        _event(task, TaskEvent.Kind.CHANGED, actor, before=before, after=after)
        audit.record("task.classify", actor=actor, obj=task, before=before, after=after)
    return task
