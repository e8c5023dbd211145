"""The Celery application and its beat schedule (kept in code, tested to import)."""

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

app = Celery("warmstations")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Readable kebab-case names; each entry points at a thin, idempotent task.
app.conf.beat_schedule = {
    "core-heartbeat": {
        "task": "core.tasks.heartbeat",
        "schedule": 60.0,
    },
    "members-mark-uncontacted-pairs": {
        "task": "members.tasks.mark_uncontacted_pairs",
        "schedule": crontab(hour=7, minute=30),  # before the working day starts
    },
    "ledgers-purge-import-files": {
        "task": "ledgers.tasks.purge_import_files",
        "schedule": crontab(hour=3, minute=15),
    },
    "activities-mark-no-shows": {
        "task": "activities.tasks.mark_no_shows",
        "schedule": crontab(minute=5),  # hourly
    },
    "points-expire-redemptions": {
        "task": "points.tasks.expire_redemptions",
        "schedule": crontab(minute=10),  # hourly
    },
    "points-remind-redemptions": {
        "task": "points.tasks.remind_redemptions",
        "schedule": crontab(minute=15),  # hourly
    },
    "activities-remind-tomorrow": {
        "task": "activities.tasks.remind_tomorrow",
        # In the evening before, when a rider plans the next day; TIME_ZONE is Beijing's.
        "schedule": crontab(hour=18, minute=0),
    },
    "security-purge-audit-log": {
        "task": "security.tasks.purge_audit_log",
        "schedule": crontab(hour=3, minute=40),
    },
    "members-purge-login-codes": {
        "task": "members.tasks.purge_login_codes",
        "schedule": 3600.0,
    },
    "members-enforce-retention": {
        "task": "members.tasks.enforce_retention",
        "schedule": crontab(hour=2, minute=40),  # nightly, before the working day
    },
}

# Issue 12 §4 (nothing lost when Redis dies): the outbox is drained every minute, and the
# rate-limit counters kept in the database during a Redis outage are purged.
app.conf.beat_schedule.update(
    {
        "core-drain-outbox": {
            "task": "core.tasks.drain_outbox",
            "schedule": 60.0,
        },
        "core-purge-rate-limit-counts": {
            "task": "core.tasks.purge_rate_limit_counts",
            "schedule": crontab(minute=20),  # hourly
        },
    }
)

# Issue 13 §1: the rollups. Dirty marks are recomputed within a minute of the write (the
# dashboard's freshness goal is 60 s); state snapshots and the comparison with raw rows run
# at night.
app.conf.beat_schedule.update(
    {
        "reports-roll-up": {
            "task": "reports.tasks.dispatch",
            "schedule": 15.0,
        },
        "reports-snapshot-states": {
            "task": "reports.tasks.snapshot_states",
            "schedule": crontab(minute=1),  # hourly, the first just after midnight
        },
        "reports-forget-old-range-figures": {
            "task": "reports.tasks.forget_old_range_figures",
            "schedule": crontab(hour=4, minute=50),
        },
        "reports-refresh-coverage": {
            "task": "reports.tasks.refresh_coverage",
            "schedule": crontab(hour=4, minute=30),
        },
        "reports-verify": {
            "task": "reports.tasks.verify",
            "schedule": crontab(hour=4, minute=10),
        },
    }
)

# Issue 15 §2: a claim on a micro-wish not handed over by its deadline lapses, and the wish
# goes back on the wall; its donor is reminded a few days before.
app.conf.beat_schedule.update(
    {
        "wishes-lapse-claims": {
            "task": "wishes.tasks.lapse_claims",
            "schedule": crontab(minute=25),  # hourly
        },
        "wishes-remind-donors": {
            "task": "wishes.tasks.remind_donors",
            "schedule": crontab(minute=35),  # hourly
        },
    }
)

# Issue 16 §3: cases and tasks past their deadline in working days are marked overdue and
# escalated one level up the tree; resolved cases the worker never answered close.
app.conf.beat_schedule.update(
    {
        "feedback-deadlines": {
            "task": "feedback.tasks.run_deadlines",
            "schedule": crontab(minute="*/15"),
        },
    }
)
