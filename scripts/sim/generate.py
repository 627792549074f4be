"""Generate one world: customers, purchases and contact history as the workbench's CSV files,
plus the hidden truth (kept in memory and in `truth.json`, which no product code reads).

Purchases follow a customer-base process: Poisson purchasing while alive with a
per-customer rate (Gamma heterogeneity), a dropout chance after every purchase
(Beta heterogeneity), Gamma-Gamma spend, and a seasonal rate per category.
"""

from __future__ import annotations

import csv
import json
import math
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np
import phonenumbers

from .email_world import draw_email_truths, write_email_truths
from .world import ARCHETYPES, TOKYO, Truth, WorldSpec, p_answer, sigmoid

HISTORY_START = date(2024, 1, 1)
CATEGORY_PEAKS = {
    "food": 12,
    "beverages": 7,
    "cosmetics": 3,
    "gardening": 4,
    "stationery": 3,
    "apparel": 10,
    "health": 1,
}
CATEGORIES = tuple(CATEGORY_PEAKS)
B2B_CATEGORIES = ("beverages", "stationery", "food", "health")
REASONS_B2C = {
    "usage_decreased": 0.22, "quality_dissatisfaction": 0.11, "competitor": 0.13, "price": 0.17,
    "long_consideration": 0.07, "needs_changed": 0.1, "life_stage_change": 0.11, "moved": 0.09,
}  # fmt: skip
REASONS_B2B = {
    "usage_decreased": 0.22, "quality_dissatisfaction": 0.1, "competitor": 0.15, "price": 0.15,
    "long_consideration": 0.08, "needs_changed": 0.1, "contact_person_changed": 0.2,
}  # fmt: skip
# Reasons that come with leaving for good are more common among customers who dropped out.
DEAD_LEANING = {"competitor", "quality_dissatisfaction", "moved", "needs_changed"}
REASON_EFFECT = {
    "usage_decreased": 0.0, "quality_dissatisfaction": -0.3, "competitor": -0.2, "price": 0.2,
    "long_consideration": 0.3, "needs_changed": -0.4, "life_stage_change": 0.1,
    "contact_person_changed": 0.4, "moved": -0.8,
}  # fmt: skip
CALLBACK_HOURS = {
    "daytime_home": (10, 16), "evening_worker": (18, 19), "weekend": (10, 17),
    "business_hours": (10, 16), "rarely": (11, 18),
}  # fmt: skip
SURNAMES = (
    "佐藤",
    "鈴木",
    "高橋",
    "田中",
    "伊藤",
    "渡辺",
    "山本",
    "中村",
    "小林",
    "加藤",
    "吉田",
    "山田",
    "松本",
    "井上",
    "木村",
)
GIVEN = (
    "太郎",
    "花子",
    "健一",
    "美咲",
    "翔",
    "陽子",
    "大輔",
    "由美",
    "誠",
    "恵子",
    "拓也",
    "真由美",
)
KANA = (
    "サトウ",
    "スズキ",
    "タカハシ",
    "タナカ",
    "イトウ",
    "ワタナベ",
    "ヤマモト",
    "ナカムラ",
    "コバヤシ",
    "カトウ",
    "ヨシダ",
    "ヤマダ",
    "マツモト",
    "イノウエ",
    "キムラ",
)
COMPANY_WORDS = ("桜", "富士", "青葉", "大和", "東洋", "北斗", "光", "若葉", "朝日", "みなと")
COMPANY_KINDS = ("運輸", "商事", "製作所", "食品", "工業", "設計", "薬局", "不動産")
PREFECTURES = ("東京都", "大阪府", "愛知県", "北海道", "福岡県", "神奈川県", "埼玉県", "兵庫県")
FIXED_PREFIXES = ("03", "06", "052", "011", "092", "045", "048", "078")


@dataclass(frozen=True)
class WorldFiles:
    customers: Path
    transactions: Path
    contacts: Path
    truth: Path
    email_truth: Path


