from django.urls import path

from . import views, views_import

app_name = "orgs"

urlpatterns = [
    path("orgs/", views.org_tree, name="tree"),
    path("orgs/new/", views.unit_create, name="unit_create"),
    path("orgs/<int:pk>/", views.unit_detail, name="unit"),
    path("orgs/<int:pk>/edit/", views.unit_edit, name="unit_edit"),
    path("orgs/leaders/", views.leaders, name="leaders"),
    path("people/", views.people_list, name="people"),
    path("people/new/", views.person_create, name="person_create"),
    path("people/<int:pk>/", views.person_detail, name="person"),
    path("people/<int:pk>/edit/", views.person_edit, name="person_edit"),
    path("people/import/", views_import.import_page, name="import"),
    path("people/export.xlsx", views_import.export_xlsx, name="export"),
    path("lists/", views.lists, name="lists"),
    path("lists/<slug:kind>/", views.lists, name="lists"),
    path("profile/", views.profile, name="profile"),
    path("accounts/", views.accounts, name="accounts"),
    path("accounts/<int:pk>/", views.account_action, name="account_action"),
]
