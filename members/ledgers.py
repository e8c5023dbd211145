"""The members app's ledgers (台账) for the ledger engine (ledgers/): workers (the 摸排 survey of new
employment groups) and enterprises' outlets. Each knows its
Chinese columns, how to check a row against the database (in bulk: a 30,000-row file is
one month of a city's registrations) and how to write the valid rows, and how its records
are exported — masked unless the export is unmasked (and then logged by the caller).

The rules are the services' rules: the same validators (core.identifiers), the same
membership rules (services.apply_membership), the same community levels; only the writing
is in bulk."""

import re

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from areas.models import Area
from core.bulk import allocate_ids, copy_insert
from core.identifiers import (
    is_ascii_digits,
    normalize_id_number,
    normalize_mobile,
    validate_id_number,
    validate_mobile,
)
from core.masking import mask_id_number, mask_name, mask_phone
from ledgers.cells import choice_of, chunks, count_of, date_of, word_of
from ledgers.registry import Column, Ledger, RowChecker, RowError, register

from . import rules, selectors
from .models import (
    COMMUNITY_LEVEL_VALUES,
    Enterprise,
    Occupation,
    Outlet,
    Worker,
    WorkerStatusChange,
)

# Words ledgers use for our choices; the first word of each value is what exports write.
OCCUPATION_WORDS = {
    Occupation.COURIER: ("快递员", "快递", "快递小哥"),
    Occupation.FOOD_DELIVERY: ("外卖骑手", "外卖", "骑手", "外卖员"),
    Occupation.RIDE_HAIL: ("网约车司机", "网约车"),
    Occupation.TRUCK: ("货车司机", "货车", "货运司机"),
    Occupation.DESIGNATED_DRIVER: ("代驾", "代驾司机"),
    Occupation.LIVE_STREAMER: ("网络主播", "主播"),
    Occupation.PARKING_WARDEN: ("停车巡管员", "巡管员"),
    Occupation.OTHER: ("其他",),
}
GENDER_WORDS = {Worker.Gender.MALE: ("男",), Worker.Gender.FEMALE: ("女",)}
OUTLET_KIND_WORDS = {
    Outlet.Kind.EXPRESS_OUTLET: ("快递网点", "网点"),
    Outlet.Kind.DELIVERY_STATION: ("配送站点", "站点", "配送站"),
    Outlet.Kind.FLEET: ("车队",),
    Outlet.Kind.OTHER: ("其他",),
}
STATUS_WORDS = {
    Worker.Status.UNREGISTERED: "已签到未报到",
    Worker.Status.PENDING: "待审核",
    Worker.Status.APPROVED: "已报到",
    Worker.Status.REJECTED: "已退回",
    Worker.Status.MERGED: "已合并",
}
SOURCE_WORDS = {
    Worker.Source.SELF: "本人报到",
    Worker.Source.STAFF: "驿站代登记",
    Worker.Source.IMPORT: "台账导入",
    Worker.Source.INVITATION: "邀请报到",
}
# The notice version recorded for imported workers: the survey staff collected their data;
# they read and accept the privacy notice when they first log in and register themselves.
IMPORTED_NOTICE_VERSION = "import"
TAG_SPLIT = re.compile(r"[、,，;；\s]+")


def _messages(error: ValidationError) -> list[str]:
    return [str(m) for m in error.messages]


class AreaLookup:
    """Communities (and streets) under the import's area, by 12-digit code or by name; a
    name two communities share is refused with a request for the code."""

    def __init__(self, area: Area):
        self.by_code, self.by_name = {}, {}
        for found in Area.objects.filter(
            code__startswith=area.prefix, level__in=COMMUNITY_LEVEL_VALUES
        ).only("pk", "code", "name", "level", "parent_id"):
            self.by_code[found.code] = found
            self.by_name.setdefault(found.name, []).append(found)
        self.scope_name = area.name

    def find(self, text: str, what: str, errors: list[str]) -> Area | None:
        if not text:
            return None
        if is_ascii_digits(text):
            found = self.by_code.get(text.ljust(12, "0"))
            if found is not None:
                return found
        candidates = self.by_name.get(text, [])
        if len(candidates) == 1:
            return candidates[0]
        if len(candidates) > 1:
            errors.append(
                _("%(what)s: several communities are called “%(name)s”; write its 12-digit code.")
                % {"what": what, "name": text}
            )
        else:
            errors.append(
                _("%(what)s: there is no community “%(name)s” in %(area)s.")
                % {"what": what, "name": text, "area": self.scope_name}
            )
        return None


