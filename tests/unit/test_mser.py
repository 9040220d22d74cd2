"""MSER-5 against a hand-computed example and a series with a known transient."""

from __future__ import annotations

import numpy as np
import pytest

from sim.analysis.mser import mser


def test_hand_computed_example():
    # batch means 6, 2, 4, 2, 3, 3 (points repeated 5 times each), searched over d = 0..3:
    #   d=0: mean 20/6, sum(y^2)=78, SSE = 78 - 400/6 = 11.333, Z = 11.333/36 = 0.315
    #   d=1: mean 14/5, sum(y^2)=42, SSE = 42 - 196/5 = 2.8,  Z = 2.8/25  = 0.112
    #   d=2: mean 12/4, sum(y^2)=38, SSE = 38 - 144/4 = 2,    Z = 2/16    = 0.125
    #   d=3: mean 8/3,  sum(y^2)=22, SSE = 22 - 64/3 = 0.667, Z = 0.667/9 = 0.0741
    series = np.repeat([6.0, 2.0, 4.0, 2.0, 3.0, 3.0], 5)
    cut = mser(series)
    assert cut.batches == 3 and cut.points == 15
    assert cut.statistic == pytest.approx((22 - 64 / 3) / 9)
    assert cut.limit == 15 and not cut.settled  # the minimum is at the edge of the search


def test_a_step_is_cut_exactly():
    series = np.r_[np.full(5, 10.0), np.zeros(15)]  # batch means 10, 0, 0, 0
    cut = mser(series)
    assert (cut.points, cut.statistic) == (5, 0.0)


def test_a_known_transient_is_cut_where_it_has_faded():
    rng = np.random.default_rng(7)
    t = np.arange(2000)
    transient = 20.0 * np.exp(-t / 50.0)  # under the batch means' sd (0.45) after ~190 points
    series = transient + rng.normal(0.0, 1.0, t.size)
    cut = mser(series)
    assert 100 <= cut.points <= 400
    assert cut.settled
    assert mser(rng.normal(0.0, 1.0, 2000)).points <= 100  # stationary: little to cut


def test_a_trend_never_settles_and_short_series_are_not_judged():
    assert not mser(np.arange(500.0)).settled
    short = mser([1.0, 2.0, 3.0])
    assert short.points == 0 and not short.settled


def test_trailing_empty_bins_are_ignored():
    series = np.r_[np.full(5, 10.0), np.zeros(15), np.full(7, np.nan)]
    assert mser(series).points == 5
