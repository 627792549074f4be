"""A contact row whose outcome does not fit its channel and direction: the message reads well."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest

from workbench.importing.records import RowError, contact

# These tests read the English texts (language = "en"); tests/e2e/test_cli_messages_language.py
# checks that the same errors are Japanese by default.
pytestmark = pytest.mark.usefixtures("english_messages")

TOKYO = ZoneInfo("Asia/Tokyo")


@pytest.mark.parametrize(
    ("direction", "outcome", "expected"),
    [
        ("outbound", "inquiry", "'inquiry' is not an outbound call outcome ("),
        ("", "inquiry", "'inquiry' is not an outbound call outcome ("),
        ("inbound", "no_answer", "'no_answer' is not an inbound call outcome (inquiry, complaint)"),
    ],
)
def test_the_outcome_message_names_direction_and_channel(
    direction: str, outcome: str, expected: str
) -> None:
    row = {"customer_id": "C1", "at": "2025-03-01 10:00", "channel": "call",
           "direction": direction, "outcome": outcome}  # fmt: skip
    with pytest.raises(RowError) as caught:
        contact(row, TOKYO)
    assert expected in str(caught.value)
    assert " a outbound " not in str(caught.value) and " a inbound " not in str(caught.value)
