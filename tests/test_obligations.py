"""The maker's quoting obligations as the contract measures them: its own quotes every minute,
windows closed on time, and a window below the threshold charged per hour missed, paid to the
project as far as the maker's wallet goes."""
import pytest

from mmabm.config import Config
from mmabm.model import MarketModel

DAYS = Config().override({"run.months": 3 / 30, "retail.n_traders": 600,
                          "contract.uptime_window": "day"})


def _run(config):
    model = MarketModel(config, seed=3)
    model.run_model()
    return model


def test_each_day_is_a_window_and_the_uptime_is_the_maker_s_own_quotes():
    model = _run(DAYS)
    monitor = model.obligations
    assert [end for end, _ in monitor.windows] == [1440, 2880, 4320]
    assert monitor.sampled == model.time == 4320                  # every minute, 1 to the end
    summary = monitor.summary()
    for k, venue in enumerate(model.cexs):
        day_rates = [uptimes[k] for _, uptimes in monitor.windows]
        assert all(0 <= rate <= 1 for rate in day_rates)
        assert summary[f"mm_windows_missed_{venue.name}"] == sum(r < 0.9 for r in day_rates)
        assert 0 < summary[f"mm_uptime_{venue.name}"] < 1
    # nothing is charged by default: a miss costs nothing, as in the article's deal
    assert summary["mm_penalties_usdt"] == 0 and summary["mm_penalties_unpaid_usdt"] == 0


def test_a_window_below_the_threshold_is_charged_per_hour_missed_and_money_is_conserved():
    price = 100.0                                        # USDT per hour missed
    model = _run(DAYS.override({"contract.penalty_usdt_per_hour": price,
                                "contract.uptime_threshold": 1.0}))
    monitor = model.obligations
    # every closed window is below a threshold of 1: each charges its missed hours
    missed_minutes = sum(1440 * (1 - rate) for _, uptimes in monitor.windows
                         for rate in uptimes)
    owed = price * missed_minutes / 60
    assert owed > 0
    assert monitor.penalties_usdt + monitor.unpaid_usdt == pytest.approx(owed, rel=1e-9)
    by_cex = [monitor.summary()[f"mm_penalties_charged_usdt_{v.name}"] for v in model.cexs]
    assert sum(by_cex) == pytest.approx(owed, rel=1e-9) and all(x > 0 for x in by_cex)
    assert monitor.penalties_usdt > 0
    assert model.conservation_problems() == []


def test_a_penalty_the_maker_cannot_pay_is_recorded_unpaid():
    model = MarketModel(DAYS, seed=3)
    me, project = model.market_maker.unique_id, model.project.unique_id
    wallets = model.wallets
    wallets.transfer(me, project, usdt_units=wallets.usdt[me] - 5_000_000)   # $5 left
    before = wallets.usdt[project]
    model.obligations.charge(12.5)
    assert model.obligations.penalties_usdt == pytest.approx(5.0)
    assert model.obligations.unpaid_usdt == pytest.approx(7.5)
    assert wallets.usdt[me] == 0
    assert wallets.usdt[project] - before == 5_000_000           # what was paid, moved
    assert model.conservation_problems() == []


def test_bad_terms_name_the_key():
    with pytest.raises(Exception, match="contract.uptime_threshold"):
        Config().override({"contract.uptime_threshold": 1.5})
    with pytest.raises(Exception, match="contract.uptime_window"):
        Config().override({"contract.uptime_window": "week"})
    with pytest.raises(Exception, match="contract.penalty_usdt_per_hour"):
        Config().override({"contract.penalty_usdt_per_hour": -1})


def test_a_maker_that_requotes_when_its_own_quotes_miss_keeps_them_up_longer():
    """compliance = requote: the check that decides a requote reads its own quotes, not the
    whole book (where others' depth hides its taken rungs), so it misses fewer minutes."""
    base = Config().override({"run.months": 2 / 30, "retail.n_traders": 600,
                              "market_maker.strategy": "hold"})
    uptime = {}
    for policy in ("accept", "requote"):
        model = _run(base.override({"market_maker.compliance": policy}))
        uptime[policy] = model.obligations.summary()["mm_uptime_main"]
    assert uptime["requote"] > 1.3 * uptime["accept"] > 0


