"""A ledger of the engine's own for its tests (no app's rules): notices with a name and a
note, and the .xlsx files offices send, with a title and a 填报单位 line above the headers."""

import io

import factory
from openpyxl import Workbook

from ledgers import registry
from ledgers.models import ImportJob


class NoticeChecker(registry.RowChecker):
    written: list = []

    def check(self, row: dict, number: int):
        if not row.get("name"):
            raise registry.RowError(["名称不能为空"])
        if row["name"] in self.seen:
            raise registry.RowError([f"与第{self.seen[row['name']]}行重复"])
        self.seen[row["name"]] = number
        return (row["name"], row.get("note", ""))

    def prepare(self, rows):
        self.seen = {}

    def write(self, cleaned: list) -> int:
        NoticeChecker.written.extend(cleaned)
        return len(cleaned)

    def preview(self, cleaned) -> list[str]:
        return list(cleaned)


class NoticeLedger(registry.Ledger):
    key = "test-notices"
    title = "驿站告示台账"
    columns = [
        registry.Column("name", "名称", required=True),
        registry.Column("note", "备注", aliases=("说明",)),
    ]
    checker_class = NoticeChecker

    def export_rows(self, records, *, unmasked: bool):
        for name, note in records:
            yield [name, note]


def xlsx(headers, rows, *, title=True) -> bytes:
    book = Workbook()
    sheet = book.active
    if title:
        sheet.append(["驿站告示台账"])
        sheet.append(["填报单位：西峰区", None, "日期：2026-11-01"])
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


class ImportJobFactory(factory.django.DjangoModelFactory):
    """A job as the check leaves it (for selector and page tests that need no file)."""

    class Meta:
        model = ImportJob

    kind = NoticeLedger.key
    filename = "告示.xlsx"
    language = "zh-hans"
    status = ImportJob.Status.CHECKED
