"""The pages of orgs (namespace "orgs") and of core's audit log and working-day calendar
(namespace "core", included by config/urls.py): who may open those is decided by orgs' roles,
so their views live in luoshi.orgs.views."""

from django.urls import path

from .views import audit, calendar, imports, orgs, twofactor

app_name = "orgs"

urlpatterns = [
    path("orgs/", orgs.org_tree, name="tree"),
    path("orgs/new/", orgs.unit_create, name="unit_create"),
    path("orgs/<int:pk>/", orgs.unit_detail, name="unit"),
    path("orgs/<int:pk>/edit/", orgs.unit_edit, name="unit_edit"),
    path("orgs/leaders/", orgs.leaders, name="leaders"),
    path("people/", orgs.people_list, name="people"),
    path("people/new/", orgs.person_create, name="person_create"),
    path("people/<int:pk>/", orgs.person_detail, name="person"),
    path("people/<int:pk>/edit/", orgs.person_edit, name="person_edit"),
    path("people/import/", imports.import_page, name="import"),
    path("people/export.xlsx", imports.export_xlsx, name="export"),
    path("lists/", orgs.lists, name="lists"),
    path("lists/<slug:kind>/", orgs.lists, name="lists"),
    path("profile/", orgs.profile, name="profile"),
    path("profile/two-factor/", twofactor.two_factor, name="two_factor"),
    path("login/code/", twofactor.login_code, name="login_code"),
    path("accounts/", orgs.accounts, name="accounts"),
    path("accounts/<int:pk>/", orgs.account_action, name="account_action"),
    path("accounts/addresses/", twofactor.addresses, name="addresses"),
    path("accounts/addresses/<int:pk>/clear/", twofactor.address_clear, name="address_clear"),
]

core_urlpatterns = [
    path("audit/", audit.audit_log, name="audit"),
    path("audit/export.xlsx", audit.audit_export, name="audit_export"),
    path("calendar/", calendar.calendar_page, name="calendar"),
    path("calendar/day/<str:day>/", calendar.calendar_day, name="calendar_day"),
    path("calendar/years/add/", calendar.calendar_year_add, name="calendar_year_add"),
    path(
        "calendar/years/<int:year>/coverage/",
        calendar.calendar_year_coverage,
        name="calendar_year_coverage",
    ),
    path("calendar/seed/", calendar.calendar_seed, name="calendar_seed"),
    path("calendar/import/", calendar.calendar_import, name="calendar_import"),
]
