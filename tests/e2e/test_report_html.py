"""`workbench report --html` (issue #13 item 5): one self-contained HTML file whose figures are
checked by hand, user data escaped, nothing loaded from the network, and charts that really
draw: headless Chromium (installed by `.ci/run`) takes a screenshot and the test counts the
charts' colours in it.

The fixture is `report_fixture.py`'s (figures computed by hand there and below).
"""

from __future__ import annotations

import struct
import subprocess
import zlib
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from scipy import integrate, stats
from sqlalchemy import insert, select
from typer.testing import CliRunner

from tests.e2e.report_fixture import KPI_NOW, SCRIPT_NOTE, lapsed_buyers, seed, seed_lapsed
from tests.store.kpi_fixture import in_control
from workbench.cli.context import UserError
from workbench.cli.root import app
from workbench.config import load_settings
from workbench.report import svg
from workbench.report.html import render_html
from workbench.services.report_data import report_data
from workbench.store.engine import make_engine
from workbench.store.models import ContactAttempt, Customer
from workbench.store.schema import upgrade

CHROMIUM = Path("/usr/bin/chromium")
TOKYO = ZoneInfo("Asia/Tokyo")
NOW = datetime(2026, 3, 20, 3, 0, tzinfo=UTC)


@pytest.fixture
def url(db_url: str) -> Iterator[str]:
    seed(db_url)
    ids = seed_lapsed(db_url)
    # The arms worked out from splitmix64's definition (kpi_fixture), not the product's draw.
    ARMS.clear()
    ARMS.update(
        campaign=[i for i in ids if not in_control(i)], control=[i for i in ids if in_control(i)],
        won=[ids[k] for k in lapsed_buyers()],
    )  # fmt: skip
    yield db_url


ARMS: dict[str, list[int]] = {}


def run(url: str, *args: str, language: str = "ja", share: str = "0.5") -> str:
    env = {"WORKBENCH_CONFIG": "/dev/null", "WORKBENCH_LANGUAGE": language,
           "WORKBENCH_KPI_CONTROL_SHARE": share, "WORKBENCH_NOW": KPI_NOW}  # fmt: skip
    result = CliRunner().invoke(app, ["--db", url, "report", *args], env=env)
    assert result.exit_code == 0, (result.output, result.exception)
    return result.output


def _p_a_beats_b(a: tuple[int, int], b: tuple[int, int]) -> float:
    """P(rate A > rate B) under Beta(1 + s, 1 + n - s) posteriors, by numerical integration."""
    pa, pb = stats.beta(1 + a[0], 1 + a[1] - a[0]), stats.beta(1 + b[0], 1 + b[1] - b[0])
    return float(integrate.quad(lambda x: pa.pdf(x) * pb.cdf(x), 0, 1)[0])


