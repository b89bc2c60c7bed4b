# cython: language_level=3
"""The retail decision loop, compiled: one minute's kept candidates, decided and sent.

Retail sends most of the model's orders (over a million in the launch month), so the rules of
agents/retail.py run here, candidate by candidate, trading on the CEXs through SpotExchange's
cdef entry points, on the pool through AmmAccounts' (the AMM venue's compiled base) and on the
perp (a Python venue) through its ordinary methods. docs/model.md states each rule.
"""
cimport cython
from libc.math cimport INFINITY, NAN, exp, fabs, log, rint, sqrt, tanh
from libc.stdint cimport int64_t, int8_t

from mmabm._core cimport C_GTC, C_IOC
from mmabm._types cimport owner_t, price_t, qty_t, ticks_to_usd, units_t, usd_to_ticks
from mmabm.venues._amm_accounts cimport AmmAccounts
from mmabm.venues._spot cimport Account, SpotExchange

from mmabm._core import MAX_PRICE_TICKS, MAX_QTY_LOTS
from mmabm.venues import units

cdef enum:
    # trader kinds (retail.NOISE, MOMENTUM, FUNDAMENTALIST, PERP, EARLY) and stops
    K_NOISE = 0
    K_MOMENTUM = 1
    K_FUNDAMENTALIST = 2
    K_PERP = 3
    K_EARLY = 4
    S_LOSS = 1
    S_PANIC = 2
    # venue kinds
    V_CEX = 0
    V_DEX = 1
    V_PERP = 2
    RETAIL_BASE = 1000          # retail.RETAIL_BASE
    MAX_VENUES = 8
    MAX_HORIZONS = 16

cdef double USDT_UNIT = units.USDT_UNIT, TOKEN_UNIT = units.TOKEN_UNIT
_KINDS = {"spot": V_CEX, "pool": V_DEX, "perp": V_PERP}    # a venue's `kind` -> its calls here
cdef double C_MAX_PRICE = MAX_PRICE_TICKS, C_MAX_QTY = MAX_QTY_LOTS


cdef struct Terms:
    double buy_base             # a noise or perp trader's chance of buying now
    double log_anchor           # log of the value traders' belief anchor
    double high                 # the recent high (panic sellers)
    double market_share, momentum_scale, threshold, max_multiple, leverage, offset_bps
    double early_fraction, early_activity
    bint elastic, wealth_sizing
    double order_share, order_median, slippage
    int n_horizons
    double past[MAX_HORIZONS]   # the mid each horizon compares with (NaN: not yet seen)
    double scale[MAX_HORIZONS]  # momentum_scale x sqrt(horizon in hours)


cdef inline double pymin(double a, double b) noexcept:
    """Python's min(a, b): the first unless the second is smaller."""
    return b if b < a else a


cdef inline double pymax(double a, double b) noexcept:
    """Python's max(a, b): the first unless the second is larger."""
    return b if b > a else a


