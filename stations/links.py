"""Links and exports that hand a station to Chinese map platforms, in their coordinates."""

from urllib.parse import quote

from core.coords import wgs84_to_bd09, wgs84_to_gcj02


def navigation_links(station) -> dict[str, str]:
    """Links for anything with a name and WGS-84 `lng`/`lat` (a Station, a NearbyResult).
    Amap takes GCJ-02, Baidu BD-09 (coord_type=bd09ll); both open their app when
    installed and the web map otherwise."""
    name = quote(station.name)
    g_lng, g_lat = wgs84_to_gcj02(station.lng, station.lat)
    b_lng, b_lat = wgs84_to_bd09(station.lng, station.lat)
    return {
        "amap": (
            f"https://uri.amap.com/navigation?to={g_lng:.6f},{g_lat:.6f},{name}"
            "&mode=ride&coordinate=gaode&callnative=1"
        ),
        "baidu": (
            f"https://api.map.baidu.com/direction?destination=latlng:{b_lat:.6f},{b_lng:.6f}"
            f"|name:{name}&mode=riding&coord_type=bd09ll&output=html&src=warmstations"
        ),
    }
