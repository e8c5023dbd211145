"""POI export: a district's stations in the three coordinate systems map platforms ask for
(Huizhou listed all 158 of its stations on Amap and Baidu this way)."""

import csv
import io

from django.utils.translation import gettext as _

from core.coords import wgs84_to_bd09, wgs84_to_gcj02
from core.xlsx import csv_safe, government_xlsx

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
    writer.writerows([csv_safe(value) for value in row] for row in _rows(stations))
    return ("\ufeff" + out.getvalue()).encode("utf-8")  # BOM: Excel opens it as UTF-8


def poi_xlsx(stations, *, title: str, unit: str) -> bytes:
    """A government-style sheet (core.xlsx): title row, 填报单位 and date, then the table."""
    return government_xlsx(
        title=title,
        unit=unit,
        columns=_columns()[1:],
        rows=(row[1:] for row in _rows(stations)),
        widths=[24, 12, 14, 30, 14, 40, 30],
        sheet_name="POI",
    )