@cython.final
cdef class _Loop:
    """One batch's state: the population's arrays and the venues, looked up once."""
    cdef object pop, perp, dex_usdt, dex_tokens
    cdef AmmAccounts dex
    cdef list venues
    cdef int8_t vkind[MAX_VENUES]
    cdef const int64_t[:] kind
    cdef const int64_t[:] home
    cdef const int64_t[:] horizon
    cdef const int64_t[:] stop
    cdef const double[:] offset
    cdef const double[:] stop_level
    cdef const double[:] take_profit
    cdef double[:] basis
    cdef units_t[:] seen        # token units held at the last decision
    cdef int64_t[:] resting
    cdef int64_t[:] orders
    cdef int64_t stops_hit
    cdef Terms t
    cdef tuple bound            # what it was bound to: the population's arrays, venues, config

    cdef bint bound_to(self, pop):
        """Still bound to what `pop` holds now (the same objects, not copies)."""
        cdef tuple now = _binding(pop)
        cdef Py_ssize_t k
        if self.pop is not pop or len(pop.venues) != len(self.venues) \
                or len(pop.horizons) != self.t.n_horizons:
            return False
        for k in range(len(now)):
            if now[k] is not self.bound[k]:
                return False
        for k in range(len(self.venues)):
            if pop.venues[k] is not self.venues[k]:
                return False
        return True

    cdef double reference(self, object venue, int8_t vk) except? -1.0:
        """The price a trader sees: its CEX's mid (else its last trade), the pool's price,
        the perp's index."""
        cdef SpotExchange cex
        cdef double mid
        if vk == V_DEX:
            return self.dex.spot()
        if vk == V_PERP:
            return self.perp.index_price
        cex = <SpotExchange>venue
        mid = cex.mid_ticks() * cex.tick_size
        if mid == mid:
            return mid
        return ticks_to_usd(cex.last_price, cex.tick_size) if cex.last_price else NAN

    cdef units_t held(self, int64_t i, object venue, int8_t vk) except -1:
        """Trader i's tokens on its spot venue, in units (free and in orders)."""
        cdef Account* a
        if vk == V_DEX:
            return <units_t>self.dex_tokens[RETAIL_BASE + i]
        a = (<SpotExchange>venue).account(RETAIL_BASE + i)
        return a.tokens + a.tokens_locked

    cdef units_t cash(self, int64_t i, object venue, int8_t vk) except -1:
        """Trader i's USDT on its spot venue, in units (free and in orders)."""
        cdef Account* a
        if vk == V_DEX:
            return <units_t>self.dex_usdt[RETAIL_BASE + i]
        a = (<SpotExchange>venue).account(RETAIL_BASE + i)
        return a.usdt + a.usdt_locked

    cdef void book_cost(self, int64_t i, units_t before, units_t now, double price) noexcept:
        """Average cost basis: `now - before` more token units bought at `price`."""
        if now > before and now > 0:
            self.basis[i] = (self.basis[i] * before + price * (now - before)) / now

    cdef int act(self, int64_t i, double u0, double u1, double u2, double u3,
                 double size_usd) except -1:
        """Trader i's decision, and its order."""
        cdef int64_t k = self.kind[i], h = self.home[i], hz, tokens = 0, tokens_after, usdt = 0
        cdef int8_t vk = self.vkind[h]
        cdef object venue = self.venues[h]
        cdef double ref = self.reference(venue, vk), buy_chance, gap, value, offset, limit
        cdef double mult = size_usd / self.t.order_median     # the size draw, median 1
        cdef int side
        cdef bint market
        if ref != ref:
            return 0
        if k == K_EARLY and not u3 < self.t.early_activity:
            return 0
        if vk != V_PERP:
            tokens = self.held(i, venue, vk)
            self.book_cost(i, self.seen[i], tokens, ref)        # resting buys filled meanwhile
            self.seen[i] = tokens
            if tokens > 0 and self.stopped(i, ref):
                self.orders[k] += 1
                self.stops_hit += 1
                self.send(i, venue, vk, -1, True, INFINITY, ref, ref)
                self.seen[i] = self.held(i, venue, vk)
                return 0
        if k == K_EARLY:
            if tokens > 0 and ref > self.basis[i] * (1.0 + self.take_profit[i]):
                self.orders[k] += 1
                self.send(i, venue, vk, -1, True,
                          self.t.early_fraction * tokens * TOKEN_UNIT * ref, ref, ref)
                self.seen[i] = self.held(i, venue, vk)
            return 0
        buy_chance = self.t.buy_base
        side, market = (1 if u0 < buy_chance else -1), u1 < self.t.market_share
        offset = -log(1.0 - u2) * self.t.offset_bps / 1e4
        limit = ref * (1 - side * offset)
        if k == K_MOMENTUM:
            hz = self.horizon[i]
            if self.t.past[hz] == self.t.past[hz]:
                # the stronger the move over its horizon, the surer the trend follower
                buy_chance = 0.5 + 0.5 * tanh((ref / self.t.past[hz] - 1) / self.t.scale[hz])
                side, market = (1 if u0 < buy_chance else -1), True
        elif k == K_FUNDAMENTALIST:
            value = exp(self.t.log_anchor + self.offset[i])
            gap = log(value / ref)
            if fabs(gap) >= self.t.threshold:
                side, market = (1 if gap > 0 else -1), True
                size_usd *= pymin(self.t.max_multiple, fabs(gap) / pymax(self.t.threshold, 1e-9))
                mult *= pymin(self.t.max_multiple, fabs(gap) / pymax(self.t.threshold, 1e-9))
                if side == 1 and self.t.elastic:
                    self.pop._deposit(i, venue, size_usd)
            elif vk == V_DEX:
                return 0                                 # no resting orders on the pool
            else:
                # rest at its threshold: a latent intention, revealed when the price comes
                side, market = (1 if gap >= 0 else -1), False
                limit = value * exp(-side * self.t.threshold)
        elif k == K_PERP:
            size_usd *= self.t.leverage
        if vk == V_PERP:
            if self.t.wealth_sizing:
                size_usd = pymin(1.0, self.t.order_share * mult) * self.t.leverage * (
                    <double>venue.account(RETAIL_BASE + i).collateral * USDT_UNIT)
            self.orders[k] += 1
            return self.send(i, venue, vk, side, market, size_usd, limit, ref)
        usdt = self.cash(i, venue, vk)
        if self.t.wealth_sizing:
            # a share of what it holds on its side, the size draw as a lognormal factor
            size_usd = pymin(1.0, self.t.order_share * mult) * (
                usdt * USDT_UNIT if side == 1 else tokens * TOKEN_UNIT * ref)
        self.orders[k] += 1
        self.send(i, venue, vk, side, market, size_usd, limit, ref)
        tokens_after = self.held(i, venue, vk)
        if (market or vk == V_DEX) and side == 1 and tokens_after > tokens:   # a swap: at once
            self.book_cost(i, tokens, tokens_after,
                           <double>(usdt - self.cash(i, venue, vk)) / (tokens_after - tokens))
        self.seen[i] = tokens_after
        return 0

    cdef bint stopped(self, int64_t i, double ref) noexcept:
        """Whether trader i's stop is hit at `ref` (below its entry, or the recent high)."""
        cdef int64_t s = self.stop[i]
        if s == S_LOSS:
            return self.basis[i] > 0 and ref < self.basis[i] * (1.0 - self.stop_level[i])
        if s == S_PANIC:
            return ref < self.t.high * (1.0 - self.stop_level[i])
        return False

    cdef int send(self, int64_t i, object venue, int8_t vk, int side, bint market,
                  double size_usd, double limit_price, double ref) except -1:
        """Send the order to trader i's home venue, sized to what it can pay (its previous
        resting order, if any, is cancelled first: one resting order per trader)."""
        cdef owner_t owner = RETAIL_BASE + i
        cdef qty_t lots
        cdef int64_t oid
        cdef double have, amount, unit, price = pymax(ref, limit_price), x
        cdef SpotExchange cex
        cdef Account* a
        cdef object acct
        cdef double pos_usd
        if vk == V_DEX:
            # the input that would move the pool's price by the slippage cap
            x = sqrt(1.0 + self.t.slippage) - 1.0
            if side == 1:
                have = <double>self.dex_usdt[owner] * USDT_UNIT
                amount = pymin(pymin(size_usd, have), self.dex.pool.usdt_reserve * x * USDT_UNIT)
                unit = USDT_UNIT
            else:
                have = <double>self.dex_tokens[owner] * TOKEN_UNIT * ref
                amount = pymin(pymin(size_usd, have) / ref,
                               self.dex.pool.token_reserve * x * TOKEN_UNIT)
                unit = TOKEN_UNIT
            if amount * (1 / unit) >= 1:
                self.dex.exact_in(owner, side, <int64_t>(amount / unit))
            return 0
        if vk == V_PERP:
            if self.resting[i]:
                venue.cancel(owner, self.resting[i])
                self.resting[i] = 0
            # at most `perp_leverage` times its equity in the position: the order adds only
            # the room left on its side (an order against the position may close it and
            # open the other way up to the same bound); and the venue's margin on what it
            # opens must come from free collateral
            acct = venue.account(owner)
            pos_usd = <double>acct.position * <double>venue.lot_size * price
            have = (<double>(acct.collateral + acct.locked + acct.margin - acct.cost) * USDT_UNIT
                    + pos_usd)
            x = pymin(size_usd, self.t.leverage * have - side * pos_usd)
            x = pymin(x, <double>acct.collateral * USDT_UNIT * 0.9
                      / pymax(venue.initial_margin, 1e-9))
            x = x / (price * <double>venue.lot_size)
            if not x >= 1:
                return 0
            if market:
                venue.market(owner, side, int(x))
                return 0
            poid = venue.limit(owner, side,
                               int(pymax(1.0, rint(usd_to_ticks(limit_price, venue.tick_size)))),
                               int(x), C_GTC)
            if poid > 0:
                self.resting[i] = poid
            return 0
        cex = <SpotExchange>venue
        cex.known(owner)
        if self.resting[i]:
            cex.cancel_order(owner, self.resting[i])
            self.resting[i] = 0
        a = cex.account(owner)
        if side == 1:
            x = pymin(size_usd, <double>a.usdt * USDT_UNIT / 1.05) / (price * cex.lot_size)
        else:
            x = pymin(size_usd / price, <double>a.tokens * TOKEN_UNIT) / cex.lot_size
        if not x >= 1:
            return 0
        if x >= C_MAX_QTY + 1:                     # let the checked methods name the error
            if market:
                venue.market(owner, side, int(x))
            else:
                venue.limit(owner, side, 1, int(x), C_GTC)
            return 0
        lots = <qty_t>x
        if market:
            # a marketable limit, immediate-or-cancel: no further than the slippage cap
            x = usd_to_ticks(ref * (1.0 + side * self.t.slippage), cex.tick_size)
            x = pymax(1.0, x - (x % 1.0) if side == 1 else x + (1.0 - x % 1.0) % 1.0)
            if x <= C_MAX_PRICE:
                cex.place(owner, side, <price_t>x, lots, C_IOC, False)
            return 0
        x = pymax(1.0, rint(usd_to_ticks(limit_price, cex.tick_size)))
        if x > C_MAX_PRICE:
            venue.limit(owner, side, int(x), lots, C_GTC)
            return 0
        oid = cex.place(owner, side, <price_t>x, lots, C_GTC, False)
        if oid > 0:
            self.resting[i] = oid
        return 0


