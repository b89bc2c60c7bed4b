"""PerpExchange.check_liquidations, which tests only the accounts whose liquidation trigger the
mark has crossed, against the full scan it replaces: the same accounts, in the same order, with
the same results, on random trading, fundings and mark paths (marks placed on the triggers to
the last bit included)."""
import math

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from mmabm.venues.perp import Liquidation, PerpExchange
from budget import examples

M = 10**6
OWNERS = range(8)


def full_scan(v: PerpExchange, minute: float = math.nan) -> list[Liquidation]:
    """The rule as first written: every open account, in owner order, at the mark; recorded
    when it closed lots (one with no depth to close into sends no order and is tried again
    next time)."""
    done = []
    if not v.mark_price == v.mark_price:
        return done
    for owner in sorted(v._open):
        acct = v.accounts[owner]
        maintenance = abs(v._notional(acct.position, v.mark_price / v.tick_size))
        if v.equity_units(acct) >= maintenance * v.maintenance_margin:
            continue
        v.cancel_all(owner)
        before, fund_before = acct.position, v.insurance
        if not v.book.n_levels(1 if before > 0 else -1):
            continue
        v.book.market(-1 if before > 0 else 1, abs(before), owner)
        v._settle(0)
        if acct.position != before:
            done.append(Liquidation(owner, abs(before - acct.position), v.mark_price,
                                    fund_before - v.insurance, 1 if before > 0 else -1,
                                    abs(acct.position), minute))
    v.liquidations += done
    return done


def exact_threshold(v: PerpExchange, owner: int) -> float:
    """The mark at which `owner`'s equity equals maintenance margin (real arithmetic)."""
    a = v.accounts[owner]
    backing = a.margin if a.isolated else a.margin + a.collateral + a.locked
    per_mark = abs(a.position) * v.quote_units / v.tick_size
    mm = v.maintenance_margin
    if a.position > 0:
        return -(backing - a.cost) / (per_mark * (1 - mm))
    return (backing - a.cost) / (per_mark * (1 + mm))


def venue() -> PerpExchange:
    v = PerpExchange(tick_size=0.0001, lot_size=1.0, maker_fee=-0.0001, taker_fee=0.0005,
                     initial_margin=0.1, maintenance_margin=0.05)
    for owner in OWNERS:
        v.deposit_units(owner, (200 + 300 * owner) * M)
    v.deposit_units(99, 10**7 * M)                 # a deep-pocketed liquidity provider
    return v


class FastVersusFullScan(RuleBasedStateMachine):
    """Two venues fed the same calls; one liquidates with triggers, the other by full scan."""

    def __init__(self):
        super().__init__()
        self.fast, self.slow = venue(), venue()
        self.mark = 1.0
        self.minute = 0.0

    def both(self, name, *args):
        a, b = getattr(self.fast, name)(*args), getattr(self.slow, name)(*args)
        assert a == b
        return a

    @rule(owner=st.sampled_from(OWNERS), side=st.sampled_from([1, -1]),
          price=st.integers(7_000, 13_000), qty=st.integers(1, 8_000))
    def limit(self, owner, side, price, qty):
        self.both("limit", owner, side, price, qty)

    @rule(owner=st.sampled_from(OWNERS), side=st.sampled_from([1, -1]), qty=st.integers(1, 8_000))
    def market(self, owner, side, qty):
        self.both("market", owner, side, qty)

    @rule(lo=st.integers(5_000, 10_000), width=st.integers(1, 3_000), qty=st.integers(1, 5_000))
    def provide(self, lo, width, qty):
        """The provider rests a bid and an ask, so liquidations find (some) depth."""
        self.both("limit", 99, 1, lo, qty)
        self.both("limit", 99, -1, lo + width, qty)

    @rule(owner=st.sampled_from(OWNERS))
    def cancel_all(self, owner):
        self.both("cancel_all", owner)

    @rule(owner=st.sampled_from(OWNERS), usdt=st.integers(0, 500 * M))
    def deposit(self, owner, usdt):
        self.both("deposit_units", owner, usdt)

    @rule(owner=st.sampled_from(OWNERS), fraction=st.floats(0.0, 1.0))
    def withdraw(self, owner, fraction):
        self.both("withdraw_units", owner, int(self.fast.accounts[owner].collateral * fraction))

    @rule(owner=st.sampled_from(OWNERS), isolated=st.booleans())
    def isolate(self, owner, isolated):
        self.both("set_isolated", owner, isolated)

    @rule(index=st.floats(0.5, 1.5))
    def fund(self, index):
        self.both("update_marks", index)
        self.both("settle_funding")

    def liquidate_at(self, mark):
        self.fast.mark_price = self.slow.mark_price = mark
        self.minute += 1
        assert self.fast.check_liquidations(self.minute) == full_scan(self.slow, self.minute)

    @rule(step=st.floats(-0.3, 0.3))
    def move_mark(self, step):
        self.mark = min(max(self.mark * math.exp(step), 0.05), 5.0)
        self.liquidate_at(self.mark)

    @precondition(lambda self: self.fast._open)
    @rule(data=st.data(), ulps=st.integers(-4, 4))
    def mark_on_a_trigger(self, data, ulps):
        """A mark within a few ulps of an account's exact threshold."""
        owner = data.draw(st.sampled_from(sorted(self.fast._open)))
        mark = exact_threshold(self.fast, owner)
        if not 0 < mark < 1e6:
            return
        for _ in range(abs(ulps)):
            mark = math.nextafter(mark, math.inf if ulps > 0 else 0.0)
        self.liquidate_at(mark)

    @invariant()
    def same_books(self):
        f, s = self.fast, self.slow
        assert f.accounts == s.accounts
        assert f.book.orders().tolist() == s.book.orders().tolist()
        assert (f.insurance, f.fees, f.liquidations) == (s.insurance, s.fees, s.liquidations)
        assert f.audit() == [] and s.audit() == []


