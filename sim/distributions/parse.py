"""Reading distributions from scenario values: short and long forms, empirical CSV files."""

from __future__ import annotations

import csv
import difflib
import math
import pathlib
import re
from collections.abc import Mapping, Sequence

from sim.distributions.base import QUANTITIES, Distribution, DistributionError
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
from sim.units import UnitError, is_duration_unit, parse_duration, to_minutes

# --------------------------------------------------------------------------- parsing

# Parameter names in the order of the short form; the long form uses them as keys.
_PARAMS: dict[str, tuple[str, ...]] = {
    "exp": ("mean",),
    "const": ("value",),
    "uniform": ("min", "max"),
    "normal": ("mean", "sd"),
    "lognormal": ("mean", "sd"),
    "gamma": ("mean", "sd"),
    "triangular": ("min", "mode", "max"),
    "empirical": ("file",),
    "poisson": ("mean",),
    "geometric": ("mean",),
}
_DURATION_KINDS = (
    "exp",
    "const",
    "uniform",
    "normal",
    "lognormal",
    "gamma",
    "triangular",
    "empirical",
)
_NUMBER_KINDS = (*_DURATION_KINDS, "poisson", "geometric")
_ALIASES = {"exponential": "exp", "constant": "const"}

_SHORT_RE = re.compile(r"\s*([A-Za-z_][A-Za-z0-9_]*)\s*\((.*)\)\s*", re.DOTALL)
_NAME_RE = re.compile(r"\s*[A-Za-z_][A-Za-z0-9_]*\s*")
_NUMBER_RE = re.compile(r"\s*[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?\s*")


def _kinds(quantity: str) -> tuple[str, ...]:
    return _DURATION_KINDS if quantity == "duration" else _NUMBER_KINDS


def _resolve_kind(name: object, quantity: str) -> str:
    if not isinstance(name, str):
        raise DistributionError(f"distribution name must be text, got {name!r}")
    key = name.strip().lower()
    key = _ALIASES.get(key, key)
    kinds = _kinds(quantity)
    if key in kinds:
        return key
    listed = ", ".join(kinds)
    if key in _NUMBER_KINDS:  # poisson/geometric where a duration is wanted
        raise DistributionError(
            f"{key} draws counts and cannot be used for a duration; expected one of {listed}"
        )
    message = f"unknown distribution '{name.strip()}'; expected one of {listed}"
    close = difflib.get_close_matches(key, [*kinds, *_ALIASES], n=1, cutoff=0.6)
    if close:
        message += f"; did you mean '{_ALIASES.get(close[0], close[0])}'?"
    raise DistributionError(message)


def _parse_number(raw: object) -> float:
    """A bare non-negative number: int, float or numeric text (exponents allowed here)."""
    if isinstance(raw, bool):
        raise DistributionError(f"expected a number, got {str(raw).lower()}")
    if isinstance(raw, int | float):
        x = float(raw)
    elif isinstance(raw, str) and _NUMBER_RE.fullmatch(raw):
        x = float(raw)
    else:
        shown = raw if isinstance(raw, str) and raw.strip() else repr(raw)
        raise DistributionError(f"expected a number, got {shown}")
    if not math.isfinite(x):
        raise DistributionError(f"expected a finite number, got {raw}")
    if x < 0:
        raise DistributionError(f"must not be negative, got {raw}")
    return x + 0.0


def _parse_value(raw: object, quantity: str) -> float:
    if quantity == "duration":
        return parse_duration(raw)
    return _parse_number(raw)


def _param(kind: str, name: str, raw: object, quantity: str) -> float:
    try:
        return _parse_value(raw, quantity)
    except (UnitError, DistributionError) as exc:
        raise DistributionError(f"{kind} {name}: {exc}") from None


def _build(
    kind: str,
    raw: Mapping[str, object],
    quantity: str,
    base_dir: pathlib.Path | None,
    unit: object = None,
) -> Distribution:
    """Make a distribution from its parameters, still as written (text or YAML scalars)."""
    if kind == "empirical":
        if "file" in raw:
            path, values = _read_csv(raw["file"], quantity, base_dir)
            return Empirical(values, quantity=quantity, source=str(path))
        return Empirical(_inline_values(raw["values"], unit, quantity), quantity=quantity)
    p = {name: _param(kind, name, value, quantity) for name, value in raw.items()}
    q = quantity
    if kind == "exp":
        return Exponential(p["mean"], quantity=q)
    if kind == "const":
        return Constant(p["value"], quantity=q)
    if kind == "uniform":
        return Uniform(p["min"], p["max"], quantity=q)
    if kind == "normal":
        return Normal(p["mean"], p["sd"], quantity=q)
    if kind == "lognormal":
        return Lognormal(p["mean"], p["sd"], quantity=q)
    if kind == "gamma":
        return Gamma(p["mean"], p["sd"], quantity=q)
    if kind == "triangular":
        return Triangular(p["min"], p["mode"], p["max"], quantity=q)
    if kind == "poisson":
        return Poisson(p["mean"], quantity=q)
    return Geometric(p["mean"], quantity=q)


