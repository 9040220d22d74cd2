"""Distributions: sampled moments match the stated ones, every written form parses, and
every error speaks to the user. The generic moment test follows Ciw's tests/test_sampling.py.
"""

from __future__ import annotations

import math
import pathlib

import numpy as np
import pytest

from sim.distributions import (
    Constant,
    Distribution,
    DistributionError,
    Empirical,
    Exponential,
    Gamma,
    Geometric,
    Lognormal,
    Normal,
    Poisson,
    Triangular,
    Uniform,
    parse_distribution,
)

N = 200_000
Z = 5.0  # standard errors allowed: a false alarm is then about 1 in 1.7 million per check

CASES: dict[str, Distribution] = {
    "exp": Exponential(3.0),
    "exp-seconds": Exponential(10 / 60),
    "const": Constant(5.0),
    "uniform": Uniform(1.0, 3.0),
    "uniform-point": Uniform(2.0, 2.0),
    "normal": Normal(3.0, 1.0),
    "normal-half": Normal(0.0, 2.0),
    "normal-truncated": Normal(0.5, 2.0),
    "normal-sd0": Normal(4.0, 0.0),
    "normal-mostly-truncated": Normal(1.0, 5.0),
    "lognormal": Lognormal(120.0, 60.0),
    "lognormal-wide": Lognormal(1.0, 1.5),
    "gamma": Gamma(10.0, 5.0),
    "gamma-shape-below-1": Gamma(1.0, 3.0),
    "gamma-sd0": Gamma(2.0, 0.0),
    "triangular": Triangular(1.0, 2.0, 6.0),
    "triangular-left-mode": Triangular(1.0, 1.0, 4.0),
    "triangular-point": Triangular(2.0, 2.0, 2.0),
    "empirical": Empirical((1.5, 2.0, 2.0, 7.25, 0.0)),
    "poisson": Poisson(3.5),
    "poisson-small": Poisson(0.05),
    "const-zero": Constant(0.0),
    "geometric": Geometric(2.5),
    "geometric-one": Geometric(1.0),
    "const-number": Constant(3.0, quantity="number"),
    "uniform-number": Uniform(0.0, 10.0, quantity="number"),
}


@pytest.fixture(params=list(CASES), ids=list(CASES))
def dist(request: pytest.FixtureRequest) -> Distribution:
    return CASES[request.param]


def test_sample_moments_match_properties(dist: Distribution) -> None:
    x = dist.sample_array(np.random.default_rng(20240601), N).astype(float)
    assert x.shape == (N,)
    mean, var = dist.mean, dist.variance
    assert mean >= 0 and var >= 0
    scale = max(mean, 1.0)
    # Mean: standard error sqrt(var/n).
    assert abs(x.mean() - mean) <= Z * math.sqrt(var / N) + 1e-12 * scale
    # Variance: standard error of the sample variance is sqrt((mu4 - sigma^4)/n);
    # mu4 is estimated from the same sample (exact enough at this n).
    centred = x - x.mean()
    s2 = float(np.mean(centred**2))
    mu4 = float(np.mean(centred**4))
    se_var = math.sqrt(max(mu4 - s2 * s2, 0.0) / N)
    assert abs(s2 - var) <= Z * se_var + 1e-9 * scale * scale


def test_durations_are_never_negative(dist: Distribution) -> None:
    x = dist.sample_array(np.random.default_rng(7), N)
    assert np.all(x >= 0)
    assert np.all(np.isfinite(x))


def test_sampler_matches_sample_array(dist: Distribution) -> None:
    batch = 100
    draw = dist.sampler(np.random.default_rng(99), batch=batch)
    got = [draw() for _ in range(250)]
    rng = np.random.default_rng(99)
    expected = np.concatenate([dist.sample_array(rng, batch) for _ in range(3)])[:250]
    assert got == expected.tolist()
    assert all(isinstance(v, int | float) for v in got)


def test_sampler_default_batch_matches_too() -> None:
    dist = Exponential(3.0)
    draw = dist.sampler(np.random.default_rng(1))
    got = [draw() for _ in range(5000)]
    rng = np.random.default_rng(1)
    expected = np.concatenate([dist.sample_array(rng, 4096) for _ in range(2)])[:5000]
    assert got == expected.tolist()


