"""The arbitrage rounds in plain Python: the reference of mmabm/agents/_arbitrage.pyx, which
must make the very same trades (`reference_look` is `arbitrage.look`, `reference_cex_amm` and
`reference_cex_cex` are `arbitrage.cex_amm` and `arbitrage.cex_cex`). `Arbitrageur.compiled =
False` runs a whole model's desk on them; mmabm.agents.arbitrage says what the rounds do.
"""
from __future__ import annotations

import itertools

from mmabm._core import BUY, IOC, SELL
from mmabm.agents.arbitrage import ArbResult
from mmabm.venues import AmmVenue, SpotExchange, units


def reference_look(cexs: list[SpotExchange], dex: AmmVenue, owner: int,
                   profit_usdt: float) -> float:
    """`look` in Python."""
    for cex in cexs:
        profit_usdt += reference_cex_amm(cex, dex, owner).profit_usdt
    for a, b in itertools.permutations(cexs, 2):
        if (a.tick_size, a.lot_size) == (b.tick_size, b.lot_size):
            profit_usdt += reference_cex_cex(a, b, owner).profit_usdt
    return profit_usdt


def reference_cex_amm(cex: SpotExchange, dex: AmmVenue, owner: int,
                      max_rounds: int = 50) -> ArbResult:
    """`cex_amm` in Python."""
    result = ArbResult()
    fee_pool, fee_cex = dex.pool.fee, cex.taker_fee
    for _ in range(max_rounds):
        price = dex.price()
        bid, bid_lots = cex.top(BUY)         # (price ticks, lots) of the best level, 0s if none
        ask, ask_lots = cex.top(SELL)
        if bid and price < bid * cex.tick_size * (1 - fee_cex) * (1 - fee_pool):
            target = bid * cex.tick_size * (1 - fee_cex) * (1 - fee_pool)
            side_pool, level, level_lots = BUY, bid, bid_lots
        elif ask and price > ask * cex.tick_size * (1 + fee_cex) / (1 - fee_pool):
            target = ask * cex.tick_size * (1 + fee_cex) / (1 - fee_pool)
            side_pool, level, level_lots = SELL, ask, ask_lots
        else:
            break
        lots = min(level_lots, _pool_lots(cex, dex, side_pool, target),
                   _affordable_lots(cex, dex, owner, side_pool, level))
        if lots <= 0 or not _round(cex, dex, owner, side_pool, level, lots, result):
            break
    return result


def _pool_lots(cex: SpotExchange, dex: AmmVenue, side_pool: int, target: float) -> int:
    """Whole CEX lots of tokens the pool trades on its way to `target`."""
    side, amount_in = dex.trade_to_price(target)
    if side != side_pool or amount_in <= 0:
        return 0
    tokens = dex.pool.quote_exact_in(side, float(amount_in)) if side > 0 else amount_in
    return int(tokens // cex.lot_units)


def _affordable_lots(cex: SpotExchange, dex: AmmVenue, owner: int, side_pool: int,
                     level: int) -> int:
    """Lots the owner can pay for on both legs with what it holds at each venue."""
    cex_bal, dex_bal = cex.balance(owner), dex.balance(owner)
    lot_tokens = cex.lot_units * units.TOKEN_UNIT
    if side_pool > 0:   # sells tokens on the CEX, pays USDT on the pool
        by_cex = cex_bal["tokens"] / lot_tokens
        by_pool = dex_bal["usdt"] / (level * cex.tick_size * lot_tokens * 1.5)
    else:               # pays USDT on the CEX, sells tokens on the pool
        by_cex = cex_bal["usdt"] / (level * cex.tick_size * lot_tokens * (1 + cex.taker_fee) * 1.001)
        by_pool = dex_bal["tokens"] / lot_tokens
    return int(min(by_cex, by_pool))


def _round(cex: SpotExchange, dex: AmmVenue, owner: int, side_pool: int, level: int, lots: int,
           result: ArbResult) -> bool:
    """One round at one level, if it pays after fees; True if it traded."""
    token_units = lots * cex.lot_units
    notional = level * cex.quote_units * lots                      # USDT units on the CEX
    if side_pool > 0:
        cost = dex.pool.quote_exact_out(BUY, float(token_units))  # USDT units into the pool
        gain = notional * (1 - cex.taker_fee) - cost
    else:
        proceeds = dex.pool.quote_exact_in(SELL, float(token_units))
        gain = proceeds - notional * (1 + cex.taker_fee)
    if gain <= 0 or (side_pool > 0 and cost > dex.balance(owner)["usdt"] / units.USDT_UNIT):
        return False
    before, held = _value(cex, dex, owner, level), cex.balance(owner)["tokens"]
    if cex.limit(owner, SELL if side_pool > 0 else BUY, level, lots, IOC) < 0:
        return False
    moved = round(abs(cex.balance(owner)["tokens"] - held) / units.TOKEN_UNIT)   # units filled
    if moved:
        if side_pool > 0:
            dex.swap_exact_out(owner, BUY, moved)          # buy back what the CEX leg sold
        else:
            dex.swap_exact_in(owner, SELL, moved)          # sell what the CEX leg bought
    result.rounds += 1
    result.tokens += moved * units.TOKEN_UNIT
    result.profit_usdt += _value(cex, dex, owner, level) - before
    return moved > 0


def _value(cex: SpotExchange, dex: AmmVenue, owner: int, level: int) -> float:
    """The owner's holdings on both venues in USDT, tokens valued at a fixed price."""
    c, d = cex.balance(owner), dex.balance(owner)
    price = level * cex.tick_size
    return (c["usdt"] + c["usdt_locked"] + d["usdt"]
            + (c["tokens"] + c["tokens_locked"] + d["tokens"]) * price)


def reference_cex_cex(buy_on: SpotExchange, sell_on: SpotExchange, owner: int,
                      max_rounds: int = 50) -> ArbResult:
    """`cex_cex` in Python."""
    if (buy_on.tick_size, buy_on.lot_size) != (sell_on.tick_size, sell_on.lot_size):
        raise ValueError("cex_cex needs venues with the same tick_size and lot_size")
    result = ArbResult()
    for _ in range(max_rounds):
        ask, ask_lots = buy_on.top(SELL)
        bid, bid_lots = sell_on.top(BUY)
        if not (ask and bid) or bid * (1 - sell_on.taker_fee) <= ask * (1 + buy_on.taker_fee):
            break
        lot_tokens = buy_on.lot_units * units.TOKEN_UNIT
        afford = buy_on.balance(owner)["usdt"] / (ask * buy_on.tick_size * lot_tokens
                                                  * (1 + buy_on.taker_fee) * 1.001)
        lots = int(min(ask_lots, bid_lots, afford, sell_on.balance(owner)["tokens"] / lot_tokens))
        if lots <= 0:
            break
        buy_on.limit(owner, BUY, ask, lots, IOC)
        sell_on.limit(owner, SELL, bid, lots, IOC)
        result.rounds += 1
        result.tokens += lots * lot_tokens
        result.profit_usdt += lots * (bid * (1 - sell_on.taker_fee) - ask * (1 + buy_on.taker_fee)) \
            * buy_on.tick_size * lot_tokens
    return result