FastVersusFullScan.TestCase.settings = settings(
    max_examples=examples(150), stateful_step_count=40, deadline=None,
    suppress_health_check=[HealthCheck.too_slow])
test_triggers_liquidate_as_the_full_scan_does = FastVersusFullScan.TestCase


def test_the_scan_liquidates_and_the_cases_are_not_trivial():
    """The comparison above means something: marks on the threshold liquidate or spare."""
    v = venue()
    v.limit(1, 1, 10_000, 4_000)
    v.limit(2, -1, 10_000, 4_000)
    threshold = exact_threshold(v, 1)
    assert 0.9 < threshold < 1.0
    v.mark_price = threshold * (1 + 1e-12)
    assert v.check_liquidations() == []
    v.limit(99, 1, 9_000, 10_000)
    v.mark_price = threshold * (1 - 1e-12)
    (liq,) = v.check_liquidations(minute=7.0)
    assert liq.owner == 1 and liq.lots_closed == 4_000
    # a long, sold into the bids, closed whole, stamped with the caller's time
    assert (liq.side, liq.lots_left, liq.minute) == (1, 0, 7.0)


def test_a_counterparty_hurt_by_a_liquidation_is_liquidated_in_the_same_scan():
    """Owner 3's bid absorbs owner 1's liquidation; at this mark that makes 3 liquidatable,
    and 3 comes after 1 in owner order, so the same scan takes it (as the full scan does)."""
    fast, slow = venue(), venue()
    for v in (fast, slow):
        v.limit(1, 1, 10_000, 4_000)
        v.limit(2, -1, 10_000, 4_000)
        v.limit(3, 1, 10_000, 10)                   # owner 3 ($1,100): a small long, safe at 0.6
        v.limit(4, -1, 10_000, 10)
        v.limit(3, 1, 9_000, 9_000)                 # and a large bid at $0.90
        v.mark_price = 0.6
    assert 0.6 < exact_threshold(fast, 1) and exact_threshold(fast, 3) < 0.6
    result = fast.check_liquidations()
    assert result == full_scan(slow)
    # 3 was under maintenance but found no depth: tried, not recorded, still open
    assert [(liq.owner, liq.lots_closed) for liq in result] == [(1, 4_000)]
    assert fast.accounts == slow.accounts and fast.accounts[3].position != 0
    assert fast._under_maintenance(fast.accounts[3])


def test_audit_names_an_account_changed_behind_the_venue():
    v = venue()
    v.limit(1, 1, 10_000, 1_000)
    v.limit(2, -1, 10_000, 1_000)
    assert v.audit() == []
    v.accounts[1].margin -= 10 * M                 # not through a venue method
    v.accounts[1].collateral += 10 * M
    assert v.audit() == []                         # cross margin: same backing, same trigger
    v.set_isolated(1, True)
    v.audit()
    v.accounts[1].margin -= 10 * M
    v.accounts[1].collateral += 10 * M
    assert any("owner 1's liquidation trigger is stale" in p for p in v.audit())


def test_a_short_closed_into_thin_asks_records_the_side_and_what_is_left():
    """A short liquidated into fewer asks than it holds: one record of what closed, side -1,
    the rest as lots_left; the next check (once asks are back) closes the rest."""
    v = venue()
    v.limit(1, -1, 10_000, 4_000)                   # owner 1 shorts 4,000 lots at $1.00
    v.limit(2, 1, 10_000, 4_000)
    v.limit(3, -1, 20_000, 1_000)                   # only 1,000 lots offered, at $2.00
    v.mark_price = 2.0                               # the short is far under water
    (liq,) = v.check_liquidations(minute=60.0)
    assert (liq.owner, liq.side, liq.lots_closed, liq.lots_left) == (1, -1, 1_000, 3_000)
    assert v.accounts[1].position == -3_000
    v.limit(4, -1, 20_000, 5_000)
    (rest,) = v.check_liquidations(minute=61.0)
    assert (rest.owner, rest.lots_closed, rest.lots_left, rest.minute) == (1, 3_000, 0, 61.0)
    assert v.audit() == []
