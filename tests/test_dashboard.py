"""The dashboard as a person uses it: `mmabm dash` started for real, driven in Debian's chromium
(headless, through Playwright): play, watch the price panel gain points, change the strategy,
open a finished compare, save a screenshot. The data layer (mmabm.live) is tested directly.
Needs the `viz` extra and chromium (.ci/run installs it with apt-get when it is missing)."""
import re
import subprocess
import sys

import pytest

from mmabm.cli import main
from mmabm.config import Config, load_config
from mmabm.live import LivePair, LiveRun, read_results
from mmabm.served import CHROMIUM, ServedDashboard

TINY = {"run.months": 0.05, "retail.n_traders": 200}


def test_every_market_knob_is_a_key_whose_allowed_range_holds_its_slider():
    pytest.importorskip("solara")
    from mmabm.dashboard import MARKET_KNOBS
    assert len({key for key, *_ in MARKET_KNOBS}) == len(MARKET_KNOBS)
    for key, label, low, high, step in MARKET_KNOBS:
        assert low < high and 0 < step <= high - low, key
        for value in (low, high):                     # a ConfigError names a slider's bad end
            assert Config().override({key: value}).to_dict()[key.split(".")[0]][
                key.split(".")[1]] == value


@pytest.mark.slow
def test_a_live_run_in_chunks_is_the_run_in_one_go():
    config = load_config("article", TINY)
    live = LiveRun(config, 2)
    while not live.done:
        live.advance(97)                     # chunks that do not divide the hour
    whole = LiveRun(config, 2)
    whole.model.run_model()
    assert live.series().equals(whole.series()) and len(live.series()) > 30
    book = live.book()
    assert set(book["side"]) == {"bid", "ask"}
    assert (book["mm_tokens"] <= book["tokens"]).all() and book["mm_tokens"].sum() > 0
    mid = live.model.cexs[0].mid_usd()
    assert (book.loc[book["side"] == "bid", "price"] < mid).all()
    assert 0 <= live.uptime() <= 1
    with pytest.raises(ValueError, match="minutes must be a positive number"):
        live.advance(-1)


@pytest.mark.slow
def test_a_pair_plays_one_seed_under_two_strategies():
    pair = LivePair(load_config("article", TINY), 1, ("article", "hold"))
    pair.advance(600)
    article, hold = (r.series() for r in pair.runs)
    assert article["fundamental"].equals(hold["fundamental"])   # the same world
    assert article["mm_sold_tokens"].iloc[-1] > 0 == hold["mm_sold_tokens"].iloc[-1]


def test_results_folders_are_read_back_or_named(tmp_path):
    with pytest.raises(Exception, match="holds no results"):
        read_results(tmp_path)
    (tmp_path / "timeseries.parquet").write_bytes(b"cut")
    with pytest.raises(Exception, match="cannot be read"):
        read_results(tmp_path)


@pytest.fixture(scope="module")
def browser():
    if CHROMIUM is None:
        pytest.skip("chromium is not installed (apt-get install chromium; .ci/run does)")
    playwright = pytest.importorskip("playwright.sync_api")
    pytest.importorskip("solara")
    with playwright.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield chromium
        chromium.close()


def _status(page) -> str:
    return page.inner_text(".mmabm-status")


def _day(page) -> float:
    return float(re.search(r"day ([0-9.]+)", _status(page)).group(1))


def _points(page) -> int:
    return int(re.search(r"(\d+) hourly points", _status(page)).group(1))


@pytest.mark.slow
def test_play_watch_change_strategy_and_screenshot(browser, tmp_path):
    dash = ServedDashboard("article")
    try:
        page = browser.new_page(viewport={"width": 1500, "height": 1100})
        page.goto(dash.url)
        page.wait_for_selector(".mmabm-status", timeout=60_000)
        assert "strategy article vs hold" in _status(page) and _day(page) == 0
        page.get_by_role("button", name="Play").click()
        page.wait_for_function("() => /day ([1-9]|0\\.[5-9])/.test("
                               "document.querySelector('.mmabm-status').innerText)",
                               timeout=60_000)
        first = _points(page)
        page.wait_for_timeout(1500)
        assert _points(page) > first > 0                    # the price panel gains points
        page.get_by_role("button", name="Pause").click()
        played = _day(page)
        # a new strategy restarts the run with it
        page.locator(".v-select").first.click()              # the strategy's menu
        page.locator(".v-list-item-title:visible", has_text="twap_sale").first.click()
        page.wait_for_function("() => document.querySelector('.mmabm-status').innerText"
                               ".includes('strategy twap_sale')", timeout=60_000)
        assert _day(page) < played
        page.get_by_role("button", name="+1 day").click()
        page.wait_for_function("() => /day 1\\.00/.test("
                               "document.querySelector('.mmabm-status').innerText)",
                               timeout=60_000)
        shot = tmp_path / "dashboard.png"
        page.screenshot(path=str(shot), full_page=True)
        assert shot.stat().st_size > 50_000
    finally:
        dash.close()


@pytest.mark.slow
def test_a_finished_compare_opens_without_rerunning(browser, tmp_path):
    out = tmp_path / "compare"
    assert main(["compare", "--months", "0.01", "--seeds", "2", "--workers", "1",
                 "--strategies", "hold,article", "--set", "retail.n_traders=100",
                 "--out", str(out)]) == 0
    dash = ServedDashboard(str(out))
    try:
        page = browser.new_page(viewport={"width": 1500, "height": 1100})
        page.goto(dash.url)
        page.wait_for_selector(".mmabm-status", timeout=60_000)
        assert _status(page).startswith("compare results in")
        page.wait_for_selector("text=Strategies: hold, article; 2 seeds", timeout=30_000)
        page.wait_for_function("() => document.querySelectorAll('canvas').length >= 3",
                               timeout=30_000)              # the three fan charts drawn
    finally:
        dash.close()


@pytest.mark.slow      # a Python process per case: the release pass runs them
@pytest.mark.parametrize("args, message", [
    (["no_such_scenario"], "neither a file nor a shipped scenario"),
    (["{tmp}"], "holds no results of mmabm run, compare or sweep"),
    (["--port", "70000"], "--port must be in [0, 65535]"),
])
def test_a_bad_source_is_one_line_before_the_server_starts(args, message, tmp_path):
    done = subprocess.run([sys.executable, "-m", "mmabm", "dash",
                           *[a.replace("{tmp}", str(tmp_path)) for a in args]],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    lines = [x for x in done.stderr.splitlines() if x.strip()]
    assert len(lines) == 1 and message in lines[0] and done.stdout == ""



@pytest.mark.slow      # a Python process: the release pass runs it
def test_a_server_that_cannot_start_is_an_error_with_what_it_printed():
    with pytest.raises(RuntimeError, match="mmabm dash exited: .*neither a file nor a shipped"):
        ServedDashboard("no_such_scenario")
