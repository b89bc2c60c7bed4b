"""The perp's liquidations as tables: whose position, which side, how much, when.

Each record of `PerpExchange.liquidations` is one liquidation order. A position closed into
too little depth takes several orders (what the book could not take waits for the next
check), so a position counts as liquidated once, by the order that left its account flat.
"""
from __future__ import annotations

import pandas as pd

from mmabm.tape import MINUTES_PER_MONTH
from mmabm.venues import units

COLUMNS = ("minute", "month", "agent", "side", "tokens", "tokens_left", "mark",
           "insurance_paid_usdt")
MONTHLY = ("month", "agent", "side", "orders", "positions_closed", "tokens",
           "insurance_paid_usdt")


def liquidation_rows(model) -> pd.DataFrame:
    """One row per liquidation order: its minute and month (30-day months from the listing,
    the first is 1), the owner's agent type, the side liquidated (long: sold into the bids),
    the tokens it closed and left open, the mark, and the loss the insurance fund paid."""
    perp = model.perp
    lot_tokens = perp.lot_units * units.TOKEN_UNIT
    kinds: dict[int, str] = {}
    rows = []
    for liq in perp.liquidations:
        if liq.owner not in kinds:
            kinds[liq.owner] = model.owner_type(liq.owner)
        rows.append((liq.minute, int(liq.minute // MINUTES_PER_MONTH) + 1, kinds[liq.owner],
                     "long" if liq.side > 0 else "short", liq.lots_closed * lot_tokens,
                     liq.lots_left * lot_tokens, liq.mark_price,
                     liq.deficit_units * units.USDT_UNIT))
    return pd.DataFrame(rows, columns=list(COLUMNS))


def by_month(rows: pd.DataFrame) -> pd.DataFrame:
    """The orders of `liquidation_rows` summed by month, agent type and side: how many
    orders, how many positions they closed, the tokens and what the insurance fund paid."""
    if rows.empty:
        return pd.DataFrame(columns=list(MONTHLY))
    table = (rows.assign(positions_closed=rows["tokens_left"].eq(0).astype(int))
             .groupby(["month", "agent", "side"], as_index=False)
             .agg(orders=("tokens", "size"), positions_closed=("positions_closed", "sum"),
                  tokens=("tokens", "sum"), insurance_paid_usdt=("insurance_paid_usdt", "sum")))
    return table[list(MONTHLY)]


def summary(model) -> dict[str, float]:
    """The year's liquidations in the run's summary: orders and positions closed, the tokens
    on each side, the orders against the market maker, and the insurance fund at the end
    (negative: it paid out more than it took in)."""
    liqs = model.perp.liquidations
    lot_tokens = model.perp.lot_units * units.TOKEN_UNIT
    maker = model.market_maker.unique_id
    return {
        "perp_liquidations": float(len(liqs)),
        "perp_liquidated_positions": float(sum(liq.lots_left == 0 for liq in liqs)),
        "perp_liquidated_long_tokens": sum(liq.lots_closed for liq in liqs if liq.side > 0)
        * lot_tokens,
        "perp_liquidated_short_tokens": sum(liq.lots_closed for liq in liqs if liq.side < 0)
        * lot_tokens,
        "perp_liquidations_market_maker": float(sum(liq.owner == maker for liq in liqs)),
        "perp_insurance_fund_usdt": model.perp.insurance * units.USDT_UNIT,
    }
