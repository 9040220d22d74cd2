"""Named, independent random streams derived from one seed.

Each stream is keyed by (seed, replication, name) alone, so adding a stream or changing how
many numbers one flow draws never shifts another flow's numbers. That keeps common random
numbers across scenarios: two scenarios run with the same seed see the same arrivals even if
one of them has an extra team drawing its own delays.
"""

from __future__ import annotations

import hashlib

import numpy as np

__all__ = ["RandomStreams", "stream_key"]


def stream_key(name: str) -> tuple[int, ...]:
    """Four uint32 words naming a stream, stable across processes and Python versions.

    blake2b rather than hash(): Python salts str hashes per process (PYTHONHASHSEED).
    """
    digest = hashlib.blake2b(name.encode("utf-8"), digest_size=16).digest()
    return tuple(int.from_bytes(digest[i : i + 4], "little") for i in range(0, 16, 4))


def _non_negative_int(value: object, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise TypeError(f"{what} must be an integer, got {value!r}")
    if value < 0:
        raise ValueError(f"{what} must not be negative, got {value}")
    return int(value)


class RandomStreams:
    """Named numpy Generators from one seed.

    ``stream(name)`` depends only on (seed, replication, name), so adding a stream or changing
    how many numbers one flow draws never shifts another (common random numbers across
    scenarios).
    """

    __slots__ = ("_replication", "_seed", "_streams")

    def __init__(self, seed: int, replication: int = 0) -> None:
        self._seed = _non_negative_int(seed, "seed")
        self._replication = _non_negative_int(replication, "replication")
        self._streams: dict[str, np.random.Generator] = {}

    @property
    def seed(self) -> int:
        return self._seed

    @property
    def replication(self) -> int:
        return self._replication

    def stream(self, name: str) -> np.random.Generator:
        """The Generator for ``name``; the same object on every call with that name."""
        generator = self._streams.get(name)
        if generator is None:
            if not isinstance(name, str):
                raise TypeError(f"stream name must be a string, got {name!r}")
            sequence = np.random.SeedSequence(
                entropy=self._seed, spawn_key=(self._replication, *stream_key(name))
            )
            generator = np.random.Generator(np.random.PCG64(sequence))
            self._streams[name] = generator
        return generator

    def __repr__(self) -> str:
        return (
            f"RandomStreams(seed={self._seed}, replication={self._replication}, "
            f"streams={len(self._streams)})"
        )
