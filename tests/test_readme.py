"""The README's Python examples run as written and give what they say."""
import re

import pytest
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"


def run_readme_examples():
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.S)
    assert len(blocks) >= 2, "the README lost its Python examples"
    namespace = {}
    for block in blocks:
        exec(compile(block, str(README), "exec"), namespace)
    return namespace


@pytest.fixture(scope="module")
def ns():
    return run_readme_examples()


def test_readme_examples_run_and_say_what_they_show(ns):
    assert ns["fills"]["price"].tolist() == [9_990] and ns["fills"]["qty"].tolist() == [200]
    assert ns["book"].remaining(ns["bid"]) == 0          # the ladder replaced owner 1's bid
    assert abs(ns["pool"].spot_price() - 1.0) < 1e-9
    assert 9_000 < ns["usdt"] < 10_000
    assert ns["result"].fills.tolist() == [(2, 0, 100, 2)]
    assert ns["result"].bids.tolist() == [] and ns["result"].asks.tolist() == [(103, 4, 1)]


def test_readme_model_example_runs_and_balances(ns):
    assert ns["config"].initial_sale_tokens == 2_300_000
    assert ns["outcome"].summary["conservation_error"] == 0.0
    assert len(ns["outcome"].timeseries) == 15 and ns["outcome"].seed == 1


def test_readme_experiment_example_pairs_two_strategies(ns):
    paired = ns["duel"].paired
    row = paired[paired["metric"] == "mm_sale_tokens_sold"].iloc[0]
    assert row["strategy"] == "article" and row["n"] == 2 and row["mean_diff"] > 0
    assert [line.get_label() for line in ns["figure"].axes[0].get_lines()] == [
        "hold (median, 10-90%)", "article (median, 10-90%)"]


def test_readme_sweep_file_is_valid():
    from mmabm.runner import load_sweep
    spec = load_sweep(README.parent / "experiments" / "sale_size.toml")
    assert len(spec.points) == 12 and spec.seeds == [0, 1, 2]


def test_readme_venue_example_trades_and_balances(ns):
    cex, dex = ns["cex"], ns["dex"]
    assert cex.balance(2)["tokens"] == 5_000                 # the trader's market buy filled
    assert cex.levels(-1, 1).tolist() == [(10_005, 25_000, 1)]
    assert dex.balance(2)["usdt"] == 0 and dex.balance(2)["tokens"] == pytest.approx(9_775.08, rel=1e-5)
    assert dex.position(1).fees_earned_usdt == pytest.approx(30, rel=1e-3) and dex.price() > 1.0
    assert ns["perp"].index_price > 0 and ns["option"].strike == 1.25