def _enterprises_for(area: Area) -> dict[str, Enterprise]:
    """The enterprises a file of `area` is searched for by name: those kept by the area,
    by an area above it (a district keeps its platforms) or below it; names repeated
    across those areas resolve to the nearest. Whether a row's community may name the one
    found is members.rules' question, asked per row."""
    ancestors, node = [], area
    while node is not None:
        ancestors.append(node.pk)
        node = node.parent
    found: dict[str, Enterprise] = {}
    for enterprise in Enterprise.objects.filter(
        Q(area_id__in=ancestors) | Q(area__code__startswith=area.prefix)
    ).order_by("-area__code"):
        found.setdefault(enterprise.name, enterprise)
    return found


# Workers ---------------------------------------------------------------------------------------


class WorkerChecker(RowChecker):
    def __init__(self, *, actor, area: Area, filename: str):
        super().__init__(actor=actor, area=area, filename=filename)
        self.areas = AreaLookup(area)
        self.enterprises = _enterprises_for(area)
        self.outlets = {
            (o.enterprise_id, o.name): o
            for o in Outlet.objects.filter(enterprise__in=list(self.enterprises.values()))
        }
        self.offered_by_district: dict[str, set[int]] = {}
        self.seen_phones: dict[str, int] = {}
        self.seen_ids: dict[str, int] = {}
        self.row_number = 0  # the file row being checked (as the error list numbers it)

    def prepare(self, rows):
        phones = sorted({normalize_mobile(r.get("phone", "")) for r in rows} - {""})
        self.existing_phones: set[str] = set()
        for chunk in chunks(phones):
            self.existing_phones.update(
                Worker.objects.filter(phone__in=chunk).values_list("phone", flat=True)
            )
        indexes = sorted(
            {
                Worker.id_number_index_of(normalize_id_number(r["id_number"]))
                for r in rows
                if r.get("id_number")
            }
        )
        self.existing_ids: set[str] = set()
        for chunk in chunks(indexes):
            self.existing_ids.update(
                Worker.objects.filter(id_number_index__in=chunk).values_list(
                    "id_number_index", flat=True
                )
            )

    def check(self, row, number):
        self.row_number = number
        errors: list[str] = []
        name = row.get("name", "").strip()
        if problem := rules.name_problem(name):
            errors.append(problem)
        phone = self._phone(row.get("phone", ""), errors)
        id_number, id_index = self._id_number(row.get("id_number", ""), errors)
        occupation = choice_of(
            OCCUPATION_WORDS, row.get("occupation", ""), gettext_lazy("Occupation"), errors
        )
        if not row.get("occupation"):
            errors.append(_("Occupation is missing."))
        gender = choice_of(GENDER_WORDS, row.get("gender", ""), gettext_lazy("Gender"), errors)
        birth_year = self._birth_year(row.get("birth_year", ""), errors)
        enterprise = outlet = None
        if row.get("enterprise"):
            enterprise = self.enterprises.get(row["enterprise"])
            if enterprise is None:
                errors.append(
                    _(
                        "Unknown enterprise “%(name)s”: add it under Enterprises first, or "
                        "correct the name."
                    )
                    % {"name": row["enterprise"]}
                )
        if row.get("outlet"):
            if enterprise is None and not row.get("enterprise"):
                errors.append(_("An outlet needs its enterprise in the same row."))
            elif enterprise is not None:
                outlet = self.outlets.get((enterprise.pk, row["outlet"]))
                if outlet is None:
                    errors.append(
                        _("%(enterprise)s has no outlet “%(name)s”.")
                        % {"enterprise": enterprise.name, "name": row["outlet"]}
                    )
        if not row.get("area"):
            errors.append(_("Work community is missing."))
        area = self.areas.find(row.get("area", ""), gettext_lazy("Work community"), errors)
        residence = self.areas.find(
            row.get("residence_area", ""), gettext_lazy("Residence community"), errors
        )
        if area is not None:
            # The record's own rules, as the service asks them (members.rules).
            offered = self._enterprises_offered(area)
            for problem in (
                rules.community_problem(area),
                rules.enterprise_problem(enterprise, area, offered),
                rules.outlet_problem(outlet, enterprise, area),
                rules.residence_problem(residence, area),
            ):
                if problem:
                    errors.append(problem)
        if errors:
            raise RowError(errors)
        # Field values by attname, for core.bulk.copy_insert (a Worker instance per row
        # would cost more than the whole check).
        return {
            "name": name,
            "phone": phone,
            "id_number": id_number,
            "id_number_index": id_index,
            "gender": gender,
            "birth_year": birth_year,
            "occupation": occupation,
            "enterprise_id": enterprise.pk if enterprise else None,
            "platform": row.get("platform", "")[:50],
            "outlet_id": outlet.pk if outlet else None,
            "area_id": area.pk,
            "residence_area_id": residence.pk if residence else None,
            "tags": sorted({t for t in TAG_SPLIT.split(row.get("tags", "")) if t})[:20],
            "_area_name": area.name,
            "_enterprise_name": enterprise.name if enterprise else "",
        }

    def _enterprises_offered(self, area: Area) -> set[int]:
        """The employers a worker of `area` may name, once per district of the file."""
        district = area.code[: selectors.DISTRICT_CODE_DIGITS]
        if district not in self.offered_by_district:
            self.offered_by_district[district] = set(
                selectors.enterprises_offered_to(area).values_list("pk", flat=True)
            )
        return self.offered_by_district[district]

    def _phone(self, text: str, errors: list[str]) -> str:
        phone = normalize_mobile(text)
        if not phone:
            errors.append(_("Mobile phone is missing."))
            return ""
        try:
            validate_mobile(phone)
        except ValidationError as error:
            errors.extend(_messages(error))
            return ""
        if phone in self.seen_phones:
            errors.append(
                _("The same phone number as row %(row)d of this file.")
                % {"row": self.seen_phones[phone]}
            )
        else:
            self.seen_phones[phone] = self.row_number
        taken = phone in self.existing_phones
        if problem := rules.registered_phone_problem(taken, by_staff=True):
            errors.append(problem)
        return phone

    def _id_number(self, text: str, errors: list[str]) -> tuple[str, str | None]:
        if not text:
            return "", None
        if "E+" in text.upper() or "." in text:
            errors.append(
                _(
                    "The ID number lost digits in Excel (%(text)s): format the column as text "
                    "and type it again."
                )
                % {"text": text}
            )
            return "", None
        value = normalize_id_number(text)
        try:
            validate_id_number(value)
        except ValidationError as error:
            errors.extend(_messages(error))
            return "", None
        index = Worker.id_number_index_of(value)
        if index in self.seen_ids:
            errors.append(
                _("The same ID number as row %(row)d of this file.") % {"row": self.seen_ids[index]}
            )
        else:
            self.seen_ids[index] = self.row_number
        taken = index in self.existing_ids
        if problem := rules.registered_id_number_problem(taken, by_staff=True):
            errors.append(problem)
        return value, index

    def _birth_year(self, text: str, errors: list[str]) -> int | None:
        if not text:
            return None
        problem = rules.birth_year_problem(int(text)) if is_ascii_digits(text) else None
        if not is_ascii_digits(text) or problem:
            errors.append(
                _("Birth year “%(text)s”: %(problem)s")
                % {"text": text, "problem": problem or rules.birth_year_problem(0)}
            )
            return None
        return int(text)

    def preview(self, worker):
        return [
            mask_name(worker["name"]),
            mask_phone(worker["phone"]),
            mask_id_number(worker["id_number"]),
            str(Occupation(worker["occupation"]).label),
            worker["_enterprise_name"],
            worker["_area_name"],
        ]

    def write(self, cleaned):
        """Imported workers are registered at once (the survey staff vouch for them), with
        one history entry each naming the file. Written with COPY (core.bulk)."""
        now = timezone.now()
        ids = allocate_ids(Worker, len(cleaned))
        workers = [
            {
                **{k: v for k, v in row.items() if not k.startswith("_")},
                "id": pk,
                "political_status": "",
                "status": Worker.Status.APPROVED,
                "status_reason": "",
                "source": Worker.Source.IMPORT,
                "privacy_notice_version": IMPORTED_NOTICE_VERSION,
                "consented_at": now,
                "approved_at": now,
            }
            for pk, row in zip(ids, cleaned, strict=True)
        ]
        copy_insert(Worker, workers)
        reason = (_("Imported from the ledger %(file)s") % {"file": self.filename})[:200]
        copy_insert(
            WorkerStatusChange,
            [
                {
                    "worker_id": pk,
                    "from_status": "",
                    "to_status": Worker.Status.APPROVED,
                    "actor_id": self.actor.pk,
                    "reason": reason,
                }
                for pk in ids
            ],
        )
        return len(workers)