def generate_world(
    spec: WorldSpec, customers: int, seed: int, start: date, out: Path
) -> tuple[WorldFiles, dict[str, Truth]]:
    """Write the three CSV files and the truth under `out`; the same (spec, seed) gives the same bytes."""
    rng = np.random.default_rng([seed, _spec_salt(spec)])
    end = datetime(start.year, start.month, start.day, tzinfo=TOKYO) - timedelta(days=1)
    out.mkdir(parents=True, exist_ok=True)
    files = WorldFiles(
        out / "customers.csv",
        out / "transactions.csv",
        out / "contacts.csv",
        out / "truth.json",
        out / "email_truth.json",
    )
    cust_rows, tx_rows, contact_rows, truths = [], [], [], {}
    phones: set[str] = set()
    for i in range(customers):
        cid = f"S{i + 1:05d}"
        kind = "b2b" if rng.random() < spec.b2b_share else "b2c"
        orders, alive, category, mean_spend = _purchases(rng, spec, kind, end)
        reason = _reason(rng, kind, alive)
        archetype = _pick(rng, spec.archetype_mix_b2b if kind == "b2b" else spec.archetype_mix_b2c)
        truth = _truth(
            rng, spec, cid, i, kind, archetype, reason, alive, orders, category, mean_spend, end
        )
        truths[cid] = truth
        cust_rows.append(_customer_row(rng, spec, truth, orders, phones))
        tx_rows += [
            [
                cid,
                at.strftime("%Y-%m-%d %H:%M"),
                amount,
                category,
                f"{category}-{int(rng.integers(1, 9))}",
            ]
            for at, amount in orders
        ]
        contact_rows += _history(rng, spec, truth, orders, end)
    # Drawn after the rest, from its own stream: the email step leaves the rest of the world as it was.
    mail = draw_email_truths(spec.name, _spec_salt(spec), seed, truths)
    for row in cust_rows:
        m = mail[str(row[0])]
        row[8] = m.address
        row.append("0" if m.consent else "1")
    _write(files.customers, ["customer_id", "name", "name_kana", "kind", "company", "contact_person", "previous_rep",
                             "phone", "email", "prefecture", "created_at", "do_not_call", "email_opt_out"],
           cust_rows)  # fmt: skip
    write_email_truths(files.email_truth, mail)
    _write(
        files.transactions, ["customer_id", "ordered_at", "amount", "category", "product"], tx_rows
    )
    contact_rows.sort(key=lambda r: (r[1], r[0]))
    _write(files.contacts, ["customer_id", "at", "channel", "direction", "outcome", "operator", "script", "reason",
                            "amount", "callback_at", "note"], contact_rows)  # fmt: skip
    files.truth.write_text(
        json.dumps({k: asdict(v) for k, v in truths.items()}, ensure_ascii=False), encoding="utf-8"
    )
    return files, truths


def _spec_salt(spec: WorldSpec) -> int:
    return sum((i + 1) * ord(c) for i, c in enumerate(spec.name))


def _pick(rng: np.random.Generator, weights: dict[str, float]) -> str:
    keys = list(weights)
    p = np.array([weights[k] for k in keys], dtype=float)
    return keys[int(rng.choice(len(keys), p=p / p.sum()))]


def _season(category: str, when: datetime, strength: float) -> float:
    """Relative purchase rate in the month of `when` (mean 1 over a year)."""
    return 1.0 + strength * math.cos(2 * math.pi * (when.month - CATEGORY_PEAKS[category]) / 12)