def act_batch(pop, const int64_t[:] who, const int64_t[:] picks, const double[:, :] coins,
              const double[:] sizes, double buy_base, double log_anchor) -> None:
    """Each kept candidate `who[picks[c]]` decides with its coins and its size, in order.

    buy_base is a noise or perp trader's chance of buying now and log_anchor the log of the
    value traders' belief anchor: what the rules read from the model, constant in a minute
    (the population's memory and traits are read from `pop`).
    """
    cdef _Loop L = pop._act_loop
    cdef Py_ssize_t n, c, j
    if L is None or not L.bound_to(pop):
        L = pop._act_loop = _bind(pop)
    L.dex_usdt, L.dex_tokens = L.dex.usdt, L.dex.tokens
    L.t.buy_base, L.t.log_anchor, L.t.high = buy_base, log_anchor, pop.recent_high
    for n in range(L.t.n_horizons):
        L.t.past[n] = pop.past_mids[n]
    L.stops_hit = 0
    for c in range(picks.shape[0]):
        j = picks[c]
        L.act(who[j], coins[j, 0], coins[j, 1], coins[j, 2], coins[j, 3], sizes[j])
    pop.stops_hit += L.stops_hit


cdef _Loop _bind(pop):
    """A loop bound to `pop`'s arrays, venues and terms: what stays the same from minute to
    minute, looked up once (acquiring a dozen buffers each minute cost ~7% of a run)."""
    cdef _Loop L = _Loop()
    cdef Py_ssize_t n
    model, r = pop.model, pop.model.config.retail
    L.pop, L.dex, L.perp = pop, model.dex, model.perp
    L.venues = list(pop.venues)
    if len(L.venues) > MAX_VENUES:
        raise ValueError(f"act_batch handles at most {MAX_VENUES} venues")
    for n, v in enumerate(L.venues):
        # the venue's kind (interface.py) picks the C-level calls this loop makes on it
        kind = getattr(v, "kind", None)
        if kind not in _KINDS or (kind == "spot" and not isinstance(v, SpotExchange)):
            raise TypeError(f"retail venue {v!r} is neither a pool, a perp nor a SpotExchange")
        if (kind == "pool" and v is not model.dex) or (kind == "perp" and v is not model.perp):
            raise TypeError(f"retail venue {v!r}: the loop trades with the model's one pool "
                            f"and one perp market")
        L.vkind[n] = _KINDS[kind]
    L.kind, L.home, L.resting, L.orders = pop.kind, pop.home, pop.resting, pop.orders
    L.horizon, L.stop, L.offset, L.stop_level = pop.horizon, pop.stop, pop.offset, pop.stop_level
    L.take_profit, L.basis, L.seen = pop.take_profit, pop.basis, pop.seen_tokens
    L.t.market_share, L.t.momentum_scale = r.market_order_share, r.momentum_scale
    L.t.threshold, L.t.max_multiple = r.fundamental_threshold, r.fundamental_max_multiple
    L.t.leverage, L.t.offset_bps = r.perp_leverage, r.limit_offset_bps
    L.t.early_fraction, L.t.early_activity = r.early_sell_fraction, r.early_activity
    L.t.elastic = model.config.money.model == "elastic"
    L.t.wealth_sizing = r.sizing == "wealth"
    L.t.order_share, L.t.order_median = r.order_share, r.order_usd_median
    L.t.slippage = r.max_slippage
    if len(pop.horizons) > MAX_HORIZONS:
        raise ValueError(f"at most {MAX_HORIZONS} momentum horizons, got {len(pop.horizons)}")
    L.t.n_horizons = len(pop.horizons)
    for n in range(L.t.n_horizons):
        L.t.scale[n] = r.momentum_scale * sqrt(pop.horizons[n])
    L.bound = _binding(pop)
    return L


cdef tuple _binding(pop):
    """What a loop bound to `pop` holds on to (besides its venues): the population's arrays,
    the pool, the perp and the config."""
    model = pop.model
    return (pop.kind, pop.home, pop.resting, pop.orders, pop.horizon, pop.stop, pop.offset,
            pop.stop_level, pop.take_profit, pop.basis, pop.seen_tokens, model.dex, model.perp,
            model.config)
