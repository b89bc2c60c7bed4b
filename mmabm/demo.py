"""The main job until the agent model lands: the article's 2.3M-token sale, one book, one pool.

One CEX order book (the market maker's ±2% obligation ladder plus seeded retail depth further out)
and one constant-product pool, both at $1.00. The market maker sells its tokens in equal chunks,
each to the venue that pays more for it; after every chunk a fee-aware arbitrageur pulls the pool
back in line with the book. The question answered: what price and how many USDT does the
immediate sale really get, and what is left of the book's ±2% bids afterwards?
"""
from __future__ import annotations

import argparse
import csv
import json
import math
import sys
import time
from pathlib import Path

import numpy as np

from mmabm import BUY, IOC, SELL, OrderBook, Pool

# ---- units: the one place that converts between USD / tokens and ticks / lots ----------------
TICK_USD = 0.0001            # one price tick, in USDT per token
LOT_TOKENS = 1               # one lot, in tokens (the demo trades whole tokens)
START_PRICE_USD = 1.00

# ---- the article's deal (SPEC.md section 1) ---------------------------------------------------
LOAN_TOKENS = 3_000_000
# quoting inventory on the main CEX (100k) and two others (50k each); only the main is modelled
CEX_ASK_INVENTORY_TOKENS = 200_000
CEX_BID_INVENTORY_USDT = 200_000.0
POOL_TOKENS = 500_000
POOL_USDT = 500_000.0
POOL_FEE = 0.003
TOKENS_TO_SELL = LOAN_TOKENS - (CEX_ASK_INVENTORY_TOKENS + POOL_TOKENS)
CHUNK_TOKENS = 1_000
USDT_NEEDED_FOR_OBLIGATIONS = CEX_BID_INVENTORY_USDT + POOL_USDT

# ---- the main CEX book -------------------------------------------------------------------------
DEPTH_BAND = 0.02                    # obligations are measured within ±2% of mid
MM_SIDE_NOTIONAL_USD = 100_000.0     # per side, within the band
MM_LEVELS = 10                       # per side, evenly spread from the best quote to the band edge
MM_SPREAD = 0.001                    # best bid and best ask 0.1% apart
RETAIL_ORDERS_PER_SIDE = 300
RETAIL_SIDE_NOTIONAL_USD = 100_000.0  # expected total per side, all of it beyond the band
RETAIL_MEAN_GAP = 0.10               # mean (geometric) distance beyond the band, fraction of mid
MIN_PROCEEDS_USD = 0.01              # a venue paying less than this for a chunk is exhausted

MM, ARB, RETAIL_OWNER_BASE = 1, 2, 100   # owner ids: the seller is the market maker itself


def usd_to_ticks(price_usd: float) -> int:
    """Nearest tick to a USD price (at least one tick, the book's lowest price)."""
    return max(1, round(price_usd / TICK_USD))


def ticks_to_usd(price_ticks: float) -> float:
    """USD price of a tick count."""
    return price_ticks * TICK_USD


def build_book(seed: int) -> OrderBook:
    """The main CEX: the MM's obligation ladder inside ±2%, seeded retail orders beyond it."""
    book = OrderBook()
    offsets = np.linspace(MM_SPREAD / 2, DEPTH_BAND, MM_LEVELS)
    for side in (BUY, SELL):
        prices = np.array([usd_to_ticks(START_PRICE_USD * (1 - side * o)) for o in offsets])
        lots = np.rint(MM_SIDE_NOTIONAL_USD / MM_LEVELS / ticks_to_usd(prices) / LOT_TOKENS)
        book.replace_ladder(MM, side, prices, lots.astype(np.int64))
    bid_rng, ask_rng = np.random.default_rng(seed).spawn(2)   # one stream per side
    owner = RETAIL_OWNER_BASE
    for side, rng in ((BUY, bid_rng), (SELL, ask_rng)):
        edge = usd_to_ticks(START_PRICE_USD * (1 - side * DEPTH_BAND)) - side
        gap = rng.geometric(TICK_USD / (RETAIL_MEAN_GAP * START_PRICE_USD), RETAIL_ORDERS_PER_SIDE)
        prices = np.maximum(edge - side * (gap - 1), 1)
        mean_usd = RETAIL_SIDE_NOTIONAL_USD / RETAIL_ORDERS_PER_SIDE
        notional = rng.lognormal(math.log(mean_usd) - 0.5, 1.0, RETAIL_ORDERS_PER_SIDE)
        lots = np.maximum(np.rint(notional / ticks_to_usd(prices) / LOT_TOKENS), 1)
        for p, q in zip(prices.tolist(), lots.astype(np.int64).tolist()):
            book.limit(side, p, q, owner)
            owner += 1
    return book


