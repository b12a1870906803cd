from django.urls import URLPattern, URLResolver, path

from . import views

app_name = "honors"

urlpatterns: list[URLPattern | URLResolver] = [
    path("honors/", views.program_list, name="programs"),
    path("honors/new/", views.program_create, name="program_create"),
    path("honors/vetting/", views.vetting_queue, name="vetting"),
    path("honors/mine/", views.mine, name="mine"),
    path("honors/import/", views.honours_import, name="import"),
    path("honors/merit/", views.merit, name="merit"),
    path("honors/year/<int:year>/", views.year_honours, name="year"),
    path(
        "honors/appraisal/<int:year>/certificates.pdf",
        views.appraisal_certificates,
        name="appraisal_certificates",
    ),
    path("honors/<int:pk>/", views.program_detail, name="program"),
    path("honors/<int:pk>/nominate/", views.nomination_create, name="nominate"),
    path("honors/<int:pk>/candidates/", views.collective_candidates, name="collective_candidates"),
    path("honors/<int:pk>/decision/", views.decision, name="decision"),
    path("honors/<int:pk>/publicity/", views.publicity, name="publicity"),
    path("honors/<int:pk>/certificates.pdf", views.certificates_pdf, name="certificates_pdf"),
    path("honors/<int:pk>/honourees.xlsx", views.honourees_xlsx, name="honourees_xlsx"),
    path("honors/<int:pk>/decision.docx", views.decision_docx, name="decision_docx"),
    path("honors/nominations/<int:pk>/", views.nomination_detail, name="nomination"),
    path("honors/nominations/<int:pk>/edit/", views.nomination_edit, name="nomination_edit"),
    path(
        "honors/nominations/<int:pk>/evidence/<int:evidence_id>/",
        views.evidence_download,
        name="evidence",
    ),
    path("honors/people/<int:pk>/", views.person_honours, name="person"),
    path("honors/people/<int:pk>/honours.xlsx", views.person_honours_xlsx, name="person_xlsx"),
    path("honors/units/<int:pk>/", views.unit_honours, name="unit"),
    path("honors/units/<int:pk>/honours.xlsx", views.unit_honours_xlsx, name="unit_xlsx"),
    # public: no login
    path("verify/", views.verify, name="verify"),
    path("verify/<str:number>/", views.verify, name="verify_number"),
]
