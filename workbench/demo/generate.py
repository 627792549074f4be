"""Deterministic synthetic demo data for the dormant-customer (休眠顧客) workbench.

``generate()`` writes four UTF-8 CSV files into a directory:

* ``customers.csv``    – the customer master as a CRM export would give it: Japanese
  names with katakana readings, B2B companies, phone numbers in mixed human formats,
  and (on purpose) a small share of malformed rows.
* ``transactions.csv`` – order history with seasonal categories.
* ``contacts.csv``     – past outbound call attempts (and a few e-mail events).
* ``truth.csv``        – the hidden per-customer ground truth a simulator needs
  (dormancy reason, answering habit, reactivation propensity, ...).

Model in short: every customer gets a target lifecycle state (active / at risk /
dormant / churned / prospect), a mean purchase interval and a "death" time.  The
death time is the last order for customers who dropped out; alive customers keep
buying on their own cycle, so their gap to the end date is exponential in their
interval.  Orders between the first and last one follow a Poisson process (uniform
order statistics), the BG/NBD picture conditioned on the wanted lifecycle mix.
Categories are drawn per month from seasonal weights.  Calls are simulated with
each customer's hidden answering habit (``answer_probability``), so answered
outcomes concentrate in the customer's preferred hours.

Same ``seed`` and ``customers`` give byte-identical files: each block of
``CHUNK_CUSTOMERS`` customers draws from its own generator seeded with
``(seed, block index)`` and is written before the next one is drawn, so memory
stays flat (about 220 MB peak RSS for a million customers).

Measured on the 2-core development box (single process, seed 42): 1,000,000
customers → 10.2M transactions and 1.18M contact rows, 1.0 GB of CSV, in 29-40 s
wall time over three runs (the spread is load from other work on the box).
"""

from __future__ import annotations

import csv
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import numpy as np

from workbench.domain.codes import CONTACTED_OUTCOMES, REASONS
from workbench.importing.records import CONTACT_COLUMNS, CUSTOMER_COLUMNS, TRANSACTION_COLUMNS

# --------------------------------------------------------------------------- #
# Public constants
# --------------------------------------------------------------------------- #

# The demo writes exactly the canonical import formats: one definition, in the importer.
CUSTOMERS_HEADER: tuple[str, ...] = CUSTOMER_COLUMNS
TRANSACTIONS_HEADER: tuple[str, ...] = TRANSACTION_COLUMNS[:5]  # without the optional transaction_id
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

DEFAULT_START = date(2023, 1, 1)
DEFAULT_END = date(2026, 11, 1)
DEFAULT_MALFORMED_RATE = 0.003
CHUNK_CUSTOMERS = 20_000
MAX_CUSTOMERS = 9_999_999  # customer ids are C + 7 digits

# Lifecycle thresholds in days since the last order (B2B buys on longer cycles).
AT_RISK_DAYS: dict[str, int] = {"b2c": 90, "b2b": 180}
LAPSE_DAYS: dict[str, int] = {"b2c": 180, "b2b": 365}
DORMANT_MAX_DAYS = 730

LIFECYCLE_STATES: tuple[str, ...] = ("active", "at_risk", "dormant", "churned", "prospect")
LIFECYCLE_MIX: tuple[float, ...] = (0.30, 0.10, 0.45, 0.05, 0.10)
B2B_SHARE = 0.20

ANSWER_PROFILES: tuple[str, ...] = ("evening", "morning", "daytime", "weekend", "b2b_office")
CALL_FIRST_HOUR = 9
CALL_LAST_HOUR = 19  # last hour a call may start: calling hours are 09:00-20:00, Mon-Sat
OPERATORS: tuple[str, ...] = tuple(f"op{i:02d}" for i in range(1, 9))

CATEGORIES: tuple[str, ...] = (
    "gardening",
    "heating",
    "gifts_ochugen",
    "gifts_oseibo",
    "cosmetics",
    "office_supplies",
    "beverages",
    "stationery",
)

_ACTIVE, _AT_RISK, _DORMANT, _CHURNED, _PROSPECT = range(5)
_SECONDS_PER_DAY = 86_400
_JST_SUFFIX = "+09:00"


# --------------------------------------------------------------------------- #
# Answering habit (public: the simulator recomputes it from truth.csv)
# --------------------------------------------------------------------------- #

# Offices are closed at the weekend; somebody may still pick up, but rarely.
_CLOSED_OFFICE_FACTOR = 0.2


def in_preferred_hours(profile: str, weekday: int, hour: int) -> bool:
    """Whether ``hour`` (0-23) on ``weekday`` (0=Monday … 6=Sunday) lies in the profile's window."""
    if profile == "evening":
        return 18 <= hour < 21
    if profile == "morning":
        return 9 <= hour < 12
    if profile == "daytime":
        return weekday < 5 and (10 <= hour < 12 or 13 <= hour < 16)
    if profile == "weekend":
        return weekday >= 5 and 10 <= hour < 18
    if profile == "b2b_office":
        return weekday < 5 and (10 <= hour < 12 or 14 <= hour < 16)
    raise ValueError(f"unknown answer profile: {profile!r}")


def answer_probability(profile: str, peak: float, base: float, weekday: int, hour: int) -> float:
    """Probability that the customer answers a call at ``hour`` on ``weekday`` (0=Monday).

    ``peak`` applies inside the profile's preferred window, ``base`` outside it; a
    ``b2b_office`` customer called at the weekend answers with ``base * 0.2``.
    """
    if in_preferred_hours(profile, weekday, hour):
        return peak
    if profile == "b2b_office" and weekday >= 5:
        return base * _CLOSED_OFFICE_FACTOR
    return base


# --------------------------------------------------------------------------- #
# Reference data
# --------------------------------------------------------------------------- #

