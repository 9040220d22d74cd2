"""The table of 95% t quantiles holds scipy's floats, so intervals do not change with it."""

from __future__ import annotations

import pytest
from scipy.stats import t

from sim.analysis.statistics import t_quantile
from sim.analysis.t_table import LEVEL, T95


def test_the_table_is_scipy_bit_for_bit():
    assert LEVEL == 0.95 and len(T95) == 200
    assert list(T95) == [float(t.ppf(0.5 + LEVEL / 2.0, dof)) for dof in range(1, 201)]


@pytest.mark.parametrize("level, dof", [(0.95, 1), (0.95, 9), (0.95, 200), (0.95, 201),
                                        (0.99, 9), (0.9, 3)])
def test_t_quantile_is_scipy_within_and_beyond_the_table(level, dof):
    assert t_quantile(level, dof) == float(t.ppf(0.5 + level / 2.0, dof))
