from django.urls import URLPattern, URLResolver, path

from . import views

app_name = "appraisal"

urlpatterns: list[URLPattern | URLResolver] = [
    path("appraisal/", views.cycle_list, name="cycles"),
    path("appraisal/new/", views.cycle_open, name="cycle_open"),
    path("appraisal/mine/", views.mine, name="mine"),
    path("appraisal/<int:pk>/", views.cycle_detail, name="cycle"),
    path("appraisal/<int:pk>/committee/", views.committee, name="committee"),
    path("appraisal/<int:pk>/publicity/", views.publicity, name="publicity"),
    path("appraisal/<int:pk>/appeals/", views.appeals, name="appeals"),
    path("appraisal/<int:pk>/consequences/", views.consequences, name="consequences"),
    path("appraisal/<int:pk>/history-import/", views.history_import, name="history_import"),
    path("appraisal/<int:pk>/results.xlsx", views.results_xlsx, name="results_xlsx"),
    path("appraisal/participants/<int:pk>/", views.participant_detail, name="participant"),
    path(
        "appraisal/participants/<int:pk>/<str:kind>",
        views.participant_document,
        name="participant_document",
    ),
    path("appraisal/routine/", views.routine_list, name="routine_list"),
    path("appraisal/routine/<int:pk>/", views.routine_detail, name="routine"),
    path("appraisal/units/", views.units, name="units"),
    path("appraisal/units.xlsx", views.units_xlsx, name="units_xlsx"),
]