# (kanji, katakana reading, romaji for e-mail addresses)
FAMILY_NAMES: tuple[tuple[str, str, str], ...] = (
    ("佐藤", "サトウ", "sato"),
    ("鈴木", "スズキ", "suzuki"),
    ("高橋", "タカハシ", "takahashi"),
    ("田中", "タナカ", "tanaka"),
    ("伊藤", "イトウ", "ito"),
    ("渡辺", "ワタナベ", "watanabe"),
    ("山本", "ヤマモト", "yamamoto"),
    ("中村", "ナカムラ", "nakamura"),
    ("小林", "コバヤシ", "kobayashi"),
    ("加藤", "カトウ", "kato"),
    ("吉田", "ヨシダ", "yoshida"),
    ("山田", "ヤマダ", "yamada"),
    ("佐々木", "ササキ", "sasaki"),
    ("山口", "ヤマグチ", "yamaguchi"),
    ("松本", "マツモト", "matsumoto"),
    ("井上", "イノウエ", "inoue"),
    ("木村", "キムラ", "kimura"),
    ("林", "ハヤシ", "hayashi"),
    ("斎藤", "サイトウ", "saito"),
    ("清水", "シミズ", "shimizu"),
    ("山崎", "ヤマザキ", "yamazaki"),
    ("森", "モリ", "mori"),
    ("池田", "イケダ", "ikeda"),
    ("橋本", "ハシモト", "hashimoto"),
    ("阿部", "アベ", "abe"),
    ("石川", "イシカワ", "ishikawa"),
    ("山下", "ヤマシタ", "yamashita"),
    ("中島", "ナカジマ", "nakajima"),
    ("石井", "イシイ", "ishii"),
    ("小川", "オガワ", "ogawa"),
    ("前田", "マエダ", "maeda"),
    ("岡田", "オカダ", "okada"),
    ("長谷川", "ハセガワ", "hasegawa"),
    ("藤田", "フジタ", "fujita"),
    ("後藤", "ゴトウ", "goto"),
    ("近藤", "コンドウ", "kondo"),
    ("村上", "ムラカミ", "murakami"),
    ("遠藤", "エンドウ", "endo"),
    ("青木", "アオキ", "aoki"),
    ("坂本", "サカモト", "sakamoto"),
    ("斉藤", "サイトウ", "saito"),
    ("福田", "フクダ", "fukuda"),
    ("太田", "オオタ", "ota"),
    ("西村", "ニシムラ", "nishimura"),
    ("藤井", "フジイ", "fujii"),
    ("金子", "カネコ", "kaneko"),
    ("岡本", "オカモト", "okamoto"),
    ("藤原", "フジワラ", "fujiwara"),
    ("中野", "ナカノ", "nakano"),
    ("三浦", "ミウラ", "miura"),
    ("原田", "ハラダ", "harada"),
    ("松田", "マツダ", "matsuda"),
    ("竹内", "タケウチ", "takeuchi"),
    ("小野", "オノ", "ono"),
)
GIVEN_NAMES: tuple[tuple[str, str, str], ...] = (
    ("花子", "ハナコ", "hanako"),
    ("陽子", "ヨウコ", "yoko"),
    ("恵子", "ケイコ", "keiko"),
    ("和子", "カズコ", "kazuko"),
    ("幸子", "サチコ", "sachiko"),
    ("久美子", "クミコ", "kumiko"),
    ("由美子", "ユミコ", "yumiko"),
    ("真由美", "マユミ", "mayumi"),
    ("美穂", "ミホ", "miho"),
    ("愛", "アイ", "ai"),
    ("彩", "アヤ", "aya"),
    ("優子", "ユウコ", "yuko"),
    ("直美", "ナオミ", "naomi"),
    ("明美", "アケミ", "akemi"),
    ("智子", "トモコ", "tomoko"),
    ("美咲", "ミサキ", "misaki"),
    ("陽菜", "ヒナ", "hina"),
    ("結衣", "ユイ", "yui"),
    ("さくら", "サクラ", "sakura"),
    ("千尋", "チヒロ", "chihiro"),
    ("麻衣", "マイ", "mai"),
    ("香織", "カオリ", "kaori"),
    ("節子", "セツコ", "setsuko"),
    ("京子", "キョウコ", "kyoko"),
    ("典子", "ノリコ", "noriko"),
    ("奈々", "ナナ", "nana"),
    ("裕子", "ユウコ", "yuko"),
    ("太郎", "タロウ", "taro"),
    ("一郎", "イチロウ", "ichiro"),
    ("健太", "ケンタ", "kenta"),
    ("大輔", "ダイスケ", "daisuke"),
    ("翔太", "ショウタ", "shota"),
    ("拓也", "タクヤ", "takuya"),
    ("誠", "マコト", "makoto"),
    ("浩", "ヒロシ", "hiroshi"),
    ("清", "キヨシ", "kiyoshi"),
    ("茂", "シゲル", "shigeru"),
    ("隆", "タカシ", "takashi"),
    ("修", "オサム", "osamu"),
    ("健一", "ケンイチ", "kenichi"),
    ("直樹", "ナオキ", "naoki"),
    ("和也", "カズヤ", "kazuya"),
    ("達也", "タツヤ", "tatsuya"),
    ("蓮", "レン", "ren"),
    ("大翔", "ヒロト", "hiroto"),
    ("悠真", "ユウマ", "yuma"),
    ("翔", "ショウ", "sho"),
    ("康介", "コウスケ", "kosuke"),
    ("正人", "マサト", "masato"),
    ("勝", "マサル", "masaru"),
    ("雄一", "ユウイチ", "yuichi"),
    ("秀樹", "ヒデキ", "hideki"),
    ("亮", "リョウ", "ryo"),
    ("聡", "サトシ", "satoshi"),
)
COMPANY_STEMS: tuple[tuple[str, str, str], ...] = (
    ("東洋", "トウヨウ", "toyo"),
    ("大和", "ヤマト", "yamato"),
    ("富士", "フジ", "fuji"),
    ("旭", "アサヒ", "asahi"),
    ("三和", "サンワ", "sanwa"),
    ("平和", "ヘイワ", "heiwa"),
    ("中央", "チュウオウ", "chuo"),
    ("北斗", "ホクト", "hokuto"),
    ("青葉", "アオバ", "aoba"),
    ("若葉", "ワカバ", "wakaba"),
    ("光", "ヒカリ", "hikari"),
    ("桜", "サクラ", "sakura"),
    ("丸山", "マルヤマ", "maruyama"),
    ("山田", "ヤマダ", "yamada"),
    ("高橋", "タカハシ", "takahashi"),
    ("松井", "マツイ", "matsui"),
    ("大成", "タイセイ", "taisei"),
    ("日栄", "ニチエイ", "nichiei"),
    ("共栄", "キョウエイ", "kyoei"),
    ("協和", "キョウワ", "kyowa"),
    ("昭和", "ショウワ", "showa"),
    ("新光", "シンコウ", "shinko"),
    ("東邦", "トウホウ", "toho"),
    ("北陸", "ホクリク", "hokuriku"),
    ("みどり", "ミドリ", "midori"),
    ("サンライズ", "サンライズ", "sunrise"),
    ("丸栄", "マルエイ", "maruei"),
    ("浪速", "ナニワ", "naniwa"),
    ("瀬戸内", "セトウチ", "setouchi"),
    ("常盤", "トキワ", "tokiwa"),
)
COMPANY_TRADES: tuple[tuple[str, str, str], ...] = (
    ("商事", "ショウジ", "shoji"),
    ("工業", "コウギョウ", "kogyo"),
    ("物産", "ブッサン", "bussan"),
    ("製作所", "セイサクショ", "seisakusho"),
    ("建設", "ケンセツ", "kensetsu"),
    ("電機", "デンキ", "denki"),
    ("食品", "ショクヒン", "shokuhin"),
    ("運輸", "ウンユ", "unyu"),
    ("不動産", "フドウサン", "fudosan"),
    ("印刷", "インサツ", "insatsu"),
    ("産業", "サンギョウ", "sangyo"),
    ("精機", "セイキ", "seiki"),
    ("設備", "セツビ", "setsubi"),
    ("薬品", "ヤクヒン", "yakuhin"),
    ("化成", "カセイ", "kasei"),
)
# (legal form, placed before the name?, weight): 前株 / 後株 / 有限会社 / 合同会社
LEGAL_FORMS: tuple[tuple[str, bool, float], ...] = (
    ("株式会社", True, 0.50),
    ("株式会社", False, 0.25),
    ("有限会社", True, 0.20),
    ("合同会社", False, 0.05),
)
SALES_REPS: tuple[str, ...] = (
    "山本 健太",
    "佐々木 美穂",
    "中村 大輔",
    "小林 直美",
    "加藤 誠",
    "吉田 香織",
    "井上 拓也",
    "松本 智子",
    "木村 聡",
    "林 由美子",
    "清水 達也",
    "森 彩",
)
PERSONAL_MAIL_DOMAINS: tuple[tuple[str, float], ...] = (
    ("gmail.com", 0.30),
    ("yahoo.co.jp", 0.22),
    ("docomo.ne.jp", 0.10),
    ("ezweb.ne.jp", 0.07),
    ("icloud.com", 0.10),
    ("softbank.ne.jp", 0.05),
    ("outlook.jp", 0.05),
    ("hotmail.co.jp", 0.04),
    ("nifty.com", 0.04),
    ("biglobe.ne.jp", 0.03),
)

# Population in millions (2020 census, rounded) drives where customers live.
PREFECTURE_POPULATION: dict[str, float] = {
    "北海道": 5.22,
    "青森県": 1.24,
    "岩手県": 1.21,
    "宮城県": 2.30,
    "秋田県": 0.96,
    "山形県": 1.07,
    "福島県": 1.83,
    "茨城県": 2.87,
    "栃木県": 1.93,
    "群馬県": 1.94,
    "埼玉県": 7.34,
    "千葉県": 6.28,
    "東京都": 14.05,
    "神奈川県": 9.24,
    "新潟県": 2.20,
    "富山県": 1.03,
    "石川県": 1.13,
    "福井県": 0.77,
    "山梨県": 0.81,
    "長野県": 2.05,
    "岐阜県": 1.98,
    "静岡県": 3.63,
    "愛知県": 7.54,
    "三重県": 1.77,
    "滋賀県": 1.41,
    "京都府": 2.58,
    "大阪府": 8.84,
    "兵庫県": 5.47,
    "奈良県": 1.32,
    "和歌山県": 0.92,
    "鳥取県": 0.55,
    "島根県": 0.67,
    "岡山県": 1.89,
    "広島県": 2.80,
    "山口県": 1.34,
    "徳島県": 0.72,
    "香川県": 0.95,
    "愛媛県": 1.33,
    "高知県": 0.69,
    "福岡県": 5.14,
    "佐賀県": 0.81,
    "長崎県": 1.31,
    "熊本県": 1.74,
    "大分県": 1.12,
    "宮崎県": 1.07,
    "鹿児島県": 1.59,
    "沖縄県": 1.47,
}