class WorkerLedger(Ledger):
    checker_class = WorkerChecker
    key = "workers"
    title = "新就业群体摸排台账"
    columns = [
        Column("name", "姓名", required=True, aliases=("姓名（必填）",), width=10),
        Column("phone", "手机号码", required=True, aliases=("手机号", "联系电话", "电话")),
        Column("id_number", "身份证号", aliases=("身份证号码", "公民身份号码"), width=22),
        Column("gender", "性别", width=6),
        Column("birth_year", "出生年份", width=8),
        Column("occupation", "职业", required=True, aliases=("从业类型", "工种"), width=10),
        Column("enterprise", "用工企业", aliases=("所属企业", "企业名称"), width=18),
        Column("platform", "平台", width=10),
        Column("outlet", "所在网点", aliases=("网点", "站点"), width=18),
        Column("area", "报到社区", required=True, aliases=("所在社区", "社区"), width=16),
        Column("residence_area", "居住社区", width=16),
        Column("tags", "标签", width=12),
        Column("status", "报到状态", importable=False, width=10),
        Column("source", "来源", importable=False, width=10),
        # The day of the registration (报到); empty for a record that has only checked in.
        Column("registered_at", "登记日期", importable=False, width=12),
    ]

    def export_rows(self, records, *, unmasked):
        for w in records:
            yield [
                w.name if unmasked else mask_name(w.name),
                w.phone if unmasked else mask_phone(w.phone),
                w.id_number if unmasked else mask_id_number(w.id_number),
                word_of(GENDER_WORDS, w.gender),
                w.birth_year or "",
                word_of(OCCUPATION_WORDS, w.occupation),
                w.enterprise.name if w.enterprise else "",
                w.platform,
                w.outlet.name if w.outlet else "",
                w.area.name,
                w.residence_area.name if w.residence_area else "",
                "、".join(w.tags),
                STATUS_WORDS.get(w.status, w.status),
                SOURCE_WORDS.get(w.source, w.source),
                timezone.localtime(w.registered_at).date().isoformat() if w.registered_at else "",
            ]


