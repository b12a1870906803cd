from django.urls import path

from . import views, views_calendar

app_name = "core"

urlpatterns = [
    path("audit/", views.audit_log, name="audit"),
    path("audit/export.xlsx", views.audit_export, name="audit_export"),
    path("calendar/", views_calendar.calendar_page, name="calendar"),
    path("calendar/day/<str:day>/", views_calendar.calendar_day, name="calendar_day"),
    path("calendar/years/add/", views_calendar.calendar_year_add, name="calendar_year_add"),
    path(
        "calendar/years/<int:year>/coverage/",
        views_calendar.calendar_year_coverage,
        name="calendar_year_coverage",
    ),
    path("calendar/seed/", views_calendar.calendar_seed, name="calendar_seed"),
    path("calendar/import/", views_calendar.calendar_import, name="calendar_import"),
]
