"""What a run records and summarises, as pure functions of the model and its time series."""
from __future__ import annotations

import math
from itertools import repeat

import numpy as np

from mmabm import liquidations
from mmabm._core import BUY, SELL
from mmabm.agents.retail import EARLY, RETAIL_BASE, TYPE_NAMES
from mmabm.tape import AGENT_TYPES, MINUTES_PER_MONTH, obligation_met, price_at
from mmabm.venues import units


class Recorder:
    """The time series' rows. It only reads the model: flows (volume since the previous row)
    are differences of the tape's running totals, which it remembers between rows, so how
    often a run is recorded never changes the run."""

    def __init__(self, model) -> None:
        self.model = model
        self._last = self._totals()

    def _totals(self) -> tuple[int, ...]:
        tape = self.model.tape
        tape.sync()
        return (*tape.volume_units.values(), tape.dex_units, tape.perp_units)

    def row(self) -> dict[str, float]:
        """One row of the time series: prices, spread, depth and obligations (per CEX; the
        unsuffixed columns are the main CEX's), the world, spot volume since the previous row
        (in total and by the type of agent that initiated it; `volume_usd_perp` is what perp
        speculators traded on spot, nothing by design), the part of it swapped on the DEX
        (`dex_volume_usd`), the perp's volume, the market maker's book and P&L, and holdings."""
        model = self.model
        main, c = model.cexs[0], model.config
        bid, ask = main.best_bid(), main.best_ask()
        row = {"minute": model.time, "mid": main.mid_usd(),
               "best_bid": units.ticks_to_usd(bid, main.tick_size) if bid else math.nan,
               "best_ask": units.ticks_to_usd(ask, main.tick_size) if ask else math.nan,
               "spread_bps": main.spread_bps(),
               "depth_bid_usd": main.depth_usd(BUY, c.cex[0].band),
               "depth_ask_usd": main.depth_usd(SELL, c.cex[0].band),
               "amm_price": model.dex.price(), "perp_mark": model.perp.mark_price,
               "index_price": model.perp.index_price, "funding_rate": model.perp.funding_rate,
               "fundamental": model.fundamental_at(model.time),
               "news_revision": model.flow_learning.log_revision,
               # since listing (running totals, so any recording cadence agrees)
               "perp_liquidations_so_far": float(len(model.perp.liquidations)),
               "perp_liquidated_tokens_so_far": (model.perp.liquidated_lots * model.perp.lot_units
                                                 * units.TOKEN_UNIT)}
        for venue, terms in zip(model.cexs, c.cex):
            row[f"mid_{venue.name}"] = venue.mid_usd()
            spread, bids, asks = (venue.spread_bps(), venue.depth_usd(BUY, terms.band),
                                  venue.depth_usd(SELL, terms.band))
            row[f"spread_bps_{venue.name}"] = spread
            row[f"depth_bid_usd_{venue.name}"], row[f"depth_ask_usd_{venue.name}"] = bids, asks
            row[f"obligations_met_{venue.name}"] = float(obligation_met(venue, terms))
        totals = self._totals()
        flows = [(now - before) * units.USDT_UNIT for now, before in zip(totals, self._last)]
        self._last = totals
        by_type = dict(zip(AGENT_TYPES, flows))
        row["volume_usd"] = sum(by_type.values())
        row["dex_volume_usd"], row["perp_volume_usd"] = flows[-2], flows[-1]
        for kind, usd in by_type.items():
            row[f"volume_usd_{kind}"] = usd
        row.update(depth_sources_row(model, row["depth_bid_usd"] + row["depth_ask_usd"]))
        row.update(latent_row(model))
        row.update(market_maker_row(model))
        row.update(holdings_row(model))
        row.update(supply_row(model))
        return row


def depth_sources_row(model, total_usd: float) -> dict[str, float]:
    """Who provides the main CEX's depth (both sides, within its obligation band): the market
    maker, the liquidity providers, the latent books, and the rest (`depth_usd_retail`: retail
    limit orders, nobody else rests orders there), so depth can be read as an emergent
    observable rather than a total."""
    main, band = model.cexs[0], model.config.cex[0].band
    mid = main.mid_usd()
    groups = {"market_maker": (model.market_maker,), "providers": model.providers[:1],
              "latent": [b for b in model.latent_books if b.venue is main]}
    row, shown = {}, 0.0
    for name, agents in groups.items():
        usd = 0.0
        if mid == mid:
            for agent in agents:
                usd += _within(main, main.orders_of(agent.unique_id), mid, band)
        row[f"depth_usd_{name}"] = usd
        shown += usd
    row["depth_usd_retail"] = max(0.0, total_usd - shown)
    return row


