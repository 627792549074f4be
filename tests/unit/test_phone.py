"""Phone normalisation (pure): what people type → E.164, type and time zones, or PhoneError."""

from __future__ import annotations

import phonenumbers
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from workbench.domain.phone import PhoneError, PhoneInfo, clean, national_format, normalise

CASES = [
    # (typed, e164, type, zones)
    ("090-1234-5678", "+819012345678", "mobile", ("Asia/Tokyo",)),
    ("０９０－１２３４－５６７８", "+819012345678", "mobile", ("Asia/Tokyo",)),
    (
        "090ー1234ー5678",
        "+819012345678",
        "mobile",
        ("Asia/Tokyo",),
    ),  # katakana long-vowel mark as dash
    ("090‐1234‐5678", "+819012345678", "mobile", ("Asia/Tokyo",)),  # U+2010 hyphen
    ("090−1234−5678", "+819012345678", "mobile", ("Asia/Tokyo",)),  # U+2212 minus
    ("090 1234 5678", "+819012345678", "mobile", ("Asia/Tokyo",)),
    ("  09012345678  ", "+819012345678", "mobile", ("Asia/Tokyo",)),
    ("070.1234.5678", "+817012345678", "mobile", ("Asia/Tokyo",)),
    ("080/1234/5678", "+818012345678", "mobile", ("Asia/Tokyo",)),
    ("(03) 1234-5678", "+81312345678", "fixed_line", ("Asia/Tokyo",)),
    ("03(1234)5678", "+81312345678", "fixed_line", ("Asia/Tokyo",)),
    ("０３（１２３４）５６７８", "+81312345678", "fixed_line", ("Asia/Tokyo",)),
    ("0312345678", "+81312345678", "fixed_line", ("Asia/Tokyo",)),
    ("06-6123-4567", "+81661234567", "fixed_line", ("Asia/Tokyo",)),
    ("011-231-2345", "+81112312345", "fixed_line", ("Asia/Tokyo",)),
    ("+81 90 1234 5678", "+819012345678", "mobile", ("Asia/Tokyo",)),
    ("+81-90-1234-5678", "+819012345678", "mobile", ("Asia/Tokyo",)),
    ("+819012345678", "+819012345678", "mobile", ("Asia/Tokyo",)),
    ("＋８１　９０　１２３４　５６７８", "+819012345678", "mobile", ("Asia/Tokyo",)),
    ("+81(0)3-1234-5678", "+81312345678", "fixed_line", ("Asia/Tokyo",)),
    ("+81 (0)3-1234-5678", "+81312345678", "fixed_line", ("Asia/Tokyo",)),
    ("+81（０）９０－１２３４－５６７８", "+819012345678", "mobile", ("Asia/Tokyo",)),
    ("0120-123-456", "+81120123456", "toll_free", ("Asia/Tokyo",)),
    ("0120123456", "+81120123456", "toll_free", ("Asia/Tokyo",)),
    ("0800-123-4567", "+818001234567", "toll_free", ("Asia/Tokyo",)),
    ("050-1234-5678", "+815012345678", "voip", ("Asia/Tokyo",)),
    ("+1 212-736-5000", "+12127365000", "fixed_line_or_mobile", ("America/New_York",)),
    ("+1 (212) 736-5000", "+12127365000", "fixed_line_or_mobile", ("America/New_York",)),
    ("+44 20 7946 0958", "+442079460958", "fixed_line", ("Europe/London",)),
]


@pytest.mark.parametrize(("typed", "e164", "number_type", "zones"), CASES)
def test_normalise(typed, e164, number_type, zones):
    assert normalise(typed) == PhoneInfo(e164=e164, number_type=number_type, time_zones=zones)


@pytest.mark.parametrize(
    "typed",
    [
        "03-1234",  # too short
        "abc",
        "0000000000",
        "090-1234-56789",  # too long
        "090-0123-4567",  # 0900… is not a mobile block
        "0120-123-4567",  # 0120 numbers have six digits after the prefix
        "01234567890",
        "+1 999 736 5000",  # no such US area code
        "+81 90 1234",
        "tel:090-1234-5678",
        "090-1234-5678 内線12",
        "090_1234_5678",
        "+",
        "()",
        "",
        "   ",
        "　",
    ],
)
def test_invalid_numbers_are_rejected_not_guessed(typed):
    with pytest.raises(PhoneError):
        normalise(typed)