def test_constant_sampler_uses_no_randomness() -> None:
    rng = np.random.default_rng(3)
    before = rng.bit_generator.state
    draw = Constant(5.0).sampler(rng)
    assert [draw() for _ in range(3)] == [5.0, 5.0, 5.0]
    assert rng.bit_generator.state == before


def test_sampler_rejects_empty_batch() -> None:
    with pytest.raises(ValueError, match="batch"):
        Exponential(1.0).sampler(np.random.default_rng(0), batch=0)


def test_truncated_normal_exact_formulas() -> None:
    # Half-normal: mean sd*sqrt(2/pi), variance sd^2 (1 - 2/pi).
    half = Normal(0.0, 2.0)
    assert half.mean == pytest.approx(2.0 * math.sqrt(2 / math.pi), rel=1e-14)
    assert half.variance == pytest.approx(4.0 * (1 - 2 / math.pi), rel=1e-14)
    # Far from zero the truncation is negligible.
    far = Normal(100.0, 1.0)
    assert far.mean == pytest.approx(100.0, rel=1e-15)
    assert far.variance == pytest.approx(1.0, rel=1e-12)


def test_lognormal_log_parameters() -> None:
    d = Lognormal(120.0, 60.0)
    mu, sigma = d.log_params
    assert sigma**2 == pytest.approx(math.log(1 + 0.25))
    assert mu == pytest.approx(math.log(120.0) - sigma**2 / 2)
    logs = np.log(d.sample_array(np.random.default_rng(5), N))
    assert abs(logs.mean() - mu) < Z * sigma / math.sqrt(N)


def test_discrete_draws_are_integers() -> None:
    rng = np.random.default_rng(2)
    assert Poisson(3.0).sample_array(rng, 10).dtype.kind == "i"
    geo = Geometric(2.0).sample_array(rng, 10_000)
    assert geo.dtype.kind == "i" and geo.min() >= 1


# --------------------------------------------------------------------------- parsing


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("exp(3m)", Exponential(3.0)),
        ("exponential(3m)", Exponential(3.0)),
        ("EXP( 180 s )", Exponential(3.0)),
        ("const(5m)", Constant(5.0)),
        ("5m", Constant(5.0)),
        ("90 s", Constant(1.5)),
        ("uniform(1m, 3m)", Uniform(1.0, 3.0)),
        ("normal(3m, 1m)", Normal(3.0, 1.0)),
        ("lognormal(2h, 1h)", Lognormal(120.0, 60.0)),
        ("gamma(10m, 5m)", Gamma(10.0, 5.0)),
        ("triangular(1m, 2m, 6m)", Triangular(1.0, 2.0, 6.0)),
        ({"dist": "lognormal", "mean": "2h", "sd": "1h"}, Lognormal(120.0, 60.0)),
        ({"dist": "exp", "mean": "3m"}, Exponential(3.0)),
        ({"dist": "const", "value": "5m"}, Constant(5.0)),
        ({"dist": "uniform", "min": "1m", "max": "3m"}, Uniform(1.0, 3.0)),
        ({"dist": "triangular", "min": "1m", "mode": "2m", "max": "6m"}, Triangular(1, 2, 6)),
        ({"dist": "normal", "mean": "3m", "sd": "1m"}, Normal(3.0, 1.0)),
        ({"dist": "gamma", "mean": "10m", "sd": "5m"}, Gamma(10.0, 5.0)),
        ({"dist": "empirical", "values": ["90s", "2m"]}, Empirical((1.5, 2.0))),
        ({"dist": "empirical", "values": [1.5, 2.0], "unit": "m"}, Empirical((1.5, 2.0))),
        ({"dist": "empirical", "values": [90, "2m"], "unit": "s"}, Empirical((1.5, 2.0))),
    ],
)
def test_parse_duration_forms(value: object, expected: Distribution) -> None:
    assert parse_distribution(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("poisson(3.5)", Poisson(3.5)),
        ("geometric(2.5)", Geometric(2.5)),
        (3, Constant(3.0, quantity="number")),
        (2.5, Constant(2.5, quantity="number")),
        ("4", Constant(4.0, quantity="number")),
        ("const(4)", Constant(4.0, quantity="number")),
        ("exp(2)", Exponential(2.0, quantity="number")),
        ("uniform(1, 3)", Uniform(1.0, 3.0, quantity="number")),
        ({"dist": "poisson", "mean": 3}, Poisson(3.0)),
        ({"dist": "geometric", "mean": "2"}, Geometric(2.0)),
        ({"dist": "lognormal", "mean": 2, "sd": 0.5}, Lognormal(2.0, 0.5, quantity="number")),
        ({"dist": "empirical", "values": [1, 2, 5]}, Empirical((1, 2, 5), quantity="number")),
    ],
)
def test_parse_number_forms(value: object, expected: Distribution) -> None:
    assert parse_distribution(value, quantity="number") == expected