#: how far from the price `latent_row` counts the latent intentions (log price)
LATENT_BAND = 0.01


def latent_row(model) -> dict[str, float]:
    """Where the main CEX's latent investors stand against the price (its first latent book,
    the fast one): `latent_centre`, their valuation in USDT (NaN in the price frame, which has
    none), and in the diffusing frame `latent_bids_1pct` / `latent_asks_1pct`, their
    intentions within 1% below / above the mid. A price far from the centre, or one side much
    thicker than the other, is a latent book out of balance: a sale meets a wall or a gap
    there, not the V of the square-root law."""
    main = model.cexs[0]
    book = next((b for b in model.latent_books if b.venue is main), None)
    if book is None:
        return {"latent_centre": math.nan, "latent_bids_1pct": math.nan,
                "latent_asks_1pct": math.nan}
    bids, asks = book.intentions_near(main.mid_usd(), LATENT_BAND)
    centre = book.centre if model.config.latent.frame != "price" else math.nan
    return {"latent_centre": centre, "latent_bids_1pct": bids, "latent_asks_1pct": asks}


def _within(venue, orders, mid: float, band: float) -> float:
    """USDT notional of `orders` inside the band around `mid`, the ticks `depth_usd` counts."""
    mid_ticks, price = mid / venue.tick_size, orders["price"]
    (bid_lo, bid_hi), (ask_lo, ask_hi) = (units.band_ticks(mid_ticks, band, side)
                                          for side in (BUY, SELL))
    bids = (orders["side"] == BUY) & (price >= bid_lo) & (price <= bid_hi)
    asks = (orders["side"] == SELL) & (price >= ask_lo) & (price <= ask_hi)
    keep = bids | asks
    return float((price[keep] * orders["qty"][keep]).sum()) * venue.tick_size * venue.lot_size


def market_maker_row(model) -> dict[str, float]:
    """The market maker's deltas, holdings, sale and P&L (marked at the last price it saw),
    the basis desk's perp position and the project's sales."""
    mm = model.market_maker
    book = mm.book(mm.last_mid)
    row = {}
    row["mm_delta_inventory"], row["mm_delta_liability"] = book.deltas()
    row["mm_tokens"], row["mm_perp_tokens"] = book.tokens, book.perp_tokens
    row["mm_sold_tokens"] = mm.sold_tokens
    row["basis_perp_tokens"] = model.basis_desk.position_tokens()
    row["insiders_sold_tokens"] = model.insiders.sold_tokens
    row.update(mm_pnl(model, book, mm.last_mid))
    return row


def holdings_row(model) -> dict[str, float]:
    """Where things are held: the market maker's USDT and tokens on each CEX (free and locked),
    the pool's reserves and the market maker's share of it and holdings in it, the market
    maker's wallet, and the project's treasury (its wallet)."""
    mm, dex, wallets = model.market_maker.unique_id, model.dex, model.wallets
    row: dict[str, float] = {}
    for venue in model.cexs:
        b = venue.balance(mm)
        row[f"mm_usdt_{venue.name}"] = b["usdt"] + b["usdt_locked"]
        row[f"mm_tokens_{venue.name}"] = b["tokens"] + b["tokens_locked"]
    pool, position, free = dex.pool, dex.position(mm), dex.balance(mm)
    row["amm_token_reserve"] = pool.token_reserve * units.TOKEN_UNIT
    row["amm_usdt_reserve"] = pool.usdt_reserve * units.USDT_UNIT
    row["mm_lp_share"] = position.shares / pool.total_shares if pool.total_shares else 0.0
    row["mm_usdt_dex"] = position.usdt + free["usdt"]
    row["mm_tokens_dex"] = position.tokens + free["tokens"]
    row["mm_usdt_wallet"] = wallets.usdt[mm] * units.USDT_UNIT
    row["mm_tokens_wallet"] = wallets.tokens[mm] * units.TOKEN_UNIT
    project = model.project.unique_id
    row["project_treasury_usdt"] = wallets.usdt[project] * units.USDT_UNIT
    row["project_treasury_tokens"] = wallets.tokens[project] * units.TOKEN_UNIT
    return row


