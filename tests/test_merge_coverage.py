"""Every model that points at a worker has a say in merges (members.merge): a mover that
takes its rows to the kept record, or a stated reason why they stay. A new app that hangs
rows off workers (wishes, reports…) fails here until it registers."""

from django.apps import apps
from django.db import models
from django.test.utils import isolate_apps

from members import merge
from members.models import Worker


def models_pointing_at_workers(registry=apps) -> set[str]:
    return {
        model._meta.label
        for model in registry.get_models()
        for field in model._meta.get_fields()
        if field.is_relation and field.concrete and field.related_model is Worker
    }


def test_every_model_that_points_at_a_worker_is_registered_for_merges():
    missing = models_pointing_at_workers() - merge.registered_models()
    assert not missing, (
        f"These models point at a worker but register no merge mover: {sorted(missing)}. "
        "Register one in the app's AppConfig.ready() (members.merge.register), or say why "
        "the rows stay with the merged-away record (members.merge.rows_stay)."
    )


def test_the_check_finds_every_kind_of_relation():
    found = models_pointing_at_workers()
    assert {"points.PointsAccount", "activities.SignUp", "stations.CheckIn"} <= found
    assert merge.registered_models() <= found


@isolate_apps("wishes")
def test_a_planted_model_without_a_mover_is_caught():
    class PlantedWish(models.Model):
        worker = models.ForeignKey(Worker, on_delete=models.PROTECT, related_name="+")

        class Meta:
            app_label = "wishes"

        def __str__(self) -> str:
            return "planted"

    planted = models_pointing_at_workers(PlantedWish._meta.apps)
    assert planted - merge.registered_models() == {"wishes.PlantedWish"}
