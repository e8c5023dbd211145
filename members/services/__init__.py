"""The members app's writes, one module per subject (re-exported here):
workers.py — registration (报到) and its review, enterprises, outlets;
contact.py — contact pairing (结对联系) and the monthly-contact rule;
invitations.py — invitation campaigns (喊你回家 召集令), batches of codes, openings;
privacy.py — consent, withdrawing it, deleting the account, members' retention rules;
inbox.py — messages to the worker (消息), their channels and delivery;
transfers.py — a registered worker moving to another community (转移)."""

from .contact import *  # noqa: F403
from .contact import __all__ as _contact
from .inbox import *  # noqa: F403
from .inbox import __all__ as _inbox
from .invitations import *  # noqa: F403
from .invitations import __all__ as _invitations
from .privacy import *  # noqa: F403
from .privacy import __all__ as _privacy
from .transfers import *  # noqa: F403
from .transfers import __all__ as _transfers
from .workers import *  # noqa: F403
from .workers import __all__ as _workers

__all__ = [*_workers, *_contact, *_invitations, *_privacy, *_inbox, *_transfers]
