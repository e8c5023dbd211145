import pytest
from django.core.exceptions import ImproperlyConfigured

from config import env


def test_missing_required_variable_fails_loudly(monkeypatch):
    monkeypatch.delenv("WS_TEST_VAR", raising=False)
    with pytest.raises(ImproperlyConfigured, match="WS_TEST_VAR"):
        env.env_str("WS_TEST_VAR")


@pytest.mark.parametrize(
    "raw, expected", [("true", True), ("0", False), ("Yes", True), ("off", False)]
)
def test_bool_accepts_usual_spellings(monkeypatch, raw, expected):
    monkeypatch.setenv("WS_TEST_VAR", raw)
    assert env.env_bool("WS_TEST_VAR", False) is expected


@pytest.mark.parametrize(
    "reader, raw", [(env.env_bool, "maybe"), (env.env_int, "12a"), (env.env_float, "north")]
)
def test_bad_values_fail_loudly(monkeypatch, reader, raw):
    monkeypatch.setenv("WS_TEST_VAR", raw)
    with pytest.raises(ImproperlyConfigured, match="WS_TEST_VAR"):
        reader("WS_TEST_VAR", None)


def test_int_minimum_is_enforced(monkeypatch):
    monkeypatch.setenv("WS_TEST_VAR", "-1")
    with pytest.raises(ImproperlyConfigured, match="at least 0"):
        env.env_int("WS_TEST_VAR", 5, minimum=0)


def test_list_splits_and_trims(monkeypatch):
    monkeypatch.setenv("WS_TEST_VAR", " a.cn, b.cn ,,")
    assert env.env_list("WS_TEST_VAR", []) == ["a.cn", "b.cn"]


def test_days_by_name_reads_pairs_and_refuses_anything_else(monkeypatch):
    from config.env import env_days_by_name

    monkeypatch.setenv("X_DAYS", "members.LoginCode:7, members.Worker.unused:1095")
    assert env_days_by_name("X_DAYS") == {"members.LoginCode": 7, "members.Worker.unused": 1095}
    for bad in ("members.LoginCode", "members.LoginCode:seven", ":7", "a:0", "a:²"):
        monkeypatch.setenv("X_DAYS", bad)
        with pytest.raises(ImproperlyConfigured):
            env_days_by_name("X_DAYS")


def test_memory_size_takes_postgresql_sizes_and_refuses_anything_else(monkeypatch):
    from config.env import env_memory_size

    monkeypatch.setenv("X_MEM", " 64MB ")
    assert env_memory_size("X_MEM") == "64MB"
    for bad in ("256", "0MB", "1TB", "256mb", "64MB; DROP TABLE x", "２５６MB", "-1GB"):
        monkeypatch.setenv("X_MEM", bad)
        with pytest.raises(ImproperlyConfigured):
            env_memory_size("X_MEM")
