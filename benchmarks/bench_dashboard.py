"""Is the dashboard responsive? Two figures, against the issue's floors:

1. Simulated days per wall-clock second while playing, on one core: the article scenario
   advanced in the dashboard's frame-sized chunks (`--days` of it, the launch's busiest days
   first), alone and as a side-by-side pair (floor: 1 day a second).
2. Frames per second: the time to build one frame of every live panel (the series, the book,
   the six chart options as the JSON sent to the browser) on a year's worth of rows; and, when
   chromium is installed, the redraws a real page shows in 5 s of playing (floor: 4 a second).

    .venv/bin/python benchmarks/bench_dashboard.py            # about a minute
    .venv/bin/python benchmarks/bench_dashboard.py --days 30
"""
import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from mmabm import dashboard as d  # noqa: E402
from mmabm.config import load_config  # noqa: E402
from mmabm.live import DAY, LivePair, LiveRun  # noqa: E402
from mmabm.served import CHROMIUM, ServedDashboard  # noqa: E402


def days_per_second(runner, days: float, speed: float) -> float:
    """Advance in the chunks the player uses at `speed` days a second; simulated days per
    wall second."""
    chunk = speed * DAY / d.FRAMES_PER_SECOND
    start = time.perf_counter()
    target = min(days * DAY, runner.runs[0].end_minute if hasattr(runner, "runs")
                 else runner.end_minute)
    while (runner.main if hasattr(runner, "main") else runner).minute < target:
        runner.advance(chunk)
    return days / (time.perf_counter() - start)


def frame_seconds(pair: LivePair, repeats: int = 5) -> float:
    """Seconds to build one frame: what Panels computes and sends, as JSON."""
    best = float("inf")
    config = pair.main.config
    for _ in range(repeats):
        start = time.perf_counter()
        frames = {r.strategy: d.thin(r.series()) for r in pair.runs}
        f = frames[pair.main.strategy]
        options = [d.price_chart(frames, 0.0),
                   d.liquidity_chart(f, config.cex[0].depth_usd, config.cex[0].max_spread * 1e4),
                   d.book_chart(pair.main.book()), d.maker_chart(f), d.pnl_chart(f),
                   d.supply_chart(f)]
        payload = json.dumps(options)
        best = min(best, time.perf_counter() - start)
    print(f"  one frame: {len(payload) / 1e3:.0f} kB of chart options")
    return best


def browser_redraws(seconds: float = 5.0) -> float | None:
    """Redraws per second a real page shows while playing (None without chromium)."""
    if CHROMIUM is None:
        return None
    from playwright.sync_api import sync_playwright
    with ServedDashboard() as server, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1500, "height": 1100})
        page.goto(server.url)
        page.wait_for_selector(".mmabm-status", timeout=60_000)
        page.get_by_role("button", name="Play").click()
        page.wait_for_timeout(2000)                        # past the first frames
        seen, start = set(), time.perf_counter()
        while time.perf_counter() - start < seconds:
            seen.add(page.inner_text(".mmabm-status"))
            page.wait_for_timeout(20)
        browser.close()
    return len(seen) / seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=float, default=20.0, help="simulated days to play")
    parser.add_argument("--speed", type=float, default=5.0, help="the player's days a second")
    args = parser.parse_args()
    config = load_config("article")
    alone = days_per_second(LiveRun(config, 0), args.days, args.speed)
    pair = LivePair(config, 0, ("article", "hold"))
    paired = days_per_second(pair, args.days, args.speed)
    print(f"simulated days per wall second (first {args.days:g} days, one core): "
          f"{alone:.1f} alone, {paired:.1f} side by side (floor: 1)")
    year = LivePair(config.override({"run.months": 12}), 0, ("article", "hold"))
    year.advance(360 * DAY)
    seconds = frame_seconds(year)
    print(f"building a frame of a whole year (two runs): {seconds * 1e3:.0f} ms, at most "
          f"{1 / seconds:.0f} frames a second; the player publishes {d.FRAMES_PER_SECOND}")
    redraws = browser_redraws()
    if redraws is None:
        print("redraws in a real page: chromium not installed, not measured")
    else:
        print(f"redraws in a real page while playing: {redraws:.1f} a second (floor: 4)")


if __name__ == "__main__":
    main()
