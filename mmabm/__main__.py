"""`python -m mmabm` (or the `mmabm` script): the project's main job.

Until the agent model lands this runs the demo of the compiled core in `mmabm.demo`: the article's
immediate sale of 2.3M borrowed tokens against one order book and one pool.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    """Parse the command line, run the demo, print its headline numbers; returns the exit code."""
    parser = argparse.ArgumentParser(
        prog="mmabm",
        description="Demo of the mmabm core until the agent model lands: a market maker sells "
                    "the 2.3M tokens the article says it sells at once (3M borrowed minus 700k "
                    "kept for quoting and the pool) into one CEX order book and one AMM pool, "
                    "and we record what it raises and what happens to price and depth. Writes "
                    "summary.json, timeseries.csv and demo.png.")
    parser.add_argument("--out", type=Path, default=Path("out/main"),
                        help="output directory (default: out/main)")
    parser.add_argument("--seed", type=int, default=0,
                        help="seed for the retail orders on the book (default: 0)")
    args = parser.parse_args(argv)

    from mmabm.demo import run_demo   # after parsing, so --help stays instant

    start = time.perf_counter()
    s = run_demo(args.out, seed=args.seed)
    elapsed = time.perf_counter() - start
    venue = s["tokens_sold_by_venue"]
    bid = s["final_book_best_bid"]
    print(f"mmabm demo (seed {s['seed']}): sold {s['tokens_sold']:,} of {s['tokens_to_sell']:,} "
          f"tokens ({venue['book']:,} on the book, {venue['pool']:,} to the pool)")
    print(f"  raised ${s['usdt_raised']:,.0f} at an average ${s['average_price']:.4f} "
          f"(the obligations need ${s['usdt_needed_for_obligations']:,.0f}; "
          f"${s['usdt_raised_from_own_bids']:,.0f} came from the MM's own bids)")
    print(f"  pool price ${s['start_price']:.2f} -> ${s['final_pool_price']:.4f} "
          f"(-{s['price_drop_pct']['pool']:.1f}%); book best bid "
          + (f"${bid:.4f}" if bid is not None else
             f"gone (bids exhausted after {s['book_bids_gone_at_tokens_sold']:,} tokens)"))
    print(f"  ±2% bid depth ${s['bid_depth_2pct_usd']['start']:,.0f} -> "
          f"${s['bid_depth_2pct_usd']['end']:,.0f}")
    for name in ("summary.json", "timeseries.csv", "demo.png"):
        print(f"  wrote {args.out / name}")
    print(f"  ({elapsed:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