def test_figures_match_hand_computation(url: str) -> None:
    engine = make_engine(url)
    data = report_data(engine, zone=TOKYO, now=NOW)
    engine.dispose()
    # Dials: 40 + 10 + 12 + 4 unscripted = 66; conversations 30 + 5 + 8 = 43; win-backs
    # 9 + 1 + 1 = 11; revenue 9 × 5,000 + 3,000 + 8,000 = ¥56,000.
    t = data.totals
    assert (t.dials, t.conversations, t.reactivations, t.revenue) == (66, 43, 11, 56000)
    # Wilson 11/43, z² = 3.841459: centre = (0.255814 + 0.044668) / 1.089336 = 0.275840,
    # half = 1.959964 × √(0.004434 + 0.000519) / 1.089336 = 0.126544.
    assert (round(t.wilson_low, 4), round(t.wilson_high, 4)) == (0.1493, 0.4024)
    # Local weeks: the Monday 00:30 JST calls (Sunday in UTC) belong to the week of 03-09.
    assert [(w.start, w.funnel.dials, w.funnel.conversations, w.funnel.reactivations,
             w.funnel.revenue) for w in data.weeks] == [
        (date(2026, 3, 2), 42, 30, 9, 45000), (date(2026, 3, 9), 24, 13, 2, 11000),
    ]  # fmt: skip
    a, b = (g.total for g in data.scripts)
    assert (a.attempts, a.contacts, a.reactivations, a.revenue) == (50, 35, 10, 48000)
    # Wilson 10/35: centre = (0.285714 + 0.054878) / 1.109756 = 0.306907, half = 0.143642.
    assert (round(a.wilson_low, 4), round(a.wilson_high, 4)) == (0.1633, 0.4505)
    assert (b.attempts, b.contacts, b.reactivations, b.revenue) == (12, 8, 1, 8000)
    # Wilson 1/8: centre = (0.125 + 0.240091) / 1.480183 = 0.246653, half = 0.224235.
    assert (round(b.wilson_low, 4), round(b.wilson_high, 4)) == (0.0224, 0.4709)
    assert not a.not_enough_data and b.not_enough_data  # 35 and 8 conversations
    assert a.p_best == pytest.approx(_p_a_beats_b((10, 35), (1, 8)), abs=0.01)
    # Reasons are those heard in conversations: price 30 + 8, quality 5; newest note first.
    assert [(r.reason, r.mentions, r.customers, r.reactivations) for r in data.reasons] == [
        ("price", 38, 2, 10), ("quality_dissatisfaction", 5, 2, 1),
    ]  # fmt: skip
    assert data.reasons[0].notes == (SCRIPT_NOTE, "価格を見直してほしい")
    # --since/--until: local dates, both inclusive.
    engine = make_engine(url)
    first = report_data(engine, until=date(2026, 3, 8), zone=TOKYO)
    second = report_data(engine, since=date(2026, 3, 9), zone=TOKYO)
    engine.dispose()
    assert (first.totals.dials, second.totals.dials) == (42, 24)
    assert [g.total.script_id for g in second.scripts] == [
        "hearing_first_price",
        "price_return_offer",
    ]
    assert second.scripts[0].total.contacts == 5


def test_a_week_without_calls_is_a_zero_on_the_trend(url: str) -> None:
    engine = make_engine(url)
    with engine.begin() as conn:
        customer = conn.execute(select(Customer.__table__.c.id).limit(1)).scalar_one()
        conn.execute(insert(ContactAttempt.__table__).values(
            customer_id=customer, channel="call", at=datetime(2026, 3, 24, 1, 0, tzinfo=UTC),
            operator="op01", outcome="no_answer",
        ))  # fmt: skip
    weeks = report_data(engine, zone=TOKYO).weeks
    engine.dispose()
    # 03-02 and 03-09 as before, 03-16 with no call, 03-23 with the new one.
    assert [(w.start.isoformat(), w.funnel.dials, w.funnel.rate) for w in weeks] == [
        ("2026-03-02", 42, 0.3), ("2026-03-09", 24, 2 / 13), ("2026-03-16", 0, None),
        ("2026-03-23", 1, None),
    ]  # fmt: skip


