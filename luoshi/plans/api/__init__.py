"""The plans app's JSON API: one router per concept, mounted together as `router` (by
luoshi.api.api, at /api/v1/). Shared path and scope helpers live in `tasks`."""

from ninja import Router

from . import categories, closeout, dashboard, imports, plans, reports, tasks

router = Router()
for _module in (plans, tasks, reports, closeout, dashboard, imports, categories):
    router.add_router("", _module.router)
