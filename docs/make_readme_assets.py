"""Regenerate the README's sample output and figure from a real run.

    python docs/make_readme_assets.py           # rewrite README.md's block and the figure
    python docs/make_readme_assets.py --check   # exit 1 when the README block is stale

It runs the command the README shows (`orgsim run ecommerce_week`: the scenario's own 5
replications and seed 42, about 20 s) in a scratch folder, puts its printed output between
the README's marker comments, and copies the run's `orders_time_split.png` to
`docs/img/`. Runs are bit-for-bit reproducible, so the text only changes when the model or
the output does; `tests/test_readme_assets.py` keeps the two in step.

It lives in docs/ because it writes documentation only (benchmarks/ measures speed).
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
FIGURE = ROOT / "docs" / "img" / "orders_time_split.png"
SCENARIO = "ecommerce_week"
COMMAND = ("orgsim", "run", SCENARIO)  # as the README shows it
BEGIN = "<!-- sample-output: written by docs/make_readme_assets.py, do not edit -->"
END = "<!-- /sample-output -->"


def run_sample(workdir: Path, args: tuple[str, ...] = ()) -> str:
    """What `orgsim run ecommerce_week` (plus `args`) prints, run in `workdir`, as the README
    shows it: the command line, then its standard output."""
    done = subprocess.run([sys.executable, "-m", "sim", *COMMAND[1:], *args], cwd=workdir,
                          capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(COMMAND)} failed:\n{done.stderr}")
    return f"$ {' '.join((*COMMAND, *args))}\n{done.stdout.rstrip()}\n"


def block(text: str) -> str:
    """The sample output between the markers of a README (inside its ```text fence)."""
    try:
        inside = text.split(BEGIN, 1)[1].split(END, 1)[0]
    except IndexError:
        raise ValueError(f"README has no {BEGIN!r} ... {END!r} block") from None
    lines = inside.strip("\n").splitlines()
    if not lines or lines[0] != "```text" or lines[-1] != "```":
        raise ValueError("the sample-output block must hold one ```text fence")
    return "\n".join(lines[1:-1]) + "\n"


def with_block(text: str, sample: str) -> str:
    """`text` with its sample-output block replaced by `sample`."""
    head, rest = text.split(BEGIN, 1)
    tail = rest.split(END, 1)[1]
    return f"{head}{BEGIN}\n```text\n{sample}```\n{END}{tail}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true",
                        help="only compare; exit 1 when the README block is stale")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        sample = run_sample(Path(scratch))
        text = README.read_text()
        if args.check:
            stale = block(text) != sample
            print("README sample output is " + ("stale" if stale else "up to date"))
            return int(stale)
        README.write_text(with_block(text, sample))
        FIGURE.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(Path(scratch) / "runs" / SCENARIO / FIGURE.name, FIGURE)
    print(f"wrote the sample output to {README.name} and {FIGURE.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
