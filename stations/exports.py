"""POI export: a district's stations in the three coordinate systems map platforms ask for
(Huizhou listed all 158 of its stations on Amap and Baidu this way)."""

import csv
import io

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from core.coords import wgs84_to_bd09, wgs84_to_gcj02

from .selectors import weekly_hours


def _columns():
    return [
        _("No."),
        _("Station"),
        _("Brand"),
        _("Community"),
        _("Address"),
        _("Phone"),
        _("Opening hours"),
        _("Facilities"),
        _("WGS-84 longitude"),
        _("WGS-84 latitude"),
        _("GCJ-02 longitude (Amap/Tencent)"),
        _("GCJ-02 latitude (Amap/Tencent)"),
        _("BD-09 longitude (Baidu)"),
        _("BD-09 latitude (Baidu)"),
    ]


def _hours_text(station) -> str:
    if station.always_open:
        return _("Open 24 hours")
    parts = [f"{day} {' '.join(spans)}" for day, spans in weekly_hours(station) if spans]
    return "; ".join(parts)


def _rows(stations):
    for number, station in enumerate(stations, start=1):
        g_lng, g_lat = wgs84_to_gcj02(station.lng, station.lat)
        b_lng, b_lat = wgs84_to_bd09(station.lng, station.lat)
        yield [
            number,
            station.name,
            station.brand.name,
            station.area.name,
            station.address,
            station.phone,
            _hours_text(station),
            "、".join(sf.facility.name for sf in station.station_facilities.all()),
            round(station.lng, 6),
            round(station.lat, 6),
            round(g_lng, 6),
            round(g_lat, 6),
            round(b_lng, 6),
            round(b_lat, 6),
        ]


def poi_csv(stations) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(_columns())
    writer.writerows(_rows(stations))
    return ("\ufeff" + out.getvalue()).encode("utf-8")  # BOM: Excel opens it as UTF-8


def poi_xlsx(stations, *, title: str, unit: str) -> bytes:
    """A government-style sheet: title row, 填报单位 and date, then the table."""
    book = Workbook()
    sheet = book.active
    sheet.title = "POI"
    columns = _columns()
    sheet.append([str(title)])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(columns))
    sheet["A1"].font = Font(size=14, bold=True)
    sheet["A1"].alignment = Alignment(horizontal="center")
    sheet.append(
        [
            _("Reporting unit: %(unit)s") % {"unit": str(unit)},
            "",
            "",
            "",
            _("Date: %(date)s") % {"date": timezone.localdate().isoformat()},
        ]
    )
    sheet.append(columns)
    for cell in sheet[3]:
        cell.font = Font(bold=True)
    for row in _rows(stations):
        sheet.append(row)
    for letter, width in zip(
        "ABCDEFGHIJKLMN", [6, 24, 12, 14, 30, 14, 40, 30] + [14] * 6, strict=True
    ):
        sheet.column_dimensions[letter].width = width
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
