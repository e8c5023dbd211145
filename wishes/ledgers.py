"""The micro-wishes ledger (微心愿台账) for the ledger engine (ledgers/): exported in the
government layout (心愿人 masked unless unmasking is granted and logged, who claimed it,
when, when it came true), and imported from the lists of wishes collected on paper in
street interviews, 小哥议事会 and visits.

Importing is recording each wish as staff do on the wish page: every row goes through
services.wish_record, so the value cap, the open wishes a worker may have, the words a
wish may not contain and the district's categories are the service's rules, not copies of
them. The check (the dry run) asks the service too, inside a transaction it rolls back, so
a refusal is that row's error before anything is written. A file imported twice adds
nothing: a worker's wish with the same words is refused, whatever became of it since."""

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db.models import Prefetch, prefetch_related_objects
from django.utils import timezone
from django.utils.translation import gettext as _

from areas import access
from core.exceptions import ApplicationError
from core.identifiers import (
    normalize_id_number,
    normalize_mobile,
    validate_id_number,
    validate_mobile,
)
from core.masking import mask_name
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
from members.ledgers import OCCUPATION_WORDS
from members.models import Worker

from . import services
from .models import LIVE_CLAIM, Claim, Wish, WishCategory

# How a wish was collected, as the lists say it; the first word of each is what exports
# write. A wish posted on the phone is never imported.
COLLECTED_WORDS = {
    Wish.Source.STREET_INTERVIEW: ("街头采访", "采访"),
    Wish.Source.COUNCIL: ("小哥议事会", "议事会"),
    Wish.Source.STAFF_VISIT: ("走访", "入户走访", "上门走访"),
}
SOURCE_WORDS = {Wish.Source.PHONE: ("线上提交",), **COLLECTED_WORDS}
STATUS_WORDS = {
    Wish.Status.SUBMITTED: "待审核",
    Wish.Status.RETURNED: "已退回",
    Wish.Status.PUBLISHED: "待认领",
    Wish.Status.CLAIMED: "已认领",
    Wish.Status.FULFILLED: "已实现",
    Wish.Status.WITHDRAWN: "已撤回",
    Wish.Status.MERGED: "已并入集体心愿",
}
AGREED_WORDS = {"yes": ("是", "同意", "已同意"), "no": ("否", "不同意", "未同意")}
# Columns the paper lists carry and the government layout does not: who the worker is
# (found by phone or ID number, never shown) and their agreement to publication.
IMPORT_ONLY = ("name", "phone", "id_number", "agreed")
# The service's field names, as the file's columns call them (for its refusals).
HEADER_OF = {
    "worker": "心愿人",
    "category": "类别",
    "text": "心愿内容",
    "value": "价值",
    "source": "收集方式",
}
YUAN_NOISE = str.maketrans("", "", "¥￥元, ，")


@dataclass
class WishRow:
    number: int  # the file's row, for the message if the service refuses it at the commit
    worker: Worker
    category: WishCategory
    text: str
    value: Decimal
    source: str

    def collected(self) -> services.CollectedWish:
        return services.CollectedWish(
            category=self.category,
            text=self.text,
            source=self.source,
            worker=self.worker,
            value=self.value,
        )