# (area code, prefecture, share within the prefecture, valid first two digits of the
# local number as inclusive ranges).  The ranges were checked against libphonenumber's
# metadata and geocoder so every generated landline is valid and geocodes to a city in
# its prefecture (e.g. 076-2xx is 金沢/石川県, 076-4xx is 富山/富山県).
AREA_CODES: tuple[tuple[str, str, float, tuple[tuple[int, int], ...]], ...] = (
    ("011", "北海道", 1.0, ((20, 39), (50, 89))),
    ("017", "青森県", 1.0, ((70, 79),)),
    ("019", "岩手県", 1.0, ((60, 69), (90, 99))),
    ("022", "宮城県", 1.0, ((20, 30), (34, 39), (70, 79))),
    ("018", "秋田県", 1.0, ((80, 89),)),
    ("023", "山形県", 1.0, ((60, 69),)),
    ("024", "福島県", 1.0, ((50, 59),)),
    ("029", "茨城県", 1.0, ((20, 30), (35, 39))),
    ("028", "栃木県", 1.0, ((10, 19), (60, 69))),
    ("027", "群馬県", 1.0, ((20, 29),)),
    ("048", "埼玉県", 1.0, ((60, 89),)),
    ("043", "千葉県", 1.0, ((20, 49),)),
    ("03", "東京都", 0.88, ((10, 99),)),
    ("0422", "東京都", 0.12, ((20, 99),)),
    ("045", "神奈川県", 0.80, ((10, 99),)),
    ("0466", "神奈川県", 0.20, ((10, 99),)),
    ("025", "新潟県", 1.0, ((20, 39),)),
    ("076", "富山県", 1.0, ((40, 49),)),
    ("076", "石川県", 1.0, ((20, 29),)),
    ("0776", "福井県", 1.0, ((10, 99),)),
    ("055", "山梨県", 1.0, ((20, 29),)),
    ("026", "長野県", 1.0, ((20, 29), (46, 49))),
    ("058", "岐阜県", 1.0, ((20, 39),)),
    ("054", "静岡県", 1.0, ((20, 39), (60, 69), (90, 99))),
    ("052", "愛知県", 1.0, ((10, 99),)),
    ("059", "三重県", 1.0, ((10, 29),)),
    ("077", "滋賀県", 1.0, ((50, 59),)),
    ("075", "京都府", 1.0, ((10, 99),)),
    ("06", "大阪府", 0.75, ((10, 99),)),
    ("072", "大阪府", 0.25, ((20, 29), (31, 37))),
    ("078", "兵庫県", 1.0, ((10, 99),)),
    ("0742", "奈良県", 1.0, ((10, 99),)),
    ("073", "和歌山県", 1.0, ((40, 49),)),
    ("0857", "鳥取県", 1.0, ((10, 99),)),
    ("0852", "島根県", 1.0, ((10, 99),)),
    ("086", "岡山県", 1.0, ((20, 29),)),
    ("082", "広島県", 1.0, ((20, 29), (50, 59), (80, 90))),
    ("083", "山口県", 1.0, ((92, 96),)),
    ("088", "徳島県", 1.0, ((60, 69),)),
    ("087", "香川県", 1.0, ((80, 89),)),
    ("089", "愛媛県", 1.0, ((90, 99),)),
    ("088", "高知県", 1.0, ((80, 89),)),
    ("092", "福岡県", 0.65, ((20, 31), (34, 99))),
    ("093", "福岡県", 0.35, ((20, 99),)),
    ("0952", "佐賀県", 1.0, ((10, 99),)),
    ("095", "長崎県", 1.0, ((80, 89),)),
    ("096", "熊本県", 1.0, ((20, 39),)),
    ("097", "大分県", 1.0, ((50, 59),)),
    ("0985", "宮崎県", 1.0, ((10, 99),)),
    ("099", "鹿児島県", 1.0, ((20, 29), (80, 89))),
    ("098", "沖縄県", 1.0, ((80, 99),)),
)

# Seasonal multipliers per calendar month (Jan … Dec).
CATEGORY_SEASONALITY: dict[str, tuple[float, ...]] = {
    "gardening": (0.3, 0.4, 1.2, 3.0, 3.0, 1.4, 0.8, 0.6, 0.9, 0.8, 0.4, 0.3),
    "heating": (3.0, 2.0, 0.8, 0.2, 0.1, 0.05, 0.05, 0.05, 0.2, 1.0, 2.5, 3.0),
    "gifts_ochugen": (0.03, 0.03, 0.03, 0.03, 0.2, 1.5, 5.0, 0.8, 0.03, 0.03, 0.03, 0.03),
    "gifts_oseibo": (0.03, 0.03, 0.03, 0.03, 0.03, 0.03, 0.03, 0.03, 0.03, 0.1, 1.5, 5.0),
    "cosmetics": (1.0,) * 12,
    "office_supplies": (1.0, 1.0, 2.5, 1.0, 1.0, 1.0, 1.0, 1.0, 2.5, 1.0, 1.0, 1.0),
    "beverages": (0.7, 0.7, 0.8, 0.9, 1.1, 1.4, 2.5, 2.5, 1.3, 0.9, 0.7, 0.8),
    "stationery": (0.8, 1.0, 2.5, 2.5, 1.0, 0.8, 0.8, 0.8, 0.9, 0.8, 0.8, 0.8),
}
# Base category shares per kind before seasonality.
KIND_CATEGORY_SHARE: dict[str, tuple[float, ...]] = {
    "b2c": (0.16, 0.12, 0.07, 0.07, 0.28, 0.00, 0.18, 0.12),
    "b2b": (0.04, 0.08, 0.12, 0.12, 0.00, 0.34, 0.14, 0.16),
}
# Eight products per category: (name, unit price in yen).
PRODUCTS: dict[str, tuple[tuple[str, int], ...]] = {
    "gardening": (
        ("園芸用スコップ", 1280),
        ("培養土 25L", 1480),
        ("花の種セット", 980),
        ("剪定ばさみ", 3980),
        ("じょうろ 6L", 1980),
        ("大型プランター", 2980),
        ("有機肥料 5kg", 2480),
        ("ガーデンチェア", 12800),
    ),
    "heating": (
        ("電気ストーブ", 9800),
        ("セラミックファンヒーター", 12800),
        ("電気毛布", 5980),
        ("オイルヒーター", 29800),
        ("こたつ布団", 14800),
        ("ホットカーペット 2畳", 15800),
        ("湯たんぽ", 1980),
        ("スチーム加湿器", 7980),
    ),
    "gifts_ochugen": (
        ("水ようかん詰め合わせ", 3240),
        ("素麺ギフト", 3780),
        ("フルーツゼリー詰め合わせ", 4320),
        ("ビールギフトセット", 5400),
        ("ハムギフト", 5400),
        ("マスクメロン", 10800),
        ("和牛ギフト", 10800),
        ("洋菓子詰め合わせ", 3240),
    ),
    "gifts_oseibo": (
        ("海苔詰め合わせ", 3240),
        ("洗剤ギフトセット", 3780),
        ("新巻鮭", 8640),
        ("カニ詰め合わせ", 10800),
        ("日本酒飲み比べセット", 5400),
        ("和菓子詰め合わせ", 3240),
        ("コーヒーギフト", 3780),
        ("調味料ギフト", 4320),
    ),
    "cosmetics": (
        ("化粧水", 2980),
        ("乳液", 2980),
        ("美容液", 6800),
        ("オールインワンジェル", 3980),
        ("日焼け止め", 1650),
        ("クレンジングオイル", 2200),
        ("シートマスク 30枚", 1980),
        ("ハンドクリーム", 880),
    ),
    "office_supplies": (
        ("コピー用紙 A4 5000枚", 3980),
        ("トナーカートリッジ", 12800),
        ("クリアファイル 100枚", 1280),
        ("オフィスチェア", 19800),
        ("ファイルボックス 10個", 2980),
        ("シュレッダー", 24800),
        ("長形3号封筒 1000枚", 2480),
        ("ホワイトボード", 9800),
    ),
    "beverages": (
        ("ミネラルウォーター 2L 6本", 980),
        ("緑茶 500ml 24本", 2580),
        ("缶コーヒー 30本", 2980),
        ("炭酸水 500ml 24本", 1980),
        ("麦茶ティーバッグ", 698),
        ("スポーツドリンク 24本", 2780),
        ("ドリップコーヒー 100袋", 3480),
        ("野菜ジュース 30本", 3240),
    ),
    "stationery": (
        ("ボールペン 10本", 1100),
        ("ノート 5冊", 880),
        ("万年筆", 12000),
        ("システム手帳", 2200),
        ("色鉛筆 24色", 1650),
        ("付箋セット", 550),
        ("ペンケース", 1980),
        ("電子メモパッド", 3980),
    ),
}
PRODUCTS_PER_CATEGORY = 8
MAX_QUANTITY = 200

# Hour-of-day weights for orders (0 … 23).
B2C_ORDER_HOURS: tuple[float, ...] = (
    0.3,
    0.15,
    0.08,
    0.05,
    0.05,
    0.1,
    0.3,
    0.6,
    0.8,
    1.0,
    1.2,
    1.3,
    1.5,
    1.3,
    1.1,
    1.0,
    1.0,
    1.1,
    1.3,
    1.6,
    1.9,
    2.0,
    1.6,
    0.8,
)
B2B_ORDER_HOURS: tuple[float, ...] = (
    0.0,
    0.0,
    0.0,
    0.0,
    0.0,
    0.0,
    0.02,
    0.1,
    0.6,
    1.8,
    2.0,
    1.8,
    0.8,
    1.6,
    1.8,
    1.7,
    1.5,
    1.0,
    0.5,
    0.2,
    0.1,
    0.05,
    0.0,
    0.0,
)
# How operators spread attempts over the calling day (09 … 19) and the week (Mon … Sat).
CALL_HOUR_WEIGHTS: tuple[float, ...] = (0.6, 1.2, 1.2, 0.5, 1.0, 1.2, 1.2, 1.1, 1.0, 0.9, 0.7)
SATURDAY_CALL_SHARE = 0.4  # relative to a weekday

