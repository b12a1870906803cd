from django.urls import URLPattern, URLResolver, path

from . import views

app_name = "documents"

urlpatterns: list[URLPattern | URLResolver] = [
    path("exports/", views.exports, name="exports"),
    path("exports/<uuid:pk>/", views.export_job, name="export"),
    path("exports/<uuid:pk>/download/", views.export_download, name="export_download"),
]
