"""The scenarios shipped with orgsim: where they are, their names, and a guess for a typo.

They live in the repository's top-level `scenarios/` folder (for users to read and copy) and
are installed as the package `sim.scenarios` (setup.py maps it onto that folder), so a wheel
carries them and an editable install finds them in the checkout.
"""

from __future__ import annotations

import difflib
from importlib import resources
from pathlib import Path

VALIDATION = "validation"


def bundled_scenarios_dir() -> Path:
    """The folder of the bundled scenarios (its `validation/` subfolder holds the checks)."""
    try:
        folder = resources.files("sim.scenarios")
    except ModuleNotFoundError:
        # A checkout run without installing, or an editable install made before the
        # scenarios became a package: the folder beside the package.
        return Path(__file__).resolve().parent.parent / "scenarios"
    if not isinstance(folder, Path):  # e.g. a zipped install: its files are not on disk
        raise RuntimeError(f"orgsim's bundled scenarios are not on disk ({folder})")
    return folder


def bundled_paths() -> list[Path]:
    """Every bundled scenario file: the business scenarios first, then the validation cases."""
    folder = bundled_scenarios_dir()
    return sorted(folder.glob("*.yaml")) + validation_paths()


def validation_paths() -> list[Path]:
    return sorted((bundled_scenarios_dir() / VALIDATION).glob("*.yaml"))


def find_bundled(name: str) -> Path | None:
    """The bundled scenario called `name` ('support_desk', 'erlang_a'), if there is one."""
    return next((path for path in bundled_paths() if path.stem == name), None)


def close_names(name: str, names: list[str]) -> list[str]:
    """The names a mistyped `name` may have meant, best first (at most three)."""
    return difflib.get_close_matches(name, names, n=3, cutoff=0.6)


def did_you_mean(name: str, names: list[str]) -> str:
    """'; did you mean 'support_desk'?' or '' when nothing is close."""
    matches = close_names(name, names)
    if not matches:
        return ""
    return "; did you mean " + " or ".join(repr(match) for match in matches) + "?"
