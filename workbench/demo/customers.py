"""The customer master rows: identity, kind, phones, e-mail, prefecture, sign-up, flags."""

from __future__ import annotations

import random

import numpy as np

from workbench.demo.contacts import ContactResult
from workbench.demo.formatting import (
    IP,
    LANDLINE,
    MOBILE,
    company_email,
    company_name,
    corrupt,
    legal_form,
    personal_email,
    random_phone,
)
from workbench.demo.geography import AREA_CODES, AREA_WEIGHTS
from workbench.demo.orders import Transactions
from workbench.demo.timeline import SECONDS_PER_DAY, Calendar
from workbench.demo.truth import Latent, choice_by_kind
from workbench.demo.vocabulary import (
    COMPANY_STEMS,
    COMPANY_TRADES,
    FAMILY_NAMES,
    GIVEN_NAMES,
    SALES_REPS,
)

_PHONE_KIND_WEIGHTS = {"b2c": (0.62, 0.30, 0.08, 0.0), "b2b": (0.12, 0.70, 0.10, 0.08)}
_RANDOM_DNC_SHARE = 0.003
_RANDOM_OPT_OUT_SHARE = 0.065  # of customers with an e-mail address


def customer_ids(first_index: int, m: int) -> list[str]:
    return [f"C{i:07d}" for i in range(first_index, first_index + m)]


def customer_rows(
    rng: np.random.Generator,
    cal: Calendar,
    lat: Latent,
    ids: list[str],
    created_sec: np.ndarray,
    contacts: ContactResult,
    malformed_rate: float,
) -> tuple[list[list[str]], int]:
    m = lat.size
    rnd = random.Random(int(rng.integers(0, 2**63)))
    area = rng.choice(len(AREA_CODES), size=m, p=AREA_WEIGHTS).tolist()
    kind1 = choice_by_kind(rng, lat.b2b, _PHONE_KIND_WEIGHTS).tolist()
    has_phone2 = (rng.random(m) < 0.25).tolist()
    family = rng.integers(0, len(FAMILY_NAMES), m).tolist()
    given = rng.integers(0, len(GIVEN_NAMES), m).tolist()
    # Corruption draws come from their own arrays so that a dirty file differs from the
    # clean one (same seed) only in the corrupted rows.
    malformed = (rng.random(m) < malformed_rate).tolist()
    corruption = rng.integers(0, 4, m).tolist()
    corrupt_pick = rng.integers(0, 1_000_000, m).tolist()
    dnc_random = (rng.random(m) < _RANDOM_DNC_SHARE).tolist()
    opt_out_random = (lat.has_email & (rng.random(m) < _RANDOM_OPT_OUT_SHARE)).tolist()
    b2b = lat.b2b.tolist()
    has_email = lat.has_email.tolist()
    created = created_sec.tolist()

    rows: list[list[str]] = []
    malformed_count = 0
    for i in range(m):
        fam, giv = FAMILY_NAMES[family[i]], GIVEN_NAMES[given[i]]
        person, person_kana = f"{fam[0]} {giv[0]}", f"{fam[1]} {giv[1]}"
        phone = random_phone(rnd, kind1[i], area[i])
        phone2 = ""
        if has_phone2[i]:
            kind2 = MOBILE if kind1[i] != MOBILE else (LANDLINE if rnd.random() < 0.6 else IP)
            phone2 = random_phone(rnd, kind2, area[i])
        if b2b[i]:
            stem, trade = rnd.randrange(len(COMPANY_STEMS)), rnd.randrange(len(COMPANY_TRADES))
            company, company_kana = company_name(stem, trade, legal_form(rnd))
            name, name_kana, contact_person = company, company_kana, person
            rep = rnd.choice(SALES_REPS) if rnd.random() < 0.6 else ""
            email = (
                company_email(rnd, fam[2], giv[2], COMPANY_STEMS[stem][2], COMPANY_TRADES[trade][2])
                if has_email[i]
                else ""
            )
        else:
            name, name_kana, company, contact_person = person, person_kana, "", ""
            rep = rnd.choice(SALES_REPS) if rnd.random() < 0.03 else ""
            email = personal_email(rnd, fam[2], giv[2]) if has_email[i] else ""
        row = [
            ids[i],
            name,
            name_kana,
            "b2b" if b2b[i] else "b2c",
            company,
            contact_person,
            rep,
            phone,
            phone2,
            email,
            AREA_CODES[area[i]][1],
            cal.iso(created[i]),
            "1" if (i in contacts.do_not_call or dnc_random[i]) else "0",
            "1" if (i in contacts.opted_out or opt_out_random[i]) else "0",
        ]
        if malformed[i]:
            corrupt(row, corruption[i], corrupt_pick[i])
            malformed_count += 1
        rows.append(row)
    return rows, malformed_count


def created_seconds(
    rng: np.random.Generator, cal: Calendar, lat: Latent, tx: Transactions
) -> np.ndarray:
    """Registration time: shortly before the first order, or anywhere for prospects."""
    m = lat.size
    prospect_sec = rng.integers(0, cal.end_sec, m)
    first_sec = (
        tx.sec[np.minimum(tx.offsets[:-1], max(tx.size - 1, 0))] if tx.size else prospect_sec
    )
    # Sign-up happens at the first order or a day or two before, at a similar time of day.
    lead = rng.integers(0, 3, m) * SECONDS_PER_DAY + rng.integers(60, 1800, m)
    buyer_sec = np.maximum(first_sec - lead, 0)
    return np.where(lat.n_tx > 0, buyer_sec, prospect_sec)
