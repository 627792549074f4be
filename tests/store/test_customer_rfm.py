"""One customer's RFM (the card, `customers show`) must equal the whole-base classification's."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import delete

from workbench.services.customer_rfm import score_from_cuts
from workbench.services.customers import RFM_CUTS_KEY, classify_all, summarise_one
from workbench.services.demo import load_demo
from workbench.services.scoring import rescore
from workbench.store.models import ModelState

AT = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)


def rfm(summary):  # type: ignore[no-untyped-def]
    return summary.recency, summary.frequency, summary.monetary_score


def one_by_one(engine, settings, ids):  # type: ignore[no-untyped-def]
    with engine.connect() as conn:
        return {i: rfm(summarise_one(conn, settings, i, AT)) for i in ids}


def test_single_customer_rfm_matches_the_whole_base_with_and_without_cut_points(engine, settings):
    load_demo(engine, settings, customers=400, seed=3, today=date(2026, 11, 25))
    whole = {s.external_id: rfm(s) for s in classify_all(engine, settings, AT)}
    assert len({v for v in whole.values() if v[0] is not None}) > 20  # a real spread of scores

    assert one_by_one(engine, settings, whole) == whole  # counting path: no scoring run yet

    rescore(engine, settings, AT)
    with engine.connect() as conn:
        assert conn.execute(
            ModelState.__table__.select().where(ModelState.__table__.c.key == RFM_CUTS_KEY)
        ).first()
    assert one_by_one(engine, settings, whole) == whole  # cut-point path

    with engine.begin() as conn:
        conn.execute(delete(ModelState.__table__).where(ModelState.__table__.c.key == RFM_CUTS_KEY))
    assert one_by_one(engine, settings, whole) == whole


def test_a_value_between_ranges_takes_the_nearest_score():
    cuts = [[1.0, 0.0, 10.0], [2.0, 20.0, 30.0], [3.0, 40.0, 50.0]]
    assert [score_from_cuts(cuts, v) for v in (5, 12, 19, 35.5, 99, -3)] == [1, 1, 2, 3, 3, 1]
    assert score_from_cuts(cuts, None) is None