def test_parse_passes_distributions_through() -> None:
    d = Exponential(3.0)
    assert parse_distribution(d) is d


AWKWARD = [
    Exponential(10 / 60),
    Exponential(1 / 3),
    Exponential(0.1),
    Exponential(90.0),
    Exponential(1e-7),
    Lognormal(12345.678901, 0.001),
    Uniform(0.0, 2.0 * 10080.0),
]


@pytest.mark.parametrize("dist", [*CASES.values(), *AWKWARD])
def test_to_config_round_trips(dist: Distribution) -> None:
    config = dist.to_config()
    back = parse_distribution(config, quantity=dist.quantity)
    assert back == dist
    assert back.mean == dist.mean and back.variance == dist.variance
    a = back.sample_array(np.random.default_rng(11), 50)
    b = dist.sample_array(np.random.default_rng(11), 50)
    assert a.tolist() == b.tolist()


def test_to_config_is_short_and_readable() -> None:
    assert Exponential(3.0).to_config() == "exp(3m)"
    assert Exponential(0.75).to_config() == "exp(45s)"
    assert Lognormal(120.0, 60.0).to_config() == "lognormal(2h, 1h)"
    assert Constant(1440.0).to_config() == "const(1d)"
    assert Poisson(3.5).to_config() == "poisson(3.5)"
    assert Empirical((1.5, 2.0)).to_config() == {
        "dist": "empirical",
        "values": [1.5, 2.0],
        "unit": "m",
    }
    assert Empirical((1.0, 2.0), quantity="number").to_config() == {
        "dist": "empirical",
        "values": [1.0, 2.0],
    }


def test_describe() -> None:
    assert Exponential(3.0).describe() == "exp(mean 3 min)"
    assert Lognormal(120.0, 60.0).describe() == "lognormal(mean 2 h, sd 1 h)"
    assert Normal(3.0, 1.0).describe() == "normal(mean 3 min, sd 1 min, truncated at 0)"
    assert Poisson(3.5).describe() == "poisson(mean 3.5)"
    assert str(Uniform(1.0, 3.0)) == "uniform(1 min to 3 min)"
    for d in CASES.values():
        assert d.describe()


