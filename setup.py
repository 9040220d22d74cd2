"""The one thing pyproject.toml cannot say: the package `sim.scenarios` lives in the top-level
`scenarios/` folder (where users read and copy the scenarios), so wheels carry the bundled and
validation scenarios and editable installs find them in the checkout. Everything else is in
pyproject.toml."""

from setuptools import find_packages, setup

setup(
    packages=find_packages(include=["sim", "sim.*"]) + ["sim.scenarios"],
    package_dir={"sim.scenarios": "scenarios"},
)