# Outlets ------------------------------------------------------------------------------------


class OutletChecker(RowChecker):
    def __init__(self, *, actor, area, filename):
        super().__init__(actor=actor, area=area, filename=filename)
        self.areas = AreaLookup(area)
        self.enterprises = _enterprises_for(area)
        self.existing = set(
            Outlet.objects.filter(area__code__startswith=area.prefix).values_list(
                "enterprise_id", "area_id", "name"
            )
        )
        self.seen: dict[tuple, int] = {}
        self.row_number = 0  # the file row being checked (as the error list numbers it)

    def check(self, row, number):
        self.row_number = number
        errors: list[str] = []
        enterprise = self.enterprises.get(row.get("enterprise", ""))
        if not row.get("enterprise"):
            errors.append(_("Enterprise is missing."))
        elif enterprise is None:
            errors.append(
                _(
                    "Unknown enterprise “%(name)s”: add it under Enterprises first, or "
                    "correct the name."
                )
                % {"name": row["enterprise"]}
            )
        name = row.get("name", "").strip()[:100]
        if not name:
            errors.append(_("Outlet name is missing."))
        kind = choice_of(OUTLET_KIND_WORDS, row.get("kind", ""), gettext_lazy("Kind"), errors)
        if not row.get("kind"):
            errors.append(_("Kind is missing."))
        if not row.get("area"):
            errors.append(_("Community is missing."))
        area = self.areas.find(row.get("area", ""), gettext_lazy("Community"), errors)
        workers = count_of(row.get("worker_count", ""), gettext_lazy("Workers"), errors)
        members = count_of(row.get("party_member_count", ""), gettext_lazy("Party members"), errors)
        if members > workers:
            errors.append(
                _("Party members are counted among the workers: there cannot be more of them.")
            )
        surveyed_on = date_of(row.get("surveyed_on", ""), gettext_lazy("Surveyed on"), errors)
        contact_phone = normalize_mobile(row.get("contact_phone", ""))
        if contact_phone:
            try:
                validate_mobile(contact_phone)
            except ValidationError as error:
                errors.extend(_messages(error))
        if enterprise is not None and area is not None and name:
            key = (enterprise.pk, area.pk, name)
            if key in self.seen:
                errors.append(
                    _("The same outlet as row %(row)d of this file.") % {"row": self.seen[key]}
                )
            elif key in self.existing:
                errors.append(_("This enterprise already has an outlet of this name here."))
            self.seen.setdefault(key, self.row_number)
        if errors:
            raise RowError(errors)
        return Outlet(
            enterprise=enterprise,
            name=name,
            kind=kind,
            area=area,
            address=row.get("address", "")[:200],
            worker_count=workers,
            party_member_count=members,
            surveyed_on=surveyed_on,
            contact_name=row.get("contact_name", "")[:50],
            contact_phone=contact_phone,
        )

    def preview(self, outlet):
        return [
            outlet.enterprise.name,
            outlet.name,
            outlet.get_kind_display(),
            outlet.area.name,
            str(outlet.worker_count),
            str(outlet.party_member_count),
        ]

    def write(self, cleaned):
        Outlet.objects.bulk_create(cleaned, batch_size=2000)
        return len(cleaned)