# Reasons a customer lapsed, by kind (order of REASONS).
_REASON_WEIGHTS: dict[str, tuple[float, ...]] = {
    "b2c": (0.24, 0.08, 0.10, 0.14, 0.07, 0.08, 0.12, 0.00, 0.07, 0.10),
    "b2b": (0.12, 0.07, 0.16, 0.14, 0.08, 0.10, 0.00, 0.18, 0.05, 0.10),
}
_CHURNED_REASON_WEIGHTS = (0.0, 0.60, 0.20, 0.20, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0)
_PROSPECT_REASON_WEIGHTS = (0.0, 0.0, 0.05, 0.30, 0.40, 0.05, 0.0, 0.0, 0.0, 0.20)
# How easily a reached customer with this reason buys again.
_REASON_PROPENSITY: dict[str, float] = {
    "usage_decreased": 0.20,
    "quality_dissatisfaction": 0.06,
    "competitor": 0.12,
    "price": 0.30,
    "long_consideration": 0.28,
    "needs_changed": 0.12,
    "life_stage_change": 0.10,
    "contact_person_changed": 0.22,
    "moved": 0.05,
    "unknown": 0.15,
}
_PROFILE_WEIGHTS: dict[str, tuple[float, ...]] = {
    "b2c": (0.35, 0.25, 0.25, 0.15, 0.0),
    "b2b": (0.0, 0.0, 0.20, 0.0, 0.80),
}

# Share of customers per lifecycle state with a past call campaign (churned: always).
_CALLED_SHARE = (0.10, 0.30, 0.40, 1.0, 0.15)
_WRONG_NUMBER_SHARE = 0.03
_WONBACK_FACTOR = 0.9  # P(a called buyer was once won back by phone) = factor * propensity
_EMAIL_CAMPAIGN_SHARE = 0.06
_RANDOM_DNC_SHARE = 0.003
_RANDOM_OPT_OUT_SHARE = 0.065  # of customers with an e-mail address

_WINBACK_SCRIPTS = {False: "winback_b2c", True: "winback_b2b"}
_FOLLOWUP_SCRIPT = "followup"
_PROSPECT_SCRIPT = "prospect_intro"
_EMAIL_SCRIPT = "email_winback"

_REASON_NOTES: dict[str, tuple[str, ...]] = {
    "usage_decreased": ("最近使う機会が減ったとのこと", "まだ在庫が残っているとのこと"),
    "quality_dissatisfaction": (
        "前回の商品の品質に不満があったとのこと",
        "届いた商品に傷があったとのこと",
    ),
    "competitor": ("他社の通販に切り替えたとのこと", "近所の店舗で購入しているとのこと"),
    "price": ("価格が高いと感じているとのこと", "送料が負担とのこと"),
    "long_consideration": ("購入を検討中とのこと", "カタログを見てから決めたいとのこと"),
    "needs_changed": ("必要な商品が変わったとのこと", "用途が変わったとのこと"),
    "life_stage_change": (
        "子どもが独立して需要が減ったとのこと",
        "退職されて生活が変わったとのこと",
    ),
    "contact_person_changed": ("担当者が異動されたとのこと", "購買担当が交代したとのこと"),
    "moved": ("転居されたとのこと", "引っ越しで住所が変わったとのこと"),
    "unknown": ("理由は伺えず", "特に理由はないとのこと"),
}
_OUTCOME_NOTES: dict[str, tuple[str, ...]] = {
    "callback": ("改めて連絡希望", "今は忙しいので後日とのこと"),
    "not_interested": ("今は必要ないとのこと", "購入予定はないとのこと"),
    "reactivated": ("その場で再注文をいただいた", "キャンペーン案内で再購入"),
    "complaint": ("前回の対応に強いご不満、謝罪済み", "配送遅延へのご不満、上長へ報告"),
    "do_not_call": ("今後の電話は不要とのこと", "電話での案内はお断りとのこと"),
    "contact_changed": ("連絡先が変更とのこと", "新しい連絡先を確認"),
}

_FULLWIDTH = str.maketrans("0123456789-", "０１２３４５６７８９－")


# --------------------------------------------------------------------------- #
# Result type
# --------------------------------------------------------------------------- #


@dataclass(frozen=True)
class DemoFiles:
    """Paths of the written files and their data-row counts (headers excluded)."""

    customers: Path
    transactions: Path
    contacts: Path
    truth: Path
    customer_rows: int
    transaction_rows: int
    contact_rows: int
    truth_rows: int
    malformed_rows: int


# --------------------------------------------------------------------------- #
# Calendar helpers
# --------------------------------------------------------------------------- #

# Callback appointments may point past the end date, so the day tables run longer.
_CALENDAR_MARGIN_DAYS = 60


@dataclass(frozen=True)
class _Calendar:
    days: int  # number of days in [start, end)
    day_prefix: list[str]  # "YYYY-MM-DDT" per day offset
    time_suffix: list[str]  # "HH:MM:SS+09:00" per second of day
    month: np.ndarray  # 0-11 per day offset
    weekday: np.ndarray  # 0=Monday per day offset
    weekday0: int

    @classmethod
    def build(cls, start: date, end: date) -> _Calendar:
        days = (end - start).days
        all_days = [start + timedelta(days=i) for i in range(days + _CALENDAR_MARGIN_DAYS)]
        time_suffix = [
            f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}{_JST_SUFFIX}"
            for s in range(_SECONDS_PER_DAY)
        ]
        return cls(
            days=days,
            day_prefix=[f"{d.isoformat()}T" for d in all_days],
            time_suffix=time_suffix,
            month=np.array([d.month - 1 for d in all_days], dtype=np.int64),
            weekday=np.array([d.weekday() for d in all_days], dtype=np.int64),
            weekday0=start.weekday(),
        )

    @property
    def end_sec(self) -> int:
        return self.days * _SECONDS_PER_DAY

    def iso(self, sec: int) -> str:
        day, rest = divmod(sec, _SECONDS_PER_DAY)
        return self.day_prefix[day] + self.time_suffix[rest]

    def weekday_of(self, day: int) -> int:
        return (self.weekday0 + day) % 7


# --------------------------------------------------------------------------- #
# Latent per-customer draw (vectorised per chunk)
# --------------------------------------------------------------------------- #


@dataclass
class _Latent:
    b2b: np.ndarray
    state: np.ndarray
    first_day: np.ndarray  # float day offsets; meaningless for prospects
    last_day: np.ndarray
    n_tx: np.ndarray
    value: np.ndarray
    fav: np.ndarray
    reason: np.ndarray
    profile: np.ndarray
    p_peak: np.ndarray
    p_base: np.ndarray
    propensity: np.ndarray
    alive: np.ndarray
    has_email: np.ndarray

    @property
    def size(self) -> int:
        return len(self.b2b)


def _by_kind(b2b: np.ndarray, b2c_value: float, b2b_value: float) -> np.ndarray:
    return np.where(b2b, b2b_value, b2c_value)


def _choice_by_kind(
    rng: np.random.Generator, b2b: np.ndarray, weights: dict[str, Sequence[float]]
) -> np.ndarray:
    b2c_pick = rng.choice(len(weights["b2c"]), size=len(b2b), p=_normalised(weights["b2c"]))
    b2b_pick = rng.choice(len(weights["b2b"]), size=len(b2b), p=_normalised(weights["b2b"]))
    return np.where(b2b, b2b_pick, b2c_pick)


def _normalised(weights: Sequence[float]) -> np.ndarray:
    w = np.asarray(weights, dtype=float)
    return w / w.sum()


def _gap_days(
    rng: np.random.Generator, state: np.ndarray, b2b: np.ndarray, mean_gap: np.ndarray
) -> np.ndarray:
    """Days between the last order and the end date, consistent with the target state."""
    at_risk = _by_kind(b2b, AT_RISK_DAYS["b2c"], AT_RISK_DAYS["b2b"])
    lapse = _by_kind(b2b, LAPSE_DAYS["b2c"], LAPSE_DAYS["b2b"])
    u = rng.random(len(state))
    # Alive customers' time since last order is exponential in their own interval,
    # truncated to the active window.
    active = -mean_gap * np.log1p(-u * -np.expm1(-at_risk / mean_gap))
    gap = np.select(
        [state == _ACTIVE, state == _AT_RISK, state == _DORMANT],
        [active, at_risk + u * (lapse - at_risk), lapse + u * (DORMANT_MAX_DAYS - lapse)],
        default=30.0 + u * 570.0,  # churned: complained within ~2 years
    )
    return np.maximum(gap, 0.01)


