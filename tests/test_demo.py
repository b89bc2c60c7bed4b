"""The main job's demo: the article's 2.3M-token sale against one book and one pool."""
import csv
import json

import pytest

from mmabm.demo import run_demo


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """Seed 0 twice (into different directories) and seed 1 once; the demo takes about a second."""
    out = {}
    for name, seed in (("a", 0), ("b", 0), ("c", 1)):
        path = tmp_path_factory.mktemp(name)
        out[name] = (path, run_demo(path, seed=seed))
    return out


def test_writes_non_empty_outputs(runs):
    path, _ = runs["a"]
    for name in ("summary.json", "timeseries.csv", "demo.png"):
        assert (path / name).stat().st_size > 0, name
    assert (path / "demo.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_summary_json_is_the_returned_summary(runs):
    path, summary = runs["a"]
    assert json.loads((path / "summary.json").read_text()) == summary


def test_sale_size_is_derived_from_the_article(runs):
    _, s = runs["a"]
    assert s["tokens_to_sell"] == 3_000_000 - 700_000
    d = s["tokens_to_sell_derivation"]
    assert d["loan_tokens"] - (d["cex_ask_inventory_tokens"] + d["dex_pool_tokens"]) == 2_300_000


def test_sells_something_at_a_price_below_the_start(runs):
    _, s = runs["a"]
    assert 0 < s["tokens_sold"] <= s["tokens_to_sell"]
    assert s["tokens_sold_by_venue"]["book"] + s["tokens_sold_by_venue"]["pool"] == s["tokens_sold"]
    assert 0 < s["average_price"] < 1.0
    assert s["average_price"] == pytest.approx(s["usdt_raised"] / s["tokens_sold"])


def test_final_prices_are_below_the_start(runs):
    _, s = runs["a"]
    assert s["final_pool_price"] < s["start_price"]
    assert s["price_drop_pct"]["pool"] > 0
    bid = s["final_book_best_bid"]
    assert bid is None or bid < s["start_price"]


def test_usdt_raised_is_the_sum_of_recorded_proceeds(runs):
    path, s = runs["a"]
    with (path / "timeseries.csv").open() as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == s["tokens_sold"] // s["chunk_tokens"] + 1        # + the opening row
    assert int(rows[-1]["tokens_sold"]) == s["tokens_sold"]
    assert sum(float(r["proceeds_usd"]) for r in rows) == pytest.approx(s["usdt_raised"], rel=1e-12)
    assert float(rows[-1]["usdt_raised"]) == pytest.approx(s["usdt_raised"], rel=1e-12)
    assert all(int(r["book_tokens"]) + int(r["pool_tokens"]) == s["chunk_tokens"] for r in rows[1:])


def test_same_seed_same_summary_other_seed_other_summary(runs):
    assert runs["a"][1] == runs["b"][1]
    assert runs["c"][1] != runs["a"][1]
    assert runs["c"][1]["usdt_raised"] != runs["a"][1]["usdt_raised"]


def test_command_line_writes_outputs_and_reports(tmp_path, capsys):
    from mmabm.demo import main

    assert main(["--out", str(tmp_path / "cli"), "--seed", "3"]) == 0
    printed = capsys.readouterr().out
    assert "sold" in printed and "raised $" in printed
    summary = json.loads((tmp_path / "cli" / "summary.json").read_text())
    assert summary["seed"] == 3 and f"{summary['tokens_sold']:,}" in printed
