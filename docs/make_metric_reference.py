"""Write the README's metric reference from the flows' metric declarations.

    python docs/make_metric_reference.py           # rewrite README.md's block
    python docs/make_metric_reference.py --check   # exit 1 when the README block is stale

The block between the README's marker comments is `sim.metrics.catalog.reference_markdown()`:
one table per flow (name, unit, meaning), as `orgsim metrics` lists them;
`tests/test_readme_metrics.py` keeps the two equal.
"""

from __future__ import annotations

import argparse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
BEGIN = "<!-- metric-reference: written by docs/make_metric_reference.py, do not edit -->"
END = "<!-- /metric-reference -->"


def reference() -> str:
    import sim.replication  # noqa: F401  (the flows declare their metrics)
    from sim.metrics.catalog import reference_markdown

    return reference_markdown()


def block(text: str) -> str:
    """What the README holds between the markers."""
    try:
        return text.split(BEGIN, 1)[1].split(END, 1)[0].strip("\n") + "\n"
    except IndexError:
        raise ValueError(f"README has no {BEGIN!r} ... {END!r} block") from None


def with_block(text: str, content: str) -> str:
    head, rest = text.split(BEGIN, 1)
    tail = rest.split(END, 1)[1]
    return f"{head}{BEGIN}\n{content}\n{END}{tail}"  # a blank line ends the last table


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true",
                        help="only compare; exit 1 when the README block is stale")
    args = parser.parse_args()
    text = README.read_text()
    content = reference()
    if args.check:
        stale = block(text) != content
        print("README metric reference is " + ("stale" if stale else "up to date"))
        return int(stale)
    README.write_text(with_block(text, content))
    print(f"wrote the metric reference to {README.name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