def _draw_latent(rng: np.random.Generator, m: int, days: int) -> _Latent:
    b2b = rng.random(m) < B2B_SHARE
    state = rng.choice(len(LIFECYCLE_STATES), size=m, p=_normalised(LIFECYCLE_MIX))
    mean_gap = _by_kind(b2b, 70.0, 48.0) * rng.lognormal(0.0, 0.6, m)
    gap = np.minimum(_gap_days(rng, state, b2b, mean_gap), days - 0.01)
    last_day = days - gap
    first_day = last_day * rng.random(m)
    n_tx = 1 + rng.poisson((last_day - first_day) / mean_gap)
    n_tx = np.where(state == _PROSPECT, 0, np.minimum(n_tx, 400))

    value = np.rint(_by_kind(b2b, 5000.0, 30000.0) * rng.lognormal(0.0, _by_kind(b2b, 0.55, 0.7)))
    fav = _choice_by_kind(rng, b2b, KIND_CATEGORY_SHARE)

    reason = _choice_by_kind(rng, b2b, _REASON_WEIGHTS)
    reason = np.where(
        state == _CHURNED,
        rng.choice(len(REASONS), size=m, p=_normalised(_CHURNED_REASON_WEIGHTS)),
        reason,
    )
    reason = np.where(
        state == _PROSPECT,
        rng.choice(len(REASONS), size=m, p=_normalised(_PROSPECT_REASON_WEIGHTS)),
        reason,
    )

    profile = _choice_by_kind(rng, b2b, _PROFILE_WEIGHTS)
    p_peak = np.round(rng.uniform(_by_kind(b2b, 0.35, 0.45), _by_kind(b2b, 0.75, 0.80)), 3)
    p_base = np.round(rng.uniform(0.02, 0.12, m), 3)

    base_propensity = np.array([_REASON_PROPENSITY[r] for r in REASONS])[reason]
    propensity = (
        base_propensity * rng.lognormal(0.0, 0.35, m) * np.where(state == _CHURNED, 0.2, 1.0)
    )
    propensity = np.round(np.clip(propensity, 0.01, 0.9), 3)

    alive = (state == _ACTIVE) | ((state == _AT_RISK) & (rng.random(m) < 0.35))
    has_email = rng.random(m) < _by_kind(b2b, 0.68, 0.80)
    return _Latent(
        b2b=b2b,
        state=state,
        first_day=first_day,
        last_day=last_day,
        n_tx=n_tx,
        value=value,
        fav=fav,
        reason=reason,
        profile=profile,
        p_peak=p_peak,
        p_base=p_base,
        propensity=propensity,
        alive=alive,
        has_email=has_email,
    )


# --------------------------------------------------------------------------- #
# Transactions (vectorised per chunk)
# --------------------------------------------------------------------------- #


def _seasonal_table() -> np.ndarray:
    """Category weights indexed [is_b2b, month, category]."""
    season = np.array([CATEGORY_SEASONALITY[c] for c in CATEGORIES]).T  # (12, C)
    shares = np.array([KIND_CATEGORY_SHARE["b2c"], KIND_CATEGORY_SHARE["b2b"]])  # (2, C)
    return shares[:, None, :] * season[None, :, :]


_SEASONAL = _seasonal_table()
_FAV_BOOST = 3.0
_PRODUCT_NAMES = [name for c in CATEGORIES for name, _ in PRODUCTS[c]]
_PRODUCT_PRICES = np.array([price for c in CATEGORIES for _, price in PRODUCTS[c]], dtype=np.int64)
_ORDER_HOUR_CUM = (np.cumsum(_normalised(B2C_ORDER_HOURS)), np.cumsum(_normalised(B2B_ORDER_HOURS)))


def _tail_table() -> np.ndarray:
    """ ",amount,category,product\\n" for every (product, quantity) pair."""
    tails = [
        f",{price * q},{CATEGORIES[p // PRODUCTS_PER_CATEGORY]},{_PRODUCT_NAMES[p]}\n"
        for p, price in enumerate(_PRODUCT_PRICES.tolist())
        for q in range(1, MAX_QUANTITY + 1)
    ]
    return np.array(tails, dtype=object)


_TAILS = _tail_table()


@dataclass
class _Transactions:
    offsets: np.ndarray  # rows of customer i are offsets[i]:offsets[i+1]
    sec: np.ndarray  # int64 seconds since start (JST)
    tail: np.ndarray  # index into _TAILS
    amount: np.ndarray

    @property
    def size(self) -> int:
        return len(self.sec)


def _order_seconds(
    rng: np.random.Generator, cal: _Calendar, lat: _Latent, rep: np.ndarray, pos: np.ndarray
) -> np.ndarray:
    n_rep = lat.n_tx[rep]
    u = rng.random(len(rep))
    u[pos == 0] = 0.0
    u[pos == n_rep - 1] = 1.0
    first = lat.first_day[rep]
    day = np.floor(first + u * (lat.last_day[rep] - first)).astype(np.int64)
    day = np.minimum(day, cal.days - 1)
    b2b_rows = lat.b2b[rep]
    weekday = cal.weekday[day]
    # Businesses order on business days: move weekend orders back to Friday.
    shift = np.where(b2b_rows & (weekday == 5), 1, 0) + np.where(b2b_rows & (weekday == 6), 2, 0)
    day = np.maximum(day - shift, 0)
    u_hour = rng.random(len(rep))
    hour = np.where(
        b2b_rows,
        np.searchsorted(_ORDER_HOUR_CUM[1], u_hour, side="right"),
        np.searchsorted(_ORDER_HOUR_CUM[0], u_hour, side="right"),
    )
    hour = np.minimum(hour, 23)
    return day * _SECONDS_PER_DAY + hour * 3600 + rng.integers(0, 3600, len(rep))


