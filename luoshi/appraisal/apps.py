from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AppraisalConfig(AppConfig):
    name = "luoshi.appraisal"
    label = "appraisal"
    verbose_name = _("Appraisal")

    def ready(self) -> None:
        # Imported when called: apps.py is loaded before the app registry is ready.
        from luoshi.core import audit, cache, demodata, navigation, periodic

        from . import models, services
        from .navigation import nav_sections

        navigation.register(nav_sections, depends_on=("appraisal",))
        # Imported when called: apps.py is loaded before the app registry is ready.
        from luoshi.notify.events import register_events, register_family

        register_family("appraisal", _("Appraisal"))
        register_events({"appraisal.result": _("Appraisal result notified")})
        # What the navigation's appraisal entries derive from (appraisal.navigation); a cycle's
        # participants are written with it.
        cache.invalidate_on("appraisal", (models.AnnualCycle, models.RoutineCycle))
        periodic.register("appraisal.finalize", services.finalize_due)
        demodata.register("Demo appraisal", _demo, order=45)
        audit.register_action_labels(
            {
                "appraisal.cycle_open": _("Opened an annual appraisal"),
                "appraisal.participants_draw": _("Drew appraisal participants"),
                "appraisal.eligibility_change": _("Changed appraisal eligibility"),
                "appraisal.summary_submit": _("Submitted a self-summary"),
                "appraisal.propose": _("Proposed an appraisal grade"),
                "appraisal.to_committee": _("Sent an annual appraisal to the committee"),
                "appraisal.quota_set": _("Set the excellent quota"),
                "appraisal.unit_quota_set": _("Allocated excellent places to a unit"),
                "appraisal.committee_record": _("Recorded the appraisal committee meeting"),
                "appraisal.decide": _("Decided an appraisal grade"),
                "appraisal.decide_bulk": _("Decided the appraisal list"),
                "appraisal.publicity_start": _("Published the proposed excellent list"),
                "appraisal.objection_raise": _("Raised an objection during publicity"),
                "appraisal.objection_answer": _("Answered an objection"),
                "appraisal.finalize": _("Finalized an annual appraisal"),
                "appraisal.notices_send": _("Sent appraisal result notices"),
                "appraisal.acknowledge": _("Acknowledged an appraisal result"),
                "appraisal.pending_fill": _("Filled in a pending grade"),
                "appraisal.appeal_file": _("Filed a review or appeal"),
                "appraisal.appeal_decide": _("Decided a review or appeal"),
                "appraisal.history_import": _("Imported earlier appraisal results"),
                "appraisal.routine_open": _("Opened a routine appraisal"),
                "appraisal.routine_propose": _("Proposed a routine grade"),
                "appraisal.routine_confirm": _("Confirmed a routine appraisal"),
                "appraisal.routine_adjust": _("Changed a routine grade when confirming"),
                "appraisal.leadership_score": _("Entered a leadership evaluation score"),
                "appraisal.view": _("Viewed a confidential appraisal record"),
                "appraisal.export": _("Exported appraisal results"),
                "appraisal.campaign_link": _("Linked a democratic evaluation to an appraisal"),
            }
        )


def _demo() -> str:
    # Imported when called: apps.py is loaded before the app registry is ready.
    from .demo import build_demo

    return build_demo()
