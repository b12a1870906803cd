from django.urls import URLPattern, URLResolver, path

from . import views

app_name = "meetings"

urlpatterns: list[URLPattern | URLResolver] = [
    path("meetings/", views.meeting_list, name="list"),
    path("meetings/new/", views.meeting_create, name="create"),
    path("meetings/mine/", views.mine, name="mine"),
    # the door's code, scanned by a phone: the token names the meeting
    path("meetings/sign-in/<str:token>/", views.sign_in, name="sign_in"),
    path("meetings/<int:pk>/", views.meeting_detail, name="detail"),
    path("meetings/<int:pk>/edit/", views.meeting_edit, name="edit"),
    path("meetings/<int:pk>/participants/", views.participants, name="participants"),
    path("meetings/<int:pk>/participants.xlsx", views.participants_xlsx, name="participants_xlsx"),
    path("meetings/<int:pk>/desk/", views.desk, name="desk"),
    path("meetings/<int:pk>/door/", views.door, name="door"),
    path("meetings/<int:pk>/door.svg", views.door_svg, name="door_svg"),
    path("meetings/<int:pk>/seating/", views.seating, name="seating"),
    path("meetings/<int:pk>/seat-chart.pdf", views.seat_chart_pdf, name="seat_chart_pdf"),
    path("meetings/<int:pk>/table-cards.pdf", views.table_cards_pdf, name="table_cards_pdf"),
    path("meetings/<int:pk>/minutes.docx", views.minutes_docx, name="minutes_docx"),
    path("meetings/<int:pk>/notice.docx", views.notice_docx, name="notice_docx"),
    path(
        "meetings/<int:pk>/standing-order.docx",
        views.standing_order_docx,
        name="standing_order_docx",
    ),
    path(
        "meetings/<int:pk>/compilation-v<int:version>.pdf",
        views.compilation_pdf,
        name="compilation_pdf",
    ),
    path("meetings/<int:pk>/materials/", views.materials, name="materials"),
    path("meetings/<int:pk>/minutes/", views.minutes, name="minutes"),
    path("meetings/<int:pk>/requirements/", views.requirements, name="requirements"),
    path("meetings/<int:pk>/my-seat/", views.my_seat, name="my_seat"),
    path(
        "meetings/<int:pk>/agenda/<int:agenda_item_id>/material.pdf",
        views.material_pdf,
        name="material_pdf",
    ),
]
