"""The area tree and the "area trio" every app's tests use:
staff of district A, a read-only viewer of A, staff of district B (same city)."""

from dataclasses import dataclass

import pytest

from areas.models import Area, StaffGrant

from .factories import AreaFactory, UserFactory, build_tree, grant


@dataclass
class Tree:
    province: Area
    city: Area
    a: dict
    b: dict


@dataclass
class Trio:
    staff_a: object
    viewer_a: object
    staff_b: object
    city: object  # city department over both A and B
    tree: Tree


@pytest.fixture
def tree(db) -> Tree:
    province = AreaFactory(code="620000000000", name="甘肃省", level="province", parent=None)
    city = AreaFactory(code="621000000000", name="庆阳市", level="city", parent=province)
    return Tree(
        province=province,
        city=city,
        a=build_tree("621002", "西峰区", city),
        b=build_tree("621021", "庆城县", city),
    )


@pytest.fixture
def trio(tree) -> Trio:
    Role = StaffGrant.Role
    staff_a = UserFactory(username="staff_a")
    viewer_a = UserFactory(username="viewer_a")
    staff_b = UserFactory(username="staff_b")
    city = UserFactory(username="city_dept")
    grant(staff_a, tree.a["district"], Role.DISTRICT_DEPARTMENT)
    grant(viewer_a, tree.a["district"], Role.VIEWER)
    grant(staff_b, tree.b["district"], Role.DISTRICT_DEPARTMENT)
    grant(city, tree.city, Role.CITY_DEPARTMENT)
    return Trio(staff_a=staff_a, viewer_a=viewer_a, staff_b=staff_b, city=city, tree=tree)
