from django.urls import path

from . import views

app_name = "evaluation"

urlpatterns = [
    path("evaluation/", views.campaign_list, name="campaigns"),
    path("evaluation/new/", views.campaign_create, name="campaign_create"),
    path("evaluation/<int:pk>/", views.campaign_detail, name="campaign"),
    path("evaluation/<int:pk>/edit/", views.campaign_edit, name="campaign_edit"),
    path("evaluation/<int:pk>/people/", views.campaign_people, name="people"),
    path("evaluation/<int:pk>/codes.pdf", views.codes_pdf, name="codes_pdf"),
    path("evaluation/<int:pk>/results/", views.campaign_results, name="results"),
    path("evaluation/<int:pk>/results.xlsx", views.results_xlsx, name="results_xlsx"),
    path("evaluation/my-ballots/", views.my_ballots, name="my_ballots"),
    path("evaluation/ballot/<str:token>/", views.ballot, name="ballot"),
    path("vote/", views.vote, name="vote"),
    # a link with a code in it (typed by hand, or an old bookmark): the form, the code not read
    path("vote/<str:code>/", views.vote_code_in_link, name="vote_code_in_link"),
]