DURATION_ERRORS = [
    (
        "foo(3m)",
        "unknown distribution 'foo'; expected one of exp, const, uniform, normal, lognormal, "
        "gamma, triangular, empirical",
    ),
    (
        "expo(3m)",
        "unknown distribution 'expo'; expected one of exp, const, uniform, normal, lognormal, "
        "gamma, triangular, empirical; did you mean 'exp'?",
    ),
    ({"dist": "lognormel", "mean": "1m", "sd": "1m"}, "did you mean 'lognormal'?"),
    ("lognormal(2h)", "lognormal takes 2 arguments (MEAN, SD), got 1"),
    ("exp(3m, 4m)", "exp takes 1 argument (MEAN), got 2"),
    ("exp()", "exp takes 1 argument (MEAN), got 0"),
    ("triangular(1m, 2m)", "triangular takes 3 arguments (MIN, MODE, MAX), got 2"),
    ("exp(3)", "exp mean: expected a duration with a unit (45s, 15m, 4h, 2d, 1w), got 3"),
    ({"dist": "exp", "mean": 3}, "exp mean: expected a duration with a unit"),
    ("lognormal(2h, -1h)", "lognormal sd: must not be negative, got -1h"),
    ("exp(-3m)", "exp mean: must not be negative, got -3m"),
    ("lognormal(0m, 1m)", "lognormal with a mean of 0 can only draw 0"),
    ("gamma(0m, 1m)", "gamma with a mean of 0 can only draw 0"),
    ("uniform(3m, 1m)", "uniform needs min <= max, got min 3m, max 1m"),
    ("triangular(1m, 5m, 3m)", "triangular needs min <= mode <= max, got min 1m, mode 5m, max 3m"),
    ("poisson(3)", "poisson draws counts and cannot be used for a duration"),
    ("exp", "exp needs its parameters in brackets, e.g. exp(3m)"),
    ("30", "expected a duration with a unit (45s, 15m, 4h, 2d, 1w), got 30"),
    (30, "expected a duration with a unit (45s, 15m, 4h, 2d, 1w), got 30"),
    ("-5m", "must not be negative, got -5m"),
    ("3 parsecs", "expected a distribution such as exp(3m) or a duration such as 5m, got 3 par"),
    (True, "expected a distribution such as exp(3m) or a duration such as 5m, got true"),
    (None, "got nothing (an empty value)"),
    ([1, 2], "expected a distribution such as exp(3m)"),
    ({"mean": "2h"}, "a distribution written as a mapping needs a 'dist' key"),
    ({"dist": "lognormal", "mean": "2h"}, "lognormal needs 'sd', e.g. {dist: lognormal, mean:"),
    (
        {"dist": "lognormal", "mean": "2h", "std": "1h"},
        "lognormal: unknown key 'std'; expected mean, sd; did you mean 'sd'?",
    ),
    ({"dist": "empirical"}, "empirical needs either 'file' or 'values'"),
    ({"dist": "empirical", "values": []}, "empirical values: the list is empty"),
    ({"dist": "empirical", "values": "1m"}, "empirical values: expected a list"),
    (
        {"dist": "empirical", "values": [1, 2]},
        "empirical values, item 1: expected a duration with a unit",
    ),
    ({"dist": "empirical", "values": ["1m", "-2m"]}, "item 2: must not be negative, got -2m"),
    ({"dist": "empirical", "values": [1], "unit": "parsec"}, "empirical unit: expected a unit"),
    ({"dist": "empirical", "file": "x.csv", "unit": "m"}, "'unit' goes with 'values'"),
]


@pytest.mark.parametrize(("value", "message"), DURATION_ERRORS)
def test_duration_errors(value: object, message: str) -> None:
    with pytest.raises(DistributionError) as info:
        parse_distribution(value)
    text = str(info.value)
    assert message in text
    assert "\n" not in text and "Traceback" not in text and "Error" not in text


NUMBER_ERRORS = [
    ("geometric(0.5)", "geometric mean must be at least 1 (it counts 1, 2, 3, ...), got 0.5"),
    ("poisson(-1)", "poisson mean: must not be negative, got -1"),
    ("poisson(x)", "poisson mean: expected a number, got x"),
    ("exp(3m)", "exp mean: expected a number, got 3m"),
    ("poison(3)", "did you mean 'poisson'?"),
    (
        "abc",
        "expected one of exp, const, uniform, normal, lognormal, gamma, triangular, "
        "empirical, poisson, geometric",
    ),
    ({"dist": "empirical", "values": [1], "unit": "m"}, "'unit' applies only to durations"),
    (True, "expected a distribution such as poisson(3) or a number, got true"),
]


@pytest.mark.parametrize(("value", "message"), NUMBER_ERRORS)
def test_number_errors(value: object, message: str) -> None:
    with pytest.raises(DistributionError, match=None) as info:
        parse_distribution(value, quantity="number")
    assert message in str(info.value)


def test_direct_construction_is_checked() -> None:
    with pytest.raises(DistributionError, match="exp mean: must not be negative"):
        Exponential(-1.0)
    with pytest.raises(DistributionError, match="must be finite"):
        Normal(float("nan"), 1.0)
    with pytest.raises(DistributionError, match="cannot be used for a duration"):
        Poisson(1.0, quantity="duration")
    with pytest.raises(ValueError, match="quantity"):
        Exponential(1.0, quantity="speed")
    with pytest.raises(ValueError, match="quantity"):
        parse_distribution("exp(3m)", quantity="speed")


