"""Document and phone numbers: one canonical form whatever the spacing, dashes, look-alikes or country code."""

from __future__ import annotations

import pytest

from waypoint_core.registry.identifiers import document_distance, normalise_document, normalise_phone, phone_tail


@pytest.mark.parametrize("typed", ["AB1234567", "ab 123 4567", "AB-123-45-67", "A8.1234567", "ab/1234567",
                                   "AB123456７"])
def test_document_spacing_case_and_lookalikes(typed):
    assert normalise_document(typed) == "A81234567"


def test_letter_o_and_digit_zero_are_one_key():
    assert normalise_document("P0O12345") == normalise_document("PO012345") == normalise_document("P00I2345")
    assert normalise_document("٠١٢٣٤٥٦") == "0123456"  # Arabic-Indic digits


def test_too_short_or_empty_is_no_number():
    assert normalise_document("") is None and normalise_document(None) is None and normalise_document("A-1") is None


def test_document_distance():
    assert document_distance("A81234567", "A81234567") == 0
    assert document_distance("A81234567", "A81234568") == 1  # one wrong
    assert document_distance("A81234567", "A81243567") == 1  # two swapped
    assert document_distance("A81234567", "A8123457") == 1  # one missing
    assert document_distance("A81234567", "A812345678") == 1  # one extra
    assert document_distance("A81234567", "A81243576") == 2
    assert document_distance("A81234567", "999999999") == 2


@pytest.mark.parametrize(("typed", "country", "expected"), [
    ("+227 90 12 34 56", None, "+22790123456"),
    ("00227-90-12-34-56", None, "+22790123456"),
    ("90 12 34 56", "NE", "+22790123456"),
    ("22790123456", None, "+22790123456"),
    ("70 12 34 56", "BF", "+22670123456"),
    ("76 12 34 56", "ML", "+22376123456"),
    ("46 12 34 56", "MR", "+22246123456"),
    ("77 12 34 56", "DJ", "+25377123456"),
    ("091 123 4567", "ET", "+251911234567"),
    ("911234567", "ET", "+251911234567"),
    ("+33 6 12 34 56 78", "NE", "+33612345678"),
])
def test_phones_of_the_six_countries(typed, country, expected):
    assert normalise_phone(typed, country) == expected


def test_phone_without_known_country_keeps_its_digits_and_its_tail_still_meets():
    bare = normalise_phone("90 12 34 56")
    assert bare == "90123456"
    assert phone_tail(bare) == phone_tail("+22790123456")
    assert normalise_phone("12 34") is None and normalise_phone("call me") is None