class OutletLedger(Ledger):
    checker_class = OutletChecker
    key = "outlets"
    title = "新就业群体网点摸排台账"
    columns = [
        Column("enterprise", "企业名称", required=True, aliases=("所属企业", "用工企业"), width=18),
        Column("name", "网点名称", required=True, aliases=("站点名称",), width=20),
        Column("kind", "类型", required=True, aliases=("网点类型",), width=10),
        Column("area", "所在社区", required=True, aliases=("社区",), width=16),
        Column("address", "地址", width=30),
        Column("worker_count", "从业人数", width=8),
        Column("party_member_count", "其中党员数", aliases=("党员人数",), width=8),
        Column("surveyed_on", "摸排日期", width=12),
        Column("contact_name", "联系人", width=10),
        Column("contact_phone", "联系电话", width=14),
    ]

    def export_rows(self, records, *, unmasked):
        for o in records:
            yield [
                o.enterprise.name,
                o.name,
                word_of(OUTLET_KIND_WORDS, o.kind),
                o.area.name,
                o.address,
                o.worker_count,
                o.party_member_count,
                str(o.surveyed_on or ""),
                o.contact_name if unmasked else mask_name(o.contact_name),
                o.contact_phone if unmasked else mask_phone(o.contact_phone),
            ]


def register_ledgers() -> None:
    for ledger in (WorkerLedger(), OutletLedger()):
        register(ledger)
