"""Cost of the account layer: orders through a SpotExchange versus the raw OrderBook.

    .venv/bin/python benchmarks/bench_venues.py [--quick]

The same seeded flow (limits around the mid, a fraction crossing, cancels of earlier orders)
goes through both, one Python call per order as an agent makes it. The venue also locks funds,
settles every fill with fees and records the trade tape; the raw book only matches (its fills
are drained in bulk every 1,000 orders). Goal (issue 3): the venue costs at most 3x the raw
core per order.
"""
import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))   # this checkout's mmabm
from mmabm import OrderBook  # noqa: E402
from mmabm.venues import SpotExchange  # noqa: E402


def flow(n, seed=4):
    rng = np.random.default_rng(seed)
    side = rng.choice([-1, 1], size=n)
    offset = rng.geometric(0.1, size=n)
    offset = np.where(rng.random(n) < 0.1, -offset, offset)          # 10% cross the mid
    price = (10_000 - side * offset).tolist()
    qty = rng.integers(1, 100, size=n).tolist()
    owner = rng.integers(0, 50, size=n).tolist()
    cancel = (rng.random(n) < 0.4).tolist()                            # cancel an older order
    pick = rng.random(n).tolist()
    return list(zip(side.tolist(), price, qty, owner, cancel, pick))


def run_raw(orders):
    book, ids = OrderBook(), []
    for k, (side, price, qty, owner, cancel, pick) in enumerate(orders):
        ids.append(book.limit(side, price, qty, owner))
        if cancel:
            book.cancel(ids[int(pick * len(ids))])
        if k % 1_000 == 0:
            book.drain_fills()
    book.drain_fills()


def run_venue(orders):
    venue, ids = SpotExchange("bench"), []
    for owner in range(50):
        venue.deposit(owner, usdt=1e9, tokens=1e9)
    for k, (side, price, qty, owner, cancel, pick) in enumerate(orders):
        ids.append((owner, venue.limit(owner, side, price, qty)))
        if cancel:
            venue.cancel(*ids[int(pick * len(ids))])
        if k % 1_000 == 0:
            venue.drain_trades()
    venue.drain_trades()
    return venue


def best(fn, arg, repeats):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn(arg)
        times.append(time.perf_counter() - start)
    return min(times), float(np.median(times))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="20k orders instead of 200k")
    args = parser.parse_args(argv)
    n = 20_000 if args.quick else 200_000
    orders = flow(n)
    raw, raw_med = best(run_raw, orders, 5)
    venue, venue_med = best(run_venue, orders, 5)
    assert run_venue(orders).audit() == [], "the venue's books must balance after the flow"
    print(f"{n:,} limit orders (+{sum(o[4] for o in orders):,} cancels), best of 5 runs:")
    print(f"  raw OrderBook       {n / raw / 1e6:6.2f} M orders/s  ({raw / n * 1e9:5.0f} ns/order,"
          f" median {raw_med / n * 1e9:.0f})")
    print(f"  SpotExchange        {n / venue / 1e6:6.2f} M orders/s  ({venue / n * 1e9:5.0f} ns/order,"
          f" median {venue_med / n * 1e9:.0f})")
    print(f"  account layer cost  {venue / raw:6.2f} x the raw core per order "
          f"(goal <= 3x: {'met' if venue / raw <= 3 else 'NOT met'})")


if __name__ == "__main__":
    main()
