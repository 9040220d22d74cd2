"""Packaging: the bundled scenarios ship inside the package, a mistyped bundled name gets a
guess, `orgsim check` with nothing to run fails, and the version is written once.

The slow test builds the wheel and runs it from a fresh venv outside the checkout.
"""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import tomllib
from pathlib import Path

import pytest

import sim
import sim.check
from sim.analysis.theory import NotApplicable
from sim.bundled import bundled_paths, bundled_scenarios_dir, close_names, find_bundled
from sim.cli import cli

ROOT = Path(__file__).resolve().parents[1]


def test_bundled_scenarios_are_found_by_name():
    names = [path.stem for path in bundled_paths()]
    assert {"support_desk", "ecommerce_week", "erlang_a", "mg1_deterministic"} <= set(names)
    assert find_bundled("support_desk") == bundled_scenarios_dir() / "support_desk.yaml"
    assert find_bundled("erlang_c") == bundled_scenarios_dir() / "validation" / "erlang_c.yaml"
    assert find_bundled("no_such_scenario") is None


def test_the_top_level_scenarios_folder_is_the_bundled_one():
    # users read and copy scenarios/ in the checkout; the package must ship the same files
    assert bundled_scenarios_dir().resolve() == (ROOT / "scenarios").resolve()


@pytest.mark.parametrize("typo, meant", [("suport_desk", "support_desk"),
                                         ("ecommerce-week", "ecommerce_week"),
                                         ("erlang_aa", "erlang_a")])
def test_a_mistyped_bundled_name_gets_a_guess(runner, typo, meant, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for command in ("run", "validate"):
        result = runner.invoke(cli, [command, typo])
        assert result.exit_code == 2, result.output
        assert result.output.startswith(f"error: {typo}: ")
        assert f"did you mean '{meant}'" in result.output
        assert "Traceback" not in result.output
    assert not any(tmp_path.iterdir())  # nothing written


def test_a_name_close_to_nothing_gets_no_guess(runner, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(cli, ["run", "zzzzqqq"])
    assert result.exit_code == 2
    assert "did you mean" not in result.output
    assert "orgsim list" in result.output


def test_close_names_ranks_the_nearest_first():
    assert close_names("erlang_cc", ["erlang_a", "erlang_c", "mg1_lognormal"])[0] == "erlang_c"
    assert close_names("xyz", ["erlang_a", "erlang_c"]) == []


def test_check_names_a_mistyped_case(runner):
    result = runner.invoke(cli, ["check", "erlang_cc"])
    assert result.exit_code == 2
    assert "unknown validation case 'erlang_cc'; did you mean 'erlang_c'" in result.output


def test_check_fails_when_no_row_ran(runner, monkeypatch):
    def nothing_applies(spec):
        raise NotApplicable("no closed form (test)")

    monkeypatch.setattr(sim.check, "predict", nothing_applies)
    result = runner.invoke(cli, ["check", "--reps", "2", "mg1_deterministic"])
    assert result.exit_code == 1, result.output
    assert "error: no check ran" in result.output
    assert "mg1_deterministic: no closed form (test)" in result.output
    assert "0 passed" not in result.output


def test_list_and_check_fail_without_bundled_scenarios(runner, monkeypatch, tmp_path):
    monkeypatch.setattr("sim.bundled.bundled_scenarios_dir", lambda: tmp_path)
    for command in (["list"], ["check"]):
        result = runner.invoke(cli, command)
        assert result.exit_code == 1, result.output
        assert "error: no " in result.output and "installation is incomplete" in result.output


def test_the_version_is_written_once():
    from sim.api import VERSION

    assert VERSION == sim.__version__
    result = subprocess.run([sys.executable, "-m", "sim", "--version"], capture_output=True,
                            text=True, timeout=60, cwd=ROOT)
    assert result.stdout.strip() == f"orgsim, version {sim.__version__}"
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert "version" not in project and "version" in project["dynamic"]


# --- the wheel, installed outside the checkout ----------------------------------------------


def _dev_site_packages() -> str:
    return sysconfig.get_paths()["purelib"]


@pytest.mark.slow
def test_the_wheel_runs_from_another_folder(tmp_path):
    """Build the wheel, install it alone into a fresh venv whose dependencies come from this
    environment's site-packages (a plain path: its editable-install hooks do not run), and run
    list, run and check from a folder that is not the checkout."""
    dist, venv, work = tmp_path / "dist", tmp_path / "venv", tmp_path / "work"
    work.mkdir()
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(dist),
                    str(ROOT)], check=True, timeout=600, capture_output=True)
    wheel = next(dist.glob("orgsim-*.whl"))
    assert wheel.name.startswith(f"orgsim-{sim.__version__}-")
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    python = venv / "bin" / "python"
    site = subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_paths()"
                           "['purelib'])"], check=True, capture_output=True, text=True)
    site_dir = Path(site.stdout.strip())
    (site_dir / "zz_dependencies.pth").write_text(_dev_site_packages() + "\n")
    subprocess.run([python, "-m", "pip", "install", "-q", "--no-deps", "--no-index",
                    str(wheel)], check=True, timeout=300, capture_output=True)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}

    def orgsim(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([venv / "bin" / "orgsim", *args], cwd=work, env=env,
                              capture_output=True, text=True, timeout=600)

    where = subprocess.run([python, "-c", "import sim.bundled as b; "
                            "print(b.bundled_scenarios_dir())"], cwd=work, env=env,
                           capture_output=True, text=True, check=True).stdout.strip()
    assert Path(where).is_relative_to(site_dir)  # from the wheel, not the checkout

    listed = orgsim("list")
    assert listed.returncode == 0, listed.stderr
    assert "support_desk.yaml" in listed.stdout and "validation/erlang_c.yaml" in listed.stdout

    ran = orgsim("run", "support_desk", "--reps", "2", "--no-plots", "--out", str(tmp_path / "o"))
    assert ran.returncode == 0, ran.stderr
    assert (tmp_path / "o" / "summary.json").is_file()

    checked = orgsim("check", "--reps", "3", "mg1_deterministic")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert " 0 failed" in checked.stdout

    typo = orgsim("run", "suport_desk")
    assert typo.returncode == 2 and "did you mean 'support_desk'" in typo.stderr
