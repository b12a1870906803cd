from django.urls import URLPattern, URLResolver, path

from . import views

app_name = "summaries"

urlpatterns: list[URLPattern | URLResolver] = [
    path("summaries/", views.round_list, name="rounds"),
    path("summaries/new/", views.round_create, name="round_create"),
    path("summaries/rounds/<int:pk>/", views.round_detail, name="round"),
    path("summaries/rounds/<int:pk>/compile/", views.round_compile, name="round_compile"),
    path("summaries/rounds/<int:pk>/summary.docx", views.round_docx, name="round_docx"),
    path("summaries/rounds/<int:pk>/indicators.xlsx", views.round_xlsx, name="round_xlsx"),
    path("summaries/<int:pk>/", views.summary_detail, name="summary"),
    path("summaries/<int:pk>/submit/", views.summary_submit, name="submit"),
    path("summaries/<int:pk>/review/", views.summary_review, name="review"),
    path("summaries/<int:pk>/refresh/", views.summary_refresh, name="refresh"),
    path("summaries/<int:pk>/summary.docx", views.summary_docx, name="docx"),
]
