"""How drawn values are written as CSV fields: the file layouts, phone numbers in the
mixed human formats of a CRM export, e-mail addresses, company names, and the malformed
values that damage a small share of customer rows on purpose.
"""

from __future__ import annotations

import random

from workbench.demo.geography import AREA_CODES, AREA_PREFIXES
from workbench.demo.vocabulary import (
    COMPANY_STEMS,
    COMPANY_TRADES,
    LEGAL_FORMS,
    PERSONAL_MAIL_DOMAINS,
)
from workbench.importing.records import CONTACT_COLUMNS, CUSTOMER_COLUMNS, TRANSACTION_COLUMNS

# The demo writes exactly the canonical import formats: one definition, in the importer.
CUSTOMERS_HEADER: tuple[str, ...] = CUSTOMER_COLUMNS
# transactions.csv leaves out the optional transaction_id.
TRANSACTIONS_HEADER: tuple[str, ...] = TRANSACTION_COLUMNS[:5]
CONTACTS_HEADER: tuple[str, ...] = CONTACT_COLUMNS
TRUTH_HEADER: tuple[str, ...] = (
    "customer_id",
    "true_reason",
    "answer_profile",
    "p_answer_peak",
    "p_answer_base",
    "reactivation_propensity",
    "value_per_order",
    "alive",
)

_FULLWIDTH = str.maketrans("0123456789-", "０１２３４５６７８９－")

# Number kinds; customers.py weighs them per customer kind.
MOBILE, LANDLINE, IP, TOLL_FREE = range(4)
# How people write a number: ``a`` is the area code or prefix, ``n`` the same without the
# trunk 0, ``b`` and ``c`` the other groups.  One style more than listed here: the first
# one in full-width digits.
_PHONE_STYLES = (
    "{a}-{b}-{c}",
    "({a}) {b}-{c}",
    "{a}({b}){c}",
    "{a}{b}{c}",
    "+81(0){n}-{b}-{c}",
    "+81 {n} {b} {c}",
    "+81-{n}-{b}-{c}",
    "{a} {b} {c}",
)
# Weights per writing style; mobiles are never written with a bracketed area code.
_LANDLINE_STYLE_WEIGHTS = (0.55, 0.08, 0.05, 0.12, 0.03, 0.06, 0.03, 0.05, 0.03)
_MOBILE_STYLE_WEIGHTS = (0.60, 0.0, 0.0, 0.18, 0.02, 0.08, 0.04, 0.05, 0.03)
_MOBILE_PREFIXES = ("090", "090", "090", "090", "090", "080", "080", "080", "070", "070")


def _format_phone(parts: tuple[str, str, str], style: int) -> str:
    a, b, c = parts
    if style < len(_PHONE_STYLES):
        return _PHONE_STYLES[style].format(a=a, n=a[1:], b=b, c=c)
    return f"{a}-{b}-{c}".translate(_FULLWIDTH)


def _phone_parts(kind: int, area: int, u: float, digits: int) -> tuple[str, str, str]:
    """Digits of a valid Japanese number split into its three customary groups."""
    if kind == MOBILE or kind == IP:
        prefix = _MOBILE_PREFIXES[digits % 10] if kind == MOBILE else "050"
        body = f"{1 + digits // 10 % 9}{digits // 100 % 10_000_000:07d}"
        return prefix, body[:4], body[4:]
    if kind == TOLL_FREE:
        body = f"{digits % 1_000_000:06d}"
        return "0120", body[:3], body[3:]
    code = AREA_CODES[area][0]
    prefixes = AREA_PREFIXES[area]
    rest_len = 8 - len(code)  # local part after the two chosen digits; NSN is 9 digits
    local = f"{prefixes[int(u * len(prefixes))]:02d}{digits % 10**rest_len:0{rest_len}d}"
    split = {2: 4, 3: 3, 4: 2}[len(code)]
    return code, local[:split], local[split:]


def random_phone(rnd: random.Random, kind: int, area: int) -> str:
    parts = _phone_parts(kind, area, rnd.random(), rnd.randrange(10**10))
    if kind == TOLL_FREE:
        style = 0 if rnd.random() < 0.85 else 3
    else:
        weights = _MOBILE_STYLE_WEIGHTS if kind in (MOBILE, IP) else _LANDLINE_STYLE_WEIGHTS
        style = rnd.choices(range(len(weights)), weights)[0]
    return _format_phone(parts, style)


def legal_form(rnd: random.Random) -> int:
    return rnd.choices(range(len(LEGAL_FORMS)), [w for *_, w in LEGAL_FORMS])[0]


def personal_email(rnd: random.Random, family: str, given: str) -> str:
    style = rnd.randrange(6)
    if style == 0:
        local = f"{given}.{family}"
    elif style == 1:
        local = f"{family}.{given}"
    elif style == 2:
        local = f"{given}{family}{rnd.randrange(100):02d}"
    elif style == 3:
        local = f"{given[0]}{family}"
    elif style == 4:
        local = f"{family}_{given}{rnd.randrange(60, 100)}"
    else:
        local = f"{given}{rnd.randrange(1950, 2006)}"
    domains, weights = zip(*PERSONAL_MAIL_DOMAINS)
    return f"{local}@{rnd.choices(domains, weights)[0]}"


def company_email(rnd: random.Random, family: str, given: str, stem: str, trade: str) -> str:
    domain = f"{stem}-{trade}.co.jp"
    local = rnd.choice((family, f"{given[0]}.{family}", "info", "soumu", f"{family}.{given}"))
    return f"{local}@{domain}"


def company_name(stem: int, trade: int, form: int) -> tuple[str, str]:
    """(company name, katakana reading without the legal form, as used for sorting)."""
    legal, before, _ = LEGAL_FORMS[form]
    core = COMPANY_STEMS[stem][0] + COMPANY_TRADES[trade][0]
    name = f"{legal}{core}" if before else f"{core}{legal}"
    return name, COMPANY_STEMS[stem][1] + COMPANY_TRADES[trade][1]


_MALFORMED_PHONES = ("03-1234", "abc", "090-12", "0000", "電話なし", "03-1234-56789-0")
_MALFORMED_DATES = ("2024-13-45 10:00", "不明", "2023/02/30", "2023-02-30T25:00:00+09:00")


def corrupt(row: list[str], how: int, pick: int) -> None:
    """Damage one field the way real CRM exports are damaged."""
    if how == 0:
        row[CUSTOMERS_HEADER.index("phone")] = _MALFORMED_PHONES[pick % len(_MALFORMED_PHONES)]
    elif how == 1:
        row[CUSTOMERS_HEADER.index("kind")] = "x2c"
    elif how == 2:
        row[CUSTOMERS_HEADER.index("customer_id")] = ""
    else:
        row[CUSTOMERS_HEADER.index("created_at")] = _MALFORMED_DATES[pick % len(_MALFORMED_DATES)]
