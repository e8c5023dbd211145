"""Activities (活动): what a district's stations and party organisations put on for workers.

This module holds the activity types now (the points rules are set per type); the
activities themselves, sign-ups and attendance are built on it.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ActivityKind(models.TextChoices):
    PARTY_LESSON = "party_lesson", _("Party lesson (党课)")
    THEMED_PARTY_DAY = "party_day", _("Themed party day (主题党日)")
    TRAINING = "training", _("Training")
    SKILLS_TRAINING = "skills", _("Skills training")
    FIRST_AID = "first_aid", _("First aid and health")
    FREE_CLINIC = "free_clinic", _("Free clinic (义诊)")
    FREE_HAIRCUT = "haircut", _("Free haircut")
    COUNSELLING = "counselling", _("Counselling")
    LEGAL_AID = "legal_aid", _("Legal aid")
    SAFETY_TALK = "safety_talk", _("Safety or anti-fraud talk")
    FESTIVAL = "festival", _("Festival event")
    COUNCIL = "council", _("Workers' council (小哥议事会)")
    VOLUNTEER_SERVICE = "volunteer", _("Volunteer service")
    CHILD_CARE = "child_care", _("Child care")
    OTHER = "other", _("Other")
