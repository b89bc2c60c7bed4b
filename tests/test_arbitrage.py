"""Arbitrage: the pool ends at the no-profit bound, only profitable rounds trade, capital binds."""
import numpy as np
import pytest

from mmabm import BUY, SELL
from mmabm.agents.arbitrage import cex_amm, cex_cex
from mmabm.config import DEAF_DEALERS
from mmabm.venues import AmmVenue, SpotExchange, units
from budget import examples

M = 10**6
ARB = 7


def market(pool_price, arb_usdt=200_000.0, arb_tokens=200_000.0, first_level=50_000):
    cex, dex = SpotExchange("main", taker_fee=0.001), AmmVenue(fee=0.003)
    for venue in (cex, dex):
        venue.deposit(1, usdt=1e7, tokens=1e7)
        venue.deposit(ARB, usdt=arb_usdt, tokens=arb_tokens)
    cex.replace_ladder(1, BUY, [9_990, 9_980, 9_900], [first_level, 50_000, 100_000])
    cex.replace_ladder(1, SELL, [10_010, 10_020, 10_100], [first_level, 50_000, 100_000])
    dex.add_liquidity(1, 500_000 * M, round(500_000 * pool_price) * M)
    return cex, dex


def test_pool_below_the_bid_is_lifted_to_the_no_profit_bound():
    cex, dex = market(0.90)
    r = cex_amm(cex, dex, ARB)
    bound = 0.999 * 0.999 * 0.997                 # bid x (1 - CEX fee) x (1 - pool fee)
    assert bound * (1 - 1e-5) < dex.price() <= bound    # within one 1-token lot, never beyond
    assert r.profit_usdt > 0 and r.tokens > 0
    assert cex.audit() == [] and dex.audit() == []


def test_pool_above_the_ask_is_pushed_down_to_the_no_profit_bound():
    cex, dex = market(1.10)
    r = cex_amm(cex, dex, ARB)
    bound = 1.001 * 1.001 / 0.997
    assert bound <= dex.price() < bound * (1 + 1e-5)
    assert r.profit_usdt > 0


def test_prices_inside_the_fee_band_are_left_alone():
    cex, dex = market(0.998)
    before = dex.price()
    assert cex_amm(cex, dex, ARB).rounds == 0 and dex.price() == before


def test_a_thin_first_level_makes_it_walk_the_book():
    cex, dex = market(0.80, first_level=1_000)
    r = cex_amm(cex, dex, ARB)
    assert r.rounds >= 2 and cex.best_bid() <= 9_980
    assert r.profit_usdt > 0


def test_capital_limits_bind():
    cex, dex = market(0.90, arb_tokens=5_000.0)
    r = cex_amm(cex, dex, ARB)
    assert r.tokens <= 5_000 and dex.price() < 0.99       # stopped short of the bound
    assert cex.balance(ARB)["tokens"] >= 0 and r.profit_usdt > 0


def test_cex_cex_buys_cheap_and_sells_dear_until_fees_eat_the_edge():
    a, b = SpotExchange("a", taker_fee=0.001), SpotExchange("b", taker_fee=0.001)
    for venue in (a, b):
        venue.deposit(1, usdt=1e6, tokens=1e6)
        venue.deposit(ARB, usdt=1e5, tokens=1e5)
    a.limit(1, SELL, 9_900, 3_000)        # a's ask $0.99
    a.limit(1, SELL, 10_050, 3_000)
    b.limit(1, BUY, 10_100, 2_000)        # b's bid $1.01
    b.limit(1, BUY, 9_995, 2_000)
    r = cex_cex(a, b, ARB)
    # 2,000 at $0.99 -> $1.01, then 1,000 at $0.99 -> $0.9995; $1.005 -> $0.9995 would lose
    assert r.tokens == 3_000 and r.rounds == 2
    assert r.profit_usdt == pytest.approx(2_000 * (1.01 * 0.999 - 0.99 * 1.001)
                                          + 1_000 * (0.9995 * 0.999 - 0.99 * 1.001))
    assert (a.balance(ARB)["tokens"], b.balance(ARB)["tokens"]) == (103_000, 97_000)
    assert cex_cex(a, b, ARB).rounds == 0


def test_cex_cex_needs_the_same_grid():
    with pytest.raises(ValueError, match="same tick_size and lot_size"):
        cex_cex(SpotExchange("a"), SpotExchange("b", tick_size=0.001), ARB)