def test_the_contract_s_last_window_closes_at_maturity():
    """Quoting stops at maturity: the window it was in closes then, and counts."""
    model = _run(Config().override({"run.months": 1, "contract.months": 1,
                                     "retail.n_traders": 600}))
    monitor = model.obligations
    assert not model.market_maker.quoting
    assert [end for end, _ in monitor.windows] == [30 * 1440]
    assert monitor.summary()["mm_windows_closed"] == 1


def test_each_window_with_a_miss_forfeits_call_tranches_highest_strike_first():
    model = _run(DAYS.override({"contract.uptime_threshold": 1.0,
                                "contract.forfeit_calls_per_miss": 1}))
    project = model.project
    assert model.obligations.windows_with_miss == 3               # 3 days, each missed
    assert [o.strike for o in project.forfeited] == [2.0, 1.5, 1.25]
    assert project.options == []
    assert model.market_maker.quoting                              # the mandate goes on
    assert model.conservation_problems() == []


def test_the_mandate_ends_after_so_many_windows_with_a_miss_and_the_contract_settles():
    model = _run(DAYS.override({"contract.uptime_threshold": 1.0,
                                "contract.end_mandate_after_misses": 2}))
    project, mm = model.project, model.market_maker
    assert project.mandate_ended_at == project.maturity == 2 * 1440
    assert not mm.quoting and project.options == [] and len(project.forfeited) == 3
    assert [end for end, _ in model.obligations.windows] == [1440, 2880]   # no third window
    for venue in model.cexs:                                       # its quotes are gone
        assert len(venue.orders_of(mm.unique_id)) == 0
    # the loan came back (what the maker could cover) and nothing was made or lost
    assert project.tokens_returned_units > 0
    assert model.conservation_problems() == []
    assert model.perp.account(mm.unique_id).position == 0


def _compliance(policy: str, **terms):
    """The article's maker, which sells its loan down to the working inventory and then lacks
    tokens for its asks, a week under `policy`."""
    return _run(Config().override({"run.months": 7 / 30, "retail.n_traders": 600,
                                   "market_maker.compliance": policy, **terms}))


def test_a_maker_that_borrows_for_its_asks_owes_it_back_within_the_cap():
    cap = 300_000.0
    model = _compliance("borrow", **{"contract.extra_loan_tokens": cap})
    project, mm = model.project, model.market_maker
    lent = project.extra_lent_units * 1e-6
    assert 0 < lent <= cap and mm.compliance_tokens == pytest.approx(lent)
    loan = Config().contract.loan_tokens
    assert project.loan_units * 1e-6 == pytest.approx(loan + lent)         # owed back too
    assert model.conservation_problems() == []
    none = _compliance("borrow")                                  # no extra loan on offer
    assert none.project.extra_lent_units == 0 and none.market_maker.compliance_tokens == 0


def test_a_maker_that_rebuys_for_its_asks_spends_within_its_month_s_budget():
    budget = 50_000.0
    model = _compliance("rebuy", **{"market_maker.compliance_budget_usdt": budget})
    mm = model.market_maker
    assert mm.compliance_tokens > 0
    # the budget binds the month; one of _buy's four parts may go past it
    assert budget <= mm.compliance_usdt < budget * 1.5
    assert model.project.extra_lent_units == 0
    assert model.conservation_problems() == []
    none = _compliance("rebuy", **{"market_maker.compliance_budget_usdt": 0.0})
    assert none.market_maker.compliance_tokens == 0


def test_new_compliance_terms_are_checked_by_name():
    for key, bad in (("contract.forfeit_calls_per_miss", -1),
                     ("contract.end_mandate_after_misses", 1.5),
                     ("contract.extra_loan_tokens", float("nan")),
                     ("market_maker.compliance", "widen"),
                     ("market_maker.compliance_budget_usdt", -5),
                     ("market_maker.inner_rungs", 11),
                     ("market_maker.depth_margin", 2)):
        with pytest.raises(Exception, match=key):
            Config().override({key: bad})