def _purchases(
    rng: np.random.Generator, spec: WorldSpec, kind: str, end: datetime
) -> tuple[list[tuple[datetime, int]], bool, str, float]:
    category = str(rng.choice(B2B_CATEGORIES if kind == "b2b" else CATEGORIES))
    rate = rng.gamma(1.4, (8.0 if kind == "b2b" else 4.5) / 1.4)  # orders per year while alive
    dropout = rng.beta(1.3, 4.0)
    mean_spend = rng.gamma(3.0, (42000.0 if kind == "b2b" else 6500.0) / 3.0)
    span = (end.date() - HISTORY_START).days - 45
    at = datetime(HISTORY_START.year, 1, 1, tzinfo=TOKYO) + timedelta(
        days=float(rng.uniform(0, span))
    )
    at = at.replace(hour=int(rng.integers(9, 22)), minute=int(rng.integers(0, 60)))
    orders, alive = [], True
    top = 1.0 + spec.season_strength
    while at < end:
        orders.append((at, _amount(rng, mean_spend)))
        if rng.random() < dropout:
            alive = False
            break
        while True:  # thinning: a seasonal Poisson process
            at = at + timedelta(days=float(rng.exponential(365.0 / (rate * top))))
            if at >= end or rng.random() < _season(category, at, spec.season_strength) / top:
                break
    return orders, alive, category, mean_spend


def _amount(rng: np.random.Generator, mean_spend: float) -> int:
    return max(500, int(round(rng.gamma(6.0, mean_spend / 6.0) / 100.0)) * 100)


def _reason(rng: np.random.Generator, kind: str, alive: bool) -> str:
    base = REASONS_B2B if kind == "b2b" else REASONS_B2C
    weights = {r: w * (1.6 if not alive and r in DEAD_LEANING else 1.0) for r, w in base.items()}
    return _pick(rng, weights)


def _truth(rng: np.random.Generator, spec: WorldSpec, cid: str, index: int, kind: str, archetype: str, reason: str,
           alive: bool, orders: list[tuple[datetime, int]], category: str, mean_spend: float, end: datetime) -> Truth:  # fmt: skip
    months = (end - orders[-1][0]).days / 30.4
    lead = (CATEGORY_PEAKS[category] - end.month) % 12  # months until the category's peak
    season = spec.season_strength * 1.5 if lead <= 2 else 0.0
    logit = (-2.3 + 1.5 * alive - 0.05 * months + 0.35 * math.log(len(orders)) + season + REASON_EFFECT[reason]
             + float(rng.normal(0.0, 0.6)))  # fmt: skip
    mean, spread = spec.answer_peak
    if archetype == "rarely":
        peak = float(rng.uniform(0.06, 0.16))
    else:
        peak = float(np.clip(rng.normal(mean, spread), 0.12, 0.92))
    base = peak * float(rng.uniform(0.05, 0.25))
    assert archetype in ARCHETYPES
    return Truth(
        customer_id=cid, index=index, kind=kind, archetype=archetype, p_peak=peak, p_base=base, reason=reason,
        alive=alive, propensity=min(0.6, sigmoid(logit)),
        value=max(1000, int(round(mean_spend * float(rng.gamma(4.0, 0.25)) / 100.0)) * 100),
        p_callback=min(0.8, spec.callback_rate * float(rng.uniform(0.5, 1.5))),
        callback_hours=CALLBACK_HOURS[archetype], wrong_number=bool(rng.random() < 0.015), category=category,
    )  # fmt: skip


def _phone(rng: np.random.Generator, kind: str, used: set[str]) -> str:
    while True:
        if kind == "b2c" and rng.random() < 0.7:
            text = f"0{int(rng.choice([70, 80, 90]))}-{int(rng.integers(1000, 10000))}-{int(rng.integers(0, 10000)):04d}"
        else:
            prefix = str(rng.choice(FIXED_PREFIXES))
            middle = 4 if len(prefix) == 2 else 3
            text = f"{prefix}-{int(rng.integers(10 ** (middle - 1) * 2, 10**middle))}-{int(rng.integers(0, 10000)):04d}"
        number = phonenumbers.parse(text, "JP")
        if phonenumbers.is_valid_number(number) and text not in used:
            used.add(text)
            return text