# -- the compiled rounds against the Python reference --------------------------------------------
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from mmabm.agents.arbitrage import ArbResult, look  # noqa: E402
from mmabm.reference.arbitrage import (reference_cex_amm, reference_cex_cex,  # noqa: E402
                                       reference_look)

GRIDS = st.sampled_from([(0.0001, 1.0), (0.001, 0.1), (0.0001, 10.0), (0.01, 1.0)])
FEES = st.one_of(st.sampled_from([0.0, 0.001]), st.floats(0.0, 0.01))
LEVELS = st.lists(st.tuples(st.integers(1, 400), st.integers(1, 5_000)), min_size=1, max_size=6)
NEAR_LEVELS = st.lists(st.tuples(st.integers(1, 30), st.integers(1, 5_000)), min_size=1,
                       max_size=6)
MONEY = st.floats(0.0, 1e6)


def gaps(lo, hi):
    """Relative price gaps between two venues, of either sign, at least `lo` (else no trade)."""
    return st.tuples(st.floats(lo, hi), st.sampled_from([1, -1])).map(lambda g: g[0] * g[1])


def book(venue, levels, price):
    """Resting bids below `price` and asks above it, `levels` of (ticks away, lots) each."""
    mid = round(price / venue.tick_size)
    bids, asks = {}, {}
    for gap, lots in levels:
        bid = max(1, mid - gap)
        bids[bid] = bids.get(bid, 0) + lots
        asks[mid + gap] = asks.get(mid + gap, 0) + lots
    venue.replace_ladder(1, BUY, list(bids), list(bids.values()))
    venue.replace_ladder(1, SELL, list(asks), list(asks.values()))


def snapshot(*venues):
    """Everything a round can change, NaN-safe (repr)."""
    out = []
    for v in venues:
        if isinstance(v, SpotExchange):
            out.append((v.accounts().tolist(), v.levels(1).tolist(), v.levels(-1).tolist(),
                        v.drain_trades().tolist(), v.changes, v.fees_usdt))
        else:
            out.append((dict(v.usdt), dict(v.tokens), v.pool.token_reserve, v.pool.usdt_reserve,
                        v.take_swaps(), v.changes, v.volume_usdt))
    return repr(out)


def outcome(call):
    try:
        return repr(call())
    except (ValueError, TypeError) as error:
        return f"{type(error).__name__}: {error}"


@settings(max_examples=examples(200), deadline=None)
@given(grid=GRIDS, cex_fee=FEES, pool_fee=st.floats(0.0, 0.05), gap=gaps(0.001, 0.4),
       levels=LEVELS, money=st.tuples(MONEY, MONEY, MONEY, MONEY),
       accounts=st.sampled_from(["both"] * 4 + ["cex", "dex", "none"]),
       rounds=st.integers(1, 60))
def test_compiled_cex_amm_trades_as_the_python_reference(grid, cex_fee, pool_fee, gap, levels,
                                                         money, accounts, rounds):
    def market():
        cex = SpotExchange("main", tick_size=grid[0], lot_size=grid[1], taker_fee=cex_fee)
        dex = AmmVenue(fee=pool_fee)
        for venue in (cex, dex):
            venue.deposit(1, usdt=1e8, tokens=1e8)
        if accounts in ("both", "cex"):
            cex.deposit(ARB, usdt=money[0], tokens=money[1])
        if accounts in ("both", "dex"):
            dex.deposit(ARB, usdt=money[2], tokens=money[3])
        book(cex, levels, 1.0)
        dex.add_liquidity(1, 1_000_000 * M, round(1_000_000 * 10 ** gap) * M)
        return cex, dex

    (c1, d1), (c2, d2) = market(), market()
    got = outcome(lambda: cex_amm(c1, d1, ARB, rounds))
    assert got == outcome(lambda: reference_cex_amm(c2, d2, ARB, rounds))
    assert snapshot(c1, d1) == snapshot(c2, d2)


@settings(max_examples=examples(200), deadline=None)
@given(grid=GRIDS, fees=st.tuples(FEES, FEES), gap=gaps(0.002, 0.05),
       levels=st.tuples(NEAR_LEVELS, NEAR_LEVELS), money=st.tuples(MONEY, MONEY, MONEY, MONEY),
       accounts=st.sampled_from(["both"] * 4 + ["buy", "sell"]), rounds=st.integers(1, 60))
