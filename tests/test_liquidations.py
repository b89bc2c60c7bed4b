"""The perp's liquidations as tables: by month, side and agent type, positions counted once
however many orders closed them, and the summary agreeing with the table."""
import pandas as pd
import pytest

from mmabm import liquidations
from mmabm.config import Config
from mmabm.model import MarketModel
from mmabm.tape import MINUTES_PER_MONTH
from mmabm.venues.perp import Liquidation


def test_by_month_counts_a_position_closed_in_two_orders_once():
    rows = pd.DataFrame([
        # a long closed in two orders in month 1 (the first left 30 tokens open)
        (100.0, 1, "perp", "long", 70.0, 30.0, 0.9, 0.0),
        (101.0, 1, "perp", "long", 30.0, 0.0, 0.9, 5.0),
        # a short in month 2, closed at once
        (MINUTES_PER_MONTH + 5.0, 2, "perp", "short", 50.0, 0.0, 1.2, 0.0),
        (MINUTES_PER_MONTH + 6.0, 2, "market_maker", "short", 10.0, 0.0, 1.2, 1.0),
    ], columns=list(liquidations.COLUMNS))
    table = liquidations.by_month(rows).set_index(["month", "agent", "side"])
    assert table.loc[(1, "perp", "long")].tolist() == [2, 1, 100.0, 5.0]
    assert table.loc[(2, "perp", "short")].tolist() == [1, 1, 50.0, 0.0]
    assert table.loc[(2, "market_maker", "short"), "orders"] == 1
    assert liquidations.by_month(rows.iloc[:0]).columns.tolist() == list(liquidations.MONTHLY)


def test_the_run_s_liquidations_agree_with_the_summary_and_carry_their_time():
    config = Config().override({"run.months": 0.2, "retail.n_traders": 1500,
                                "market_maker.strategy": "hold"})
    model = MarketModel(config, seed=1)
    model.run_model()
    rows = liquidations.liquidation_rows(model)
    summary = liquidations.summary(model)
    assert len(rows) == summary["perp_liquidations"] > 0      # the short run has some
    assert rows["minute"].between(0, model.time).all()
    assert rows["month"].eq(rows["minute"] // MINUTES_PER_MONTH + 1).all()
    assert rows["tokens"].gt(0).all() and set(rows["side"]) <= {"long", "short"}
    long_tokens = rows.loc[rows["side"] == "long", "tokens"].sum()
    assert summary["perp_liquidated_long_tokens"] == pytest.approx(long_tokens)
    assert summary["perp_liquidated_positions"] == rows["tokens_left"].eq(0).sum()
    table = liquidations.by_month(rows)
    assert table["orders"].sum() == len(rows)
    # the time series' running totals end where the records do
    model.record()
    last = model.rows[-1]
    assert last["perp_liquidations_so_far"] == len(rows)
    assert last["perp_liquidated_tokens_so_far"] == pytest.approx(rows["tokens"].sum())
    assert table["tokens"].sum() == pytest.approx(rows["tokens"].sum())
    # a record's side is the sign of the position it closed
    assert all(liq.side in (1, -1) for liq in model.perp.liquidations)
    assert isinstance(model.perp.liquidations[0], Liquidation)


def _perp_leverage(model) -> list[float]:
    """Each open retail perp account's position value over its equity, at the mark."""
    perp = model.perp
    out = []
    for owner, acct in perp.accounts.items():
        if acct.position and model.owner_type(owner) == "perp":
            equity = perp.equity_units(acct)
            value = abs(perp._notional(acct.position, perp.mark_price / perp.tick_size))
            out.append(value / equity if equity > 0 else float("inf"))
    return sorted(out)


def test_speculators_hold_what_their_leverage_allows_and_fewer_are_liquidated_below_it():
    """retail.perp_leverage bounds each speculator's position (its orders' sum, not each
    order), so lower leverage means lower positions over equity and fewer liquidations."""
    counts, medians = {}, {}
    for leverage in (10.0, 4.0, 2.0):
        config = Config().override({"run.months": 0.2, "retail.n_traders": 1500,
                                    "market_maker.strategy": "hold",
                                    "retail.perp_leverage": leverage})
        model = MarketModel(config, seed=1)
        model.run_model()
        ratios = _perp_leverage(model)
        medians[leverage] = ratios[len(ratios) // 2]
        counts[leverage] = len(model.perp.liquidations)
        # opened at most at the key's leverage; only the price's moves since push it higher
        assert medians[leverage] <= leverage * 1.15
    assert counts[10.0] > counts[4.0] >= counts[2.0]
    assert medians[10.0] > 6 and medians[2.0] < 2.3
