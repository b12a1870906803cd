from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HonorsConfig(AppConfig):
    name = "luoshi.honors"
    label = "honors"
    verbose_name = _("Commendation")

    def ready(self) -> None:
        # Imported when called: apps.py is loaded before the app registry is ready.
        from luoshi.core import audit, cache, demodata, navigation, periodic, related

        from . import services
        from .models import Honour, Program
        from .navigation import consequences_links, nav_sections

        cache.invalidate_on("honors", [Program, Honour])  # what the navigation reads
        navigation.register(nav_sections, depends_on=("honors",))
        related.register("appraisal.consequences", "honors.merit", consequences_links)
        demodata.register("Demo commendation", _demo, order=50)
        # The tick runs its steps in the order of their names: "appraisal.finalize" before
        # "honors.appraisal_awards", so a cycle finalised by a tick gets its 嘉奖 in that run.
        periodic.register("honors.finalize", services.finalize_due)
        periodic.register("honors.appraisal_awards", services.appraisal_awards_due)
        audit.register_action_labels(
            {
                "honors.program_create": _("Drafted a commendation program"),
                "honors.quota_set": _("Set a commendation quota"),
                "honors.allocation_set": _("Changed a unit's commendation places"),
                "honors.approval_record": _("Recorded the approval of a commendation program"),
                "honors.program_open": _("Opened a commendation program for nomination"),
                "honors.nominate": _("Nominated for commendation"),
                "honors.nomination_edit": _("Edited a nomination"),
                "honors.nomination_submit": _("Submitted a nomination"),
                "honors.nomination_withdraw": _("Withdrew a nomination"),
                "honors.nominations_close": _("Closed nominations for joint vetting"),
                "honors.vet": _("Gave a vetting opinion"),
                "honors.decide": _("Decided the commendation"),
                "honors.publicity_start": _("Published the proposed honourees"),
                "honors.objection_raise": _("Raised an objection during publicity"),
                "honors.objection_answer": _("Answered an objection"),
                "honors.finalize": _("Finalized a commendation program"),
                "honors.decision_number": _("Recorded the commendation decision's number"),
                "honors.certificates_issue": _("Numbered certificates"),
                "honors.revoke": _("Revoked an honour"),
                "honors.external_record": _("Recorded an honour received from a higher body"),
                "honors.appraisal_awards": _("Recorded commendations from the annual appraisal"),
                "honors.merit_confirm": _("Confirmed a merit for three years Excellent"),
                "honors.evidence_add": _("Added evidence to a nomination"),
                "honors.evidence_remove": _("Removed evidence from a nomination"),
                "honors.import": _("Imported honours of earlier years"),
                "honors.decision_export": _("Took the commendation decision document"),
                "honors.record_export": _("Exported an honours record"),
            }
        )


def _demo() -> str:
    # Imported when called: apps.py is loaded before the app registry is ready.
    from .demo import build_demo

    return build_demo()