def test_html_shows_the_figures_escaped_in_japanese(url: str, tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    run(url, "--html", str(out))
    page = out.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and '<meta charset="utf-8">' in page
    assert '<html lang="ja">' in page
    for figure in ("[0.1493, 0.4024]", "[0.1633, 0.4505]", "[0.0224, 0.4709]", "¥56,000",
                   "¥48,000", "25.6%", "28.6%", "12.5%", "2026-03-09"):  # fmt: skip
        assert figure in page, figure
    # B has 8 conversations: no rank.
    assert "データ不足" in page
    # The KPIs against the control group over the 90 days up to WORKBENCH_NOW.
    campaign, control, won = ARMS["campaign"], ARMS["control"], set(ARMS["won"])
    rate_c = len(won & set(campaign)) / len(campaign)
    rate_k = len(won & set(control)) / len(control)
    assert "対照群との比較" in page and "2025-12-21 ～ 2026-03-20" in page
    assert f"施策群 {len(campaign)}人・対照群 {len(control)}人" in page
    for figure in (f"{rate_c:.1%}", f"{rate_k:.1%}", f"{(rate_c - rate_k) * 100:+.1f}pt"):
        assert f">{figure}<" in page, figure
    assert "対照群がありません" not in page
    assert "価格" in page and "品質へのご不満" in page  # reasons in words
    # The customer's note is shown as text, never as markup.
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
    assert "<script" not in page.lower()
    # Nothing is loaded from anywhere: no URL, no resource attribute, no CSS import.
    assert "http://" not in page and "https://" not in page and "//" not in page
    for resource in ("<link", "<img", "<iframe", " src=", "@import", "url("):
        assert resource not in page, resource
    # The charts, inline.
    assert page.count("<svg ") == 5  # arms, win-backs, rate with intervals, trend, reasons
    assert "@media print" in page


def test_html_in_english(url: str, tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    run(url, "--html", str(out), "--since", "2026-03-09", language="en")
    page = out.read_text(encoding="utf-8")
    assert '<html lang="en">' in page and "Win-back report" in page
    assert "from 2026-03-09" in page and "not enough data" in page
    assert "KPIs against the control group" in page and "Reactivation" in page
    assert ">quality dissatisfaction<" in page and ">price<" in page
    # Only the customers' own notes are Japanese: no interface word leaks.
    for word in ("再開率", "架電数", "データ不足", "対照群", "週別"):
        assert word not in page, word
    # The period started on Monday: week 2 only (24 dials).
    assert ">24<" in page and ">42<" not in page


def test_html_without_a_control_group_says_so(url: str, tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    run(url, "--html", str(out), share="0")
    page = out.read_text(encoding="utf-8")
    assert "対照群がありません" in page
    assert f"施策群 {len(ARMS['campaign']) + len(ARMS['control'])}人・対照群 0人" in page
    assert page.count("<svg ") == 5  # the campaign's bar alone
    english = tmp_path / "en.html"
    run(url, "--html", str(english), share="0", language="en")
    assert "no control group" in english.read_text(encoding="utf-8")


def test_errors_are_one_line_exit_2(url: str, tmp_path: Path) -> None:
    env = {"WORKBENCH_CONFIG": "/dev/null"}
    cases = [
        ([], "--html"),
        (["--html", str(tmp_path / "no" / "such" / "r.html")], "r.html"),
        (["--html", str(tmp_path / "r.html"), "--since", "2026-13-01"], "--since"),
        (["--html", str(tmp_path / "r.html"), "--since", "2026-03-09", "--until", "2026-03-01"],
         "--until"),
    ]  # fmt: skip
    for args, named in cases:
        result = CliRunner().invoke(app, ["--db", url, "report", *args], env=env)
        assert isinstance(result.exception, UserError), (args, result.output)
        message = str(result.exception)
        assert "\n" not in message and named in message, message
    assert not (tmp_path / "r.html").exists()


def test_entry_point_prints_error_and_exits_2(
    url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    from workbench.cli.root import main

    monkeypatch.setenv("WORKBENCH_CONFIG", "/dev/null")
    target = tmp_path / "missing" / "r.html"
    monkeypatch.setattr("sys.argv", ["workbench", "--db", url, "report", "--html", str(target)])
    with pytest.raises(SystemExit) as stop:
        main()
    assert stop.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: ") and "r.html" in err[0]


# -- the screenshot -----------------------------------------------------------------------


def _paeth(a: int, b: int, c: int) -> int:
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    return a if pa <= pb and pa <= pc else b if pb <= pc else c


def decode_png(path: Path) -> np.ndarray:
    """The pixels (height × width × 3 or 4, uint8) of an 8-bit, non-interlaced RGB(A) PNG."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, header = 8, b"", b""
    while pos < len(data):
        (size,) = struct.unpack(">I", data[pos : pos + 4])
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + size]
        header = body if kind == b"IHDR" else header
        idat += body if kind == b"IDAT" else b""
        pos += 12 + size
    width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", header)
    assert depth == 8 and colour in (2, 6) and interlace == 0, (depth, colour, interlace)
    bpp = 3 if colour == 2 else 4
    raw = zlib.decompress(idat)
    stride = width * bpp
    out = np.zeros((height, stride), dtype=np.uint8)
    prev = np.zeros(stride, dtype=np.uint8)
    for y in range(height):
        kind, line = raw[y * (stride + 1)], raw[y * (stride + 1) + 1 : (y + 1) * (stride + 1)]
        row = np.frombuffer(line, dtype=np.uint8)
        if kind == 0:
            cur = row.copy()
        elif kind == 1:  # Sub: a running sum per channel
            cur = np.cumsum(row.reshape(width, bpp), axis=0, dtype=np.int64) % 256
            cur = cur.astype(np.uint8).reshape(stride)
        elif kind == 2:  # Up
            cur = row + prev
        else:  # Average and Paeth depend on the byte just decoded: byte by byte
            up, done = prev.tolist(), bytearray(stride)
            for i, byte in enumerate(line):
                left = done[i - bpp] if i >= bpp else 0
                if kind == 3:
                    done[i] = (byte + (left + up[i]) // 2) & 0xFF
                else:
                    corner = up[i - bpp] if i >= bpp else 0
                    done[i] = (byte + _paeth(left, up[i], corner)) & 0xFF
            cur = np.frombuffer(bytes(done), dtype=np.uint8)
        out[y] = cur
        prev = cur
    return out.reshape(height, width, bpp)[:, :, :3]


def _mask(pixels: np.ndarray, colour: str) -> np.ndarray:
    rgb = [int(colour[i : i + 2], 16) for i in (1, 3, 5)]
    return np.all(pixels == np.array(rgb, dtype=np.uint8), axis=2)


def test_charts_draw_in_headless_chromium(tmp_path: Path) -> None:
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} is missing: `.ci/run` installs it (apt-get install chromium); "
            "this test opens the report in headless Chromium"
        )
    url = f"sqlite:///{tmp_path / 'workbench.db'}"
    upgrade(make_engine(url))
    seed(url)
    seed_lapsed(url)
    engine = make_engine(url)
    page = tmp_path / "report.html"
    settings = load_settings(env={"WORKBENCH_KPI_CONTROL_SHARE": "0.5"})
    data = report_data(engine, zone=TOKYO, now=NOW, settings=settings)
    page.write_text(render_html(data), encoding="utf-8")
    engine.dispose()
    shot = tmp_path / "report.png"
    done = subprocess.run(
        [str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu",
         "--disable-background-networking", f"--user-data-dir={tmp_path / 'profile'}",
         "--hide-scrollbars", f"--screenshot={shot}", "--window-size=1200,2800", page.as_uri()],
        capture_output=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 0 and shot.exists(), done.stderr.decode(errors="replace")[-2000:]
    pixels = decode_png(shot)
    assert pixels.shape == (2800, 1200, 3)
    counts = {
        name: int(_mask(pixels, colour).sum())
        for name, colour in (("won", svg.WON_COLOUR), ("rate", svg.RATE_COLOUR),
                             ("reasons", svg.REASON_COLOUR), ("dials", svg.DIALS_COLOUR),
                             ("conversations", svg.CONVERSATIONS_COLOUR),
                             ("campaign", svg.CAMPAIGN_COLOUR), ("control", svg.CONTROL_COLOUR))
    }  # fmt: skip
    # Bars are tens of pixels wide and up to 180 high; the trend's lines 3 px wide.
    for name in ("won", "rate", "reasons"):
        assert counts[name] > 2000, counts
    # The arms' reactivation-rate bars, 60 px wide on one axis: in this fixture the control's
    # rate (5 of 11, as splitmix64 splits ids 3–22) is twice the campaign's (2 of 9).
    assert 1500 < counts["campaign"] < counts["control"], counts
    for name in ("dials", "conversations"):
        assert counts[name] > 800, counts
    # Script A's rate bar: its 95 % interval reaches above the bar (0.4505 > 0.2857) as a
    # dark error bar through the bar's centre.
    rate = _mask(pixels, svg.RATE_COLOUR)
    columns = np.flatnonzero(rate.any(axis=0))
    first = columns[: np.argmax(np.diff(columns) > 1)] if np.any(np.diff(columns) > 1) else columns
    centre = int(first.mean())
    top = int(np.flatnonzero(rate[:, centre]).min())
    above = pixels[max(top - 120, 0) : top, centre - 1 : centre + 2].astype(int)
    dark = (above.sum(axis=2) < 200).any(axis=1)
    assert dark.sum() > 30, "no error bar above the first rate bar"
