"""Reference points published with the widely used coordtransform library
(wandergis/coordtransform, test/app.js), for the point (116.404, 39.915) in Beijing."""

import pytest

from core import coords

REF = (116.404, 39.915)


def test_wgs84_to_gcj02_matches_reference():
    assert coords.wgs84_to_gcj02(*REF) == pytest.approx(
        (116.41024449916938, 39.91640428150164), abs=1e-9
    )


def test_gcj02_to_bd09_matches_reference():
    assert coords.gcj02_to_bd09(*REF) == pytest.approx(
        (116.41036949371029, 39.92133699351021), abs=1e-9
    )


def test_bd09_to_gcj02_matches_reference():
    assert coords.bd09_to_gcj02(*REF) == pytest.approx(
        (116.39762729119315, 39.90865673957631), abs=1e-9
    )


def test_gcj02_to_wgs84_is_close_to_reference_and_exactly_inverts():
    # The reference is the one-step approximation; ours iterates to the exact inverse, so it
    # agrees within a metre and round-trips to within a millimetre.
    lng, lat = coords.gcj02_to_wgs84(*REF)
    assert (lng, lat) == pytest.approx((116.39775550083061, 39.91359571849836), abs=1e-5)
    assert coords.wgs84_to_gcj02(lng, lat) == pytest.approx(REF, abs=1e-8)


@pytest.mark.parametrize("point", [(107.64, 35.71), (121.39, 37.53), (114.41, 23.11)])
def test_bd09_round_trip(point):
    assert coords.bd09_to_wgs84(*coords.wgs84_to_bd09(*point)) == pytest.approx(point, abs=1e-6)


def test_points_outside_china_are_not_shifted():
    paris = (2.35, 48.85)
    assert coords.wgs84_to_gcj02(*paris) == paris
    assert coords.gcj02_to_wgs84(*paris) == paris


def test_to_wgs84_rejects_unknown_system():
    with pytest.raises(ValueError):
        coords.to_wgs84(116.4, 39.9, "mercator")
