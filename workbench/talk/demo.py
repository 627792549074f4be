"""Fixed demo customers for ``scripts render --demo`` and the linter's trial renders."""

from __future__ import annotations

from datetime import date
from typing import Any

from workbench.talk.render import ScriptContext

DEMO_KINDS: tuple[str, ...] = ("b2c", "b2b")
DEMO_TODAY = date(2026, 11, 25)

_PEOPLE = {
    ("b2c", "ja"): {
        "customer_name": "佐藤 花子",
        "customer_kana": "サトウ ハナコ",
        "operator": "鈴木",
        "company": "みどり食品株式会社",
        "last_category": "有機野菜の定期便",
    },
    ("b2c", "en"): {
        "customer_name": "Hannah Sato",
        "customer_kana": "",
        "operator": "Emily Clark",
        "company": "Green Table Foods",
        "last_category": "organic vegetable box",
    },
    ("b2b", "ja"): {
        "customer_name": "株式会社山田商事",
        "customer_kana": "カブシキガイシャヤマダショウジ",
        "customer_company": "株式会社山田商事",
        "contact_person": "田中 一郎",
        "previous_rep": "高橋",
        "operator": "鈴木",
        "company": "みどり食品株式会社",
        "last_category": "業務用食材",
    },
    ("b2b", "en"): {
        "customer_name": "Yamada Trading Co.",
        "customer_company": "Yamada Trading Co.",
        "contact_person": "Ichiro Tanaka",
        "previous_rep": "Daniel Reed",
        "operator": "Emily Clark",
        "company": "Green Table Foods",
        "last_category": "catering supplies",
    },
}
_OFFERS = {
    "ja": {
        "name": "ご愛顧割引",
        "discount": "10%",
        "price": 3980,
        "deadline": date(2026, 12, 20),
        "note": "配送日を曜日ごとに選べるようになりました",
    },
    "en": {
        "name": "loyalty discount",
        "discount": "10%",
        "price": 3980,
        "deadline": date(2026, 12, 20),
        "note": "you can now choose your delivery day",
    },
}


def demo_context(
    kind: str = "b2c",
    language: str = "ja",
    with_offer: bool = True,
    reason: str = "unknown",
    company: str | None = None,
) -> ScriptContext:
    """A customer dormant for 11 months (last order 2025-12-20), seen on 2026-11-25.

    `company` is our company's name as configured (`company_name`), said in the opening as
    in a real call; without it the demo's own fictional company speaks.
    """
    key = (kind if kind in DEMO_KINDS else "b2c", "en" if language == "en" else "ja")
    people: dict[str, Any] = dict(_PEOPLE[key])
    if company:
        people["company"] = company
    return ScriptContext(
        kind=kind,
        last_purchase_date=date(2025, 12, 20),
        months_dormant=11,
        lifecycle="dormant",
        reason=reason,
        offer=_OFFERS["en" if language == "en" else "ja"] if with_offer else None,
        language=language,
        today=DEMO_TODAY,
        **people,
    )
