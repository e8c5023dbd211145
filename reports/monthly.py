"""What the monthly report (月报, issue 13 §3) says and how it is laid out: the figures of an
area's children for one month — its streets, communities, districts…, or a community's
stations — one row each, a total row, and the columns below; as a government-layout
workbook (core.xlsx: title, 填报单位, 序号, Chinese headers) and as the table the printable
page shows. Every figure is read through reports.selectors, as the dashboards read them.

The columns, and why these:

    驿站数 / 六有达标驿站数      stations.stations, stations.stations_meeting_the_standard
                                 (as at the month's end: the last daily snapshot in it)
    到访人次                    stations.visits (visitors, named and counted by keepers)
    签到人数                    stations.workers_checked_in (distinct workers: a worker
                                 who checked in at two stations is one person in the total)
    新增报到 / 审核通过          members.registrations, members.approvals
    待审核（月末）               members.waiting_for_review (as at the month's end)
    开展活动 / 活动参与人次       activities.held, activities.attendances
    志愿服务时长（小时）          activities.volunteer_hours (verified services)
    发放积分 / 兑换积分          points.awarded, points.redeemed (the ledger keeps a
                                 redemption as a negative amount; the report shows it
                                 positive, as offices count it)
    礼品兑付（件）               points.rewards_handed_over
  and, for party-affairs staff only (the facts' own purpose decides, through
  reports.selectors.facts_for):
    党员人数（月末） / 亮明身份 / 到社区报到 / 失联党员（月末） / 三管覆盖率（%）
                                 party.members, party.revealed, party.reported,
                                 party.lost_contact, party.coverage (a ratio)

- The total row (合计) is the area's own figure, not the sum of the rows: distinct workers
  are counted once across the children, and rows placed on the area itself (a worker
  registered at a street) count in it too.
- A community's stations have no figure for what is not counted by station (registrations,
  volunteer hours, party members…): those cells say "—", and the total is the community's.
- Column headings are the report's format (what offices file), so they are Chinese
  literals, as the ledgers' headers are, whatever the interface language.
"""

import datetime as dt
import io
from collections.abc import Callable
from dataclasses import dataclass

from django.utils import timezone
from openpyxl import load_workbook
from openpyxl.styles import Font

from areas.access import Purpose
from areas.models import Area
from core.facts import Fact, Ratio
from core.xlsx import government_xlsx, text_not_formula
from stations.models import Station

from . import selectors
from .facts import all_ratios, fact
from .periods import Period, PeriodKind
from .selectors import Span

TITLE = "{area}新就业群体暖心服务月报"
TOTAL = "合计"
NOT_COUNTED = "—"  # a figure not counted for this row (a station's registrations)
# How many children are read at a time: the progress bar moves after each batch.
BATCH = 25


@dataclass(frozen=True)
class Column:
    key: str  # a fact's key, or a ratio's
    header: str
    sign: int = 1  # -1: a negative sum in the ledger, shown as a positive amount
    width: int = 11


COLUMNS = [
    Column("stations.stations", "驿站数（个）"),
    Column("stations.stations_meeting_the_standard", "六有达标驿站（个）", width=12),
    Column("stations.visits", "到访人次"),
    Column("stations.workers_checked_in", "签到人数（人）"),
    Column("members.registrations", "新增报到（人）"),
    Column("members.approvals", "审核通过（人）"),
    Column("members.waiting_for_review", "待审核（人，月末）", width=12),
    Column("activities.held", "开展活动（场）"),
    Column("activities.attendances", "活动参与（人次）", width=12),
    Column("activities.volunteer_hours", "志愿服务时长（小时）", width=13),
    Column("points.awarded", "发放积分"),
    Column("points.redeemed", "兑换积分", sign=-1),
    Column("points.rewards_handed_over", "礼品兑付（件）"),
    Column("party.members", "党员人数（人，月末）", width=13),
    Column("party.revealed", "亮明身份（人）"),
    Column("party.reported", "到社区报到（人）", width=12),
    Column("party.lost_contact", "失联党员（人，月末）", width=13),
    Column("party.coverage", "三管覆盖率（%）", width=12),
]