def test_distributions_are_hashable_values() -> None:
    assert len({Exponential(3.0), Exponential(3), parse_distribution("exp(3m)")}) == 1
    assert Exponential(3.0) != Exponential(3.0, quantity="number")
    assert Exponential(3.0) != Constant(3.0)


# --------------------------------------------------------------------------- empirical files


def _write(path: pathlib.Path, text: str, encoding: str = "utf-8") -> pathlib.Path:
    path.write_text(text, encoding=encoding)
    return path


@pytest.mark.parametrize(
    ("text", "values"),
    [
        ("minutes\n1.5\n2\n", (1.5, 2.0)),
        ("m\n1.5\n2\n", (1.5, 2.0)),
        ("s\n90\n120\n", (1.5, 2.0)),
        ("seconds,comment\n90,first\n\n120,second\n", (1.5, 2.0)),
        ("h\n0.5\n", (30.0,)),
        ("days\n1\n", (1440.0,)),
        ("service_time\n90s\n2m\n", (1.5, 2.0)),
        ("90s\n2m\n", (1.5, 2.0)),
        ("90 s,x\n2 min,y\n", (1.5, 2.0)),
        ("min\n90s\n2\n", (1.5, 2.0)),  # a cell's own unit wins over the header's
    ],
)
def test_empirical_csv(tmp_path: pathlib.Path, text: str, values: tuple[float, ...]) -> None:
    _write(tmp_path / "times.csv", text)
    d = parse_distribution("empirical(times.csv)", base_dir=tmp_path)
    assert d == Empirical(values)
    assert isinstance(d, Empirical) and d.source == str((tmp_path / "times.csv").resolve())
    long = parse_distribution({"dist": "empirical", "file": "times.csv"}, base_dir=tmp_path)
    assert long == d


def test_empirical_csv_with_bom_and_crlf(tmp_path: pathlib.Path) -> None:
    _write(tmp_path / "x.csv", "minutes\r\n1\r\n3\r\n", encoding="utf-8-sig")
    d = parse_distribution("empirical(x.csv)", base_dir=tmp_path)
    assert d == Empirical((1.0, 3.0))
    assert d.mean == 2.0 and d.variance == 1.0


def test_empirical_numbers_csv(tmp_path: pathlib.Path) -> None:
    _write(tmp_path / "items.csv", "items\n1\n2\n2\n5\n")
    d = parse_distribution("empirical(items.csv)", quantity="number", base_dir=tmp_path)
    assert d == Empirical((1, 2, 2, 5), quantity="number")


def test_empirical_relative_to_cwd_by_default(
    tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _write(tmp_path / "x.csv", "2m\n")
    monkeypatch.chdir(tmp_path)
    assert parse_distribution("empirical(x.csv)") == Empirical((2.0,))
    assert parse_distribution(f"empirical({tmp_path / 'x.csv'})", base_dir=pathlib.Path("/"))


def test_empirical_file_round_trips_inline(tmp_path: pathlib.Path) -> None:
    _write(tmp_path / "x.csv", "s\n10\n20\n45\n")
    d = parse_distribution("empirical(x.csv)", base_dir=tmp_path)
    config = d.to_config()
    assert isinstance(config, dict) and "file" not in config
    assert parse_distribution(config) == d
    assert "3 values from x.csv" in d.describe()


def test_empirical_missing_file(tmp_path: pathlib.Path) -> None:
    expected = f"empirical data file not found: {(tmp_path / 'nope.csv').resolve()}"
    with pytest.raises(DistributionError) as info:
        parse_distribution("empirical(nope.csv)", base_dir=tmp_path)
    assert str(info.value) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "has no values"),
        ("minutes\n", "has no values"),
        ("\n\n", "has no values"),
        (
            "30\n45\n",
            "line 1: expected a duration with a unit in the first column; "
            "write the unit in each cell (90s) or alone in the first row (s, m, h, d)",
        ),
        ("service_time\n30\n", "line 2: expected a duration with a unit"),
        ("minutes\n1\n2\nabc\n", "line 4: expected a number (in minutes, as the first row "
         "says) or a duration such as 90s"),
        ("minutes\n1\n-2\n", "line 3: values must not be negative"),
        ("90s\n-2m\n", "line 2: values must not be negative"),
    ],
)
def test_empirical_bad_files(tmp_path: pathlib.Path, text: str, message: str) -> None:
    path = _write(tmp_path / "bad.csv", text)
    with pytest.raises(DistributionError) as info:
        parse_distribution("empirical(bad.csv)", base_dir=tmp_path)
    assert str(path.resolve()) in str(info.value)
    assert message in str(info.value)
    # the file's content is never quoted back: only its name and the line
    assert "got" not in str(info.value) and "abc" not in str(info.value)


