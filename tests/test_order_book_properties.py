"""Property tests: random sequences of every order-book operation, checked step by step against
the pure-Python reference book and against the book's own invariants:

- never crossed after matching;
- every level's quantity and count equal the sum over its orders;
- for every order, resting + filled + cancelled (incl. IOC/market expiry) = submitted;
- fills, levels and queues identical to the reference (so price-time priority holds).
"""
from collections import defaultdict

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from mmabm import GTC, IOC, POST_ONLY, REJECTED, OrderBook
from mmabm._core import ORDER_DTYPE
from mmabm.reference.book import REJECTED as REF_REJECTED
from mmabm.reference.book import ReferenceBook
from budget import examples

SIDES = st.sampled_from([1, -1])
OWNERS = st.integers(0, 3)
QTYS = st.integers(1, 20)
# mostly a narrow band (queues form, orders cross) and sometimes far away (the level window
# has to slide and grow: its first size is 4096 ticks)
PRICES = st.one_of(st.integers(95, 105), st.integers(95, 105), st.integers(1, 30_000))


class BookVersusReference(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        self.book = OrderBook()
        self.ref = ReferenceBook()
        self.to_ref = {}                    # book id -> reference id
        self.to_book = {}
        self.submitted = {}                 # book id -> lots submitted
        self.filled = defaultdict(int)      # book id -> lots filled (as maker or taker)
        self.cancelled = defaultdict(int)   # book id -> lots cancelled, reduced or expired
        self.n_ref_fills = 0

    # -- helpers -------------------------------------------------------------------------------
    def _pair(self, book_id, ref_id, qty):
        assert (book_id == REJECTED) == (ref_id == REF_REJECTED)
        if book_id != REJECTED:
            assert book_id not in self.submitted, "order ids must never repeat"
            self.to_ref[book_id], self.to_book[ref_id] = ref_id, book_id
            self.submitted[book_id] = qty

    def _sync_fills(self):
        expired = self.book.drain_expired()
        want_expired = self.ref.expired
        self.ref.expired = []
        assert [(self.to_ref[e[0]],) + tuple(e[1:]) for e in expired.tolist()] == want_expired
        self._record_cancelled(expired)
        got = self.book.drain_fills()
        want = self.ref.fills[self.n_ref_fills:]
        self.n_ref_fills = len(self.ref.fills)
        assert len(got) == len(want)
        for f, (taker, maker, t_owner, m_owner, price, qty, side) in zip(got, want):
            assert (self.to_ref[int(f["taker_id"])], self.to_ref[int(f["maker_id"])]) == (taker, maker)
            assert (f["taker_owner"], f["maker_owner"], f["price"], f["qty"], f["taker_side"]) == (
                t_owner, m_owner, price, qty, side)
            self.filled[int(f["taker_id"])] += qty
            self.filled[int(f["maker_id"])] += qty

    def _expire(self, book_id):
        """An IOC or market order's unfilled rest is dropped: count it as cancelled."""
        self.cancelled[book_id] = self.submitted[book_id] - self.filled[book_id]

    def _record_cancelled(self, cancelled_orders):
        for oid, qty in zip(cancelled_orders["id"].tolist(), cancelled_orders["qty"].tolist()):
            self.cancelled[oid] += qty

    # -- rules ---------------------------------------------------------------------------------
    @rule(side=SIDES, price=PRICES, qty=QTYS, owner=OWNERS, tif=st.sampled_from([GTC, IOC, POST_ONLY]),
          stp=st.booleans())
    def limit(self, side, price, qty, owner, tif, stp):
        book_id = self.book.limit(side, price, qty, owner, tif, stp)
        self._pair(book_id, self.ref.limit(side, price, qty, owner, tif, stp), qty)
        self._sync_fills()
        if tif == IOC:
            self._expire(book_id)

    @rule(side=SIDES, qty=st.integers(1, 60), owner=OWNERS, stp=st.booleans())
    def market(self, side, qty, owner, stp):
        book_id = self.book.market(side, qty, owner, stp)
        self._pair(book_id, self.ref.market(side, qty, owner, stp), qty)
        self._sync_fills()
        self._expire(book_id)

    @precondition(lambda self: self.submitted)
    @rule(data=st.data())
    def cancel(self, data):
        book_id = data.draw(st.sampled_from(sorted(self.submitted)))
        lots = self.book.cancel(book_id)
        assert lots == self.ref.cancel(self.to_ref[book_id])
        self.cancelled[book_id] += lots

    @rule(made_up=st.integers(-(2**63), 2**63 - 1))
    def cancel_unknown(self, made_up):
        if made_up not in self.submitted:
            assert self.book.cancel(made_up) == 0

    @precondition(lambda self: self.book.n_orders > 0)
    @rule(data=st.data())
    def reduce(self, data):
        live = self.book.orders()
        row = live[data.draw(st.integers(0, len(live) - 1))]
        new_qty = data.draw(st.integers(1, int(row["qty"])))
        removed = self.book.reduce(int(row["id"]), new_qty)
        assert removed == self.ref.reduce(self.to_ref[int(row["id"])], new_qty)
        self.cancelled[int(row["id"])] += removed

    @rule(owner=OWNERS, side=SIDES, rungs=st.lists(st.tuples(PRICES, QTYS), max_size=5),
          post_only=st.booleans())
    def replace_ladder(self, owner, side, rungs, post_only):
        prices, qtys = [p for p, _ in rungs], [q for _, q in rungs]
        cancelled, ids = self.book.replace_ladder(owner, side, prices, qtys, post_only)
        ref_cancelled, ref_ids = self.ref.replace_ladder(owner, side, prices, qtys, post_only)
        assert {self.to_ref[i]: q for i, q in zip(cancelled["id"].tolist(),
                                                  cancelled["qty"].tolist())} == ref_cancelled
        self._record_cancelled(cancelled)
        for book_id, ref_id, qty in zip(ids.tolist(), ref_ids, qtys):
            self._pair(book_id, ref_id, qty)
        self._sync_fills()

    @rule(owner=OWNERS, side=st.sampled_from([0, 1, -1]))
    def cancel_all(self, owner, side):
        cancelled = self.book.cancel_all(owner, side)
        ref_cancelled = self.ref.cancel_all(owner, side)
        assert {self.to_ref[i]: q for i, q in zip(cancelled["id"].tolist(),
                                                  cancelled["qty"].tolist())} == ref_cancelled
        self._record_cancelled(cancelled)

    # -- invariants ----------------------------------------------------------------------------
    @invariant()
    def never_crossed(self):
        bid, ask = self.book.best_bid(), self.book.best_ask()
        assert bid == 0 or ask == 0 or bid < ask

    @invariant()
    def levels_equal_the_sum_of_their_orders(self):
        for side in (1, -1):
            orders = self.book.orders(side)
            totals = defaultdict(lambda: [0, 0])
            for price, qty in zip(orders["price"].tolist(), orders["qty"].tolist()):
                totals[price][0] += qty
                totals[price][1] += 1
            levels = self.book.levels(side).tolist()
            assert {p: [q, c] for p, q, c in levels} == dict(totals)
            prices = [p for p, _, _ in levels]
            assert prices == sorted(prices, reverse=side == 1)
            assert len(levels) == self.book.n_levels(side)
            assert self.book.top(side) == (tuple(levels[0][:2]) if levels else (0, 0))
            assert [tuple(r) for r in self.book.levels(side, 2).tolist()] == levels[:2]

    @invariant()
    def orders_of_lists_each_owners_orders(self):
        every = self.book.orders().tolist()
        for owner in range(4):
            for side in (0, 1, -1):
                mine = self.book.orders_of(owner, side)
                assert mine.dtype == ORDER_DTYPE
                assert sorted(mine.tolist()) == sorted(
                    o for o in every if o[1] == owner and side in (0, o[2]))

    @invariant()
    def quantity_is_conserved_per_order(self):
        for book_id, qty in self.submitted.items():
            resting = self.book.remaining(book_id)
            assert resting + self.filled[book_id] + self.cancelled[book_id] == qty, book_id

    @invariant()
    def same_book_as_reference(self):
        for side in (1, -1):
            assert [tuple(r) for r in self.book.levels(side).tolist()] == self.ref.level_list(side)
            got = [(self.to_ref[o[0]], o[1], o[3], o[4]) for o in self.book.orders(side).tolist()]
            assert got == self.ref.order_list(side)
        assert self.book.n_orders == len(self.ref.where)


BookVersusReference.TestCase.settings = settings(
    max_examples=examples(150), stateful_step_count=40, deadline=None,
    suppress_health_check=[HealthCheck.too_slow])
test_book_matches_reference_and_keeps_invariants = BookVersusReference.TestCase