def _arguments_message(kind: str, count: int) -> str:
    names = _PARAMS[kind]
    plural = "argument" if len(names) == 1 else "arguments"
    upper = ", ".join(n.upper() for n in names)
    return f"{kind} takes {len(names)} {plural} ({upper}), got {count}"


def _parse_short(
    name: str, inner: str, quantity: str, base_dir: pathlib.Path | None
) -> Distribution:
    kind = _resolve_kind(name, quantity)
    names = _PARAMS[kind]
    if kind == "empirical":
        # A file name may contain commas: take everything, drop optional quotes.
        path = inner.strip().strip("'\"").strip()
        if not path:
            raise DistributionError(_arguments_message(kind, 0))
        return _build(kind, {"file": path}, quantity, base_dir)
    args = [a.strip() for a in inner.split(",")] if inner.strip() else []
    if len(args) != len(names):
        raise DistributionError(_arguments_message(kind, len(args)))
    return _build(kind, dict(zip(names, args, strict=True)), quantity, base_dir)


def _parse_long(
    value: Mapping[object, object], quantity: str, base_dir: pathlib.Path | None
) -> Distribution:
    if "dist" not in value:
        raise DistributionError(
            "a distribution written as a mapping needs a 'dist' key, e.g. {dist: exp, mean: 3m}"
        )
    kind = _resolve_kind(value["dist"], quantity)
    params = {k: v for k, v in value.items() if k != "dist"}
    if kind == "empirical":
        allowed: tuple[str, ...] = ("file", "values", "unit")
    else:
        allowed = _PARAMS[kind]
    for key in params:
        if key not in allowed:
            message = f"{kind}: unknown key '{key}'; expected {', '.join(allowed)}"
            close = difflib.get_close_matches(str(key), allowed, n=1, cutoff=0.6)
            if close:
                message += f"; did you mean '{close[0]}'?"
            raise DistributionError(message)
    if kind == "empirical":
        if ("file" in params) == ("values" in params):
            raise DistributionError("empirical needs either 'file' or 'values' (one of them)")
        if "file" in params and "unit" in params:
            raise DistributionError(
                "empirical: 'unit' goes with 'values'; in a file, put the unit in the first row"
            )
        if "unit" in params and quantity != "duration":
            raise DistributionError("empirical: 'unit' applies only to durations")
        return _build(kind, params, quantity, base_dir, unit=params.get("unit"))  # type: ignore[arg-type]
    missing = [name for name in allowed if name not in params]
    if missing:
        needs = ", ".join(f"'{m}'" for m in missing)
        raise DistributionError(f"{kind} needs {needs}, e.g. {_example(kind, quantity)}")
    return _build(kind, params, quantity, base_dir)  # type: ignore[arg-type]


def _example(kind: str, quantity: str) -> str:
    samples = {"mean": "3m", "sd": "1m", "value": "5m", "min": "1m", "mode": "2m", "max": "4m"}
    if quantity == "number":
        samples = {"mean": "3", "sd": "1", "value": "5", "min": "1", "mode": "2", "max": "4"}
    body = ", ".join(f"{n}: {samples[n]}" for n in _PARAMS[kind])
    return f"{{dist: {kind}, {body}}}"


def _inline_values(values: object, unit: object, quantity: str) -> tuple[float, ...]:
    if isinstance(values, str | bytes) or not isinstance(values, Sequence):
        raise DistributionError(f"empirical values: expected a list, got {values!r}")
    if not values:
        raise DistributionError("empirical values: the list is empty")
    if unit is not None and not is_duration_unit(unit):  # type: ignore[arg-type]
        raise DistributionError(f"empirical unit: expected a unit (s, m, h, d, w), got {unit!r}")
    result = []
    for index, item in enumerate(values, start=1):
        try:
            result.append(_cell_value(item, unit, quantity))
        except (UnitError, DistributionError) as exc:
            raise DistributionError(f"empirical values, item {index}: {exc}") from None
    return tuple(result)


def _cell_value(item: object, unit: object, quantity: str) -> float:
    """One empirical value: with a declared unit bare numbers take it; units in cells win."""
    if quantity == "duration" and unit is not None:
        is_bare = isinstance(item, int | float) and not isinstance(item, bool)
        if is_bare or (isinstance(item, str) and _NUMBER_RE.fullmatch(item)):
            number = _parse_number(item)
            return to_minutes(number, unit)  # type: ignore[arg-type]
    return _parse_value(item, quantity)