def test_compiled_cex_cex_trades_as_the_python_reference(grid, fees, gap, levels, money,
                                                         accounts, rounds):
    def market():
        a = SpotExchange("a", tick_size=grid[0], lot_size=grid[1], taker_fee=fees[0])
        b = SpotExchange("b", tick_size=grid[0], lot_size=grid[1], taker_fee=fees[1])
        for venue, price, lv in ((a, 1.0, levels[0]), (b, 1.0 + gap, levels[1])):
            venue.deposit(1, usdt=1e8, tokens=1e8)
            book(venue, lv, price)
        if accounts in ("both", "buy"):
            a.deposit(ARB, usdt=money[0], tokens=money[1])
        if accounts in ("both", "sell"):
            b.deposit(ARB, usdt=money[2], tokens=money[3])
        return a, b

    (a1, b1), (a2, b2) = market(), market()
    for args in ((a1, b1, a2, b2), (b1, a1, b2, a2)):         # both directions, in turn
        x1, y1, x2, y2 = args
        assert outcome(lambda: cex_cex(x1, y1, ARB, rounds)) == outcome(
            lambda: reference_cex_cex(x2, y2, ARB, rounds))
        assert snapshot(x1, y1) == snapshot(x2, y2)


def test_a_look_adds_each_calls_profit_in_turn_as_the_reference_does():
    def market():
        cexs = [SpotExchange(n, taker_fee=0.001) for n in ("a", "b", "c")]
        cexs.append(SpotExchange("d", tick_size=0.001, taker_fee=0.001))   # another grid
        dex = AmmVenue(fee=0.003)
        for venue, price in zip([*cexs, dex], (1.0, 1.03, 0.97, 1.1, 0.9)):
            venue.deposit(1, usdt=1e7, tokens=1e7)
            venue.deposit(ARB, usdt=3e4, tokens=3e4)
            if venue is dex:
                dex.add_liquidity(1, 500_000 * M, round(500_000 * price) * M)
            else:
                book(venue, [(10, 2_000), (30, 5_000)], price)
        return cexs, dex

    (c1, d1), (c2, d2) = market(), market()
    profit = look(c1, d1, ARB, 0.25)
    assert profit != 0.25 and profit == reference_look(c2, d2, ARB, 0.25)
    assert snapshot(*c1, d1) == snapshot(*c2, d2)


def test_the_wrappers_return_arb_results():
    cex, dex = market(0.90)
    r = cex_amm(cex, dex, ARB)
    assert isinstance(r, ArbResult) and type(r.rounds) is int and r.rounds > 0
    assert cex_cex(cex, SpotExchange("b"), ARB) == ArbResult()
    with pytest.raises(TypeError):
        cex_amm(dex, cex, ARB)


def test_a_model_run_is_the_same_with_the_compiled_rounds_or_the_reference():
    from mmabm.config import Config
    from mmabm.model import MarketModel

    config = Config().override({"run.months": 0.01, "retail.n_traders": 300,
                                "retail.launch_orders_per_minute": 4,
                                "run.record_every_minutes": 30})
    runs = [MarketModel(config, seed=5) for _ in range(2)]
    runs[0].arbitrageur.compiled = False
    for model in runs:
        model.run_model()

    def state(model):
        return repr((model.rows, model.arbitrageur.profit_usdt,
                     [v.accounts().tolist() for v in model.cexs], dict(model.dex.usdt),
                     dict(model.dex.tokens), model.dex.volume_usdt, model.dex.changes,
                     model.dex.pool.token_reserve, model.dex.pool.usdt_reserve))

    python, compiled = runs
    assert compiled.arbitrageur.profit_usdt > 0 and compiled.conservation_problems() == []
    assert state(compiled) == state(python)


def _quiet_model(**changes):
    from mmabm.config import Config
    from mmabm.model import MarketModel
    return MarketModel(Config().override({"run.months": 0.01, "retail.n_traders": 50,
                                          "retail.launch_orders_per_minute": 0,
                                          "market_maker.strategy": "hold", **changes}), seed=1)


def _push_pool_down(model, tokens: float = 60_000) -> None:
    """Someone outside the desk sells `tokens` into the pool: it is then below the CEX bids."""
    from mmabm.venues import fund
    seller = 99_999
    model.wallets.mint(seller, tokens=tokens)
    fund(model.wallets, model.dex, seller, 0, units.tokens_to_units(tokens))
    model.dex.swap_exact_in(seller, SELL, units.tokens_to_units(tokens))


