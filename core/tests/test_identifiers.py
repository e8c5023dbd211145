"""Mobile numbers, resident ID numbers (GB 11643) and credit codes (GB 32100)."""

import pytest
from django.core.exceptions import ValidationError

from core.identifiers import (
    id_number_gender,
    normalize_id_number,
    normalize_mobile,
    normalize_uscc,
    validate_id_number,
    validate_mobile,
    validate_uscc,
)

# The standard's own example, and a credit code from a published business licence.
GB11643_EXAMPLE = "11010519491231002X"
USCC_EXAMPLE = "91350100M000100Y43"


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("+86 138-1234-5678", "13812345678"),
        ("0086 13812345678", "13812345678"),
        ("138 1234 5678", "13812345678"),
    ],
)
def test_mobile_numbers_are_normalised(typed, stored):
    assert normalize_mobile(typed) == stored
    validate_mobile(stored)


@pytest.mark.parametrize("bad", ["1381234567", "23812345678", "12812345678", "138123456789", "abc"])
def test_bad_mobile_numbers_are_refused(bad):
    with pytest.raises(ValidationError, match="11-digit"):
        validate_mobile(normalize_mobile(bad))


def test_the_standards_example_id_number_is_valid():
    validate_id_number(normalize_id_number(" 11010519491231002x "))
    assert id_number_gender(GB11643_EXAMPLE) == "female"


def test_id_number_with_a_wrong_check_digit_is_refused():
    with pytest.raises(ValidationError, match="check digit"):
        validate_id_number("110105194912310021")


@pytest.mark.parametrize("born", ["19490230", "20991231", "18991231"])
def test_id_number_with_an_impossible_birth_date_is_refused(born):
    with pytest.raises(ValidationError, match="birth date"):
        validate_id_number(f"110105{born}0021")


@pytest.mark.parametrize("bad", ["11010519491231002", "1101051949123100XX", "A10105194912310021"])
def test_id_number_of_the_wrong_shape_is_refused(bad):
    with pytest.raises(ValidationError, match="18 characters"):
        validate_id_number(bad)


def test_credit_code_example_is_valid_and_normalised():
    assert normalize_uscc(" 91350100m000100y43") == USCC_EXAMPLE
    validate_uscc(USCC_EXAMPLE)


def test_credit_code_with_a_wrong_check_character_is_refused():
    with pytest.raises(ValidationError, match="check"):
        validate_uscc("91350100M000100Y44")


@pytest.mark.parametrize("bad", ["91350100M000100Y4", "91350100M000100I43", "91350100M000100O43"])
def test_credit_code_of_the_wrong_shape_is_refused(bad):
    with pytest.raises(ValidationError, match="18 characters"):
        validate_uscc(bad)
