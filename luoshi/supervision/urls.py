from django.urls import path

from . import views

app_name = "supervision"

urlpatterns = [
    path("supervision/", views.ledger, name="ledger"),
    path("supervision/export.xlsx", views.ledger_xlsx, name="ledger_xlsx"),
    path("supervision/register/", views.register, name="register"),
    path("supervision/mine/", views.my_items, name="my_items"),
    path("supervision/leader/", views.leader_view, name="leader"),
    path("supervision/items/<int:pk>/", views.item_detail, name="item"),
    path("supervision/items/<int:pk>/edit/", views.item_edit, name="item_edit"),
    path("supervision/items/<int:pk>/do/<slug:action>/", views.item_action, name="item_action"),
    path("supervision/items/<int:pk>/feedback/", views.item_feedback, name="item_feedback"),
    path(
        "supervision/items/<int:pk>/feedback/<int:feedback_id>/review/",
        views.feedback_review,
        name="feedback_review",
    ),
    path("supervision/items/<int:pk>/extension/", views.item_extension, name="item_extension"),
    path(
        "supervision/items/<int:pk>/extension/<int:extension_id>/decide/",
        views.extension_decide,
        name="extension_decide",
    ),
    path("supervision/items/<int:pk>/close-out/", views.item_close_out, name="item_close_out"),
    path(
        "supervision/items/<int:pk>/attachments/<int:attachment_id>/",
        views.attachment_download,
        name="attachment",
    ),
    path(
        "supervision/items/<int:pk>/assignment-sheet.docx",
        views.assignment_sheet,
        name="assignment_sheet",
    ),
    path(
        "supervision/items/<int:pk>/urging/<int:step_id>.docx",
        views.urging_notice,
        name="urging_notice",
    ),
    path("supervision/settings/", views.settings_page, name="settings"),
    path("supervision/bulletins/", views.bulletin_list, name="bulletins"),
    path("supervision/bulletins/<int:pk>/", views.bulletin_detail, name="bulletin"),
    path("supervision/bulletins/<int:pk>.docx", views.bulletin_docx, name="bulletin_docx"),
]
