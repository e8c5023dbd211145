"""The party members' ledger (新就业群体党员台账) for the ledger engine (ledgers/): imported
for workers already registered, with party-affairs access; exported in the government
layout, masked unless unmasking is granted and logged."""

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from areas import access
from core.exceptions import ApplicationError
from core.identifiers import normalize_mobile
from core.masking import mask_name, mask_phone
from ledgers.cells import choice_of, chunks, date_of, word_of
from ledgers.registry import Column, Ledger, RowChecker, RowError, register
from members.models import Worker

from . import services
from .models import PartyMember, PartyOrg

REGISTRATION_WORDS = {
    PartyMember.Registration.REGISTERED: ("在册",),
    PartyMember.Registration.FLOATING: ("流动", "流动党员"),
}
STANDING_WORDS = {
    PartyMember.Standing.FULL: ("正式党员", "正式"),
    PartyMember.Standing.PROBATIONARY: ("预备党员", "预备"),
}


# Party members ------------------------------------------------------------------------------


class PartyMemberChecker(RowChecker):
    def __init__(self, *, actor, area, filename):
        super().__init__(actor=actor, area=area, filename=filename)
        self.orgs = {
            org.name: org
            for org in access.scope(PartyOrg.objects.all(), actor, access.Purpose.PARTY)
        }
        self.seen: dict[str, int] = {}
        self.row_number = 0  # the file row being checked (as the error list numbers it)

    def prepare(self, rows):
        phones = sorted({normalize_mobile(r.get("phone", "")) for r in rows} - {""})
        self.workers: dict[str, Worker] = {}
        reachable = access.scope(
            Worker.objects.filter(area__code__startswith=self.area.prefix),
            self.actor,
            access.Purpose.PARTY_WRITE,
        )
        for chunk in chunks(phones):
            for worker in reachable.filter(phone__in=chunk).select_related("area"):
                self.workers[worker.phone] = worker
        self.members = set(
            PartyMember.objects.filter(
                worker__in=[w.pk for w in self.workers.values()]
            ).values_list("worker_id", flat=True)
        )

    def check(self, row, number):
        self.row_number = number
        errors: list[str] = []
        phone = normalize_mobile(row.get("phone", ""))
        worker = self.workers.get(phone)
        if not phone:
            errors.append(_("Mobile phone is missing."))
        elif worker is None:
            errors.append(
                _(
                    "No worker with this phone number is registered in %(area)s: import the workers first."
                )
                % {"area": self.area.name}
            )
        elif phone in self.seen:
            errors.append(
                _("The same phone number as row %(row)d of this file.") % {"row": self.seen[phone]}
            )
        else:
            self.seen[phone] = self.row_number
            name = row.get("name", "").strip()
            if name and name != worker.name:
                errors.append(
                    _("This phone number belongs to %(worker)s, not %(name)s.")
                    % {"worker": worker.masked_name, "name": mask_name(name)}
                )
            if worker.pk in self.members:
                errors.append(_("This worker is already recorded as a party member."))
            if not worker.sensitive_consent_at:
                errors.append(
                    _(
                        "This worker has not consented to sensitive data: ask them to reveal "
                        "their membership on their phone (亮明身份)."
                    )
                )
            if worker.status in (Worker.Status.MERGED, Worker.Status.REJECTED):
                errors.append(_("This worker's registration is not current."))
        registration = choice_of(
            REGISTRATION_WORDS, row.get("registration", ""), "在册/流动", errors
        )
        standing = choice_of(STANDING_WORDS, row.get("standing", ""), "正式/预备", errors)
        for key, header in (("registration", "在册/流动"), ("standing", "正式/预备")):
            if not row.get(key):
                errors.append(_("%(column)s is missing.") % {"column": header})
        joined_on = date_of(row.get("joined_on", ""), gettext_lazy("Joined on"), errors)
        org_name = row.get("membership_org", "").strip()
        member = PartyMember(worker=worker)
        if not errors:
            try:
                services.apply_membership(
                    member,
                    services.MembershipDetails(
                        registration=registration,
                        standing=standing,
                        membership_org=self.orgs.get(org_name),
                        membership_org_name="" if org_name in self.orgs else org_name,
                        membership_org_place=row.get("membership_org_place", ""),
                        joined_on=joined_on,
                    ),
                )
            except ApplicationError as error:
                errors.append(error.message)
        if errors:
            raise RowError(errors)
        return member

    def preview(self, member):
        return [
            member.worker.masked_name,
            member.worker.masked_phone,
            member.membership_org_display,
            member.get_registration_display(),
            member.get_standing_display(),
            str(member.joined_on or ""),
        ]

    def write(self, cleaned):
        today = timezone.localdate()
        for member in cleaned:
            member.revealed_on = today
        PartyMember.objects.bulk_create(cleaned, batch_size=2000)
        for standing in PartyMember.Standing.values:
            Worker.objects.filter(
                pk__in=[m.worker_id for m in cleaned if m.standing == standing]
            ).update(political_status=services.political_status_for(standing))
        return len(cleaned)


class PartyMemberLedger(Ledger):
    checker_class = PartyMemberChecker
    key = "party_members"
    title = "新就业群体党员台账"
    write_purpose = access.Purpose.PARTY_WRITE
    columns = [
        Column("name", "姓名", width=10),
        Column("phone", "手机号码", required=True, aliases=("手机号", "联系电话")),
        Column(
            "membership_org",
            "组织关系所在党支部",
            required=True,
            aliases=("组织关系所在党组织", "所在党支部"),
            width=24,
        ),
        Column("membership_org_place", "组织关系所在地", width=16),
        Column("registration", "在册/流动", required=True, aliases=("党员类型",), width=10),
        Column("standing", "正式/预备", required=True, aliases=("党员身份",), width=10),
        Column("joined_on", "入党日期", aliases=("入党时间",), width=12),
        Column("area", "报到社区", importable=False, width=16),
        Column("revealed_on", "亮明身份日期", importable=False, width=12),
        Column("reported_on", "到社区报到日期", importable=False, width=12),
        Column("lost_contact", "是否失联", importable=False, width=8),
    ]

    def export_rows(self, records, *, unmasked):
        for m in records:
            w = m.worker
            yield [
                w.name if unmasked else mask_name(w.name),
                w.phone if unmasked else mask_phone(w.phone),
                m.membership_org.name if m.membership_org else m.membership_org_name,
                m.membership_org_place,
                word_of(REGISTRATION_WORDS, m.registration),
                word_of(STANDING_WORDS, m.standing),
                str(m.joined_on or ""),
                w.area.name,
                str(m.revealed_on or ""),
                str(m.reported_on or ""),
                "是" if m.lost_contact else "否",
            ]


def register_ledgers() -> None:
    register(PartyMemberLedger())
