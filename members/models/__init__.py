"""The members app's models, one module per subject (re-exported here)."""

from .contact import ContactLog, ContactPair
from .inbox import Channel, DistrictMessaging, Message, MessageDelivery, MessagePreference
from .invitations import (
    INVITATION_CODE_ALPHABET,
    INVITATION_CODE_LENGTH,
    Invitation,
    InvitationBatch,
    InvitationCampaign,
)
from .login import LoginCode
from .privacy import ConsentEvent, DeletionRequest
from .workers import (
    COMMUNITY_LEVEL_VALUES,
    COMMUNITY_LEVELS,
    Enterprise,
    Occupation,
    Outlet,
    PhoneChange,
    Worker,
    WorkerStatusChange,
    WorkerTransfer,
)

__all__ = [
    "INVITATION_CODE_ALPHABET",
    "INVITATION_CODE_LENGTH",
    "Invitation",
    "InvitationBatch",
    "InvitationCampaign",
    "COMMUNITY_LEVEL_VALUES",
    "COMMUNITY_LEVELS",
    "ContactLog",
    "ConsentEvent",
    "ContactPair",
    "DeletionRequest",
    "Enterprise",
    "LoginCode",
    "Channel",
    "DistrictMessaging",
    "Message",
    "MessageDelivery",
    "MessagePreference",
    "Occupation",
    "Outlet",
    "PhoneChange",
    "Worker",
    "WorkerStatusChange",
    "WorkerTransfer",
]