def _read_csv(
    raw_path: object, quantity: str, base_dir: pathlib.Path | None
) -> tuple[pathlib.Path, tuple[float, ...]]:
    """Values from the first column of a CSV file, one per row, with an optional header row."""
    if not isinstance(raw_path, str | pathlib.PurePath) or not str(raw_path).strip():
        raise DistributionError(f"empirical file: expected a file name, got {raw_path!r}")
    path = pathlib.Path(str(raw_path).strip()).expanduser()
    if not path.is_absolute():
        path = (base_dir if base_dir is not None else pathlib.Path.cwd()) / path
    path = path.resolve()
    if not path.is_file():
        raise DistributionError(f"empirical data file not found: {path}")
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:  # -sig: Excel's BOM
            reader = csv.reader(handle)
            rows = [(reader.line_num, row[0].strip()) for row in reader if row and row[0].strip()]
    except UnicodeDecodeError:
        raise DistributionError(f"empirical data file {path} is not UTF-8 text") from None
    except (OSError, csv.Error) as exc:
        # csv.Error says which limit a line broke; neither error quotes the file's content
        raise DistributionError(f"empirical data file {path} could not be read: {exc}") from None

    unit: str | None = None
    if rows and not _looks_like_value(rows[0][1], quantity):
        header = rows.pop(0)[1]
        if quantity == "duration" and is_duration_unit(header):
            unit = header  # a header naming a unit applies to the bare numbers below
    if not rows:
        raise DistributionError(f"empirical data file {path} has no values")
    values = []
    for line, cell in rows:
        try:
            values.append(_cell_value(cell, unit, quantity))
        except (UnitError, DistributionError):
            # The cell is not quoted back: an error never prints a file's content.
            raise DistributionError(f"empirical data file {path}, line {line}: "
                                    f"{_cell_expected(cell, unit, quantity)}") from None
    return path, tuple(values)


def _cell_expected(cell: str, unit: str | None, quantity: str) -> str:
    """What a refused cell should have been, said without quoting it."""
    if cell.startswith("-"):
        return "values must not be negative"
    if quantity == "number":
        return "expected a number in the first column"
    if unit is not None:
        return f"expected a number (in {unit}, as the first row says) or a duration such as 90s"
    if _NUMBER_RE.fullmatch(cell):
        return ("expected a duration with a unit in the first column; write the unit in "
                "each cell (90s) or alone in the first row (s, m, h, d)")
    return "expected a duration with a unit, such as 90s, in the first column"


def _looks_like_value(cell: str, quantity: str) -> bool:
    """False for a header row (a column name or a unit word), True for anything data-like."""
    if _NUMBER_RE.fullmatch(cell):
        return True
    if quantity == "duration":
        # "90s" or "-5m" are data (possibly bad data); a lone word like "minutes" is a header.
        return bool(re.search(r"\d", cell))
    return False


def parse_distribution(
    value: object, *, quantity: str = "duration", base_dir: pathlib.Path | None = None
) -> Distribution:
    """Build a distribution from its written form (short text, mapping, or a plain constant).

    quantity="duration": parameters need units and values are minutes; a plain duration such
    as "5m" means const(5m). quantity="number": parameters are bare numbers and a plain number
    means a constant; poisson and geometric are available. Relative empirical file paths are
    resolved against ``base_dir`` (default: the current directory).
    """
    if quantity not in QUANTITIES:
        raise ValueError(f"quantity must be 'duration' or 'number', got {quantity!r}")
    if isinstance(value, Distribution):
        if value.quantity != quantity:
            raise DistributionError(f"expected a {quantity} distribution, got {value.describe()}")
        return value
    if isinstance(value, Mapping):
        return _parse_long(value, quantity, base_dir)
    if isinstance(value, str):
        match = _SHORT_RE.fullmatch(value)
        if match:
            return _parse_short(match.group(1), match.group(2), quantity, base_dir)
        if _NAME_RE.fullmatch(value):
            kind = _resolve_kind(value, quantity)  # raises for unknown names
            raise DistributionError(
                f"{kind} needs its parameters in brackets, e.g. {_short_example(kind, quantity)}"
            )
    return _parse_constant(value, quantity)


def _parse_constant(value: object, quantity: str) -> Constant:
    """A plain duration ("5m") or, for numbers, a plain number: a constant distribution."""
    if quantity == "duration":
        example = "exp(3m) or a duration such as 5m"
    else:
        example = "poisson(3) or a number"
    if value is None or isinstance(value, bool) or not isinstance(value, str | int | float):
        shown = "nothing (an empty value)" if value is None else repr(value)
        if isinstance(value, bool):
            shown = str(value).lower()
        raise DistributionError(f"expected a distribution such as {example}, got {shown}")
    try:
        return Constant(_parse_value(value, quantity), quantity=quantity)
    except (UnitError, DistributionError) as exc:
        numeric = not isinstance(value, str) or _NUMBER_RE.fullmatch(value)
        if numeric or str(exc).startswith("must not be negative"):
            raise DistributionError(str(exc)) from None  # the specific complaint is clearer
        raise DistributionError(f"expected a distribution such as {example}, got {value}") from None


def _short_example(kind: str, quantity: str) -> str:
    samples = {
        "mean": "3m",
        "sd": "1m",
        "value": "5m",
        "min": "1m",
        "mode": "2m",
        "max": "4m",
        "file": "data.csv",
    }
    if quantity == "number":
        samples.update(mean="3", sd="1", value="5", min="1", mode="2", max="4")
    return f"{kind}({', '.join(samples[n] for n in _PARAMS[kind])})"