#: Who holds the tokens (and the money): retail traders of every kind but the early holders,
#: the early holders, the unlocks' recipients, the project's treasury, the market maker (its
#: share of the pool excluded), the arbitrage and basis desks, the other liquidity providers,
#: the latent books (providers on the tape, counted apart), the pool's reserves, and what the
#: venues hold beyond their accounts (fees, the perp's insurance fund and its open positions'
#: unsettled P&L).
HOLDERS = ("retail", "early_holder", "insider", "project", "market_maker", "arbitrage",
           "liquidity_provider", "latent_book", "pool", "venues")


def supply_row(model) -> dict[str, float]:
    """Every token and every USDT by holder (`supply_tokens_*`, `money_usdt_*`; they add up
    to the supply and to all the USDT in the model), and retail money's inflow and outflow
    since listing (`money_inflow_usd`, `money_outflow_usd`)."""
    agents, few, on_cexs = _holder_groups(model)
    n = len(HOLDERS)
    tokens, usdt = [0] * n, [0] * n                 # whole units (Python ints: plain loops)
    retail = HOLDERS.index("retail")
    w, dex, pool = model.wallets, model.dex, model.dex.pool
    in_dex = dex.holdings_units()                  # free balances + the pool's reserves
    for book, out, total in (
            (w.tokens, tokens, w.minted_tokens - w.out_tokens),
            (w.usdt, usdt, w.minted_usdt - w.burnt_usdt - w.out_usdt),
            (dex.tokens, tokens, in_dex[1] - int(pool.token_reserve)),
            (dex.usdt, usdt, in_dex[0] - int(pool.usdt_reserve))):
        # few owners who are not retail traders of the other kinds: those one by one, and
        # retail as the rest of the total (early holders trade on the pool or a CEX, never
        # from their wallet)
        rest = total
        get = book.get
        for k, owners in few:
            held = sum(map(get, owners, repeat(0, len(owners))))
            out[k] += held
            rest -= held
        out[retail] += rest
    for venue in model.cexs:
        # the agents by group, the early holders together, retail as the rest (int sums)
        rest_tokens, rest_usdt = venue.held_units()
        for k, ids in on_cexs:
            t, u = venue.held_units(ids)
            tokens[k] += t
            usdt[k] += u
            rest_tokens -= t
            rest_usdt -= u
        tokens[retail] += rest_tokens
        usdt[retail] += rest_usdt
    # the perp: the agents one by one, retail as the rest (only perp traders have a perp
    # account among retail: every other kind's home is a spot venue); what an account holds
    # is its free collateral, what its orders lock and its position's margin
    accounts = model.perp.accounts
    # (PerpAccount.held inline: a property call per account per row was ~20% of a row)
    in_accounts = sum([a.collateral + a.locked + a.margin for a in accounts.values()])
    rest = in_accounts
    for k, owners in agents:
        for owner in owners:
            acct = accounts.get(owner)
            if acct is not None:
                x = acct.held
                usdt[k] += x
                rest -= x
    usdt[retail] += rest
    # what the venues hold beyond their accounts: the CEXs' fees; the perp's fees, insurance
    # fund and its open positions' unsettled P&L
    usdt[HOLDERS.index("venues")] += (sum(venue.fees_usdt for venue in model.cexs)
                                      + model.perp.holdings_units()[0] - in_accounts)
    tokens[HOLDERS.index("pool")] += int(pool.token_reserve)
    usdt[HOLDERS.index("pool")] += int(pool.usdt_reserve)
    row = {f"supply_tokens_{h}": t * units.TOKEN_UNIT for h, t in zip(HOLDERS, tokens)}
    row.update({f"money_usdt_{h}": u * units.USDT_UNIT for h, u in zip(HOLDERS, usdt)})
    flows = model.retail.flows
    row["money_inflow_usd"] = flows.inflow_units * units.USDT_UNIT
    row["money_outflow_usd"] = flows.outflow_units * units.USDT_UNIT
    return row


def retail_tokens_by_kind(model) -> dict[str, float]:
    """`retail_tokens_<kind>`: the tokens each kind of retail trader holds now (wallet and home
    venue, orders included; early holders are their own holder group). They add up to the
    supply row's `supply_tokens_retail`: which traders hold what a sale put into the market."""
    r, w, dex = model.retail, model.wallets, model.dex
    out = {}
    for k, name in enumerate(TYPE_NAMES):
        if k == EARLY:
            continue
        owners = RETAIL_BASE + np.flatnonzero(r.kind == k).astype(np.int64)
        held = sum(venue.held_units(owners)[0] for venue in model.cexs)
        for book in (w.tokens, dex.tokens):
            held += sum(map(book.get, owners.tolist(), repeat(0, len(owners))))
        out[f"retail_tokens_{name}"] = held * units.TOKEN_UNIT
    return out


