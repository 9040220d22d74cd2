"""`sim.metrics.output.percentiles` gives np.percentile's floats, bit for bit."""

from __future__ import annotations

import numpy as np
import pytest

from sim.metrics.output import PERCENTILES, describe_durations, percentiles


@pytest.mark.parametrize("n", [*range(1, 40), 99, 100, 101, 1000, 4097])
def test_same_floats_as_numpy_percentile(n):
    rng = np.random.default_rng(n)
    samples = [rng.exponential(3.0, n), rng.lognormal(0.0, 2.0, n),
               np.round(rng.exponential(2.0, n)),  # many ties
               np.full(n, 7.25), np.arange(n, dtype=float)[::-1]]
    for data in samples:
        expected = np.percentile(data, (50, 90, 99))
        got = percentiles(data.copy(), PERCENTILES)
        assert got.tobytes() == expected.tobytes(), (n, got, expected)


def test_other_quantiles_too():
    data = np.random.default_rng(5).normal(10.0, 3.0, 257)
    q = np.true_divide((0, 1, 25, 33.3, 50, 75, 95, 99.9, 100), 100)
    assert percentiles(data, q).tobytes() == np.percentile(data, q * 100).tobytes()


def test_nan_in_the_sample_gives_nan_like_numpy():
    data = np.array([1.0, np.nan, 3.0])
    assert np.isnan(np.percentile(data, (50, 90, 99))).all()
    assert np.isnan(percentiles(data, PERCENTILES)).all()


def test_describe_durations_does_not_change_its_input():
    data = np.array([5.0, 1.0, 4.0, 2.0, 3.0])
    described = describe_durations("x", data)
    assert data.tolist() == [5.0, 1.0, 4.0, 2.0, 3.0]
    assert described == {"x.mean": 3.0, "x.p50": 3.0, "x.p90": float(np.percentile(data, 90)),
                         "x.p99": float(np.percentile(data, 99))}
