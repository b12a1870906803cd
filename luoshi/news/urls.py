from django.urls import URLPattern, URLResolver, path

from . import views

app_name = "news"

urlpatterns: list[URLPattern | URLResolver] = [
    path("newsdesk/", views.item_list, name="list"),
    path("newsdesk/new/", views.item_create, name="create"),
    path("newsdesk/from-meeting/", views.from_facts, name="from_facts"),
    path("newsdesk/from-meeting/<int:meeting_pk>/", views.from_meeting, name="from_meeting"),
    path("newsdesk/<int:pk>/", views.item_detail, name="item"),
    path("newsdesk/<int:pk>/edit/", views.item_edit, name="edit"),
    path("newsdesk/<int:pk>/photos/", views.photo_upload, name="photo_upload"),
    path("newsdesk/<int:pk>/photos/<int:photo_id>/tag/", views.photo_tag, name="photo_tag"),
    path(
        "newsdesk/<int:pk>/photos/<int:photo_id>/<str:rendition>/",
        views.photo_file,
        name="photo",
    ),
    path("newsdesk/<int:pk>/submit/", views.item_submit, name="submit"),
    path("newsdesk/<int:pk>/review/", views.item_review, name="review"),
    path("newsdesk/<int:pk>/publish/", views.item_publish, name="publish"),
    path("newsdesk/<int:pk>/withdraw/", views.item_withdraw, name="withdraw"),
    path("newsdesk/<int:pk>/export/<str:kind>", views.item_export, name="export"),
    # public: no login
    path("news/", views.public_index, name="public_index"),
    path("news/feed.atom", views.public_feed, name="feed"),
    path("news/<str:slug>/", views.public_item, name="public"),
    path("news/<str:slug>/img/<str:file>", views.public_photo, name="public_photo"),
]
