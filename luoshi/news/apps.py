from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NewsConfig(AppConfig):
    name = "luoshi.news"
    label = "news"
    verbose_name = _("News")

    def ready(self) -> None:
        # Imported when called: apps.py is loaded before the app registry is ready.
        from luoshi.core import audit, demodata, navigation, related

        from . import exports  # noqa: F401  (registers the exporters)
        from .navigation import nav_sections

        navigation.register(nav_sections)
        related.register("meetings.meeting", "news.from_meeting", _meeting_links)
        demodata.register("Demo news", _demo, order=60)
        audit.register_action_labels(
            {
                "news.create": _("Wrote a news item"),
                "news.draft_from_facts": _("Drafted a news item from a meeting's facts"),
                "news.draft_from_meeting": _("Drafted a news item from a meeting's record"),
                "news.edit": _("Edited a news item"),
                "news.photo_add": _("Uploaded a news photo"),
                "news.photo_tag": _("Tagged the people in a news photo"),
                "news.photo_delete": _("Deleted a news photo"),
                "news.submit": _("Submitted a news item for review"),
                "news.review": _("Reviewed a news item"),
                "news.publish": _("Published a news item"),
                "news.withdraw": _("Withdrew a news item"),
                "news.export_wechat": _("Exported a news item for WeChat"),
                "news.export_pdf": _("Exported a news item's archive copy"),
                "news.export_approval_form": _("Downloaded a news item's approval form"),
            }
        )


def _demo() -> str:
    # Imported when called: the demo builds on every app's models.
    from .demo import build_demo

    return build_demo()


def _meeting_links(user: Any, meeting: Any) -> list[Any]:
    """On a held meeting's page: write its news (for those who write news)."""
    # Imported when called: apps.py is loaded before the app registry is ready.
    from django.urls import reverse

    from luoshi.core.related import RelatedLink

    from . import permissions as perms

    if meeting is None or meeting.state not in ("in_session", "closed", "minutes_published"):
        return []
    if not perms.may_write(user):
        return []
    return [
        RelatedLink(
            label=_("Write the news of this meeting"),
            url=reverse("news:from_meeting", args=[meeting.pk]),
            note=_("A draft pre-filled from the agenda, the decision and the sign-ins."),
            key="news.from_meeting",
        )
    ]
