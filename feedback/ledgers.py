"""The ledger of suggestions and reports (意见建议和问题反映台账, 双征集台账) for the ledger
engine (ledgers/): exported in the government layout — each case, who raised it (masked
unless unmasking is granted and logged), the unit that answers, its deadline, state,
answer and the worker's verdict — and imported from the lists staff keep on paper (a 小哥
议事会's minutes, a street visit's notes, a batch of 12345 referrals).

Importing is recording each case as staff do in the admin: every row goes through
services.case_record (the category the district uses, the place, the staff member's
reach are the service's rules), asked first in a transaction rolled back, so a refusal is
that row's error before anything is written. A file imported twice adds nothing: the same
words in the same community from the same source are refused the second time."""

from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from areas import access
from areas.models import Area
from core.exceptions import ApplicationError
from core.identifiers import normalize_mobile
from ledgers.cells import choice_of, chunks, word_of
from ledgers.registry import (
    Column,
    Ledger,
    RowChecker,
    RowError,
    refusal_lines,
    register,
    service_refusal,
)
from members.ledgers import AreaLookup
from members.models import Worker

from . import services
from .models import Case, FeedbackCategory, Kind
from .services import routing

KIND_WORDS = {
    Kind.SUGGESTION: ("意见建议", "建议", "意见"),
    Kind.DEMAND: ("诉求", "困难诉求", "困难"),
    Kind.HAZARD: ("随手拍", "隐患", "安全隐患", "问题"),
}
# How a case was collected, as the lists say it; the first word is what exports write.
COLLECTED_WORDS = {
    Case.Source.COUNCIL: ("小哥议事会", "议事会"),
    Case.Source.VISIT: ("走访", "街道走访", "上门走访", "入户走访"),
    Case.Source.HOTLINE: ("12345转办", "12345", "12345热线", "热线转办"),
    Case.Source.OTHER: ("其他", "现场反映", "当面反映"),
}
SOURCE_WORDS = {
    Case.Source.PHONE: ("线上提交",),
    Case.Source.PARTNER: ("系统对接",),
    **COLLECTED_WORDS,
}
STATUS_WORDS = {
    Case.Status.SUBMITTED: "待受理",
    Case.Status.ACCEPTED: "已受理",
    Case.Status.REFERRED: "已转联动部门",
    Case.Status.IN_PROGRESS: "办理中",
    Case.Status.RESOLVED: "已答复待评价",
    Case.Status.CLOSED: "已办结",
    Case.Status.DUPLICATE: "重复件",
    Case.Status.DECLINED: "不予受理",
}
# The service's field names, as the file's columns call them (for its refusals).
HEADER_OF = {
    "kind": "类型",
    "category": "类别",
    "text": "内容",
    "source": "收集方式",
    "area": "社区",
    "place": "社区",
}


@dataclass
class CaseRow:
    number: int
    kind: str
    category: FeedbackCategory
    text: str
    source: str
    source_note: str
    area: Area
    reporter: Worker | None

    def record(self, actor) -> Case:
        return services.case_record(
            actor=actor,
            kind=self.kind,
            category=self.category,
            text=self.text,
            source=self.source,
            source_note=self.source_note,
            area=self.area,
            reporter=self.reporter,
        )