def _amount(text: str, what: str, errors: list[str]) -> Decimal | None:
    if not text:
        errors.append(_("%(column)s is missing.") % {"column": what})
        return None
    try:
        value = Decimal(text.translate(YUAN_NOISE)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        value = None
    if value is None or not value.is_finite() or value < 0:
        errors.append(
            _("%(what)s “%(text)s” is not an amount in yuan: write it as 80.")
            % {"what": what, "text": text}
        )
        return None
    return value


class WishChecker(RowChecker):
    def __init__(self, *, actor, area, filename):
        super().__init__(actor=actor, area=area, filename=filename)
        self.categories_by_district: dict[str, dict[str, WishCategory]] = {}
        self.open_allowed_by_district: dict[str, int] = {}
        self.seen_wishes: dict[tuple[int, str], int] = {}
        self.open_in_file: dict[int, int] = {}

    def prepare(self, rows):
        # Workers are looked for where the importing staff may record wishes (the choke
        # point), under the file's area: anyone else's phone is "no worker", as a phone
        # nobody has.
        reachable = access.scope(
            Worker.objects.filter(area__code__startswith=self.area.prefix),
            self.actor,
            access.Purpose.WRITE,
        ).select_related("area")
        phones = sorted({normalize_mobile(r.get("phone", "")) for r in rows} - {""})
        self.by_phone: dict[str, Worker] = {}
        for chunk in chunks(phones):
            for worker in reachable.filter(phone__in=chunk):
                self.by_phone[worker.phone] = worker
        indexes = sorted(
            {
                Worker.id_number_index_of(normalize_id_number(r["id_number"]))
                for r in rows
                if r.get("id_number")
            }
            - {None}
        )
        self.by_id_index: dict[str, Worker] = {}
        for chunk in chunks(indexes):
            for worker in reachable.filter(id_number_index__in=chunk):
                self.by_id_index[worker.id_number_index] = worker
        worker_ids = sorted({w.pk for w in (*self.by_phone.values(), *self.by_id_index.values())})
        # Every wish of these workers: the same words again are this file imported twice.
        self.recorded: dict[tuple[int, str], tuple[str, object]] = {}
        self.open_recorded: dict[int, int] = {}
        for chunk in chunks(worker_ids):
            for worker_id, text, status, created_at in Wish.objects.filter(
                worker_id__in=chunk
            ).values_list("worker_id", "text", "status", "created_at"):
                self.recorded.setdefault((worker_id, text), (status, created_at))
                if status in services.OPEN:
                    self.open_recorded[worker_id] = self.open_recorded.get(worker_id, 0) + 1

    def check(self, row, number):
        errors: list[str] = []
        worker = self._worker(row, errors)
        text = row.get("text", "").replace("\x00", "").strip()
        if not text:
            errors.append(_("%(column)s is missing.") % {"column": "心愿内容"})
        value = _amount(row.get("value", ""), "价值", errors)
        source = choice_of(COLLECTED_WORDS, row.get("source", ""), "收集方式", errors)
        if not row.get("source"):
            errors.append(_("%(column)s is missing.") % {"column": "收集方式"})
        # 否 or nothing is no agreement; a word it does not know, choice_of has named.
        agreed = choice_of(AGREED_WORDS, row.get("agreed", ""), "本人同意公开", errors)
        if agreed == "no" or not row.get("agreed"):
            errors.append(
                _(
                    "The worker has not agreed that the wish is published: only wishes "
                    "they agreed to are recorded. Ask them, then import the row."
                )
            )
        category = None
        if not row.get("category"):
            errors.append(_("%(column)s is missing.") % {"column": "类别"})
        elif worker is not None:
            category = self._category(worker, row["category"], errors)
        if worker is not None and text and not errors:
            errors.extend(self._already(worker, text, number))
        if errors:
            raise RowError(errors)
        cleaned = WishRow(number, worker, category, text, value, source)
        if problems := self._refusal(cleaned):
            raise RowError(problems)
        self.seen_wishes[(worker.pk, text)] = number
        self.open_in_file[worker.pk] = self.open_in_file.get(worker.pk, 0) + 1
        return cleaned

    def _worker(self, row: dict, errors: list[str]) -> Worker | None:
        phone = normalize_mobile(row.get("phone", ""))
        id_text = row.get("id_number", "")
        if not phone and not id_text:
            errors.append(_("Give the worker's mobile phone or ID number."))
            return None
        found: list[Worker] = []
        if phone:
            try:
                validate_mobile(phone)
            except ValidationError as error:
                errors.extend(str(m) for m in error.messages)
                return None
            found.append(self.by_phone.get(phone))
        if id_text:
            if "E+" in id_text.upper() or "." in id_text:
                errors.append(
                    _(
                        "The ID number lost digits in Excel (%(text)s): format the column as "
                        "text and type it again."
                    )
                    % {"text": id_text}
                )
                return None
            id_number = normalize_id_number(id_text)
            try:
                validate_id_number(id_number)
            except ValidationError as error:
                errors.extend(str(m) for m in error.messages)
                return None
            found.append(self.by_id_index.get(Worker.id_number_index_of(id_number)))
        if None in found:
            errors.append(
                _(
                    "No worker with this phone or ID number is registered in %(area)s: "
                    "register them first."
                )
                % {"area": self.area.name}
            )
            return None
        if len({w.pk for w in found}) > 1:
            errors.append(_("The phone number and the ID number belong to two different workers."))
            return None
        worker = found[0]
        name = row.get("name", "").strip()
        if name and name != worker.name:
            errors.append(
                _("This phone or ID number belongs to %(worker)s, not %(name)s.")
                % {"worker": worker.masked_name, "name": mask_name(name)}
            )
        return worker

    def _category(self, worker: Worker, name: str, errors: list[str]) -> WishCategory | None:
        """The category by its name among those offered where the worker's wish belongs
        (the platform's and the district's own); the name before its brackets will do
        (工作装备 for 工作装备（头盔、雨衣、手机支架）) where it is not ambiguous."""
        district = worker.area.district_code
        if district not in self.categories_by_district:
            named: dict[str, WishCategory] = {}
            short: dict[str, list[WishCategory]] = {}
            for category in services.categories_for(worker.area):
                named.setdefault(category.name, category)
                head = category.name.split("（")[0].split("(")[0].strip()
                short.setdefault(head, []).append(category)
            for head, categories in short.items():
                if len(categories) == 1:
                    named.setdefault(head, categories[0])
            self.categories_by_district[district] = named
        named = self.categories_by_district[district]
        if name in named:
            return named[name]
        full_names = dict.fromkeys(c.name for c in named.values())
        choice_of({n: (n,) for n in full_names}, name, "类别", errors)
        return None

    def _already(self, worker: Worker, text: str, number: int) -> list[str]:
        """This row imported before (in this file or an earlier one), or a worker who has
        as many wishes on their way as the district allows."""
        if (worker.pk, text) in self.seen_wishes:
            return [
                _("The same worker and wish as row %(row)d of this file.")
                % {"row": self.seen_wishes[(worker.pk, text)]}
            ]
        if (worker.pk, text) in self.recorded:
            status, created_at = self.recorded[(worker.pk, text)]
            return [
                _(
                    "This worker already has this wish (%(status)s, recorded on %(day)s): "
                    "a row is not imported twice."
                )
                % {
                    "status": Wish.Status(status).label,
                    "day": timezone.localtime(created_at).date().isoformat(),
                }
            ]
        district = worker.area.district_code
        if district not in self.open_allowed_by_district:
            allowed = services.rules_for(worker.area).open_wishes_per_worker
            self.open_allowed_by_district[district] = allowed
        allowed = self.open_allowed_by_district[district]
        if self.open_recorded.get(worker.pk, 0) + self.open_in_file.get(worker.pk, 0) >= allowed:
            return [
                _(
                    "This worker already has as many wishes on their way as the district "
                    "allows (%(n)d): one must come true or be withdrawn before another is "
                    "recorded."
                )
                % {"n": allowed}
            ]
        return []

    def _refusal(self, cleaned: WishRow) -> list[str]:
        """What the service says to this row, in a transaction rolled back."""
        return service_refusal(
            lambda: services.wish_record(actor=self.actor, collected=cleaned.collected()), HEADER_OF
        )

    def preview(self, cleaned):
        return [
            cleaned.worker.masked_name,
            cleaned.worker.masked_phone,
            cleaned.category.name,
            cleaned.text[:40],
            f"{cleaned.value:.2f}",
            word_of(SOURCE_WORDS, cleaned.source),
        ]

    def write(self, cleaned):
        """Each row through the service, in the commit's one transaction: a refusal now
        (something changed since the check) imports none of them."""
        for row in cleaned:
            # Under the worker's lock, as the service takes it: two imports of the same
            # file at once still make one wish.
            Worker.objects.select_for_update().filter(pk=row.worker.pk).values_list("pk").get()
            if Wish.objects.filter(worker=row.worker, text=row.text).exists():
                problem = _("This worker already has this wish: a row is not imported twice.")
            else:
                try:
                    services.wish_record(actor=self.actor, collected=row.collected())
                    continue
                except ApplicationError as refusal:
                    problem = " ".join(refusal_lines(refusal, HEADER_OF))
            raise ApplicationError(
                _("Row %(row)d cannot be imported, so nothing was: %(problem)s")
                % {"row": row.number, "problem": problem}
            )
        return len(cleaned)


class WishLedger(Ledger):
    checker_class = WishChecker
    key = "wishes"
    title = "新就业群体微心愿台账"
    columns = [
        Column("who", "心愿人", importable=False, width=16),
        Column("name", "姓名", width=10),
        Column("phone", "手机号码", aliases=("手机号", "联系电话", "电话"), width=14),
        Column("id_number", "身份证号", aliases=("身份证号码", "公民身份号码"), width=22),
        Column("occupation", "职业", importable=False, width=10),
        Column("area", "社区", importable=False, width=16),
        Column("text", "心愿内容", required=True, aliases=("心愿", "微心愿"), width=30),
        Column("category", "类别", required=True, aliases=("心愿类别",), width=16),
        Column("source", "收集方式", required=True, aliases=("收集渠道",), width=12),
        Column("status", "状态", importable=False, width=10),
        Column("donors", "认领单位", importable=False, width=24),
        Column("claimed_on", "认领时间", importable=False, width=12),
        Column("fulfilled_on", "实现时间", importable=False, width=12),
        Column("value", "价值", required=True, aliases=("价值（元）", "预估价值"), width=10),
        Column(
            "agreed",
            "本人同意公开",
            required=True,
            aliases=("同意公开", "是否同意公开", "本人是否同意公开"),
            width=12,
        ),
    ]

    @property
    def export_columns(self) -> list[Column]:
        return [c for c in self.columns if c.key not in IMPORT_ONLY]

    def export_rows(self, records, *, unmasked):
        records = list(records)
        live = Claim.objects.filter(status__in=LIVE_CLAIM).select_related("donor")
        prefetch_related_objects(
            records, Prefetch("claims", queryset=live.order_by("created_at", "pk"), to_attr="live")
        )
        for wish in records:
            worker = wish.worker
            if worker is not None:
                who = worker.name if unmasked else worker.masked_name
            else:
                who = str(wish.outlet or wish.station)
            yield [
                who,
                word_of(OCCUPATION_WORDS, worker.occupation) if worker else "",
                wish.area.name,
                wish.text,
                wish.category.name,
                word_of(SOURCE_WORDS, wish.source),
                STATUS_WORDS.get(wish.status, wish.status),
                "、".join(dict.fromkeys(claim.donor.public_name for claim in wish.live)),
                _day(wish.live[0].created_at) if wish.live else "",
                _day(wish.fulfilled_at),
                wish.value,
            ]


def _day(moment) -> str:
    return timezone.localtime(moment).date().isoformat() if moment else ""


# One instance, so that registering again (apps made ready twice, as isolate_apps does)
# finds the same ledger.
WISH_LEDGER = WishLedger()


def register_ledgers() -> None:
    register(WISH_LEDGER)
