"""Masking personal data in free text (servicequality.metrics.privacy), on hand-written strings."""

import math

import pandas as pd
import pytest

from servicequality.metrics.privacy import mask_columns, mask_identifier, mask_text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Write to jane.doe+bank@example.co.uk today", "Write to [email] today"),
        ("o'neil@mail.example.com", "[email]"),
        ("Call +44 20 7946 0958 after 5", "Call [phone] after 5"),
        ("my number is (555) 123-4567.", "my number is [phone]."),
        ("ring 0612345678", "ring [phone]"),  # ten plain digits: a phone number
        ("card 4111 1111 1111 1111 declined", "card [number] declined"),
        ("account 12345678 blocked", "account [number] blocked"),
        ("IBAN digits 123456789012345678", "IBAN digits [number]"),
    ],
)
def test_contact_details_and_long_numbers_are_masked(text, expected):
    assert mask_text(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Mr John Smith was rude", "Mr [name] was rude"),
        ("Dr. Ng helped; Mrs O'Brien did not", "Dr. [name] helped; Mrs [name] did not"),
        ("Ms van der Berg called", "Ms [name] called"),
        ("Prof Jo-Ann Lee-Park", "Prof [name]"),
    ],
)
def test_names_after_titles_are_masked(text, expected):
    assert mask_text(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Quick and kind",
        "Visited on 2024-01-15 and again on 15/01/2024 at 10:30",  # dates stay
        "XXXX XXXX called me on XX/XX/XXXX about account XXXX",  # CFPB's own redaction stays
        "Paid 1,250.00 in 3 instalments",
        "ticket T00000001, reference 1234567",  # ids glued to letters, 7 digits: not personal
        "Mrs",  # a title alone
        "The manager was friendly",
    ],
)
def test_ordinary_text_is_left_alone(text):
    assert mask_text(text) == text


def test_missing_values_pass_through():
    assert mask_text(None) is None
    assert math.isnan(mask_text(float("nan")))
    assert mask_text("") == ""
    assert mask_text(42) == 42


def test_mask_columns_masks_only_the_named_columns():
    df = pd.DataFrame({"comment": ["mail a@b.com", None], "channel": ["a@b.com", "Phone"]})
    out = mask_columns(df, ["comment", "not_there"])
    assert out["comment"].tolist()[0] == "mail [email]"
    assert out["comment"].isna().tolist() == [False, True]
    assert out["channel"].tolist() == ["a@b.com", "Phone"]
    assert df["comment"].tolist()[0] == "mail a@b.com"  # the input is not changed


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("101001685290", "101001685290"),  # Boston 311's 12-digit ids: mask_text reads "[phone]"
        ("4111111111111111", "4111111111111111"),
        ("T00000001", "T00000001"),
        ("jane.doe@example.com", "[email]"),
        (None, None),
    ],
)
def test_identifiers_keep_their_digits_but_not_an_address(value, expected):
    assert mask_text("101001685290") == "[phone]"  # the free-text rule the identifier escapes
    assert mask_identifier(value) == expected


def test_mask_columns_masks_identifiers_by_their_own_rule():
    df = pd.DataFrame({"ticket_id": ["101001685290", "a@b.com"], "comment": ["101001685290", None]})
    out = mask_columns(df, ["comment"], identifiers=["ticket_id"])
    assert out["ticket_id"].tolist() == ["101001685290", "[email]"]
    assert out["comment"].tolist()[0] == "[phone]"