# What the first column is called, by what the rows are.
ROW_HEADINGS = {
    Area.Level.CITY: "市（州）",
    Area.Level.DISTRICT: "县（市、区）",
    Area.Level.STREET: "街道（乡镇）",
    Area.Level.COMMUNITY: "社区（村）",
    "station": "驿站",
}


def _ratio(key: str) -> Ratio | None:
    return next((r for r in all_ratios() if r.key == key), None)


def column_purpose(column: Column) -> str:
    """The access purpose that reads the column: its fact's, or its ratio's."""
    ratio = _ratio(column.key)
    return ratio.purpose if ratio else fact(column.key).purpose


def is_party_column(column: Column) -> bool:
    return column_purpose(column) == Purpose.PARTY


def _facts_needed() -> list[Fact]:
    """The facts the columns read: each column's, and both sides of each ratio."""
    keys: list[str] = []
    for column in COLUMNS:
        ratio = _ratio(column.key)
        for key in (ratio.numerator, ratio.denominator) if ratio else (column.key,):
            if key not in keys:
                keys.append(key)
    return [fact(key) for key in keys]


def visible_keys(user, area: Area) -> set[str]:
    """The columns `user` may read in `area`: the facts and ratios reports.selectors allows
    them there (party columns need the party-affairs flag)."""
    return {f.key for f in selectors.facts_for(user, area)} | {
        r.key for r in selectors.ratios_for(user, area)
    }


def with_party_columns(user, area: Area) -> bool:
    """Does `user` read the report with its party columns (the party copy of the workbook)?"""
    keys = visible_keys(user, area)
    return any(is_party_column(c) and c.key in keys for c in COLUMNS)


def month_label(month: Period) -> str:
    """The report's name for a month, in the format's own words: 2026年11月."""
    return f"{month.start.year}年{month.start.month}月"


def _cell(column: Column, node_values: dict, counted: set[str]):
    """A column's value from a node's fact values; None when it is not counted there."""
    ratio = _ratio(column.key)
    if ratio:
        if not {ratio.numerator, ratio.denominator} <= counted:
            return None
        return ratio.of(node_values[ratio.numerator], node_values[ratio.denominator])
    if column.key not in counted:
        return None
    value = node_values[column.key] * column.sign
    return int(value) if float(value).is_integer() else round(value, 2)


def _counted_for(node, facts: list[Fact]) -> set[str]:
    """The facts counted for a node: every one for an area; for a station, those counted by
    station (a station has no registrations of its own)."""
    if isinstance(node, Station):
        return {f.key for f in facts if f.station_path}
    return {f.key for f in facts}


def build_table(
    area: Area, month: Period, *, progress: Callable[[int], None] | None = None
) -> dict:
    """The report's figures as JSON-able data: every column (party ones too; whoever shows
    the table leaves out what its reader may not read). `progress(percent)` is told after
    each batch of rows."""
    if month.kind != PeriodKind.MONTH:
        raise ValueError("a monthly report is for a month")
    span = Span.of(month)
    facts = _facts_needed()
    children = selectors.children_of(area)
    rows = []
    for start in range(0, len(children), BATCH):
        batch = children[start : start + BATCH]
        for row in selectors.children_table(facts, area, span, children=batch):
            node = row["node"]
            counted = _counted_for(node, facts)
            rows.append(
                {
                    "name": node.name,
                    "code": node.code if isinstance(node, Area) else "",
                    "values": {c.key: _cell(c, row["values"], counted) for c in COLUMNS},
                }
            )
        if progress:
            progress(int(80 * (start + len(batch)) / len(children)))
    found = selectors.values(facts, [area], [span])
    own_key = selectors.node_key(area)
    own = {f.key: found.get((f.key, own_key, 0, ""), (0.0, None))[0] for f in facts}
    computed = [at for (_f, node, _i, _b), (_v, at) in found.items() if node == own_key and at]
    if progress:
        progress(85)
    first_child = children[0] if children else None
    row_heading = (
        ROW_HEADINGS["station"]
        if isinstance(first_child, Station)
        else ROW_HEADINGS.get(first_child.level if first_child else "", "单位")
    )
    return {
        "title": TITLE.format(area=area.name),
        "unit": area.name,
        "area_code": area.code,
        "month": month.code,
        "period": month_label(month),
        "row_heading": row_heading,
        "columns": [
            {"key": c.key, "header": c.header, "party": is_party_column(c), "width": c.width}
            for c in COLUMNS
        ],
        "rows": rows,
        "total": {c.key: _cell(c, own, {f.key for f in facts}) for c in COLUMNS},
        "figures_computed_at": max(computed).isoformat() if computed else None,
        "pending_changes": selectors.pending_changes(area),
        "made_at": timezone.now().isoformat(),
    }