class CaseChecker(RowChecker):
    def __init__(self, *, actor, area, filename):
        super().__init__(actor=actor, area=area, filename=filename)
        self.areas = AreaLookup(area)
        self.categories: dict[str, dict[str, FeedbackCategory]] = {}
        self.seen: dict[tuple[int, str, str], int] = {}

    def prepare(self, rows):
        # Workers are looked for where the importing staff may record (the choke point).
        reachable = access.scope(
            Worker.objects.filter(area__code__startswith=self.area.prefix),
            self.actor,
            access.Purpose.WRITE,
        )
        phones = sorted({normalize_mobile(r.get("phone", "")) for r in rows} - {""})
        self.by_phone = {}
        for chunk in chunks(phones):
            for worker in reachable.filter(phone__in=chunk):
                self.by_phone[worker.phone] = worker
        # Cases already recorded from these lists: the same words again are a second import.
        texts = sorted({r.get("text", "").strip() for r in rows} - {""})
        self.recorded = set()
        for chunk in chunks(texts):
            self.recorded |= set(
                Case.objects.filter(
                    area__code__startswith=self.area.prefix, text__in=chunk
                ).values_list("area_id", "text", "source")
            )

    def check(self, row, number):
        errors: list[str] = []
        for key, header in (("kind", "类型"), ("category", "类别"), ("text", "内容")):
            if not row.get(key):
                errors.append(_("%(column)s is missing.") % {"column": header})
        if not row.get("source"):
            errors.append(_("%(column)s is missing.") % {"column": "收集方式"})
        if not row.get("area"):
            errors.append(_("%(column)s is missing.") % {"column": "社区"})
        kind = choice_of(KIND_WORDS, row.get("kind", ""), "类型", errors)
        source = choice_of(COLLECTED_WORDS, row.get("source", ""), "收集方式", errors)
        area = self.areas.find(row.get("area", ""), "社区", errors)
        text = " ".join(row.get("text", "").replace("\x00", "").split())
        reporter = self._reporter(row, errors)
        category = self._category(area, row.get("category", ""), errors) if area else None
        if area is not None and text and source:
            key = (area.pk, text, source)
            if key in self.seen:
                errors.append(
                    _("The same case as row %(row)d of this file.") % {"row": self.seen[key]}
                )
            elif key in self.recorded:
                errors.append(_("This case is recorded already: a row is not imported twice."))
        if errors:
            raise RowError(errors)
        cleaned = CaseRow(
            number,
            kind,
            category,
            text,
            source,
            row.get("source_note", "").strip()[:60],
            area,
            reporter,
        )
        if problems := self._refusal(cleaned):
            raise RowError(problems)
        self.seen[(area.pk, text, source)] = number
        return cleaned

    def _reporter(self, row: dict, errors: list[str]) -> Worker | None:
        phone = normalize_mobile(row.get("phone", ""))
        if not phone:
            return None
        worker = self.by_phone.get(phone)
        if worker is None:
            errors.append(
                _(
                    "No worker with this phone is registered in %(area)s: leave it empty, or register them first."
                )
                % {"area": self.area.name}
            )
        return worker

    def _category(self, area: Area, name: str, errors: list[str]) -> FeedbackCategory | None:
        district = routing.district_of(area)
        if district.code not in self.categories:
            self.categories[district.code] = {c.name: c for c in routing.categories_for(district)}
        named = self.categories[district.code]
        if name in named:
            return named[name]
        choice_of({n: (n,) for n in named}, name, "类别", errors)
        return None

    def _refusal(self, cleaned: CaseRow) -> list[str]:
        """What the service says to this row, in a transaction rolled back."""
        return service_refusal(lambda: cleaned.record(self.actor), HEADER_OF)

    def preview(self, cleaned):
        return [
            word_of(KIND_WORDS, cleaned.kind),
            cleaned.category.name,
            cleaned.text[:40],
            word_of(COLLECTED_WORDS, cleaned.source),
            cleaned.source_note,
            cleaned.area.name,
            cleaned.reporter.masked_phone if cleaned.reporter else "",
        ]

    def write(self, cleaned):
        """Each row through the service, in the commit's one transaction: a refusal now
        (something changed since the check) imports none of them."""
        for row in cleaned:
            try:
                row.record(self.actor)
            except ApplicationError as refusal:
                raise ApplicationError(
                    _("Row %(row)d cannot be imported, so nothing was: %(problem)s")
                    % {"row": row.number, "problem": " ".join(refusal_lines(refusal, HEADER_OF))}
                ) from None
        return len(cleaned)


def _day(moment) -> str:
    return timezone.localtime(moment).date().isoformat() if moment else ""


class CaseLedger(Ledger):
    checker_class = CaseChecker
    key = "feedback"
    title = "新就业群体意见建议和问题反映台账"
    columns = [
        Column("number", "编号", importable=False, width=8),
        Column("received", "收到日期", importable=False, width=12),
        Column("kind", "类型", required=True, aliases=("反映类型",), width=10),
        Column("category", "类别", required=True, aliases=("问题类别",), width=14),
        Column(
            "text", "内容", required=True, aliases=("反映内容", "问题描述", "建议内容"), width=36
        ),
        Column("source", "收集方式", required=True, aliases=("来源", "收集渠道"), width=12),
        Column("source_note", "来源编号", aliases=("工单号", "议事会日期"), width=18),
        Column("area", "社区", required=True, aliases=("所在社区",), width=16),
        Column("reporter", "反映人", importable=False, width=12),
        Column("phone", "手机号码", aliases=("联系电话", "手机号"), width=14),
        Column("unit", "责任单位", importable=False, width=18),
        Column("due", "办理期限", importable=False, width=12),
        Column("status", "办理状态", importable=False, width=12),
        Column("answer", "答复内容", importable=False, width=36),
        Column("closed", "办结日期", importable=False, width=12),
        Column("verdict", "评价", importable=False, width=10),
    ]

    @property
    def export_columns(self) -> list[Column]:
        return [c for c in self.columns if c.key != "phone"]

    def export_rows(self, records, *, unmasked):
        for case in records:
            reporter = case.reporter
            who = ""
            if reporter is not None:
                who = reporter.name if unmasked else reporter.masked_name
            verdict = {True: "满意", None: ""}.get(case.satisfied, "")
            if case.reopen_count and case.satisfied is not True:
                verdict = "未解决"
            yield [
                case.number,
                _day(case.created_at),
                word_of(KIND_WORDS, case.kind),
                case.category.name,
                case.text,
                word_of(SOURCE_WORDS, case.source),
                case.source_note,
                case.area.name,
                who,
                str(case.department or case.responsible_area),
                _day(case.due_at),
                STATUS_WORDS.get(case.status, case.status),
                case.answer or case.status_reason,
                _day(case.closed_at),
                verdict,
            ]


# One instance, so that registering again finds the same ledger.
CASE_LEDGER = CaseLedger()


def register_ledgers() -> None:
    register(CASE_LEDGER)
