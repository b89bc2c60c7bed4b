"""replay(): the compiled loop against the pure-Python reference on long random streams, the
price-time priority of its fills, quantity conservation, and its input checks."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from event_streams import make_stream

from mmabm import CANCEL, EVENT_DTYPE, LIMIT, MARKET, replay
from mmabm.reference.replay import reference_replay
from budget import examples


def as_lists(result):
    return ([tuple(f) for f in result.fills.tolist()], [tuple(r) for r in result.bids.tolist()],
            [tuple(r) for r in result.asks.tolist()])


def columns(stream):
    return [stream[name] for name in EVENT_DTYPE.names]


def test_hand_written_stream():
    #        0 limit buy 100x5, 1 limit buy 101x3, 2 limit sell 103x4, 3 market sell 4,
    #        4 cancel 0,        5 limit sell 101x2 (crosses nothing: bids are gone)
    stream = np.array([(LIMIT, 1, 100, 5, 0), (LIMIT, 1, 101, 3, 0), (LIMIT, -1, 103, 4, 0),
                       (MARKET, -1, 0, 4, 0), (CANCEL, 0, 0, 0, 0), (LIMIT, -1, 101, 2, 0)],
                      dtype=EVENT_DTYPE)
    fills, bids, asks = as_lists(replay(stream))
    assert fills == [(3, 1, 101, 3), (3, 0, 100, 1)]
    assert bids == [] and asks == [(101, 2, 1), (103, 4, 1)]


def test_crossing_limit_rests_remainder_and_market_remainder_is_dropped():
    stream = np.array([(LIMIT, -1, 100, 2, 0), (LIMIT, 1, 105, 5, 0), (MARKET, -1, 0, 9, 0)],
                      dtype=EVENT_DTYPE)
    fills, bids, asks = as_lists(replay(stream))
    assert fills == [(1, 0, 100, 2), (2, 1, 105, 3)]
    assert bids == [] and asks == []


def test_cancel_of_a_filled_order_is_a_no_op():
    stream = np.array([(LIMIT, 1, 100, 2, 0), (MARKET, -1, 0, 2, 0), (CANCEL, 0, 0, 0, 0),
                       (LIMIT, 1, 99, 1, 0)], dtype=EVENT_DTYPE)
    fills, bids, _ = as_lists(replay(stream))
    assert fills == [(1, 0, 100, 2)] and bids == [(99, 1, 1)]


def test_matches_reference_on_200k_events():
    stream = make_stream(200_000, seed=7)
    assert as_lists(replay(stream)) == reference_replay(*columns(stream))


@settings(max_examples=examples(4), deadline=None)
@given(seed=st.integers(0, 2**32 - 1), p_cross=st.floats(0.0, 0.3),
       mean_offset=st.integers(2, 200), drift_every=st.integers(5, 1000),
       max_qty=st.integers(1, 500))
def test_matches_reference_on_random_100k_streams(seed, p_cross, mean_offset, drift_every, max_qty):
    stream = make_stream(100_000, seed, p_cross=p_cross, mean_offset=mean_offset,
                         drift_every=drift_every, max_qty=max_qty)
    assert as_lists(replay(stream)) == reference_replay(*columns(stream))


def test_column_and_structured_inputs_agree():
    stream = make_stream(20_000, seed=3)
    by_columns = replay(*[np.asarray(c, dtype=np.int32) for c in columns(stream)])
    assert as_lists(by_columns) == as_lists(replay(stream))


@pytest.fixture(scope="module")
def long_run():
    stream = make_stream(100_000, seed=11, p_cross=0.2)
    return stream, replay(stream)


def test_fills_respect_price_time_priority(long_run):
    stream, result = long_run
    f = result.fills
    assert len(f) > 10_000
    taker_side = stream["side"][f["taker_event"]]
    maker_side = stream["side"][f["maker_event"]]
    assert np.all(taker_side == -maker_side)
    assert np.all(stream["kind"][f["maker_event"]] == LIMIT)
    # within one taker: never a worse price before a better one, and at one price the
    # earlier-submitted maker first
    same_taker = f["taker_event"][1:] == f["taker_event"][:-1]
    step = np.diff(f["price"]) * taker_side[1:]
    assert np.all(step[same_taker] >= 0)
    same_price = same_taker & (step == 0)
    assert np.all(np.diff(f["maker_event"])[same_price] > 0)
    # a limit taker never trades through its own limit
    limit_taker = stream["kind"][f["taker_event"]] == LIMIT
    limit = stream["price"][f["taker_event"]]
    assert np.all((f["price"] - limit)[limit_taker] * taker_side[limit_taker] <= 0)


def test_quantity_is_conserved_for_orders_never_cancelled(long_run):
    stream, result = long_run
    n = len(stream)
    filled = (np.bincount(result.fills["taker_event"], result.fills["qty"], minlength=n)
              + np.bincount(result.fills["maker_event"], result.fills["qty"], minlength=n))
    resting_orders = result.book.orders()
    resting = np.bincount(resting_orders["owner"], resting_orders["qty"], minlength=n)
    cancelled = np.zeros(n, dtype=bool)
    cancelled[stream["ref"][stream["kind"] == CANCEL]] = True
    limits = (stream["kind"] == LIMIT) & ~cancelled
    assert np.array_equal((filled + resting)[limits], stream["qty"][limits])
    markets = stream["kind"] == MARKET
    assert np.all(filled[markets] <= stream["qty"][markets])
    assert resting_orders["qty"].sum() == result.bids["qty"].sum() + result.asks["qty"].sum()


def test_empty_stream():
    fills, bids, asks = as_lists(replay(np.empty(0, dtype=EVENT_DTYPE)))
    assert fills == bids == asks == []


def one(kind, side, price, qty, ref):
    return [np.array(v, dtype=np.int64) for v in (kind, side, price, qty, ref)]


@pytest.mark.parametrize("cols, error, match", [
    (one([0, 3], [1, 1], [5, 5], [1, 1], [0, 0]), ValueError, "event 1: kind"),
    (one([0], [0], [5], [1], [0]), ValueError, r"event 0: side must be \+1"),
    (one([1], [2], [0], [1], [0]), ValueError, "event 0: side"),
    (one([0], [1], [0], [1], [0]), ValueError, r"event 0: price must be in \[1, "),
    (one([0], [1], [-5], [1], [0]), ValueError, "event 0: price"),
    (one([0, 1], [1, -1], [5, 0], [1, 0], [0, 0]), ValueError, r"event 1: qty must be in \[1, "),
    (one([2], [0], [0], [0], [0]), ValueError, "event 0: ref must be the index of an earlier limit"),
    (one([0, 2], [1, 0], [5, 0], [1, 0], [1, 1]), ValueError, "event 1: ref"),
    (one([0, 2], [1, 0], [5, 0], [1, 0], [-1, -1]), ValueError, "event 1: ref"),
    (one([1, 2], [1, 0], [0, 0], [1, 0], [0, 0]), ValueError, "event 1: ref"),
    (one([0, 0], [1, 1], [5, 5], [1], [0, 0]), ValueError, "equal lengths"),
    (one([0], [300], [5], [1], [0]), ValueError, "event 0: side out of range"),
])
def test_bad_streams_name_the_event_and_field(cols, error, match):
    with pytest.raises(error, match=match):
        replay(*cols)


def test_bad_stream_types_are_named():
    with pytest.raises(TypeError, match="price must hold integers"):
        replay(np.zeros(1, np.int8), np.ones(1, int), np.array([1.5]), np.ones(1, int), np.zeros(1, int))
    with pytest.raises(ValueError, match="kind must be a 1-d array"):
        replay(np.zeros((1, 1), int), *[np.zeros(1, int)] * 4)
    with pytest.raises(TypeError, match="needs the column 'side'"):
        replay(np.zeros(1, int))
    with pytest.raises(ValueError, match=r"lacks the field\(s\) \['ref'\]"):
        replay(np.zeros(1, dtype=[(n, "i8") for n in ("kind", "side", "price", "qty")]))


def test_price_too_far_from_resting_orders_names_the_event():
    stream = np.array([(LIMIT, 1, 1, 1, 0), (LIMIT, 1, 1 << 30, 1, 0)], dtype=EVENT_DTYPE)
    with pytest.raises(ValueError, match="event 1: price_ticks"):
        replay(stream)
