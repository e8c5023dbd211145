from .cases import (
    PHOTOS,
    Case,
    CaseFollower,
    CaseHop,
    CaseMessage,
    CaseNotice,
    CasePhoto,
    CaseStatusChange,
    CaseTask,
)
from .catalogue import (
    CalendarDay,
    FeedbackCategory,
    FeedbackRules,
    Kind,
    PartnerDepartment,
    Priority,
)
from .partners import PartnerSystem

__all__ = [
    "PHOTOS",
    "CalendarDay",
    "Case",
    "CaseFollower",
    "CaseHop",
    "CaseMessage",
    "CaseNotice",
    "CasePhoto",
    "CaseStatusChange",
    "CaseTask",
    "FeedbackCategory",
    "FeedbackRules",
    "Kind",
    "PartnerDepartment",
    "PartnerSystem",
    "Priority",
]