def _holder_groups(model) -> tuple[tuple, tuple, tuple]:
    """Whose holdings the supply row counts one by one, as (HOLDERS index, owner ids) pairs:
    the agents (lists); in wallets and the pool's accounts, the agents and the early holders
    at home on the pool (lists); on the CEXs, the agents and every early holder (int64
    arrays). Built once per model."""
    cached = getattr(model, "_holder_groups", None)
    if cached is None:
        early = HOLDERS.index("early_holder")
        by_group: dict[int, list[int]] = {}
        for owner, k in model.agent_groups.items():
            by_group.setdefault(k, []).append(owner)
        agents = tuple(by_group.items())
        early_ids = RETAIL_BASE + np.flatnonzero(model.retail.kind == EARLY).astype(np.int64)
        on_cexs = tuple((k, np.array(ids, dtype=np.int64)) for k, ids in agents) + (
            (early, early_ids),)
        few = agents + ((early, list(model.retail.early_dex_owners)),)
        cached = model._holder_groups = (agents, few, on_cexs)
    return cached


def mm_pnl(model, book, mid: float) -> dict[str, float]:
    """The market maker's P&L marked at `mid`, and its parts (USDT), from its `book`.

    Total = everything it holds (USDT, tokens at mid, pool share, perp equity, the calls at
    Black-Scholes value) minus the tokens it owes at mid, minus the USDT it brought. Parts:
    spread capture of its quotes, pool fees, impermanent loss, perp funding, gamma scalping,
    the calls' value (and exercise payoff), the initial sale (proceeds minus the sold tokens at
    today's mid), and inventory: what is left, the mark-to-market of everything else it holds
    (including the perp hedge of its inventory, perp fees and the buyback). Gamma is the P&L,
    at the perp mark, of the part of the perp position that hedges the calls' delta.
    """
    mm = model.market_maker
    if mid != mid:
        return {}
    total = (book.usdt + book.perp_equity + (book.tokens - book.owed) * mid + book.calls_value
             - model.config.market_maker.usdt_capital)
    parts = {"mm_pnl_spread": model.tape.spread_capture_usd(mm.unique_id),
             "mm_pnl_lp_fees": book.pool.fees_earned_usdt + mm.lp_fees_closed,
             "mm_pnl_impermanent_loss": book.pool.impermanent_loss_usdt + mm.lp_loss_closed,
             "mm_pnl_funding": model.perp.account(mm.unique_id).funding * units.USDT_UNIT,
             "mm_pnl_gamma": mm.gamma_pnl_now(), "mm_pnl_options": book.calls_value + mm.exercise_pnl,
             "mm_pnl_initial_sale": mm.sale_usdt - mm.sold_tokens * mid}
    parts["mm_pnl_inventory"] = total - sum(parts.values())
    return {"mm_pnl": total, **parts}


def ledger_rows(model, when: str) -> list[dict[str, object]]:
    """Every account's balances: wallets and each venue (USDT, tokens; perp collateral), each
    with the owner's agent type."""
    rows = _ledger_rows(model, when)
    kinds: dict[int, str] = {}
    for row in rows:
        owner = row["owner"]
        if owner not in kinds:
            try:
                kinds[owner] = model.owner_type(owner)
            except ValueError:
                kinds[owner] = "unknown"
        row["agent"] = kinds[owner]
    return rows


def _ledger_rows(model, when: str) -> list[dict[str, object]]:
    rows = [{"when": when, "where": "wallet", "owner": o, "usdt": model.wallets.usdt[o] * units.USDT_UNIT,
             "tokens": model.wallets.tokens[o] * units.TOKEN_UNIT}
            for o in sorted(set(model.wallets.usdt) | set(model.wallets.tokens))]
    for venue in model.cexs:
        for owner, acc in enumerate(venue.accounts().tolist()):
            if any(acc):
                rows.append({"when": when, "where": venue.name, "owner": owner,
                             "usdt": (acc[0] + acc[1]) * units.USDT_UNIT,
                             "tokens": (acc[2] + acc[3]) * units.TOKEN_UNIT})
    for owner in sorted(model.dex._opened):
        b = model.dex.balance(owner)
        pos = model.dex.position(owner)
        rows.append({"when": when, "where": model.dex.name, "owner": owner,
                     "usdt": b["usdt"] + pos.usdt, "tokens": b["tokens"] + pos.tokens})
    for owner, acct in model.perp.accounts.items():
        rows.append({"when": when, "where": model.perp.name, "owner": owner,
                     "usdt": acct.held * units.USDT_UNIT,
                     "tokens": 0.0})
    return rows


