from django.urls import URLPattern, URLResolver, path

from . import views

app_name = "honors"

urlpatterns: list[URLPattern | URLResolver] = [
    path("honors/", views.program_list, name="programs"),
    path("honors/new/", views.program_create, name="program_create"),
    path("honors/vetting/", views.vetting_queue, name="vetting"),
    path("honors/mine/", views.mine, name="mine"),
    path(
        "honors/appraisal/<int:year>/certificates.pdf",
        views.appraisal_certificates,
        name="appraisal_certificates",
    ),
    path("honors/<int:pk>/", views.program_detail, name="program"),
    path("honors/<int:pk>/nominate/", views.nomination_create, name="nominate"),
    path("honors/<int:pk>/decision/", views.decision, name="decision"),
    path("honors/<int:pk>/publicity/", views.publicity, name="publicity"),
    path("honors/<int:pk>/certificates.pdf", views.certificates_pdf, name="certificates_pdf"),
    path("honors/<int:pk>/honourees.xlsx", views.honourees_xlsx, name="honourees_xlsx"),
    path("honors/nominations/<int:pk>/", views.nomination_detail, name="nomination"),
    path("honors/people/<int:pk>/", views.person_honours, name="person"),
    # public: no login
    path("verify/", views.verify, name="verify"),
    path("verify/<str:number>/", views.verify, name="verify_number"),
]