def book_sell_quote(book: OrderBook, qty_lots: int) -> tuple[int, float]:
    """(lots the bids can absorb, up to qty_lots; USD they pay): a market sell, without trading."""
    levels = book.levels(BUY)
    before = np.cumsum(levels["qty"]) - levels["qty"]        # lots ahead of each level
    take = np.clip(qty_lots - before, 0, levels["qty"])
    return int(take.sum()), ticks_to_usd(float(np.dot(take, levels["price"]))) * LOT_TOKENS


def bid_depth_usd(book: OrderBook, band: float = DEPTH_BAND) -> float:
    """USD of bids within `band` below the mid (below the best bid if the book has no asks)."""
    if not book.best_bid():
        return 0.0
    ref = book.mid() if book.best_ask() else book.best_bid()
    _, notional = book.depth(BUY, math.floor(ref * (1 - band)), book.best_bid())
    return ticks_to_usd(notional) * LOT_TOKENS


def fills_usd(fills: np.ndarray) -> float:
    """USD value of drained fills."""
    return ticks_to_usd(float(np.dot(fills["price"], fills["qty"]))) * LOT_TOKENS


def sell_on_book(book: OrderBook, qty_lots: int, owner: int,
                 limit_ticks: int = 1) -> tuple[int, float, float]:
    """Sell into the bids (IOC, no lower than limit_ticks).

    Returns (lots sold, USD received, the part of it paid by the MM's own bids): when the MM is
    the seller, those fills are a self-trade that raises no outside money.
    """
    book.limit(SELL, limit_ticks, qty_lots, owner, IOC)
    fills = book.drain_fills()
    return int(fills["qty"].sum()), fills_usd(fills), fills_usd(fills[fills["maker_owner"] == MM])


