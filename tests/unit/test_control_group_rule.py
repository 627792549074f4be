"""The control group as a calling rule: a permanent block, named after the legal ones and
before a missing number, with its words in both languages."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from workbench.domain.calling_rules import (
    PERMANENT_BLOCKS,
    BlockCode,
    CallAttempt,
    CustomerContact,
    PhoneNumber,
    evaluate,
    permanent_block,
)
from workbench.domain.code_labels import RULES, code_label

AT = datetime(2026, 11, 24, 10, 0, tzinfo=ZoneInfo("Asia/Tokyo"))  # a Tuesday, in the window
MOBILE = PhoneNumber.parse("090-1234-5678")


def test_a_member_with_nothing_else_against_them_is_never_callable() -> None:
    assert evaluate(CustomerContact((MOBILE,)), AT).callable
    verdict = evaluate(CustomerContact((MOBILE,), control_group=True), AT)
    assert not verdict.callable
    assert verdict.code is BlockCode.CONTROL_GROUP
    assert verdict.next_eligible_at is None  # never, not "later"
    assert (
        permanent_block(CustomerContact((MOBILE,), control_group=True)) is BlockCode.CONTROL_GROUP
    )


def test_the_legal_blocks_are_named_first() -> None:
    cases = {
        BlockCode.DO_NOT_CALL: CustomerContact((MOBILE,), do_not_call=True, control_group=True),
        BlockCode.REFUSED: CustomerContact(
            (MOBILE,),
            attempts=(CallAttempt(AT.replace(month=5), "not_interested"),),
            control_group=True,
        ),  # fmt: skip
        BlockCode.OPTED_OUT: CustomerContact((MOBILE,), opted_out=True, control_group=True),
    }
    for code, contact in cases.items():
        assert evaluate(contact, AT).code is code
        assert permanent_block(contact) is code


def test_it_comes_before_a_missing_number() -> None:
    bad = PhoneNumber.parse("not a number")
    assert evaluate(CustomerContact((bad,)), AT).code is BlockCode.NO_VALID_NUMBER
    assert evaluate(CustomerContact((bad,), control_group=True), AT).code is BlockCode.CONTROL_GROUP
    assert evaluate(CustomerContact((), control_group=True), AT).code is BlockCode.CONTROL_GROUP


def test_it_is_the_last_of_the_permanent_blocks() -> None:
    assert PERMANENT_BLOCKS == (
        BlockCode.DO_NOT_CALL,
        BlockCode.REFUSED,
        BlockCode.OPTED_OUT,
        BlockCode.CONTROL_GROUP,
    )
    assert str(BlockCode.CONTROL_GROUP) == "control_group"


def test_its_words_in_japanese_and_english() -> None:
    assert code_label(RULES, "control_group", "ja") == "対照群（効果測定のため連絡しません）"
    assert code_label(RULES, "control_group", "en") == "held back: control group"