def test_phone_error_is_a_value_error_with_the_input():
    with pytest.raises(ValueError, match="03-1234"):
        normalise("03-1234")


def test_numbers_without_country_code_use_the_region():
    assert normalise("(212) 736-5000", region="US").e164 == "+12127365000"
    assert normalise("212-736-5000", region="US").time_zones == ("America/New_York",)
    # A Japanese number in a US-default workbench needs its country code.
    assert normalise("+81 3-1234-5678", region="US").e164 == "+81312345678"


def test_clean():
    assert clean("０９０－１２３４－５６７８") == "090-1234-5678"
    assert clean("+81 (0)3-1234-5678") == "+81 3-1234-5678"
    assert clean("  03ー1234ー5678 ") == "03-1234-5678"


@pytest.mark.parametrize(
    ("e164", "expected"),
    [
        ("+81312345678", "03-1234-5678"),
        ("+819012345678", "090-1234-5678"),
        ("+81120123456", "0120-123-456"),
        ("+815012345678", "050-1234-5678"),
        ("+81661234567", "06-6123-4567"),
        ("+12127365000", "(212) 736-5000"),
        ("junk", "junk"),
        ("", ""),
    ],
)
def test_national_format(e164, expected):
    assert national_format(e164) == expected


@pytest.mark.parametrize("typed", [typed for typed, *_ in CASES])
def test_national_format_round_trips(typed):
    info = normalise(typed)
    assert normalise(national_format(info.e164), region=_region(info.e164)).e164 == info.e164


def _region(e164: str) -> str:
    return phonenumbers.region_code_for_number(phonenumbers.parse(e164))


# --------------------------------------------------------------------------- properties

FULL_WIDTH = {str(d): chr(0xFF10 + d) for d in range(10)}
SEPARATORS = ["", "-", " ", "－", "ー", "‐", "−", "　", "."]


@st.composite
def typed_mobile(draw: st.DrawFn) -> tuple[str, str]:
    """A valid JP mobile number 0X0-NNNN-NNNN as someone might type it, and its E.164."""
    x = draw(st.sampled_from("789"))
    first = draw(st.sampled_from("123456789"))  # 0X00… blocks are not mobile numbers
    rest = draw(st.text("0123456789", min_size=7, max_size=7))
    national = f"0{x}0{first}{rest}"
    parts = [national[:3], national[3:7], national[7:]]
    seps = [draw(st.sampled_from(SEPARATORS)) for _ in range(2)]
    text = parts[0] + seps[0] + parts[1] + seps[1] + parts[2]
    if draw(st.booleans()):
        text = "".join(FULL_WIDTH[c] if c.isdigit() and draw(st.booleans()) else c for c in text)
    style = draw(st.sampled_from(["national", "parens", "plus81", "plus81_trunk"]))
    if style == "parens":
        text = f"({text[:3]}){text[3:]}"
    elif style == "plus81":
        text = "+81 " + text[1:]
    elif style == "plus81_trunk":
        text = "+81(0)" + text[1:]
    pad = draw(st.sampled_from(["", " ", "　"]))
    return pad + text + pad, "+81" + national[1:]


@settings(max_examples=300, deadline=None)
@given(typed_mobile())
@example(("０９０－１２３４－５６７８", "+819012345678"))
@example(("＋８１（０）８０ー１０００ー００００", "+818010000000"))
@example(("(070)9999　9999", "+817099999999"))
def test_any_typed_jp_mobile_normalises_to_the_same_e164(case):
    typed, e164 = case
    info = normalise(typed)
    assert info.e164 == e164
    assert info.number_type == "mobile"
    assert info.time_zones == ("Asia/Tokyo",)


@settings(max_examples=400, deadline=None)
@given(st.text("0123456789", min_size=9, max_size=11).map(lambda digits: "0" + digits))
def test_normalise_agrees_with_phonenumbers_on_jp_national_numbers(national):
    try:
        parsed = phonenumbers.parse(national, "JP")
    except phonenumbers.NumberParseException:  # 010… is the international call prefix
        parsed, valid = None, False
    else:
        valid = phonenumbers.is_valid_number(parsed)
    try:
        info = normalise(national)
    except PhoneError:
        assert not valid, f"{national} is valid but was rejected"
        return
    assert valid, f"{national} is not a valid number but was accepted as {info}"
    assert parsed is not None
    assert info.e164 == phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
