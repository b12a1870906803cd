from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvaluationConfig(AppConfig):
    name = "luoshi.evaluation"
    label = "evaluation"
    verbose_name = _("Democratic evaluation")

    def ready(self) -> None:
        # Imported when called: apps.py is loaded before the app registry is ready.
        from luoshi.core import audit, cache, demodata, home, navigation, periodic

        from . import models, services
        from .navigation import ballot_sections, home_todos, nav_sections

        navigation.register(nav_sections)
        navigation.register(ballot_sections, cached=False)
        home.register_todos("evaluation", home_todos)
        # "My ballots" in the navigation (evaluation.navigation): campaigns change status by
        # versioned updates (cache.model_changed), voter lists by signals; votes bump explicitly.
        cache.invalidate_on("ballots", (models.Campaign, models.Voter))
        demodata.register("Demo democratic evaluation", _demo_campaign, order=40)
        periodic.register("evaluation.code_failures", services.code_failures_purge)
        periodic.register("evaluation.sealing", services.sealing_resume)
        audit.register_action_labels(
            {
                "evaluation.create": _("Created a democratic evaluation"),
                "evaluation.update": _("Changed a democratic evaluation"),
                "evaluation.delete": _("Deleted a draft democratic evaluation"),
                "evaluation.grades": _("Set the grades of a democratic evaluation"),
                "evaluation.candidates": _("Set the candidates of a democratic evaluation"),
                "evaluation.voters": _("Set the voters of a democratic evaluation"),
                "evaluation.publish": _("Published a democratic evaluation"),
                "evaluation.codes_issue": _("Printed the anonymous ballot slips"),
                "evaluation.ballot_mode": _("Changed the ballot mode of a democratic evaluation"),
                "evaluation.categories": _("Set the rater categories of a democratic evaluation"),
                "evaluation.close": _("Closed a democratic evaluation"),
                "evaluation.seal": _("The ballots of a democratic evaluation were sealed"),
                "evaluation.results_view": _("Viewed the results of a democratic evaluation"),
                "evaluation.results_export": _("Exported the results of a democratic evaluation"),
                "evaluation.ballot_cast": _("A ballot was cast"),
            }
        )


def _demo_campaign() -> str:
    # Imported when called: apps.py is loaded before the app registry is ready.
    from .demo import build_demo_campaign

    return build_demo_campaign()
