"""Arbitrage between venues: what an arbitrageur does when it gets to act.

These functions trade through the venues' accounts (so capital limits are the arbitrageur's
balances there) and only take a round whose proceeds, after every fee, exceed its cost. Each
round takes at most one price level of the order book; rounds repeat until nothing profitable
is left. The Mesa agent decides *when* to call them (its reaction delay); these decide *what*.

CEX <-> AMM: the pool is moved, in closed form (`Pool.trade_to_price`), to the price at which
one more token would earn nothing after both venues' fees:
  pool below the CEX bid:  buy on the pool, sell into the bid; stop at bid*(1-f_cex)*(1-f_pool)
  pool above the CEX ask:  buy the ask, sell into the pool;   stop at ask*(1+f_cex)/(1-f_pool)

`cex_amm`, `cex_cex` and `look` run compiled (mmabm/agents/_arbitrage.pyx): the desk looks on
most minutes and interpreted rounds were a large share of a run. mmabm.reference.arbitrage has
the same in Python, the reference the compiled ones must match trade for trade.
"""
from __future__ import annotations

from dataclasses import dataclass

from mmabm.agents import _arbitrage
from mmabm.venues import AmmVenue, SpotExchange


@dataclass
class ArbResult:
    """What a call did: tokens moved (bought on one venue, sold on the other), net USDT made."""
    rounds: int = 0
    tokens: float = 0.0
    profit_usdt: float = 0.0


def cex_amm(cex: SpotExchange, dex: AmmVenue, owner: int, max_rounds: int = 50) -> ArbResult:
    """Trade `owner`'s balances on `cex` and `dex` until their prices agree within fees."""
    return ArbResult(*_arbitrage.cex_amm(cex, dex, owner, max_rounds))


def cex_cex(buy_on: SpotExchange, sell_on: SpotExchange, owner: int,
            max_rounds: int = 50) -> ArbResult:
    """Buy `buy_on`'s ask and sell into `sell_on`'s bid while that pays after both taker fees.

    Both venues must quote in the same tick and lot sizes. Capital limits are `owner`'s USDT
    on `buy_on` and tokens on `sell_on`.
    """
    return ArbResult(*_arbitrage.cex_cex(buy_on, sell_on, owner, max_rounds))


def look(cexs: list[SpotExchange], dex: AmmVenue, owner: int, profit_usdt: float) -> float:
    """One look of the desk: `cex_amm` on each CEX, then `cex_cex` between every ordered pair
    on the same grid; `profit_usdt` plus each call's profit, added in that order."""
    return _arbitrage.look(cexs, dex, owner, profit_usdt)

