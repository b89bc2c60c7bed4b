"""The tape: who took a watched market maker's quotes."""
from types import SimpleNamespace

import pytest

from mmabm import BUY, SELL
from mmabm.config import Config
from mmabm.model import MarketModel
from mmabm.tape import AGENT_TYPES, Tape, maker_fills
from mmabm.venues import SpotExchange

TYPES = {1: "market_maker", 2: "noise", 3: "arbitrage"}


def _owner_type(owner: int) -> str:
    if owner not in TYPES:
        raise ValueError(f"no agent has id {owner}")
    return TYPES[owner]


def _market():
    v = SpotExchange("main", tick_size=0.0001, lot_size=2.0, maker_fee=0.0, taker_fee=0.001)
    for owner in TYPES:
        v.deposit(owner, usdt=10_000.0, tokens=5_000.0)
    model = SimpleNamespace(cexs=[v], dex=SimpleNamespace(take_swaps=list),
                            perp=SimpleNamespace(take_volume_units=lambda: 0),
                            owner_type=_owner_type, observe_hourly=lambda fn: None)
    return v, Tape(model)


def test_a_watched_makers_quotes_are_counted_by_who_took_them_signed_as_its_sale():
    v, tape = _market()
    tape.watch_maker(1)
    v.limit(1, BUY, 9_990, 100)
    v.limit(1, SELL, 10_010, 100)
    v.market(2, BUY, 30)                      # noise lifts 30 lots of its ask: it sold 60 tokens
    v.market(3, SELL, 20)                     # arbitrage hits 20 lots of its bid: it bought 40
    v.limit(2, SELL, 10_020, 5)               # a quote of someone else's, taken by the maker:
    v.market(1, BUY, 5, stp=True)             # not its quotes' flow
    sold = tape.maker_sold_to(1)
    assert sold == {**dict.fromkeys(AGENT_TYPES, 0.0), "noise": 60.0, "arbitrage": -40.0}
    takers, lots = maker_fills(v.drain_trades(), 1)
    assert len(takers) == 0                   # the tape drained them; nothing counted twice
    assert tape.maker_sold_to(1)["noise"] == 60.0
    assert tape.maker_sold_to(2) == dict.fromkeys(AGENT_TYPES, 0.0)    # not watched


def test_the_summary_says_who_the_maker_quotes_sold_to_and_it_adds_up_to_its_fills():
    config = Config().override({"run.months": 0.02, "retail.n_traders": 300})
    model = MarketModel(config, seed=3)
    model.run_until(600)
    sold = model.tape.maker_sold_to(model.market_maker.unique_id)
    assert sold["market_maker"] == 0.0        # self-trade prevention: never its own taker
    assert sum(abs(x) for x in sold.values()) > 0
    from mmabm.metrics import summarize
    summary = summarize(model)
    keys = [k for k in summary if k.startswith("mm_quotes_sold_to_")]
    assert len(keys) == len(AGENT_TYPES) - 1
    assert sum(summary[k] for k in keys) == pytest.approx(sum(sold.values()))


def test_the_tape_counts_the_takers_net_buying_in_tokens():
    v, tape = _market()
    v.limit(1, BUY, 9_990, 100)
    v.limit(1, SELL, 10_010, 100)
    v.market(2, BUY, 30)                      # 30 lots of 2 tokens bought
    v.market(3, SELL, 20)                     # 20 lots sold
    assert tape.net_bought_tokens() == 20.0
    assert tape.net_bought_tokens() == 20.0   # drained once, the same whenever it is read
    v.market(2, SELL, 50)
    assert tape.net_bought_tokens() == -80.0
    assert tape.net_bought_tokens(exclude=("arbitrage",)) == -40.0   # noise's alone
    assert tape.net_bought_tokens(exclude=("noise",)) == -40.0


def test_the_pools_swappers_are_takers_too():
    v, tape = _market()
    swaps = [[(2, 5_000_000, 7_000_000), (3, 1_000_000, -2_500_000)]]    # units
    tape.model.dex = SimpleNamespace(take_swaps=lambda: swaps.pop() if swaps else [])
    assert tape.net_bought_tokens() == 4.5              # noise bought 7, arbitrage sold 2.5
    assert tape.net_bought_tokens(exclude=("arbitrage",)) == 7.0
    assert tape.dex_units == 6_000_000                  # the swaps' volume as before