@pytest.mark.parametrize("below", [0.25, 0.0])
def test_the_desk_rebalances_as_soon_as_a_look_leaves_an_account_low(below):
    from mmabm.venues import defund
    model = _quiet_model(**{"arbitrage.rebalance_below": below})
    desk, me, dex = model.arbitrageur, model.arbitrageur.unique_id, model.dex
    venues = [*model.cexs, dex]
    assert not desk.runs_low()
    # the desk's pool account is left with 10% of its USDT; a look that buys there drains it
    defund(dex, model.wallets, me, dex.usdt[me] * 9 // 10, 0)
    assert desk.runs_low() == bool(below)               # 0: never low, hourly rebalances only
    _push_pool_down(model)
    before = dex.price()
    desk.act()
    assert dex.price() > before                          # it traded
    usdt = [v.balance(me)["usdt"] for v in venues]
    if below:
        assert desk.early_rebalances == 1 and not desk.runs_low()
        assert max(usdt) - min(usdt) <= 1e-5             # spread evenly again (to a unit)
    else:
        assert desk.early_rebalances == 0 and usdt[-1] < 0.1 * max(usdt)
    assert model.conservation_problems() == []


def test_a_look_that_trades_nothing_does_not_rebalance():
    from mmabm.venues import defund
    model = _quiet_model()
    desk, me, dex = model.arbitrageur, model.arbitrageur.unique_id, model.dex
    defund(dex, model.wallets, me, dex.usdt[me] * 9 // 10, 0)
    desk.act()                                           # the pool is at the books: no trade
    assert desk.runs_low() and desk.early_rebalances == 0
    desk.rebalance()                                     # the hourly one still spreads it
    assert not desk.runs_low()


@pytest.mark.parametrize("seed", [1, 7])
def test_the_pool_stays_near_the_books_through_the_sale(seed):
    """A launch day with the article's sale: the pool follows the main CEX (it ran 25-55% away
    with the desk rebalancing hourly only). Without the latent book, which absorbs much of the
    sale, with dealers that quote around the mid alone and a maker whose quotes lean to sell
    the unsold sale too, so that the sale drains the desk's accounts (whether it does on a
    given seed depends on the day's path: it does on these two; on seeds 2-6 and 8 it does not
    with the news' volatility wandering, the default)."""
    import pandas as pd

    from mmabm.config import Config
    from mmabm.model import MarketModel
    config = Config().override({"run.months": 1 / 30, "retail.n_traders": 2000,
                                "retail.launch_orders_per_minute": 10,
                                "run.record_every_minutes": 10,
                                "latent.usdt_per_venue": 0, "latent.tokens_per_venue": 0,
                                "market_maker.skew_unsold_sale": "lean", **DEAF_DEALERS})
    model = MarketModel(config, seed=seed)
    model.run_model()
    ts = pd.DataFrame(model.rows)
    gap = np.abs(np.log(ts["amm_price"] / ts["mid"])).dropna()
    assert gap.quantile(0.95) < 0.05 and gap.max() < 0.1, (gap.quantile(0.95), gap.max())
    assert model.arbitrageur.early_rebalances > 0 and model.conservation_problems() == []


def test_a_round_beyond_the_largest_order_is_refused_by_name_as_in_the_reference():
    from mmabm._core import MAX_QTY_LOTS

    def market():                      # both top levels hold more lots than one order may
        a, b = SpotExchange("a", taker_fee=0.001), SpotExchange("b", taker_fee=0.001)
        for venue in (a, b):
            venue.deposit_units(1, 2**61 - 1, 2**61 - 1)
            venue.deposit_units(ARB, 2**61 - 1, 2**61 - 1)
        a.limit(1, SELL, 9_900, MAX_QTY_LOTS)
        a.limit(1, SELL, 9_900, 1_000)
        b.limit(1, BUY, 10_100, MAX_QTY_LOTS // 2)
        b.limit(1, BUY, 10_100, MAX_QTY_LOTS // 2 + 1_000)
        return a, b

    (a1, b1), (a2, b2) = market(), market()
    got = outcome(lambda: cex_cex(a1, b1, ARB))
    assert got.startswith("ValueError: qty_lots must be in")
    assert got == outcome(lambda: reference_cex_cex(a2, b2, ARB))
    assert snapshot(a1, b1) == snapshot(a2, b2)
