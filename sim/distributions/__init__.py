"""Probability distributions for durations (in minutes) and counts, parsed from scenario text.

A distribution is a small frozen dataclass that knows the mean and variance of the values it
actually samples (so theory checks can use them) and builds a fast one-draw-per-call sampler.

Written forms (parameters of durations carry units, those of numbers are bare):

    exp(3m)  const(5m)  uniform(1m, 3m)  normal(3m, 1m)  lognormal(2h, 1h)  gamma(10m, 5m)
    triangular(1m, 2m, 6m)  empirical(data/times.csv)  poisson(3.5)  geometric(2.5)
    {dist: lognormal, mean: 2h, sd: 1h}   {dist: empirical, values: [90s, 2m]}   "5m" (constant)
"""

from __future__ import annotations

from sim.distributions.base import Distribution, DistributionError
from sim.distributions.kinds import (
                                     Constant,
                                     Empirical,
                                     Exponential,
                                     Gamma,
                                     Geometric,
                                     Lognormal,
                                     Normal,
                                     Poisson,
                                     Triangular,
                                     Uniform,
)
from sim.distributions.parse import parse_distribution

__all__ = [
    "Constant",
    "Distribution",
    "DistributionError",
    "Empirical",
    "Exponential",
    "Gamma",
    "Geometric",
    "Lognormal",
    "Normal",
    "Poisson",
    "Triangular",
    "Uniform",
    "parse_distribution",
]
