"""Partner systems that exchange cases over Open311 GeoReport v2 (a city's 12345 hotline, a
grid-governance system): each with its own API key, reaching one area (a district, or a
city for a city-wide hotline)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from areas.models import Area
from core.models import TimeStampedModel


class PartnerSystem(TimeStampedModel):
    """Only the key's SHA-256 is kept; the key is shown once, when it is made
    (services.partner_create). A partner posts cases into its area and reads them back."""

    scope_area_path = "area"

    area = models.ForeignKey(
        Area,
        verbose_name=_("area"),
        on_delete=models.PROTECT,
        related_name="partner_systems",
        limit_choices_to={"level__in": [Area.Level.CITY, Area.Level.DISTRICT]},
        help_text=_("The district (or, for a city-wide hotline, the city) it exchanges cases for."),
    )
    name = models.CharField(_("name"), max_length=60, help_text=_("e.g. 庆阳市12345热线"))
    key_digest = models.CharField(max_length=64, unique=True, editable=False)
    key_hint = models.CharField(_("key begins"), max_length=6, editable=False)
    active = models.BooleanField(_("active"), default=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("made by"),
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )

    class Meta:
        verbose_name = _("partner system (Open311)")
        verbose_name_plural = _("partner systems (Open311)")
        ordering = ["area__code", "name"]

    def __str__(self) -> str:
        return self.name
