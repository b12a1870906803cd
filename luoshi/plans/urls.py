"""The plans app's pages: URL → view, one view module per concept (see docs/architecture.md)."""

from django.urls import path

from .views import (
    adjustments,
    carryover,
    categories,
    closeout,
    dashboard,
    exports,
    imports,
    ledger,
    mywork,
    plans,
    reports,
    tasks,
)

app_name = "plans"

urlpatterns = [
    # plans
    path("plans/", plans.plan_list, name="plans"),
    path("plans/new/", plans.plan_create, name="plan_create"),
    path("plans/<int:pk>/", plans.plan_detail, name="plan"),
    path("plans/<int:pk>/import/", imports.plan_import, name="plan_import"),
    path("plans/categories/", categories.categories, name="categories"),
    # tasks
    path("plans/<int:pk>/tasks/new/", tasks.task_create, name="task_create"),
    path("tasks/", ledger.ledger, name="ledger"),
    path("tasks/<int:pk>/", tasks.task_detail, name="task"),
    path("tasks/<int:pk>/edit/", tasks.task_edit, name="task_edit"),
    path(
        "tasks/<int:pk>/attachments/<int:attachment_id>/",
        tasks.attachment_download,
        name="attachment",
    ),
    path("tasks/<int:pk>/report/", reports.task_report, name="task_report"),
    path("tasks/<int:pk>/completion/", closeout.task_completion, name="task_completion"),
    path("tasks/<int:pk>/verify/", closeout.task_verify, name="task_verify"),
    path("tasks/<int:pk>/adjust/", adjustments.task_adjust, name="task_adjust"),
    path("adjustments/<int:pk>/decide/", adjustments.adjustment_decide, name="adjustment_decide"),
    path("tasks/<int:pk>/carry-over/", carryover.task_carry_over, name="task_carry_over"),
    path("my-work/", mywork.my_work, name="my_work"),
    # dashboards
    path("dashboard/", dashboard.leadership_dashboard, name="dashboard"),
    path("dashboard/unit/<int:pk>/", dashboard.unit_dashboard, name="unit_dashboard"),
    # the report overview
    path("reports/", reports.report_overview, name="report_overview"),
    path("reports/tasks/", reports.report_overview_tasks, name="report_overview_tasks"),
    path("reports/export.xlsx", reports.report_overview_xlsx, name="report_overview_xlsx"),
    # downloads
    path("plans/<int:pk>/breakdown.xlsx", exports.breakdown_xlsx, name="breakdown_xlsx"),
    path("plans/<int:pk>/breakdown.docx", exports.breakdown_docx, name="breakdown_docx"),
    path("plans/<int:pk>/progress.docx", exports.progress_docx, name="progress_docx"),
    path("tasks/export.xlsx", exports.ledger_xlsx, name="ledger_xlsx"),
]
