"""Strategies as plug-ins: the built-ins through the registry, a user's class by path with its
own checked parameters, and one-line errors for what cannot be used."""
from pathlib import Path

import pytest

from mmabm.cli import main
from mmabm.config import Config, ConfigError, strategy_of
from mmabm.model import MarketModel
from mmabm.strategies import BUILTIN, resolve

EXAMPLE = f"{Path(__file__).parent.parent / 'examples' / 'liability_aware.py'}:LiabilityAware"
MONTH = Config().override({"run.months": 1.0, "retail.n_traders": 600})


def test_each_built_in_is_found_by_its_name_and_by_its_path():
    for name, cls in BUILTIN.items():
        assert resolve(name) is cls and cls.name == name and cls.description
        assert resolve(f"mmabm.strategies:{cls.__name__}") is cls
    assert strategy_of(Config().market_maker).sale_execution == "immediate"


@pytest.mark.parametrize("spec, message", [
    ("dump", "must be a built-in strategy"),
    ("no_such_module:X", "cannot load no_such_module: ModuleNotFoundError"),
    ("mmabm.strategies:Nope", "mmabm.strategies has no 'Nope'"),
    ("mmabm.config:Config", "does not implement the strategy interface"),
    ("mmabm.strategies:Strategy", "does not define hedge_target"),
    ("missing/file.py:X", "no file missing/file.py"),
])
def test_a_strategy_that_cannot_be_used_is_one_line_naming_the_key(spec, message):
    with pytest.raises(ConfigError, match="market_maker.strategy") as err:
        Config().override({"market_maker.strategy": spec})
    assert message in str(err.value) and "\n" not in str(err.value)


def test_a_user_strategy_s_parameters_are_checked_by_name():
    with pytest.raises(ConfigError, match="unknown key 'market_maker.params.dipp'"):
        Config().override({"market_maker.strategy": EXAMPLE, "market_maker.params.dipp": 0.1})
    with pytest.raises(ConfigError, match=r"market_maker.params.dip must be in \[0.01, 0.99\]"):
        Config().override({"market_maker.strategy": EXAMPLE, "market_maker.params.dip": 2})
    config = Config().override({"market_maker.strategy": EXAMPLE,
                                "market_maker.params.dip": 0.2})
    assert strategy_of(config.market_maker).params.dip == 0.2
    # the resolved config round-trips (a run's config.json re-creates it)
    assert Config.from_dict(config.to_dict()) == config


def _run(config):
    model = MarketModel(config, seed=0)
    model.run_model()
    return model


def test_the_example_rebuys_on_dips_within_its_budget_and_keeps_what_it_rebought():
    budget = 100_000.0
    model = _run(MONTH.override({"market_maker.strategy": EXAMPLE,
                                 "market_maker.params.dip": 0.03,
                                 "market_maker.params.budget_usdt": budget}))
    strategy = model.market_maker.strategy
    assert strategy.rebought > 0 and 0 < strategy.spent < budget * 1.3
    assert model.conservation_problems() == []


def test_the_example_without_a_dip_deep_enough_is_the_article_s_run():
    article = _run(MONTH)
    never = _run(MONTH.override({"market_maker.strategy": EXAMPLE,
                                 "market_maker.params.dip": 0.99}))
    assert never.market_maker.strategy.rebought == 0
    a, b = article.rows[-1], never.rows[-1]
    assert all(a[k] == b[k] or (a[k] != a[k] and b[k] != b[k]) for k in a)


def test_mmabm_strategies_lists_the_built_ins_and_describes_one(capsys):
    assert main(["strategies"]) == 0
    out = capsys.readouterr().out
    assert all(name in out for name in BUILTIN)
    assert main(["strategies", EXAMPLE]) == 0
    assert "market_maker.params.dip = 0.1 in [0.01, 0.99]" in capsys.readouterr().out
    assert main(["strategies", "nope"]) == 2
    assert "must be a built-in strategy" in capsys.readouterr().err


_END = '''  # strategies for the contract's end, loaded by path as a user's would be
from mmabm.strategies import Article

class NoBuyback(Article):
    def buyback_tokens(self, maker, book):
        return 0.0

class Defaulter(NoBuyback):
    def exercise(self, maker, option, spot):
        return False

    def cover_at_maturity(self, maker):
        return False
'''


def test_the_contract_s_end_is_the_strategy_s_choice(tmp_path):
    """A strategy that buys nothing back, exercises nothing and does not cover hands the project
    back only what it holds; the article's maker buys back and covers. Same market until the
    buyback starts (common random numbers)."""
    path = tmp_path / "end.py"
    path.write_text(_END)
    short = MONTH.override({"contract.months": 1.0, "market_maker.buyback_days": 7.0})
    article = _run(short)
    none = _run(short.override({"market_maker.strategy": f"{path}:NoBuyback"}))
    default = _run(short.override({"market_maker.strategy": f"{path}:Defaulter"}))
    a, n, d = article.market_maker, none.market_maker, default.market_maker
    assert a.buyback_tokens > 0 and n.buyback_tokens > 0            # n: only at maturity
    assert d.buyback_tokens == 0 and d.options_exercised == 0
    loan = article.project.loan_units
    assert article.project.tokens_returned_units == loan
    # all bought at maturity, in whole lots: within a lot of the loan
    assert loan - 1_000_000 < none.project.tokens_returned_units <= loan
    assert default.project.tokens_returned_units < loan - 1_000_000
    for model in (article, none, default):
        assert model.conservation_problems() == []


def test_a_strategy_places_its_quotes_where_it_centres_them(tmp_path):
    """quote_centre moves the maker's ladders: each requote centres where the strategy says
    (0.2% under the mid here), and the posted ladder straddles that centre."""
    path = tmp_path / "low.py"
    path.write_text("from mmabm.strategies import Hold\n\nclass Low(Hold):\n"
                    "    def quote_centre(self, maker, venue, mid):\n"
                    "        self.seen = getattr(self, 'seen', {})\n"
                    "        self.seen[venue.name] = mid\n        return 0.998 * mid\n")
    config = MONTH.override({"run.months": 0.02, "market_maker.strategy": f"{path}:Low"})
    model = MarketModel(config, seed=0)
    model.run_model()
    mm, cex = model.market_maker, model.cexs[0]
    assert mm.quoted_mid[cex.name] == 0.998 * mm.strategy.seen[cex.name]
    mine = cex.orders_of(mm.unique_id)
    bid = mine["price"][mine["side"] == 1].max() * cex.tick_size
    ask = mine["price"][mine["side"] == -1].min() * cex.tick_size
    centre = mm.quoted_mid[cex.name]
    assert bid < centre < ask
