"""Coordinate transforms between WGS-84, GCJ-02 and BD-09: the one place they live.

The platform stores every location in WGS-84 / CGCS2000 (SRID 4326; the two differ by
centimetres). Chinese map platforms use offset systems:
- GCJ-02 (国测局, "Mars" coordinates): Amap, Tencent Maps, and what most phones in China
  report inside WeChat;
- BD-09: Baidu Maps, a further transform of GCJ-02.
So we convert only at the edges: coordinates a browser or a user gives us (`to_wgs84`) and
links or exports we hand to those platforms (`wgs84_to_gcj02`, `wgs84_to_bd09`).

Outside mainland China the offset does not apply and points pass through unchanged.
"""

import math
from enum import StrEnum

_A = 6378245.0  # Krasovsky 1940 semi-major axis, used by the GCJ-02 algorithm
_EE = 0.00669342162296594323  # its eccentricity squared
_X_PI = math.pi * 3000.0 / 180.0


class CoordSystem(StrEnum):
    WGS84 = "wgs84"
    GCJ02 = "gcj02"
    BD09 = "bd09"


def out_of_china(lng: float, lat: float) -> bool:
    """The rough bounding box GCJ-02 is applied in (the algorithm's own convention)."""
    return not (72.004 <= lng <= 137.8347 and 0.8293 <= lat <= 55.8271)


def _delta_lat(x: float, y: float) -> float:
    ret = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x))
    ret += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    ret += (20.0 * math.sin(y * math.pi) + 40.0 * math.sin(y / 3.0 * math.pi)) * 2.0 / 3.0
    ret += (160.0 * math.sin(y / 12.0 * math.pi) + 320 * math.sin(y * math.pi / 30.0)) * 2.0 / 3.0
    return ret


def _delta_lng(x: float, y: float) -> float:
    ret = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x))
    ret += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    ret += (20.0 * math.sin(x * math.pi) + 40.0 * math.sin(x / 3.0 * math.pi)) * 2.0 / 3.0
    ret += (150.0 * math.sin(x / 12.0 * math.pi) + 300.0 * math.sin(x / 30.0 * math.pi)) * 2.0 / 3.0
    return ret


def wgs84_to_gcj02(lng: float, lat: float) -> tuple[float, float]:
    if out_of_china(lng, lat):
        return lng, lat
    dlat = _delta_lat(lng - 105.0, lat - 35.0)
    dlng = _delta_lng(lng - 105.0, lat - 35.0)
    radlat = lat / 180.0 * math.pi
    magic = 1 - _EE * math.sin(radlat) ** 2
    sqrtmagic = math.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1 - _EE)) / (magic * sqrtmagic) * math.pi)
    dlng = (dlng * 180.0) / (_A / sqrtmagic * math.cos(radlat) * math.pi)
    return lng + dlng, lat + dlat


def gcj02_to_wgs84(lng: float, lat: float) -> tuple[float, float]:
    """Inverse of wgs84_to_gcj02 by fixed-point iteration (converges to < 1 cm in a few
    steps; the common one-step inverse is off by up to ~1 m)."""
    if out_of_china(lng, lat):
        return lng, lat
    wgs_lng, wgs_lat = lng, lat
    for _ in range(10):
        fwd_lng, fwd_lat = wgs84_to_gcj02(wgs_lng, wgs_lat)
        d_lng, d_lat = fwd_lng - lng, fwd_lat - lat
        wgs_lng, wgs_lat = wgs_lng - d_lng, wgs_lat - d_lat
        if abs(d_lng) < 1e-9 and abs(d_lat) < 1e-9:
            break
    return wgs_lng, wgs_lat


def gcj02_to_bd09(lng: float, lat: float) -> tuple[float, float]:
    z = math.sqrt(lng * lng + lat * lat) + 0.00002 * math.sin(lat * _X_PI)
    theta = math.atan2(lat, lng) + 0.000003 * math.cos(lng * _X_PI)
    return z * math.cos(theta) + 0.0065, z * math.sin(theta) + 0.006


def bd09_to_gcj02(lng: float, lat: float) -> tuple[float, float]:
    x, y = lng - 0.0065, lat - 0.006
    z = math.sqrt(x * x + y * y) - 0.00002 * math.sin(y * _X_PI)
    theta = math.atan2(y, x) - 0.000003 * math.cos(x * _X_PI)
    return z * math.cos(theta), z * math.sin(theta)


def wgs84_to_bd09(lng: float, lat: float) -> tuple[float, float]:
    return gcj02_to_bd09(*wgs84_to_gcj02(lng, lat))


def bd09_to_wgs84(lng: float, lat: float) -> tuple[float, float]:
    return gcj02_to_wgs84(*bd09_to_gcj02(lng, lat))


def to_wgs84(lng: float, lat: float, system: CoordSystem | str) -> tuple[float, float]:
    """Normalise a point given in any supported system to WGS-84 (what we store)."""
    system = CoordSystem(system)
    if system is CoordSystem.GCJ02:
        return gcj02_to_wgs84(lng, lat)
    if system is CoordSystem.BD09:
        return bd09_to_wgs84(lng, lat)
    return lng, lat