def columns_of(table: dict, keys: set[str] | None = None, *, party: bool | None = None) -> list:
    """The table's columns a reader sees: those in `keys`, or with `party` False, the
    columns that are not party ones."""
    columns = table["columns"]
    if keys is not None:
        return [c for c in columns if c["key"] in keys]
    return [c for c in columns if party or not c["party"]]


def _shown(value):
    return NOT_COUNTED if value is None else value


def shown_rows(table: dict, columns: list[dict]) -> tuple[list[dict], list]:
    """The rows and the total row as a page shows them: the cells of `columns`, in order,
    "—" where a figure is not counted."""
    rows = [
        {
            "name": row["name"],
            "code": row["code"],
            "cells": [_shown(row["values"].get(c["key"])) for c in columns],
        }
        for row in table["rows"]
    ]
    return rows, [_shown(table["total"].get(c["key"])) for c in columns]


def _local(iso: str | None) -> str:
    if not iso:
        return ""
    return timezone.localtime(dt.datetime.fromisoformat(iso)).strftime("%Y-%m-%d %H:%M")


def workbook(table: dict, *, party: bool) -> bytes:
    """The report as an .xlsx in the government layout (core.xlsx), with or without the
    party columns. Two things the shared layout has no place for are added here: the
    period (on the 填报单位 line, between the unit and the date) and the total row (合计,
    unnumbered, in bold) with a note under it. Every text cell, the title included, is
    kept as text: an area named "=HYPERLINK(…)" is not a formula in the file."""
    columns = columns_of(table, party=party)
    rows = [
        [row["name"], *(_shown(row["values"][c["key"]]) for c in columns)] for row in table["rows"]
    ]
    rows.append([TOTAL, *(_shown(table["total"][c["key"]]) for c in columns)])
    content = government_xlsx(
        title=table["title"],
        unit=table["unit"],
        columns=[table["row_heading"], *(c["header"] for c in columns)],
        rows=rows,
        widths=[18, *(c["width"] for c in columns)],
        sheet_name="月报",
    )
    book = load_workbook(io.BytesIO(content))
    sheet = book.active
    middle = max(3, (len(columns) + 2) // 2)  # between 填报单位 (A) and 填报日期 (the last)
    sheet.cell(row=2, column=middle, value=f"统计期间：{table['period']}")
    total_row = sheet.max_row
    sheet.cell(row=total_row, column=1).value = None  # 合计 is not numbered
    for cell in sheet[total_row]:
        cell.font = Font(bold=True)
    note = (
        "说明：合计为本单位的数字（签到人数按人去重，不是各行相加）；“—”表示该项不按驿站统计；"
        f"数字统计至 {_local(table['figures_computed_at']) or table['period']}，"
        f"本表生成于 {_local(table['made_at'])}。"
    )
    sheet.cell(row=total_row + 2, column=1, value=note)
    for line in sheet.iter_rows():
        for cell in line:
            text_not_formula(cell)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
