"""The feedback app's writes, one module per subject (re-exported here):
routing.py — where a case goes: the place's area by rule, then the category's unit;
intake.py — a worker's report, a case staff collected offline, "I have this too";
handling.py — the closed loop: accept, duplicate, refer, re-route, decline, tasks,
    resolve, the worker's fixed / not fixed, the conversation;
deadlines.py — the beat job: overdue tasks and cases, escalation, unanswered cases closed;
catalogue.py — a district's departments, categories, rules and calendar days;
partners.py — partner systems' API keys (Open311);
history.py — what each write shares: history, messages to the worker, notices to units."""

from .catalogue import calendar_day_save, category_save, department_save, rules_save
from .deadlines import deadlines_run
from .handling import (
    case_accept,
    case_decline,
    case_mark_duplicate,
    case_message_reporter,
    case_message_staff,
    case_publish,
    case_refer,
    case_reporter_answer,
    case_reroute,
    case_resolve,
    case_unpublish,
    task_add,
    task_finish,
)
from .history import CASE_MESSAGES, notice_read, notice_text
from .intake import (
    MAX_PHOTOS,
    case_follow,
    case_receive,
    case_record,
    case_submit,
    cases_merge,
    followers_merge,
)
from .partners import partner_create, partner_for_key, partner_turn_off
from .routing import Place, categories_for, route

__all__ = [
    "CASE_MESSAGES",
    "MAX_PHOTOS",
    "Place",
    "calendar_day_save",
    "case_accept",
    "case_decline",
    "case_follow",
    "case_mark_duplicate",
    "case_publish",
    "case_unpublish",
    "case_message_reporter",
    "case_message_staff",
    "case_receive",
    "case_record",
    "case_refer",
    "case_reporter_answer",
    "case_reroute",
    "case_resolve",
    "case_submit",
    "cases_merge",
    "categories_for",
    "category_save",
    "deadlines_run",
    "department_save",
    "followers_merge",
    "notice_read",
    "notice_text",
    "partner_create",
    "partner_for_key",
    "partner_turn_off",
    "route",
    "rules_save",
    "task_add",
    "task_finish",
]
