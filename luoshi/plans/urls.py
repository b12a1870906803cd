from django.urls import path

from . import views, views_dashboard

app_name = "plans"

urlpatterns = [
    path("plans/", views.plan_list, name="plans"),
    path("plans/new/", views.plan_create, name="plan_create"),
    path("plans/<int:pk>/", views.plan_detail, name="plan"),
    path("plans/<int:pk>/tasks/new/", views.task_create, name="task_create"),
    path("tasks/", views.ledger, name="ledger"),
    path("tasks/<int:pk>/", views.task_detail, name="task"),
    path("tasks/<int:pk>/edit/", views.task_edit, name="task_edit"),
    path("tasks/<int:pk>/report/", views.task_report, name="task_report"),
    path("tasks/<int:pk>/completion/", views.task_completion, name="task_completion"),
    path("tasks/<int:pk>/verify/", views.task_verify, name="task_verify"),
    path("tasks/<int:pk>/adjust/", views.task_adjust, name="task_adjust"),
    path("tasks/<int:pk>/carry-over/", views.task_carry_over, name="task_carry_over"),
    path(
        "tasks/<int:pk>/attachments/<int:attachment_id>/",
        views.attachment_download,
        name="attachment",
    ),
    path("adjustments/<int:pk>/decide/", views.adjustment_decide, name="adjustment_decide"),
    path("my-work/", views.my_work, name="my_work"),
    path("dashboard/", views_dashboard.leadership_dashboard, name="dashboard"),
    path("dashboard/unit/<int:pk>/", views_dashboard.unit_dashboard, name="unit_dashboard"),
]

# Downloads (views_export): the breakdown table, the monthly progress compilation, the ledger.
from . import views_export  # noqa: E402

urlpatterns += [
    path("plans/<int:pk>/breakdown.xlsx", views_export.breakdown_xlsx, name="breakdown_xlsx"),
    path("plans/<int:pk>/breakdown.docx", views_export.breakdown_docx, name="breakdown_docx"),
    path("plans/<int:pk>/progress.docx", views_export.progress_docx, name="progress_docx"),
    path("tasks/export.xlsx", views_export.ledger_xlsx, name="ledger_xlsx"),
]

# Import into a draft plan (views_import): a Word outline or an Excel breakdown table.
from . import views_import  # noqa: E402

urlpatterns += [
    path("plans/<int:pk>/import/", views_import.plan_import, name="plan_import"),
]

# The office's pages (views_office): categories, the overview of missing and late reports.
from . import views_office  # noqa: E402

urlpatterns += [
    path("plans/categories/", views_office.categories, name="categories"),
    path("reports/", views_office.report_overview, name="report_overview"),
    path("reports/tasks/", views_office.report_overview_tasks, name="report_overview_tasks"),
    path("reports/export.xlsx", views_office.report_overview_xlsx, name="report_overview_xlsx"),
]