def _draw_transactions(rng: np.random.Generator, cal: _Calendar, lat: _Latent) -> _Transactions:
    n = lat.n_tx
    offsets = np.concatenate(([0], np.cumsum(n)))
    total = int(offsets[-1])
    rep = np.repeat(np.arange(lat.size), n)
    pos = np.arange(total) - offsets[rep]
    sec = _order_seconds(rng, cal, lat, rep, pos)
    # Sort within each customer; rep is already grouped so it is unchanged by the sort.
    sec = sec[np.argsort(rep * (cal.end_sec + 1) + sec, kind="stable")]

    month = cal.month[sec // _SECONDS_PER_DAY]
    weights = _SEASONAL[lat.b2b[rep].astype(np.int64), month]
    weights[np.arange(total), lat.fav[rep]] *= _FAV_BOOST
    cum = np.cumsum(weights, axis=1)
    pick = rng.random(total) * cum[:, -1]
    category = np.minimum((cum < pick[:, None]).sum(axis=1), len(CATEGORIES) - 1)
    product = category * PRODUCTS_PER_CATEGORY + rng.integers(0, PRODUCTS_PER_CATEGORY, total)
    price = _PRODUCT_PRICES[product]
    wanted = lat.value[rep] * rng.lognormal(0.0, 0.35, total)
    qty = np.clip(np.rint(wanted / price), 1, MAX_QUANTITY).astype(np.int64)
    return _Transactions(
        offsets=offsets, sec=sec, tail=product * MAX_QUANTITY + qty - 1, amount=price * qty
    )


# --------------------------------------------------------------------------- #
# Contact history (per customer, plain Python)
# --------------------------------------------------------------------------- #


@dataclass
class _ContactRow:
    sec: int
    outcome: str
    channel: str = "call"
    operator: str = ""
    script: str = ""
    reason: str = ""
    amount: str = ""
    callback_sec: int = -1
    note: str = ""


@dataclass
class _Caller:
    """Per-customer facts the call simulation needs."""

    b2b: bool
    profile: str
    p_peak: float
    p_base: float
    reason: str
    script: str
    wrong_number: bool


@dataclass
class _ContactResult:
    rows: list[list[_ContactRow]] = field(default_factory=list)  # per customer
    do_not_call: set[int] = field(default_factory=set)
    opted_out: set[int] = field(default_factory=set)


def _preferred_hours_table() -> dict[str, list[list[int]]]:
    """Callable hours inside each profile's window, per weekday (Sunday: none)."""
    return {
        profile: [
            [
                h
                for h in range(CALL_FIRST_HOUR, CALL_LAST_HOUR + 1)
                if wd < 6 and in_preferred_hours(profile, wd, h)
            ]
            for wd in range(7)
        ]
        for profile in ANSWER_PROFILES
    }


_PREFERRED_HOURS = _preferred_hours_table()
_CALL_HOURS = list(range(CALL_FIRST_HOUR, CALL_LAST_HOUR + 1))
_CALL_HOUR_CUM = list(np.cumsum(CALL_HOUR_WEIGHTS))


class _CallSimulator:
    """Simulates past outbound campaigns against the customers' hidden answering habits."""

    def __init__(self, cal: _Calendar, rnd: random.Random) -> None:
        self.cal = cal
        self.rnd = rnd

    # -- scheduling ---------------------------------------------------------- #

    def call_time(self, day: int) -> int:
        """A call on ``day`` (or the next calling day), at an operator-chosen hour."""
        rnd = self.rnd
        while True:
            weekday = self.cal.weekday_of(day)
            if weekday < 5 or (weekday == 5 and rnd.random() < SATURDAY_CALL_SHARE):
                break
            day += 1
        hour = rnd.choices(_CALL_HOURS, cum_weights=_CALL_HOUR_CUM)[0]
        return day * _SECONDS_PER_DAY + hour * 3600 + rnd.randrange(3600)

    def preferred_time(self, caller: _Caller, day: int) -> int:
        """The first time slot from ``day`` on that lies in the customer's preferred window."""
        for offset in range(14):
            hours = _PREFERRED_HOURS[caller.profile][self.cal.weekday_of(day + offset)]
            if hours:
                hour = self.rnd.choice(hours)
                # Leave room for the follow-up call's few minutes of delay within the hour.
                return (day + offset) * _SECONDS_PER_DAY + hour * 3600 + self.rnd.randrange(3000)
        return self.call_time(day)

    def answers(self, caller: _Caller, sec: int) -> bool:
        day, rest = divmod(sec, _SECONDS_PER_DAY)
        p = answer_probability(
            caller.profile, caller.p_peak, caller.p_base, self.cal.weekday_of(day), rest // 3600
        )
        return self.rnd.random() < p

    # -- outcomes ------------------------------------------------------------ #

    def unanswered_outcome(self) -> str:
        u = self.rnd.random()
        return "no_answer" if u < 0.72 else ("voicemail" if u < 0.90 else "busy")

    def answered_outcome(self, caller: _Caller, after_callback: bool) -> str:
        callback = 0.10 if after_callback else 0.30
        changed = 0.45 if caller.reason in ("moved", "contact_person_changed") else 0.04
        weights = (callback, 0.47, 0.035, changed)
        return self.rnd.choices(
            ("callback", "not_interested", "do_not_call", "contact_changed"), weights
        )[0]

    def heard_reason(self, caller: _Caller, outcome: str) -> str:
        if outcome == "contact_changed" and caller.reason not in (
            "moved",
            "contact_person_changed",
        ):
            return "contact_person_changed" if caller.b2b else "moved"
        u = self.rnd.random()
        if u < 0.75:
            return caller.reason
        return "unknown" if u < 0.90 else self.rnd.choice(REASONS)

    def note(self, outcome: str, reason: str) -> str:
        outcome_note = self.rnd.choice(_OUTCOME_NOTES[outcome])
        if outcome in ("callback", "not_interested", "reactivated", "contact_changed"):
            return f"{self.rnd.choice(_REASON_NOTES[reason])}。{outcome_note}"
        return outcome_note

    def row(self, caller: _Caller, sec: int, outcome: str, **extra: object) -> _ContactRow:
        row = _ContactRow(
            sec=sec, outcome=outcome, operator=self.rnd.choice(OPERATORS), script=caller.script
        )
        if outcome in CONTACTED_OUTCOMES:
            row.reason = self.heard_reason(caller, outcome)
            row.note = self.note(outcome, row.reason)
        for key, value in extra.items():
            setattr(row, key, value)
        return row

    # -- campaigns ----------------------------------------------------------- #

    def campaign(
        self,
        caller: _Caller,
        start_day: int,
        max_attempts: int,
        on_answer: str | None = None,
        reactivate_before: int = -1,
    ) -> tuple[list[_ContactRow], int]:
        """Dial until reached or given up; returns the rows and the reactivation time (or -1).

        ``on_answer`` forces the outcome of the first real conversation (complaints of
        churned customers).  ``reactivate_before``: a conversation before this time ends
        in a reactivation (the caller owns an order there).
        """
        rows: list[_ContactRow] = []
        end = self.cal.end_sec
        sec = self.call_time(start_day)
        misses, callbacks = 0, 0
        while sec < end:
            if not self.answers(caller, sec):
                rows.append(self.row(caller, sec, self.unanswered_outcome()))
                misses += 1
                if misses >= max_attempts:
                    break
                sec = self.call_time(sec // _SECONDS_PER_DAY + self.rnd.randint(1, 4))
                continue
            if caller.wrong_number:
                rows.append(self.row(caller, sec, "wrong_number"))
                break
            if on_answer is not None:
                rows.append(self.row(caller, sec, on_answer))
                break
            if sec + 3600 < reactivate_before:
                rows.append(self.row(caller, sec, "reactivated"))
                return rows, sec
            outcome = self.answered_outcome(caller, after_callback=callbacks > 0)
            if outcome != "callback":
                rows.append(self.row(caller, sec, outcome))
                break
            callbacks += 1
            callback_sec = self.preferred_time(
                caller, sec // _SECONDS_PER_DAY + self.rnd.randint(1, 7)
            )
            rows.append(self.row(caller, sec, "callback", callback_sec=callback_sec))
            sec = callback_sec + self.rnd.randrange(0, 600)
        return rows, -1

    def forced_complaint(self, caller: _Caller, start_day: int) -> list[_ContactRow]:
        """Churned customers: dial until reached (operators switch to the preferred hours)."""
        rows, _ = self.campaign(caller, start_day, max_attempts=3, on_answer="complaint")
        if not rows or rows[-1].outcome != "complaint":
            # Unreached (or a wrong number, then a second number found later): the
            # operator retries in the hours the customer turned out to answer.
            last_day = rows[-1].sec // _SECONDS_PER_DAY if rows else start_day
            sec = self.preferred_time(caller, last_day + 1)
            if sec >= self.cal.end_sec:
                sec = self.preferred_time(caller, start_day)
            rows.append(self.row(caller, sec, "complaint"))
        return rows

    def email_campaign(self, sent_day: int) -> tuple[list[_ContactRow], bool]:
        """One e-mail blast and the events it caused; returns rows and whether they unsubscribed."""
        rnd = self.rnd
        end = self.cal.end_sec
        sent = sent_day * _SECONDS_PER_DAY + 10 * 3600 + rnd.randrange(600)
        rows = [_ContactRow(sec=sent, outcome="sent", channel="email", script=_EMAIL_SCRIPT)]
        if rnd.random() < 0.04:
            rows.append(
                _ContactRow(
                    sec=sent + rnd.randrange(5, 300),
                    outcome="bounced",
                    channel="email",
                    script=_EMAIL_SCRIPT,
                )
            )
            return [r for r in rows if r.sec < end], False
        unsubscribed = False
        if rnd.random() < 0.35:
            opened = sent + rnd.randrange(600, 48 * 3600)
            rows.append(
                _ContactRow(sec=opened, outcome="opened", channel="email", script=_EMAIL_SCRIPT)
            )
            if rnd.random() < 0.30:
                rows.append(
                    _ContactRow(
                        sec=opened + rnd.randrange(10, 1800),
                        outcome="clicked",
                        channel="email",
                        script=_EMAIL_SCRIPT,
                    )
                )
            if rnd.random() < 0.06:
                rows.append(
                    _ContactRow(
                        sec=opened + rnd.randrange(3600, 72 * 3600),
                        outcome="replied",
                        channel="email",
                        script=_EMAIL_SCRIPT,
                    )
                )
            elif rnd.random() < 0.07:
                rows.append(
                    _ContactRow(
                        sec=opened + rnd.randrange(10, 600),
                        outcome="unsubscribed",
                        channel="email",
                        script=_EMAIL_SCRIPT,
                    )
                )
                unsubscribed = True
        kept = [r for r in rows if r.sec < end]
        return kept, unsubscribed and kept[-1].outcome == "unsubscribed"


def _script_for(state: int, b2b: bool) -> str:
    if state == _PROSPECT:
        return _PROSPECT_SCRIPT
    if state == _ACTIVE:
        return _FOLLOWUP_SCRIPT
    return _WINBACK_SCRIPTS[b2b]


def _campaign_start_day(
    rnd: random.Random, state: int, b2b: bool, first: int, last: int, created: int, days: int
) -> int:
    """When a regular campaign begins, depending on where the customer is in its lifecycle."""
    if state == _PROSPECT:
        lo = created
    elif state == _ACTIVE:
        lo = first
    elif state == _AT_RISK:
        lo = last + 30
    else:
        lo = last + (LAPSE_DAYS["b2b" if b2b else "b2c"] // 2)
    lo = min(lo, days - 7)
    return rnd.randint(lo, max(lo, days - 7))


def _wonback_index(tx_sec: np.ndarray) -> int:
    """The order that ended the longest pause: the one a win-back call most plausibly caused."""
    return int(np.argmax(np.diff(tx_sec))) + 1


def _simulate_contacts(
    rng: np.random.Generator,
    cal: _Calendar,
    lat: _Latent,
    tx: _Transactions,
    created_sec: np.ndarray,
) -> _ContactResult:
    """Call and e-mail history for the chunk; may move won-back orders to the call's time."""
    m = lat.size
    called = rng.random(m) < np.asarray(_CALLED_SHARE)[lat.state]
    wrong = rng.random(m) < _WRONG_NUMBER_SHARE
    wonback = (
        called
        & (lat.n_tx >= 2)
        & (lat.state != _CHURNED)
        & (rng.random(m) < _WONBACK_FACTOR * lat.propensity)
    )
    emailed = lat.has_email & (rng.random(m) < _EMAIL_CAMPAIGN_SHARE)
    rnd = random.Random(int(rng.integers(0, 2**63)))
    sim = _CallSimulator(cal, rnd)
    result = _ContactResult(rows=[[] for _ in range(m)])

    state = lat.state.tolist()
    b2b = lat.b2b.tolist()
    created_day = (created_sec // _SECONDS_PER_DAY).tolist()
    for i in np.flatnonzero(called | emailed).tolist():
        rows = result.rows[i]
        if called[i]:
            caller = _Caller(
                b2b=b2b[i],
                profile=ANSWER_PROFILES[lat.profile[i]],
                p_peak=float(lat.p_peak[i]),
                p_base=float(lat.p_base[i]),
                reason=REASONS[lat.reason[i]],
                script=_script_for(state[i], b2b[i]),
                wrong_number=bool(wrong[i]),
            )
            orders = (int(tx.offsets[i]), int(tx.offsets[i + 1]))
            if wonback[i]:
                rows.extend(_wonback_campaign(sim, caller, tx, *orders))
            else:
                rows.extend(_call_history(sim, caller, state[i], tx, orders, created_day[i]))
            if any(r.outcome == "do_not_call" for r in rows):
                result.do_not_call.add(i)
        if emailed[i]:
            email_rows, unsubscribed = sim.email_campaign(rnd.randint(created_day[i], cal.days - 1))
            rows.extend(email_rows)
            if unsubscribed:
                result.opted_out.add(i)
        rows.sort(key=lambda r: r.sec)
    return result


def _call_history(
    sim: _CallSimulator,
    caller: _Caller,
    state: int,
    tx: _Transactions,
    orders: tuple[int, int],
    created_day: int,
) -> list[_ContactRow]:
    """One regular campaign; churned customers end theirs with a complaint."""
    o0, o1 = orders
    first_day = int(tx.sec[o0]) // _SECONDS_PER_DAY if o1 > o0 else created_day
    last_day = int(tx.sec[o1 - 1]) // _SECONDS_PER_DAY if o1 > o0 else created_day
    if state == _CHURNED:
        start = min(last_day + sim.rnd.randint(2, 10), sim.cal.days - 1)
        return sim.forced_complaint(caller, start)
    start = _campaign_start_day(
        sim.rnd, state, caller.b2b, first_day, last_day, created_day, sim.cal.days
    )
    return sim.campaign(caller, start, max_attempts=sim.rnd.randint(3, 8))[0]


def _wonback_campaign(
    sim: _CallSimulator, caller: _Caller, tx: _Transactions, o0: int, o1: int
) -> list[_ContactRow]:
    """A campaign that (if the customer picks up in time) produced one of their real orders."""
    j = o0 + _wonback_index(tx.sec[o0:o1])
    prev_day = int(tx.sec[j - 1]) // _SECONDS_PER_DAY
    target_day = int(tx.sec[j]) // _SECONDS_PER_DAY
    next_sec = int(tx.sec[j + 1]) if j + 1 < o1 else sim.cal.end_sec
    start_day = max(prev_day + 1, target_day - sim.rnd.randint(1, 10))
    rows, reached = sim.campaign(caller, start_day, max_attempts=6, reactivate_before=next_sec)
    if reached >= 0:
        # The order was placed during the call: move it there and report its amount.
        tx.sec[j] = reached + sim.rnd.randrange(300, 1800)
        rows[-1].amount = str(int(tx.amount[j]))
    return rows


# --------------------------------------------------------------------------- #
# Customer master rows
# --------------------------------------------------------------------------- #


def _area_tables() -> tuple[np.ndarray, list[list[int]]]:
    weights = np.array([PREFECTURE_POPULATION[pref] * share for _, pref, share, _ in AREA_CODES])
    prefixes = [[p for lo, hi in ranges for p in range(lo, hi + 1)] for *_, ranges in AREA_CODES]
    return weights / weights.sum(), prefixes


_AREA_WEIGHTS, _AREA_PREFIXES = _area_tables()

# Number kinds: index into the per-kind weights below.
_MOBILE, _LANDLINE, _IP, _TOLL_FREE = range(4)
_PHONE_KIND_WEIGHTS = {"b2c": (0.62, 0.30, 0.08, 0.0), "b2b": (0.12, 0.70, 0.10, 0.08)}
# Writing styles (see _format_phone); mobiles are never written with a bracketed area code.
_LANDLINE_STYLE_WEIGHTS = (0.55, 0.08, 0.05, 0.12, 0.03, 0.06, 0.03, 0.05, 0.03)
_MOBILE_STYLE_WEIGHTS = (0.60, 0.0, 0.0, 0.18, 0.02, 0.08, 0.04, 0.05, 0.03)
_MOBILE_PREFIXES = ("090", "090", "090", "090", "090", "080", "080", "080", "070", "070")


def _format_phone(parts: tuple[str, str, str], style: int) -> str:
    a, b, c = parts
    if style == 0:
        return f"{a}-{b}-{c}"
    if style == 1:
        return f"({a}) {b}-{c}"
    if style == 2:
        return f"{a}({b}){c}"
    if style == 3:
        return f"{a}{b}{c}"
    if style == 4:
        return f"+81(0){a[1:]}-{b}-{c}"
    if style == 5:
        return f"+81 {a[1:]} {b} {c}"
    if style == 6:
        return f"+81-{a[1:]}-{b}-{c}"
    if style == 7:
        return f"{a} {b} {c}"
    return f"{a}-{b}-{c}".translate(_FULLWIDTH)


def _phone_parts(kind: int, area: int, u: float, digits: int) -> tuple[str, str, str]:
    """Digits of a valid Japanese number split into its three customary groups."""
    if kind == _MOBILE or kind == _IP:
        prefix = _MOBILE_PREFIXES[digits % 10] if kind == _MOBILE else "050"
        body = f"{1 + digits // 10 % 9}{digits // 100 % 10_000_000:07d}"
        return prefix, body[:4], body[4:]
    if kind == _TOLL_FREE:
        body = f"{digits % 1_000_000:06d}"
        return "0120", body[:3], body[3:]
    code = AREA_CODES[area][0]
    prefixes = _AREA_PREFIXES[area]
    rest_len = 8 - len(code)  # local part after the two chosen digits; NSN is 9 digits
    local = f"{prefixes[int(u * len(prefixes))]:02d}{digits % 10**rest_len:0{rest_len}d}"
    split = {2: 4, 3: 3, 4: 2}[len(code)]
    return code, local[:split], local[split:]


_MALFORMED_PHONES = ("03-1234", "abc", "090-12", "0000", "電話なし", "03-1234-56789-0")
_MALFORMED_DATES = ("2024-13-45 10:00", "不明", "2023/02/30", "2023-02-30T25:00:00+09:00")


def _personal_email(rnd: random.Random, family: str, given: str) -> str:
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


def _company_email(rnd: random.Random, family: str, given: str, stem: str, trade: str) -> str:
    domain = f"{stem}-{trade}.co.jp"
    local = rnd.choice((family, f"{given[0]}.{family}", "info", "soumu", f"{family}.{given}"))
    return f"{local}@{domain}"


def _company_name(stem: int, trade: int, form: int) -> tuple[str, str]:
    """(company name, katakana reading without the legal form, as used for sorting)."""
    legal, before, _ = LEGAL_FORMS[form]
    core = COMPANY_STEMS[stem][0] + COMPANY_TRADES[trade][0]
    name = f"{legal}{core}" if before else f"{core}{legal}"
    return name, COMPANY_STEMS[stem][1] + COMPANY_TRADES[trade][1]


def _customer_ids(first_index: int, m: int) -> list[str]:
    return [f"C{i:07d}" for i in range(first_index, first_index + m)]


def _customer_rows(
    rng: np.random.Generator,
    cal: _Calendar,
    lat: _Latent,
    ids: list[str],
    created_sec: np.ndarray,
    contacts: _ContactResult,
    malformed_rate: float,
) -> tuple[list[list[str]], int]:
    m = lat.size
    rnd = random.Random(int(rng.integers(0, 2**63)))
    area = rng.choice(len(AREA_CODES), size=m, p=_AREA_WEIGHTS).tolist()
    kind1 = _choice_by_kind(rng, lat.b2b, _PHONE_KIND_WEIGHTS).tolist()
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
        phone = _random_phone(rnd, kind1[i], area[i])
        phone2 = ""
        if has_phone2[i]:
            kind2 = _MOBILE if kind1[i] != _MOBILE else (_LANDLINE if rnd.random() < 0.6 else _IP)
            phone2 = _random_phone(rnd, kind2, area[i])
        if b2b[i]:
            stem, trade = rnd.randrange(len(COMPANY_STEMS)), rnd.randrange(len(COMPANY_TRADES))
            company, company_kana = _company_name(stem, trade, _legal_form(rnd))
            name, name_kana, contact_person = company, company_kana, person
            rep = rnd.choice(SALES_REPS) if rnd.random() < 0.6 else ""
            email = (
                _company_email(
                    rnd, fam[2], giv[2], COMPANY_STEMS[stem][2], COMPANY_TRADES[trade][2]
                )
                if has_email[i]
                else ""
            )
        else:
            name, name_kana, company, contact_person = person, person_kana, "", ""
            rep = rnd.choice(SALES_REPS) if rnd.random() < 0.03 else ""
            email = _personal_email(rnd, fam[2], giv[2]) if has_email[i] else ""
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
            _corrupt(row, corruption[i], corrupt_pick[i])
            malformed_count += 1
        rows.append(row)
    return rows, malformed_count


def _random_phone(rnd: random.Random, kind: int, area: int) -> str:
    parts = _phone_parts(kind, area, rnd.random(), rnd.randrange(10**10))
    if kind == _TOLL_FREE:
        style = 0 if rnd.random() < 0.85 else 3
    else:
        weights = _MOBILE_STYLE_WEIGHTS if kind in (_MOBILE, _IP) else _LANDLINE_STYLE_WEIGHTS
        style = rnd.choices(range(len(weights)), weights)[0]
    return _format_phone(parts, style)


def _legal_form(rnd: random.Random) -> int:
    return rnd.choices(range(len(LEGAL_FORMS)), [w for *_, w in LEGAL_FORMS])[0]


def _corrupt(row: list[str], how: int, pick: int) -> None:
    """Damage one field the way real CRM exports are damaged."""
    if how == 0:
        row[CUSTOMERS_HEADER.index("phone")] = _MALFORMED_PHONES[pick % len(_MALFORMED_PHONES)]
    elif how == 1:
        row[CUSTOMERS_HEADER.index("kind")] = "x2c"
    elif how == 2:
        row[CUSTOMERS_HEADER.index("customer_id")] = ""
    else:
        row[CUSTOMERS_HEADER.index("created_at")] = _MALFORMED_DATES[pick % len(_MALFORMED_DATES)]


# --------------------------------------------------------------------------- #
# Writing
# --------------------------------------------------------------------------- #


def _created_seconds(
    rng: np.random.Generator, cal: _Calendar, lat: _Latent, tx: _Transactions
) -> np.ndarray:
    """Registration time: shortly before the first order, or anywhere for prospects."""
    m = lat.size
    prospect_sec = rng.integers(0, cal.end_sec, m)
    first_sec = (
        tx.sec[np.minimum(tx.offsets[:-1], max(tx.size - 1, 0))] if tx.size else prospect_sec
    )
    # Sign-up happens at the first order or a day or two before, at a similar time of day.
    lead = rng.integers(0, 3, m) * _SECONDS_PER_DAY + rng.integers(60, 1800, m)
    buyer_sec = np.maximum(first_sec - lead, 0)
    return np.where(lat.n_tx > 0, buyer_sec, prospect_sec)


def _transaction_lines(
    cal_prefix: np.ndarray, cal_suffix: np.ndarray, ids: list[str], tx: _Transactions
) -> str:
    rep = np.repeat(np.arange(len(ids)), np.diff(tx.offsets))
    id_cells = np.array([f"{cid}," for cid in ids], dtype=object)
    day, rest = np.divmod(tx.sec, _SECONDS_PER_DAY)
    lines = id_cells[rep] + cal_prefix[day] + cal_suffix[rest] + _TAILS[tx.tail]
    return "".join(lines.tolist())


def _contact_rows(cal: _Calendar, ids: list[str], contacts: _ContactResult) -> list[list[str]]:
    out: list[list[str]] = []
    for i, rows in enumerate(contacts.rows):
        for r in rows:
            out.append(
                [
                    ids[i],
                    cal.iso(r.sec),
                    r.channel,
                    "outbound",
                    r.outcome,
                    r.operator,
                    r.script,
                    r.reason,
                    r.amount,
                    cal.iso(r.callback_sec) if r.callback_sec >= 0 else "",
                    r.note,
                ]
            )
    return out


def _truth_rows(ids: list[str], lat: _Latent) -> list[list[str]]:
    return [
        [
            cid,
            REASONS[reason],
            ANSWER_PROFILES[profile],
            f"{peak:.3f}",
            f"{base:.3f}",
            f"{prop:.3f}",
            str(int(value)),
            "1" if alive else "0",
        ]
        for cid, reason, profile, peak, base, prop, value, alive in zip(
            ids,
            lat.reason.tolist(),
            lat.profile.tolist(),
            lat.p_peak.tolist(),
            lat.p_base.tolist(),
            lat.propensity.tolist(),
            lat.value.tolist(),
            lat.alive.tolist(),
        )
    ]


def _validate(customers: int, seed: int, start: date, end: date, malformed_rate: float) -> None:
    if not 1 <= customers <= MAX_CUSTOMERS:
        raise ValueError(f"customers must be between 1 and {MAX_CUSTOMERS}, got {customers}")
    if seed < 0:
        raise ValueError("seed must be non-negative")
    if (end - start).days < 30:
        raise ValueError("end must be at least 30 days after start")
    if not 0.0 <= malformed_rate <= 1.0:
        raise ValueError("malformed_rate must be within [0, 1]")


def generate(
    out_dir: Path,
    customers: int,
    seed: int,
    start: date = DEFAULT_START,
    end: date = DEFAULT_END,
    malformed_rate: float = DEFAULT_MALFORMED_RATE,
) -> DemoFiles:
    """Write customers.csv, transactions.csv, contacts.csv and truth.csv into ``out_dir``.

    Events fall in ``[start, end)`` (JST); lifecycle states are meant as of ``end``.
    A span of at least two years gives the full dormant range (6-24 months).
    """
    _validate(customers, seed, start, end, malformed_rate)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    cal = _Calendar.build(start, end)
    cal_prefix = np.array(cal.day_prefix, dtype=object)
    cal_suffix = np.array(cal.time_suffix, dtype=object)
    paths = {
        name: out_dir / f"{name}.csv" for name in ("customers", "transactions", "contacts", "truth")
    }
    counts = dict.fromkeys(("customers", "transactions", "contacts", "malformed"), 0)

    with (
        open(paths["customers"], "w", encoding="utf-8", newline="") as f_cust,
        open(paths["transactions"], "w", encoding="utf-8", newline="") as f_tx,
        open(paths["contacts"], "w", encoding="utf-8", newline="") as f_contacts,
        open(paths["truth"], "w", encoding="utf-8", newline="") as f_truth,
    ):
        w_cust, w_contacts, w_truth = (
            csv.writer(f, lineterminator="\n") for f in (f_cust, f_contacts, f_truth)
        )
        w_cust.writerow(CUSTOMERS_HEADER)
        w_contacts.writerow(CONTACTS_HEADER)
        w_truth.writerow(TRUTH_HEADER)
        f_tx.write(",".join(TRANSACTIONS_HEADER) + "\n")

        for chunk, first in enumerate(range(0, customers, CHUNK_CUSTOMERS)):
            m = min(CHUNK_CUSTOMERS, customers - first)
            rng = np.random.default_rng([seed, chunk])
            ids = _customer_ids(first + 1, m)
            lat = _draw_latent(rng, m, cal.days)
            tx = _draw_transactions(rng, cal, lat)
            created = _created_seconds(rng, cal, lat, tx)
            contacts = _simulate_contacts(rng, cal, lat, tx, created)
            cust_rows, malformed = _customer_rows(
                rng, cal, lat, ids, created, contacts, malformed_rate
            )
            contact_rows = _contact_rows(cal, ids, contacts)

            w_cust.writerows(cust_rows)
            f_tx.write(_transaction_lines(cal_prefix, cal_suffix, ids, tx))
            w_contacts.writerows(contact_rows)
            w_truth.writerows(_truth_rows(ids, lat))
            counts["customers"] += m
            counts["transactions"] += tx.size
            counts["contacts"] += len(contact_rows)
            counts["malformed"] += malformed

    return DemoFiles(
        customers=paths["customers"],
        transactions=paths["transactions"],
        contacts=paths["contacts"],
        truth=paths["truth"],
        customer_rows=counts["customers"],
        transaction_rows=counts["transactions"],
        contact_rows=counts["contacts"],
        truth_rows=counts["customers"],
        malformed_rows=counts["malformed"],
    )