def summarize(model) -> dict[str, float]:
    """The run's headline numbers, from the tape's hourly closes and the final state (never
    from the recorded rows, so the recording cadence cannot change them)."""
    tape = model.tape
    minutes, mids = tape.closes()
    clean = mids[mids == mids]
    drawdown = float(1 - np.min(clean / np.maximum.accumulate(clean))) if len(clean) else math.nan
    # a metric that does not apply is NaN (null in summary.json), not 0: no initial sale under
    # a strategy that makes none, nothing returned before maturity
    matured = model.time >= model.project.maturity
    summary = {"initial_sale_tokens": (model.market_maker.planned_sale
                                       if model.market_maker.planned_sale > 0 else math.nan),
               **{f"price_{m}m": price_at(minutes, mids, m) for m in (1, 3, 6, 12, 24)},
               "price_end": float(clean[-1]) if len(clean) else math.nan,
               "max_drawdown": drawdown}
    met = np.array(tape.close_obligations, dtype=float).reshape(-1, len(model.cexs))
    for k, venue in enumerate(model.cexs):
        summary[f"obligation_uptime_{venue.name}"] = float(met[:, k].mean()) if len(met) else math.nan
    for key, value in market_maker_row(model).items():
        if key.startswith("mm_pnl"):
            summary["mm_pnl_total" if key == "mm_pnl" else key] = float(value)
    spot = tape.spot_volume_usd()
    summary.update({
        "mm_sale_tokens_sold": model.market_maker.sold_tokens,
        "mm_sale_usdt": model.market_maker.sale_usdt,
        "options_exercised": model.market_maker.options_exercised,
        "mm_hedge_trades": model.market_maker.hedge_trades,
        # its perp hedge at maturity (tokens, + long): what it was, how it closed, what is left
        **{f"mm_hedge_{part}_tokens": (getattr(model.market_maker, f"hedge_{part}")
                                       if matured else math.nan)
           for part in ("at_maturity", "closed_in_book", "deleveraged", "left")},
        "mm_buyback_tokens": model.market_maker.buyback_tokens,
        "mm_buyback_usdt": model.market_maker.buyback_usdt,
        # what it did to fund its asks (compliance rebuy / borrow) and what missing cost it
        "mm_compliance_tokens": model.market_maker.compliance_tokens,
        "mm_compliance_usdt": model.market_maker.compliance_usdt,
        "project_extra_lent_tokens": model.project.extra_lent_units * units.TOKEN_UNIT,
        "mm_calls_forfeited": float(len(model.project.forfeited)),
        "mm_mandate_ended_month": model.project.mandate_ended_at / MINUTES_PER_MONTH,
        "project_unlocked_tokens": model.project.unlocked_tokens,
        "insiders_sold_tokens": model.insiders.sold_tokens,
        "project_buyback_tokens": model.project.bought_tokens,
        "project_tokens_returned": (model.project.tokens_returned_units * units.TOKEN_UNIT
                                    if matured else math.nan),
        "project_shortfall_tokens": ((model.project.loan_units - model.project.tokens_returned_units)
                                     * units.TOKEN_UNIT if model.time >= model.project.maturity
                                     else math.nan),
        "dex_volume_share": tape.dex_units * units.USDT_UNIT / spot if spot > 0 else math.nan,
        "project_usdt_received": model.project.usdt_received_units * units.USDT_UNIT,
        "conservation_error": float(len(model.conservation_problems())),
    })
    summary.update(liquidations.summary(model))
    summary.update(model.obligations.summary())
    summary.update(retail_tokens_by_kind(model))
    # who the maker's quotes really sold to (its own sale's market orders are not in it)
    for kind, tokens in tape.maker_sold_to(model.market_maker.unique_id).items():
        if kind != "market_maker":
            summary[f"mm_quotes_sold_to_{kind}"] = tokens
    return summary
