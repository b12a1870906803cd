from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvaluationConfig(AppConfig):
    name = "luoshi.evaluation"
    label = "evaluation"
    verbose_name = _("Democratic evaluation")

    def ready(self) -> None:
        pass
