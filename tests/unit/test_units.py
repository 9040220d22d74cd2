"""Units: every duration and rate unit, clock times, strict errors, readable formatting."""

from __future__ import annotations

import math

import pytest

from sim.units import (
    DAY,
    HOUR,
    MINUTE,
    SECOND,
    WEEK,
    UnitError,
    format_duration,
    format_rate_per_day,
    is_duration_unit,
    parse_clock,
    parse_duration,
    parse_rate,
    to_minutes,
)


def test_unit_constants_are_in_minutes() -> None:
    assert (SECOND, MINUTE, HOUR, DAY, WEEK) == (1 / 60, 1.0, 60.0, 1440.0, 10080.0)


@pytest.mark.parametrize(
    ("text", "minutes"),
    [
        ("45s", 0.75),
        ("90 s", 1.5),
        ("30sec", 0.5),
        ("120 seconds", 2.0),
        ("15m", 15.0),
        ("15min", 15.0),
        ("15 minutes", 15.0),
        ("4h", 240.0),
        ("1.5h", 90.0),
        ("2 hours", 120.0),
        ("2d", 2880.0),
        ("0.5 days", 720.0),
        ("1w", 10080.0),
        ("2 weeks", 20160.0),
        (".5h", 30.0),
        ("3.m", 3.0),
        ("  7m  ", 7.0),
        ("4H", 240.0),
        ("0s", 0.0),
        ("+5m", 5.0),
    ],
)
def test_parse_duration(text: str, minutes: float) -> None:
    assert parse_duration(text) == minutes


def test_seconds_convert_exactly() -> None:
    # Dividing by 60 is the correctly rounded result; 10 * (1/60) would be one ulp off.
    assert parse_duration("10s") == 10 / 60
    assert to_minutes(10, "s") == 10 / 60


def test_negative_zero_is_plain_zero() -> None:
    assert math.copysign(1.0, parse_duration("-0m")) == 1.0


@pytest.mark.parametrize("value", [30, 30.0, "30", " 30 ", -5, "1.5"])
def test_bare_number_is_not_a_duration(value: object) -> None:
    with pytest.raises(UnitError) as info:
        parse_duration(value)
    message = str(info.value)
    assert message.startswith("expected a duration with a unit (45s, 15m, 4h, 2d, 1w), got ")
    assert str(value).strip() in message


def test_bare_number_message_exact() -> None:
    with pytest.raises(
        UnitError,
        match=r"^expected a duration with a unit \(45s, 15m, 4h, 2d, "
        r"1w\), got 30$",
    ):
        parse_duration(30)


def test_negative_duration() -> None:
    with pytest.raises(UnitError, match=r"^must not be negative, got -5m$"):
        parse_duration("-5m")


@pytest.mark.parametrize(
    "value", ["", "abc", "5 parsecs", "5mm", "m5", "1e3s", "5 m s", "1,5h", "nan m", [1], {}]
)
def test_junk_durations(value: object) -> None:
    with pytest.raises(UnitError, match=r"^expected a duration with a unit"):
        parse_duration(value)


@pytest.mark.parametrize("value", [True, False])
def test_bool_is_not_a_number(value: bool) -> None:
    with pytest.raises(UnitError, match=r"got (true|false)$"):
        parse_duration(value)
    with pytest.raises(UnitError, match=r"got (true|false)$"):
        parse_rate(value)


def test_none_is_reported_as_empty() -> None:
    with pytest.raises(UnitError, match=r"got nothing"):
        parse_duration(None)


def test_messages_have_no_class_names_or_tracebacks() -> None:
    for bad in [30, "x", None, True, [1, 2], "-5m"]:
        with pytest.raises(UnitError) as info:
            parse_duration(bad)
        message = str(info.value)
        assert "\n" not in message
        assert "Error" not in message and "Traceback" not in message


def test_huge_duration_rejected() -> None:
    with pytest.raises(UnitError, match="too large"):
        parse_duration("9" * 400 + "m")


@pytest.mark.parametrize(
    ("text", "per_minute"),
    [
        ("2/s", 120.0),
        ("3/m", 3.0),
        ("3/min", 3.0),
        ("120/h", 2.0),
        ("2880/d", 2.0),
        ("2000/d", 2000 / 1440),
        ("50/w", 50 / 10080),
        ("1.5 / h", 0.025),
        ("0/h", 0.0),
        ("10 / hour", 10 / 60),
    ],
)
def test_parse_rate(text: str, per_minute: float) -> None:
    assert parse_rate(text) == pytest.approx(per_minute, rel=1e-15)