def arbitrage(book: OrderBook, pool: Pool) -> tuple[int, float]:
    """Close a gap between the pool and the book, if it pays after the pool fee.

    The arbitrageur buys on the cheap venue and sells on the dear one: it moves the pool to the
    book's best bid (ask) net of the fee with the pool's closed-form trade, and trades the same
    tokens on the book with an IOC limit at its break-even price. Returns (tokens moved from the
    pool to the book, negative for book to pool; the arbitrageur's USD profit).
    """
    g, spot = 1.0 - pool.fee, pool.spot_price()
    bid, ask = book.best_bid(), book.best_ask()
    if bid and spot < ticks_to_usd(bid) * g:
        _, usdt_in = pool.trade_to_price(ticks_to_usd(bid) * g)
        lots = int(pool.quote_exact_in(BUY, usdt_in) // LOT_TOKENS)
        if lots < 1:
            return 0, 0.0
        cost = pool.swap_exact_out(BUY, lots * LOT_TOKENS)
        break_even = math.ceil(cost / (lots * LOT_TOKENS) / TICK_USD)
        sold, usd, _ = sell_on_book(book, lots, ARB, break_even)
        return lots, usd - cost * sold / lots          # unsold lots stay in its inventory
    if ask and spot > ticks_to_usd(ask) / g:
        _, tokens_in = pool.trade_to_price(ticks_to_usd(ask) / g)
        lots = int(tokens_in // LOT_TOKENS)
        if lots < 1:
            return 0, 0.0
        worth = pool.quote_exact_in(SELL, lots * LOT_TOKENS) / lots / LOT_TOKENS
        book.limit(BUY, math.floor(worth / TICK_USD), lots, ARB, IOC)
        fills = book.drain_fills()
        bought = int(fills["qty"].sum())
        if bought == 0:
            return 0, 0.0
        return -bought, pool.swap_exact_in(SELL, bought * LOT_TOKENS) - fills_usd(fills)
    return 0, 0.0


def snapshot(book: OrderBook, pool: Pool) -> dict:
    """Prices and depth recorded after every chunk (NaN where the book cannot say)."""
    bid = book.best_bid()
    return {"book_best_bid": ticks_to_usd(bid) if bid else math.nan,
            "book_mid": ticks_to_usd(book.mid()), "pool_price": pool.spot_price(),
            "bid_depth_2pct_usd": bid_depth_usd(book),
            "bid_depth_all_usd": bid_depth_usd(book, 1.0)}


def sell_chunk(book: OrderBook, pool: Pool) -> dict | None:
    """Sell one chunk where it pays more: the book's bids (any rest to the pool) or the pool.

    Returns None when neither venue pays MIN_PROCEEDS_USD for it: both are exhausted.
    """
    book_lots, book_usd = book_sell_quote(book, CHUNK_TOKENS // LOT_TOKENS)
    rest = CHUNK_TOKENS - book_lots * LOT_TOKENS
    via_book = book_usd + (pool.quote_exact_in(SELL, rest) if rest else 0.0)
    via_pool = pool.quote_exact_in(SELL, CHUNK_TOKENS)
    if max(via_book, via_pool) < MIN_PROCEEDS_USD:
        return None
    if via_book > via_pool and book_lots:
        lots, usd, own_usd = sell_on_book(book, book_lots, MM)
        return {"book_tokens": lots * LOT_TOKENS, "own_bid_usd": own_usd,
                "proceeds_usd": usd + (pool.swap_exact_in(SELL, rest) if rest else 0.0)}
    return {"book_tokens": 0, "own_bid_usd": 0.0,
            "proceeds_usd": pool.swap_exact_in(SELL, CHUNK_TOKENS)}


def simulate(seed: int) -> tuple[list[dict], dict]:
    """Run the sale; returns the per-chunk rows (row 0 is the opening state) and the totals."""
    book, pool = build_book(seed), Pool(fee=POOL_FEE)
    pool.add_liquidity(POOL_TOKENS, POOL_USDT)
    rows = [{"chunk": 0, "tokens_sold": 0, "book_tokens": 0, "pool_tokens": 0, "proceeds_usd": 0.0,
             "usdt_raised": 0.0, "arb_tokens_pool_to_book": 0, **snapshot(book, pool)}]
    sold = book_total = arb_moved = 0
    raised = own_usd = arb_profit = 0.0
    while sold < TOKENS_TO_SELL:
        trade = sell_chunk(book, pool)
        if trade is None:
            break
        sold += CHUNK_TOKENS
        raised += trade["proceeds_usd"]
        book_total += trade["book_tokens"]
        own_usd += trade["own_bid_usd"]
        moved, profit = arbitrage(book, pool)
        arb_moved += moved
        arb_profit += profit
        rows.append({"chunk": len(rows), "tokens_sold": sold, "book_tokens": trade["book_tokens"],
                     "pool_tokens": CHUNK_TOKENS - trade["book_tokens"],
                     "proceeds_usd": trade["proceeds_usd"], "usdt_raised": raised,
                     "arb_tokens_pool_to_book": moved, **snapshot(book, pool)})
    totals = {"tokens_sold": sold, "usdt_raised": raised, "book_tokens": book_total,
              "own_bid_usd": own_usd, "arb_tokens_pool_to_book": arb_moved,
              "arb_profit_usd": arb_profit}
    return rows, totals


def summarise(rows: list[dict], totals: dict, seed: int) -> dict:
    """The run's headline numbers, JSON-ready, no wall-clock values (same seed, same dict)."""
    last, sold = rows[-1], totals["tokens_sold"]

    def _nan_to_none(x: float) -> float | None:
        return None if math.isnan(x) else x

    def _drop_pct(final: float) -> float | None:
        return None if math.isnan(final) else 100.0 * (1.0 - final / START_PRICE_USD)

    return {
        "seed": seed,
        "tokens_to_sell": TOKENS_TO_SELL,
        "tokens_to_sell_derivation": {
            "formula": "loan_tokens - (cex_ask_inventory_tokens + dex_pool_tokens)",
            "loan_tokens": LOAN_TOKENS, "cex_ask_inventory_tokens": CEX_ASK_INVENTORY_TOKENS,
            "dex_pool_tokens": POOL_TOKENS},
        "chunk_tokens": CHUNK_TOKENS,
        "tokens_sold": sold,
        "stopped_early": sold < TOKENS_TO_SELL,
        "usdt_raised": totals["usdt_raised"],
        "usdt_raised_from_own_bids": totals["own_bid_usd"],
        "average_price": totals["usdt_raised"] / sold if sold else None,
        "start_price": START_PRICE_USD,
        "final_book_best_bid": _nan_to_none(last["book_best_bid"]),
        "final_book_mid": _nan_to_none(last["book_mid"]),
        "final_pool_price": last["pool_price"],
        "price_drop_pct": {"book_best_bid": _drop_pct(last["book_best_bid"]),
                           "pool": _drop_pct(last["pool_price"])},
        "tokens_sold_by_venue": {"book": totals["book_tokens"],
                                 "pool": sold - totals["book_tokens"]},
        "book_bids_gone_at_tokens_sold": next(
            (r["tokens_sold"] for r in rows if math.isnan(r["book_best_bid"])), None),
        "bid_depth_2pct_usd": {"start": rows[0]["bid_depth_2pct_usd"],
                               "end": last["bid_depth_2pct_usd"]},
        "usdt_needed_for_obligations": USDT_NEEDED_FOR_OBLIGATIONS,
        "arbitrageur": {"tokens_pool_to_book": totals["arb_tokens_pool_to_book"],
                        "profit_usd": totals["arb_profit_usd"]},
    }


def write_timeseries(rows: list[dict], path: Path) -> None:
    """One CSV row per chunk (empty cells where the book has no price)."""
    with path.open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        for row in rows:
            writer.writerow({k: "" if isinstance(v, float) and math.isnan(v) else v
                             for k, v in row.items()})


def plot(rows: list[dict], summary: dict, path: Path) -> None:
    """Two panels: prices, and the book's bids, against the tokens sold so far."""
    from matplotlib.figure import Figure   # object API: no pyplot, no global backend state

    x = np.array([r["tokens_sold"] for r in rows]) / 1e6
    col = {k: np.array([r[k] for r in rows], dtype=float) for k in rows[0]}
    fig = Figure(figsize=(9, 8), layout="constrained")
    fig.suptitle(f"The market maker sells {summary['tokens_sold'] / 1e6:.1f}M of its 3M borrowed "
                 f"tokens at once (seed {summary['seed']}):\nit raises "
                 f"${summary['usdt_raised'] / 1e3:,.0f}k, not the "
                 f"${summary['tokens_sold'] * START_PRICE_USD / 1e3:,.0f}k they were worth at "
                 f"${START_PRICE_USD:.2f}", fontsize=12)
    ax_price, ax_depth = fig.subplots(2, 1, sharex=True)
    ax_price.plot(x, col["book_best_bid"], label="book best bid", lw=1.8)
    ax_price.plot(x, col["book_mid"], label="book mid (asks stay at $1.0005)", lw=1.2, ls="--")
    ax_price.plot(x, col["pool_price"], label="pool price", lw=1.8)
    ax_price.axhline(START_PRICE_USD, color="grey", lw=0.8, ls=":", label="start price")
    if summary["average_price"] is not None:
        ax_price.axhline(summary["average_price"], color="black", lw=0.8, ls="-.",
                         label=f"average sale price ${summary['average_price']:.3f}")
    ax_price.set(ylabel="price (USD per token)", ylim=(0, None), title="(a) Prices")
    ax_depth.plot(x, col["bid_depth_2pct_usd"] / 1e3, color="tab:green", lw=1.8,
                  label="bids within 2% below mid")
    ax_depth.plot(x, col["bid_depth_all_usd"] / 1e3, color="tab:purple", lw=1.2, ls="--",
                  label="all bids on the book")
    ax_depth.axhline(MM_SIDE_NOTIONAL_USD / 1e3, color="grey", lw=0.8, ls=":",
                     label="MM obligation ($100k within 2%)")
    ax_depth.set(xlabel="tokens sold (millions)", ylabel="bids (thousand USD)", ylim=(0, None),
                 title="(b) Book bid depth (the MM's ladder is not re-quoted in this demo)")
    gone = summary["book_bids_gone_at_tokens_sold"]
    for ax in (ax_price, ax_depth):
        if gone is not None:
            ax.axvline(gone / 1e6, color="tab:red", lw=0.8, ls=":", label="book out of bids")
        ax.legend(loc="upper right")
        ax.grid(alpha=0.3)
    fig.savefig(path, dpi=110)


def run_demo(out_dir: Path, seed: int = 0) -> dict:
    """Run the sale once and write summary.json, timeseries.csv and demo.png; returns the summary.

    Deterministic given `seed` (it only places the retail orders), so runs can be compared.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    rows, totals = simulate(seed)
    summary = summarise(rows, totals, seed)
    (out_dir / "summary.json").write_text(json.dumps(summary, indent=2) + "\n")
    write_timeseries(rows, out_dir / "timeseries.csv")
    plot(rows, summary, out_dir / "demo.png")
    return summary


def main(argv: list[str] | None = None) -> int:
    """`python -m mmabm.demo`: run the demo, print its headline numbers; returns the exit code."""
    parser = argparse.ArgumentParser(
        prog="python -m mmabm.demo",
        description="A static sketch on the compiled core: a market maker sells the 2.3M "
                    "tokens the article says it sells at once (3M borrowed minus 700k kept for "
                    "quoting and the pool) into one CEX order book and one AMM pool, and we "
                    "record what it raises and what happens to price and depth. Writes "
                    "summary.json, timeseries.csv and demo.png.")
    parser.add_argument("--out", type=Path, default=Path("out/demo"),
                        help="output directory (default: out/demo)")
    parser.add_argument("--seed", type=int, default=0,
                        help="seed for the retail orders on the book (default: 0)")
    args = parser.parse_args(argv)

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
