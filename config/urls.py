from django.urls import include, path

from luoshi.api.api import api
from luoshi.orgs.urls import core_urlpatterns
from luoshi.orgs.views import orgs as org_views

urlpatterns = [
    path("", org_views.home, name="home"),
    path("login/", org_views.login_view, name="login"),
    path("logout/", org_views.logout_view, name="logout"),
    path("language/", org_views.set_language, name="set_language"),
    path("api/v1/", api.urls),
    path("", include((core_urlpatterns, "core"))),  # the audit log and the calendar
    path("", include("luoshi.orgs.urls")),
    path("", include("luoshi.plans.urls")),
    path("", include("luoshi.notify.urls")),
    path("", include("luoshi.supervision.urls")),
    path("", include("luoshi.evaluation.urls")),
    path("", include("luoshi.appraisal.urls")),
    path("", include("luoshi.honors.urls")),
    path("", include("luoshi.documents.urls")),
    path("", include("luoshi.news.urls")),
    path("", include("luoshi.summaries.urls")),
    path("", include("luoshi.meetings.urls")),
]
