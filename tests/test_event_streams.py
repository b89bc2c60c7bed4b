"""The synthetic stream behind the replay tests and the benchmark has the documented mix."""
import numpy as np
from event_streams import make_stream

from mmabm import CANCEL, EVENT_DTYPE, LIMIT, MARKET
from mmabm.reference.replay import reference_replay


def test_stream_mix_and_every_cancel_hits_a_live_order():
    stream = make_stream(50_000, seed=5)
    share = np.bincount(stream["kind"], minlength=3) / len(stream)
    assert abs(share[LIMIT] - 0.6) < 0.02 and abs(share[CANCEL] - 0.3) < 0.02
    assert abs(share[MARKET] - 0.1) < 0.02
    counts = {}
    reference_replay(*[stream[c] for c in EVENT_DTYPE.names], counts=counts)
    assert counts["live_cancels"] == (stream["kind"] == CANCEL).sum()


def test_stream_is_fixed_by_its_seed():
    assert np.array_equal(make_stream(5_000, seed=1), make_stream(5_000, seed=1))
    assert not np.array_equal(make_stream(5_000, seed=1), make_stream(5_000, seed=2))