@pytest.mark.parametrize("value", [4, 4.0, "4"])
def test_bare_rate_rejected(value: object) -> None:
    with pytest.raises(
        UnitError,
        match=r"^expected a rate with a unit \(2/s, 3/m, 120/h, 2000/d, "
        r"50/w\), got 4(\.0)?$",
    ):
        parse_rate(value)


@pytest.mark.parametrize("value", ["2/x", "2 per h", "/h", "2h", "h/2", ""])
def test_junk_rates(value: str) -> None:
    with pytest.raises(UnitError, match=r"^expected a rate with a unit"):
        parse_rate(value)


def test_negative_rate() -> None:
    with pytest.raises(UnitError, match=r"^must not be negative, got -2/h$"):
        parse_rate("-2/h")


@pytest.mark.parametrize(
    ("text", "minutes"),
    [("00:00", 0.0), ("09:00", 540.0), ("9:30", 570.0), ("23:59", 1439.0), ("24:00", 1440.0)],
)
def test_parse_clock(text: str, minutes: float) -> None:
    assert parse_clock(text) == minutes


@pytest.mark.parametrize(
    "value", ["24:01", "25:00", "9:60", "930", "9h30", "09:00:00", "", "ab:cd"]
)
def test_bad_clock(value: str) -> None:
    with pytest.raises(UnitError, match=r"^expected a clock time HH:MM"):
        parse_clock(value)


def test_clock_given_as_number_asks_for_quotes() -> None:
    # YAML 1.1 turns an unquoted 9:30 into the integer 570.
    with pytest.raises(UnitError, match=r"in quotes"):
        parse_clock(570)
    with pytest.raises(UnitError, match=r"^expected a clock time HH:MM"):
        parse_clock(True)


def test_is_duration_unit_and_to_minutes() -> None:
    assert is_duration_unit("minutes") and is_duration_unit(" H ")
    assert not is_duration_unit("parsec") and not is_duration_unit(3)  # type: ignore[arg-type]
    assert to_minutes(2, "h") == 120.0
    with pytest.raises(UnitError, match=r"expected a unit"):
        to_minutes(2, "parsec")


@pytest.mark.parametrize(
    ("minutes", "text"),
    [
        (0.0, "0 s"),
        (0.35 * SECOND, "0.35 s"),
        (12 * SECOND, "12 s"),
        (42 * SECOND, "42 s"),
        (59.4 * SECOND, "59 s"),
        (59.7 * SECOND, "1 min"),  # rounds up to 60 s: moves to the next unit
        (1.0, "1 min"),
        (1.5, "1.5 min"),
        (3.1, "3.1 min"),
        (45.0, "45 min"),
        (59.4, "59 min"),
        (59.97, "1 h"),
        (60.0, "1 h"),
        (3.1 * HOUR, "3.1 h"),
        (23 * HOUR, "23 h"),
        (23.99 * HOUR, "1 d"),
        (DAY, "1 d"),
        (2.4 * DAY, "2.4 d"),
        (365 * DAY, "365 d"),
        (5000 * DAY, "5,000 d"),
        (-3.0, "-3 min"),
        (float("nan"), "nan"),
        (float("inf"), "inf"),
        (float("-inf"), "-inf"),
    ],
)
def test_format_duration(minutes: float, text: str) -> None:
    assert format_duration(minutes) == text


def test_format_duration_accepts_numpy_and_ints() -> None:
    import numpy as np

    assert format_duration(np.float64(90.0)) == "1.5 h"
    assert format_duration(2) == "2 min"


@pytest.mark.parametrize(
    ("per_minute", "text"),
    [
        (2.0, "2,880 /d"),
        (0.0, "0 /d"),
        (1 / 1440, "1 /d"),
        (0.001, "1.4 /d"),
        (float("nan"), "nan /d"),
        (-2.0, "-2,880 /d"),
    ],
)
def test_format_rate_per_day(per_minute: float, text: str) -> None:
    assert format_rate_per_day(per_minute) == text
