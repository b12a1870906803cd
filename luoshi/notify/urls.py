from django.urls import URLPattern, URLResolver, path

from . import views

app_name = "notify"

urlpatterns: list[URLPattern | URLResolver] = [
    path("notices/", views.inbox, name="inbox"),
    path("notices/<int:pk>/read/", views.notice_read, name="read"),
    path("notices/read-all/", views.notice_read_all, name="read_all"),
    path("notices/preferences/", views.preferences, name="preferences"),
    path("notices/webhooks/", views.webhooks, name="webhooks"),
    path("notices/webhooks/new/", views.webhook_create, name="webhook_create"),
    path("notices/webhooks/<int:pk>/", views.webhook_edit, name="webhook_edit"),
    path("notices/webhooks/<int:pk>/delete/", views.webhook_delete, name="webhook_delete"),
    path("notices/webhooks/<int:pk>/test/", views.webhook_test, name="webhook_test"),
    path("notices/deliveries/", views.deliveries, name="deliveries"),
    path("notices/deliveries/<int:pk>/retry/", views.delivery_retry, name="delivery_retry"),
]
