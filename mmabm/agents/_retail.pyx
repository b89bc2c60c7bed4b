# cython: language_level=3
"""The retail decision loop, compiled: one minute's kept candidates, decided and sent.

`act_batch` makes, candidate by candidate, exactly the decisions and orders of
`RetailPopulation.act` (the Python reference, which the tests compare it with): the same
floating point operations in the same order, so a run gives identical results either way. It
exists because retail sends most of the model's orders (about 1.5M in the launch month) and
the interpreted decision cost ~8 us each. The CEXs are traded through SpotExchange's cdef entry
points, the pool through AmmAccounts' (the AMM venue's compiled base); the perp (a Python
venue) through its ordinary methods.
"""
cimport cython
from libc.math cimport NAN, fabs, log, rint, tanh
from libc.stdint cimport int64_t, int8_t

from mmabm._core cimport C_GTC
from mmabm.venues._amm_accounts cimport AmmAccounts
from mmabm.venues._spot cimport Account, SpotExchange

from mmabm._core import MAX_PRICE_TICKS, MAX_QTY_LOTS
from mmabm.venues import units

cdef enum:
    # trader kinds (retail.MOMENTUM, FUNDAMENTALIST, PERP)
    K_MOMENTUM = 1
    K_FUNDAMENTALIST = 2
    K_PERP = 3
    # venue kinds
    V_CEX = 0
    V_DEX = 1
    V_PERP = 2
    RETAIL_BASE = 1000          # retail.RETAIL_BASE
    MAX_VENUES = 8

cdef double USDT_UNIT = units.USDT_UNIT, TOKEN_UNIT = units.TOKEN_UNIT
cdef double C_MAX_PRICE = MAX_PRICE_TICKS, C_MAX_QTY = MAX_QTY_LOTS


cdef struct Terms:
    double buy_base             # 0.5 + this hour's mood
    double last_mid             # the last recorded mid (NaN if none)
    double fundamental          # the latent value now
    double market_share, momentum_scale, threshold, max_multiple, leverage, offset_bps


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
    cdef int64_t[:] resting
    cdef int64_t[:] orders
    cdef Terms t

    cdef double reference(self, object venue, int8_t vk) except? -1.0:
        """RetailPopulation._reference_price."""
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
        return cex.last_price * cex.tick_size if cex.last_price else NAN

    cdef int act(self, int64_t i, double u0, double u1, double u2, double size_usd) except -1:
        """RetailPopulation.act for trader i."""
        cdef int64_t k = self.kind[i], h = self.home[i]
        cdef int8_t vk = self.vkind[h]
        cdef object venue = self.venues[h]
        cdef double ref = self.reference(venue, vk), buy_chance, gap, offset
        cdef int side
        cdef bint market
        if ref != ref:
            return 0
        buy_chance = self.t.buy_base
        side, market = (1 if u0 < buy_chance else -1), u1 < self.t.market_share
        if k == K_MOMENTUM:
            if self.t.last_mid == self.t.last_mid:
                buy_chance = 0.5 + 0.5 * tanh((ref / self.t.last_mid - 1) / self.t.momentum_scale)
                side, market = (1 if u0 < buy_chance else -1), True
        elif k == K_FUNDAMENTALIST:
            gap = self.t.fundamental / ref - 1
            if fabs(gap) < self.t.threshold:
                return 0
            side, market = (1 if gap > 0 else -1), True
            size_usd *= pymin(self.t.max_multiple, fabs(gap) / pymax(self.t.threshold, 1e-9))
        elif k == K_PERP:
            size_usd *= self.t.leverage
        self.orders[k] += 1
        if side == 1 and k == K_FUNDAMENTALIST:
            self.pop._deposit(i, venue, size_usd)
        offset = -log(1.0 - u2) * self.t.offset_bps / 1e4
        self.send(i, venue, vk, side, market, size_usd, ref * (1 - side * offset), ref)
        return 0

    cdef int send(self, int64_t i, object venue, int8_t vk, int side, bint market,
                  double size_usd, double limit_price, double ref) except -1:
        """RetailPopulation._send (and _affordable_lots)."""
        cdef int64_t owner = RETAIL_BASE + i, lots, oid
        cdef double have, amount, unit, price = pymax(ref, limit_price), x
        cdef SpotExchange cex
        cdef Account* a
        if vk == V_DEX:
            if side == 1:
                have = <double>self.dex_usdt[owner] * USDT_UNIT
                amount = pymin(size_usd, have) / 1.0
                unit = USDT_UNIT
            else:
                have = <double>self.dex_tokens[owner] * TOKEN_UNIT * ref
                amount = pymin(size_usd, have) / ref
                unit = TOKEN_UNIT
            if amount * (1 / unit) >= 1:
                self.dex.exact_in(owner, side, <int64_t>(amount / unit))
            return 0
        if vk == V_PERP:
            if self.resting[i]:
                venue.cancel(owner, self.resting[i])
                self.resting[i] = 0
            x = <double>venue.account(owner).collateral * USDT_UNIT
            x = pymin(size_usd, x * 0.9 / pymax(venue.initial_margin, 1e-9))
            x = x / (price * <double>venue.lot_size)
            if not x >= 1:
                return 0
            if market:
                venue.market(owner, side, int(x))
                return 0
            poid = venue.limit(owner, side, int(pymax(1.0, rint(limit_price / <double>venue.tick_size))),
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
        lots = <int64_t>x
        if market:
            cex.market_order(owner, side, lots, False)
            return 0
        x = pymax(1.0, rint(limit_price / cex.tick_size))
        if x > C_MAX_PRICE:
            venue.limit(owner, side, int(x), lots, C_GTC)
            return 0
        oid = cex.place(owner, side, <int64_t>x, lots, C_GTC, False)
        if oid > 0:
            self.resting[i] = oid
        return 0


def act_batch(pop, const int64_t[:] who, const int64_t[:] picks, const double[:, :] coins,
              const double[:] sizes, double buy_base, double last_mid,
              double fundamental) -> None:
    """`pop.act(who[j], coins[j], sizes[j])` for each j in `picks`, in order, compiled.

    buy_base is 0.5 + this hour's mood, last_mid the last recorded mid (NaN if none) and
    fundamental the latent value now: what `act` reads from the model, constant in a minute.
    """
    cdef _Loop L = _Loop()
    cdef Py_ssize_t n, c, j
    model, r = pop.model, pop.model.config.retail
    L.pop, L.dex, L.perp = pop, model.dex, model.perp
    L.venues = list(pop.venues)
    if len(L.venues) > MAX_VENUES:
        raise ValueError(f"act_batch handles at most {MAX_VENUES} venues")
    for n, v in enumerate(L.venues):
        L.vkind[n] = V_DEX if v is model.dex else V_PERP if v is model.perp else V_CEX
        if L.vkind[n] == V_CEX and not isinstance(v, SpotExchange):
            raise TypeError(f"retail venue {v!r} is neither the pool, the perp nor a SpotExchange")
    L.kind, L.home, L.resting, L.orders = pop.kind, pop.home, pop.resting, pop.orders
    L.dex_usdt, L.dex_tokens = L.dex.usdt, L.dex.tokens
    L.t = Terms(buy_base, last_mid, fundamental, r.market_order_share, r.momentum_scale,
                r.fundamental_threshold, r.fundamental_max_multiple, r.perp_leverage,
                r.limit_offset_bps)
    for c in range(picks.shape[0]):
        j = picks[c]
        L.act(who[j], coins[j, 0], coins[j, 1], coins[j, 2], sizes[j])