# --------------------------------------------------------------------------- the zero rule
# One rule for every kind: only const may be always 0; any other kind with mean 0 could only
# draw 0 and is refused, pointing at const.

ZERO_MEAN = [
    ("exp(0m)", "duration"),
    ("uniform(0m, 0m)", "duration"),
    ("normal(0m, 0m)", "duration"),
    ("lognormal(0m, 1m)", "duration"),
    ("gamma(0s, 30s)", "duration"),
    ("triangular(0m, 0m, 0m)", "duration"),
    ({"dist": "empirical", "values": ["0s", "0m"]}, "duration"),
    ("poisson(0)", "number"),
    ("uniform(0, 0)", "number"),
]


@pytest.mark.parametrize(("value", "quantity"), ZERO_MEAN)
def test_every_kind_but_const_refuses_a_mean_of_zero(value: object, quantity: str) -> None:
    with pytest.raises(DistributionError) as info:
        parse_distribution(value, quantity=quantity)
    zero = "const(0s)" if quantity == "duration" else "const(0)"
    assert "with a mean of 0 can only draw 0" in str(info.value)
    assert zero in str(info.value)


@pytest.mark.parametrize(("value", "quantity"), [
    ("const(0s)", "duration"), ("0s", "duration"), (0, "number"), ("const(0)", "number")])
def test_const_may_be_zero(value: object, quantity: str) -> None:
    assert parse_distribution(value, quantity=quantity).mean == 0


def test_kinds_that_can_draw_zero_are_allowed() -> None:
    # A positive mean is all the rule asks: zero draws are fine.
    for text in ("uniform(0m, 2m)", "normal(0m, 1m)", "triangular(0m, 0m, 3m)"):
        assert parse_distribution(text).mean > 0


# --------------------------------------------------------------------------- truncated normal


def test_truncated_normal_mean_matches_samples_for_the_issue_example() -> None:
    # normal(1m, 5m): a = -0.2, mean = 1 + 5 phi(0.2)/(1 - Phi(-0.2)) = 4.3754 min.
    dist = Normal(1.0, 5.0)
    a = -1.0 / 5.0
    phi = math.exp(-a * a / 2) / math.sqrt(2 * math.pi)
    tail = 1 - 0.5 * math.erfc(-a / math.sqrt(2))  # 1 - Phi(a)
    assert dist.mean == pytest.approx(1.0 + 5.0 * phi / tail, rel=1e-12)
    assert dist.mean == pytest.approx(4.3754, abs=1e-4)
    x = dist.sample_array(np.random.default_rng(11), N)
    assert abs(x.mean() - dist.mean) <= Z * math.sqrt(dist.variance / N)


def test_normal_caveat_gives_the_effective_mean() -> None:
    (caveat,) = Normal(1.0, 5.0).caveats()
    assert "normal(1m, 5m)" in caveat and "its mean is 4.4 min" in caveat and "not 1 min" in caveat
    assert "lognormal(1m, 5m)" in caveat
    # A half-normal's written mean is 0: still worth saying, without a lognormal(0m...) hint.
    (half,) = Normal(0.0, 2.0).caveats()
    assert "lognormal" not in half


@pytest.mark.parametrize(("sd", "warned"), [(0.4, False), (0.5, True), (0.0, False)])
def test_normal_caveat_threshold_is_one_percent_of_the_mean(sd: float, warned: bool) -> None:
    # sd 0.4 x mean raises the mean by 0.7%, sd 0.5 x mean by 2.8%: the line is at 1%.
    dist = Normal(1.0, sd)
    shift = (dist.mean - 1.0) / 1.0
    assert (shift > 0.01) is warned
    assert bool(dist.caveats()) is warned


def test_other_kinds_have_no_caveats() -> None:
    for dist in CASES.values():
        if not isinstance(dist, Normal):
            assert dist.caveats() == []
