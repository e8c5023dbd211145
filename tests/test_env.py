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
