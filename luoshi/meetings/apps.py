from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeetingsConfig(AppConfig):
    name = "luoshi.meetings"
    label = "meetings"
    verbose_name = _("Work meeting")

    def ready(self) -> None:
        # Imported when called: apps.py is loaded before the app registry is ready.
        from luoshi.core import audit, cache, demodata, navigation, periodic

        from . import services
        from .models import Meeting, Participant
        from .navigation import nav_sections

        cache.invalidate_on("meetings", [Meeting, Participant])  # what the navigation reads
        navigation.register(nav_sections, depends_on=("meetings",))
        demodata.register("Demo work meeting", _demo, order=70)  # after the summaries
        periodic.register("meetings.material_reminders", services.material_reminders_due)
        audit.register_action_labels(
            {
                "meetings.create": _("Planned a meeting"),
                "meetings.update": _("Changed a meeting"),
                "meetings.advance": _("Moved a meeting to its next state"),
                "meetings.agenda_add": _("Added an agenda item"),
                "meetings.agenda_remove": _("Removed an agenda item"),
                "meetings.material_attach": _("Attached an agenda item's material"),
                "meetings.rule_set": _("Set a participant rule"),
                "meetings.participants_apply": _("Listed participants by rule"),
                "meetings.participant_add": _("Added a participant"),
                "meetings.participant_remove": _("Removed a participant"),
                "meetings.reply": _("Recorded a reply to an invitation"),
                "meetings.substitute": _("Named a substitute"),
                "meetings.guest_code": _("Gave a guest a sign-in code"),
                "meetings.sign_in": _("Signed in at a meeting"),
                "meetings.seating_arrange": _("Arranged the seats"),
                "meetings.seat_move": _("Moved a seat"),
                "meetings.seat_lock": _("Locked or unlocked a seat"),
                "meetings.awarding_plan": _("Planned the awarding rounds"),
                "meetings.compilation_freeze": _("Froze the materials compilation"),
                "meetings.decisions_set": _("Recorded the meeting's decisions"),
                "meetings.requirement_add": _("Recorded a requirement of the leader"),
                "meetings.requirement_key_point": _("Made a requirement a key point"),
                "meetings.requirement_supervision": _("Made a requirement a supervision item"),
                "meetings.export_participants": _("Exported the participant list"),
            }
        )


def _demo() -> str:
    # Imported when called: apps.py is loaded before the app registry is ready.
    from .demo import build_demo

    return build_demo()
