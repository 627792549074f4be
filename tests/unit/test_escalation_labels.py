"""Every code the escalation shows people has words in both languages (codes stay in JSON)."""

from __future__ import annotations

import re
from pathlib import Path

from workbench.domain import escalation
from workbench.domain.code_labels import ESCALATION, code_label

SOURCES = Path(__file__).resolve().parents[2] / "workbench"


def test_tiers_states_and_responses_have_japanese_and_english_words() -> None:
    for code in (*escalation.TIERS, *escalation.STATES, *escalation.RESPONSE_WEIGHTS):
        ja, en = code_label(ESCALATION, code, "ja"), code_label(ESCALATION, code, "en")
        assert ja != code and re.search(r"[ぁ-んァ-ヶ一-龥]", ja), code
        assert en and not re.search(r"[ぁ-んァ-ヶ一-龥]", en), code


def test_every_event_kind_and_skip_reason_written_in_the_code_has_words() -> None:
    """Event kinds (`Move(…, "kind")`) and the email blocks and skips the services return."""
    text = (SOURCES / "domain" / "escalation.py").read_text(encoding="utf-8")
    kinds = set(re.findall(r'Move\([^"]*?"([a-z_]+)"', text, flags=re.S))
    for path in (
        "store/escalation_queries.py",
        "services/outbox.py",
        "services/escalation_mail.py",
    ):
        body = (SOURCES / path).read_text(encoding="utf-8")
        kinds |= set(re.findall(r'return "([a-z_]+)"', body))
        kinds |= set(re.findall(r'Composed\(None, "([a-z_]+)"\)', body))
    kinds -= {"first", "reminder", "followup"}  # purposes of an email, not shown as events
    assert {"emailed", "no_consent", "no_template", "address_changed"} <= kinds
    missing = sorted(k for k in kinds if k not in ESCALATION)
    assert not missing, missing