def _customer_row(
    rng: np.random.Generator,
    spec: WorldSpec,
    t: Truth,
    orders: list[tuple[datetime, int]],
    used: set[str],
) -> list[object]:
    s, g = int(rng.integers(len(SURNAMES))), int(rng.integers(len(GIVEN)))
    person = f"{SURNAMES[s]} {GIVEN[g]}"
    company = contact = previous = ""
    name = person
    if t.kind == "b2b":
        company = f"{COMPANY_WORDS[int(rng.integers(len(COMPANY_WORDS)))]}{COMPANY_KINDS[int(rng.integers(len(COMPANY_KINDS)))]}株式会社"
        name, contact = company, person
        shows = spec.rep_signal if t.reason == "contact_person_changed" else 0.06
        if rng.random() < shows:
            previous = f"{SURNAMES[int(rng.integers(len(SURNAMES)))]} {GIVEN[int(rng.integers(len(GIVEN)))]}"
    created = orders[0][0] - timedelta(days=int(rng.integers(0, 30)))
    return [t.customer_id, name, KANA[s], t.kind, company, contact, previous, _phone(rng, t.kind, used),
            f"{t.customer_id.lower()}@example.jp", PREFECTURES[int(rng.integers(len(PREFECTURES)))],
            created.strftime("%Y-%m-%d"), "1" if rng.random() < 0.01 else "0"]  # fmt: skip


def _history(
    rng: np.random.Generator,
    spec: WorldSpec,
    t: Truth,
    orders: list[tuple[datetime, int]],
    end: datetime,
) -> list[list[object]]:
    rows: list[list[object]] = []
    last_order = orders[-1][0]
    complaint = (
        spec.complaint_signal if t.reason == "quality_dissatisfaction" else spec.complaint_noise
    )
    if rng.random() < complaint:
        before = rng.random() < 0.7 or last_order > end - timedelta(days=3)
        when = (
            last_order - timedelta(days=float(rng.uniform(1, 30)))
            if before
            else last_order + timedelta(days=float(rng.uniform(1, 20)))
        )
        rows.append(
            _contact(
                t,
                min(when, end - timedelta(hours=1)),
                "call",
                "inbound",
                "complaint",
                note="品質について",
            )
        )
    if rng.random() >= 0.35:
        return rows
    first = max(orders[0][0], end - timedelta(days=540))
    for _ in range(int(rng.integers(1, 5))):
        day = first + timedelta(days=float(rng.uniform(0, max(1.0, (end - first).days - 1))))
        if day.weekday() == 6:
            day -= timedelta(days=1)
        at = day.replace(
            hour=int(rng.integers(9, 20)), minute=int(rng.integers(0, 60)), second=0, microsecond=0
        )
        if not t.wrong_number and rng.random() < p_answer(t, at):
            heard = t.reason if rng.random() < spec.heard_share else ""
            if rng.random() < spec.refusal_rate:
                rows.append(_contact(t, at, "call", "outbound", "not_interested", reason=heard))
                break
            rows.append(
                _contact(
                    t,
                    at,
                    "call",
                    "outbound",
                    "callback",
                    reason=heard,
                    callback_at=at + timedelta(days=1),
                )
            )
        else:
            rows.append(
                _contact(
                    t,
                    at,
                    "call",
                    "outbound",
                    str(rng.choice(["no_answer", "no_answer", "busy", "voicemail"])),
                )
            )
    return rows


def _contact(t: Truth, at: datetime, channel: str, direction: str, outcome: str, reason: str = "",
             callback_at: datetime | None = None, note: str = "") -> list[object]:  # fmt: skip
    operator = "old01" if direction == "outbound" else ""
    return [t.customer_id, at.isoformat(timespec="minutes"), channel, direction, outcome, operator, "", reason, "",
            callback_at.isoformat(timespec="minutes") if callback_at else "", note]  # fmt: skip


def _write(path: Path, header: list[str], rows: list[list[object]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)


def load_truth(path: Path) -> dict[str, Truth]:
    raw = json.loads(path.read_text(encoding="utf-8"))
    return {k: Truth(**{**v, "callback_hours": tuple(v["callback_hours"])}) for k, v in raw.items()}
