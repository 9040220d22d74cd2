"""The README's metric reference is what the flows declare (docs/make_metric_reference.py)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("make_metric_reference",
                                               ROOT / "docs" / "make_metric_reference.py")
reference = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(reference)


def test_the_readme_metric_reference_is_the_declarations() -> None:
    assert reference.block(reference.README.read_text()) == reference.reference(), (
        "stale README metric reference: run python docs/make_metric_reference.py")


def test_the_block_is_replaced_between_the_markers_only() -> None:
    text = f"before\n{reference.BEGIN}\nold\n{reference.END}\nafter\n"
    new = reference.with_block(text, "| new |\n")
    assert new == f"before\n{reference.BEGIN}\n| new |\n\n{reference.END}\nafter\n"
    assert reference.block(new) == "| new |\n"
