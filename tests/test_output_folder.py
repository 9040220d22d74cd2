"""OutputFolder: orgsim owns exactly what its manifest lists, and leaves the rest alone."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import sim
from sim.cli import cli
from sim.output_folder import LEGACY_MARKER, MANIFEST, OutputError, OutputFolder
from sim.results import RESULT_FILES


def _manifest(folder: Path) -> dict:
    return json.loads((folder / MANIFEST).read_text())


def _tree(folder: Path) -> set[str]:
    """Every file and folder below `folder`, as relative POSIX paths (folders end in /)."""
    return {p.relative_to(folder).as_posix() + ("/" if p.is_dir() else "")
            for p in folder.rglob("*")}


def test_write_lists_exactly_what_it_wrote(tmp_path):
    out = OutputFolder(tmp_path / "out").write({
        "summary.json": "{}\n",
        "series.npz": b"\x00\x01",
        "records/orders.parquet": lambda path: path.write_bytes(b"PAR1"),
    })
    manifest = _manifest(out)
    assert manifest["files"] == ["records/orders.parquet", "series.npz", "summary.json"]
    assert manifest["folders"] == ["records"]
    assert manifest["format"] == 1 and manifest["version"] == sim.__version__
    assert _tree(out) == {MANIFEST, "summary.json", "series.npz", "records/",
                          "records/orders.parquet"}
    assert (out / "records" / "orders.parquet").read_bytes() == b"PAR1"


def test_writer_gets_a_temporary_path_with_the_targets_suffix(tmp_path):
    seen: list[Path] = []
    OutputFolder(tmp_path).write({"plot.png": lambda path: (seen.append(path),
                                                            path.write_bytes(b"png"))})
    assert seen[0].parent == tmp_path and seen[0].suffix == ".png"
    assert seen[0].name != "plot.png" and not seen[0].exists()


def test_rerun_keeps_foreign_files_and_removes_its_own_stale_ones(tmp_path):
    folder = OutputFolder(tmp_path)
    folder.write({"a.txt": "1", "old.png": b"x", "records/r1.csv": "r", "deep/er/x.csv": "x"})
    (tmp_path / "notes.md").write_text("mine")
    (tmp_path / "my_figures").mkdir()
    (tmp_path / "my_figures" / "f.png").write_bytes(b"mine")
    (tmp_path / "records" / "keep.txt").write_text("mine, inside orgsim's folder")
    folder.write({"a.txt": "2"})
    assert (tmp_path / "a.txt").read_text() == "2"
    assert (tmp_path / "notes.md").read_text() == "mine"
    assert (tmp_path / "my_figures" / "f.png").read_bytes() == b"mine"
    assert not (tmp_path / "old.png").exists()
    assert not (tmp_path / "records" / "r1.csv").exists()
    assert (tmp_path / "records" / "keep.txt").is_file()  # so records/ stays, now the user's
    assert not (tmp_path / "deep").exists()  # emptied orgsim folders go, deepest first
    assert _manifest(tmp_path)["files"] == ["a.txt"]
    assert _manifest(tmp_path)["folders"] == []


@pytest.mark.parametrize("foreign, wanted, why", [
    # a user's file where orgsim writes one
    ("summary.json", "summary.json", "was not written by orgsim"),
    # a user's folder orgsim would write into
    ("records/", "records/orders.parquet", "was not written by orgsim"),
    # a user's file where orgsim needs a folder, and a user's folder where it writes a file
    ("records", "records/orders.parquet", "is not a folder, but orgsim writes files into it"),
    ("summary.json/", "summary.json", "is a folder where orgsim writes a file"),
])
def test_foreign_path_where_orgsim_writes_is_refused_and_nothing_written(tmp_path, foreign,
                                                                          wanted, why):
    path = tmp_path / foreign.rstrip("/")
    if foreign.endswith("/"):
        path.mkdir()
    else:
        path.write_text("mine")
    before = _tree(tmp_path)
    with pytest.raises(OutputError) as refused:
        OutputFolder(tmp_path).write({wanted: "new", "other.csv": "new"})
    message = str(refused.value)
    assert message.startswith(str(path)) and why in message
    assert _tree(tmp_path) == before
    if not foreign.endswith("/"):
        assert path.read_text() == "mine"


def test_plan_is_checked_against_the_manifest_not_the_names(tmp_path):
    folder = OutputFolder(tmp_path)
    folder.write({"a.txt": "1"})
    folder.plan(["a.txt"])  # orgsim's own file: fine
    (tmp_path / "b.txt").write_text("mine")
    folder.plan(["a.txt", "c.txt"])  # b.txt is not in the way
    with pytest.raises(OutputError, match="b.txt"):
        folder.plan(["a.txt", "b.txt"])


def test_a_folder_where_orgsim_writes_a_file_is_refused(tmp_path):
    folder = OutputFolder(tmp_path)
    folder.write({"records/x.csv": "1"})
    with pytest.raises(OutputError, match="is a folder where orgsim writes a file"):
        folder.plan(["records"])


def test_saving_over_a_file_or_below_one_is_refused(tmp_path):
    (tmp_path / "taken").write_text("mine")
    with pytest.raises(OutputError, match="is a file, not a folder"):
        OutputFolder(tmp_path / "taken").write({"a.txt": "1"})
    with pytest.raises(OutputError, match="is a file, so .* cannot be made"):
        OutputFolder(tmp_path / "taken" / "out").write({"a.txt": "1"})
    assert (tmp_path / "taken").read_text() == "mine"


def test_old_marker_folder_owns_by_name_what_orgsim_writes(tmp_path):
    (tmp_path / LEGACY_MARKER).write_text("orgsim results\n")
    (tmp_path / "summary.json").write_text("{} from an earlier orgsim")
    (tmp_path / "notes.md").write_text("mine")
    OutputFolder(tmp_path).write({"summary.json": "new"})
    assert (tmp_path / "summary.json").read_text() == "new"
    assert (tmp_path / "notes.md").read_text() == "mine"
    assert not (tmp_path / LEGACY_MARKER).exists()  # the manifest takes over
    assert _manifest(tmp_path)["files"] == ["summary.json"]


def test_old_marker_does_not_claim_subfolders(tmp_path):
    (tmp_path / LEGACY_MARKER).write_text("orgsim results\n")
    (tmp_path / "records").mkdir()
    with pytest.raises(OutputError, match="records"):
        OutputFolder(tmp_path).plan(["records/x.parquet"])


@pytest.mark.parametrize("text", ["not json", '{"tool": "other"}', '{"tool": "orgsim"}',
                                  '{"tool": "orgsim", "format": 1, "files": "a"}'])
def test_a_manifest_orgsim_cannot_read_is_refused(tmp_path, text):
    (tmp_path / MANIFEST).write_text(text)
    with pytest.raises(OutputError, match="is not an orgsim manifest"):
        OutputFolder(tmp_path).plan(["a.txt"])


def test_a_manifest_from_a_newer_orgsim_is_refused(tmp_path):
    (tmp_path / MANIFEST).write_text('{"tool": "orgsim", "format": 99, "files": [],'
                                     ' "folders": []}')
    with pytest.raises(OutputError, match="newer orgsim"):
        OutputFolder(tmp_path).plan(["a.txt"])


def test_a_manifest_cannot_reach_outside_the_folder(tmp_path):
    (tmp_path / "out").mkdir()
    (tmp_path / "victim.txt").write_text("mine")
    (tmp_path / "out" / MANIFEST).write_text(json.dumps(
        {"tool": "orgsim", "format": 1, "files": ["../victim.txt"], "folders": []}))
    with pytest.raises(OutputError, match="is not an orgsim manifest"):
        OutputFolder(tmp_path / "out").write({"a.txt": "1"})
    assert (tmp_path / "victim.txt").read_text() == "mine"


@pytest.mark.parametrize("bad", ["", "/etc/passwd", "../up", "a/../../b", MANIFEST, "a\\b"])
def test_paths_outside_the_folder_or_the_manifest_itself_are_rejected(tmp_path, bad):
    with pytest.raises(ValueError, match="not a path orgsim may write"):
        OutputFolder(tmp_path).plan([bad])


def test_a_failing_writer_leaves_the_previous_file_and_no_temporary(tmp_path):
    folder = OutputFolder(tmp_path)
    folder.write({"a.txt": "old", "b.txt": "old"})

    def broken(path: Path) -> None:
        path.write_text("half")
        raise RuntimeError("disk on fire")

    with pytest.raises(RuntimeError):
        folder.write({"a.txt": broken, "b.txt": "new"})
    assert (tmp_path / "a.txt").read_text() == "old"
    assert _tree(tmp_path) == {MANIFEST, "a.txt", "b.txt"}
    folder.write({"a.txt": "new"})  # an interrupted save leaves a folder orgsim can reuse
    assert _tree(tmp_path) == {MANIFEST, "a.txt"}


def test_an_interrupted_first_save_does_not_lock_the_folder(tmp_path):
    """Files written before an interruption are already in the manifest, so a rerun works."""
    def broken(path: Path) -> None:
        raise RuntimeError("interrupted")

    with pytest.raises(RuntimeError):
        OutputFolder(tmp_path).write({"a.txt": "1", "b.txt": broken})
    assert (tmp_path / "a.txt").is_file()
    OutputFolder(tmp_path).write({"a.txt": "2", "b.txt": "2"})
    assert _manifest(tmp_path)["files"] == ["a.txt", "b.txt"]



# --- orgsim run --out ------------------------------------------------------------------------


def _orgsim_run(runner, scenario: Path, out: Path, *extra: str):
    return runner.invoke(cli, ["run", str(scenario), "--out", str(out), "--reps", "1", *extra])


def test_rerun_keeps_the_users_files_and_drops_its_stale_plots(runner, write_scenario,
                                                                tiny_text, tmp_path):
    scenario = write_scenario(tmp_path, tiny_text)
    out = tmp_path / "out"
    first = _orgsim_run(runner, scenario, out)
    assert first.exit_code == 0, first.output
    plots = {p.name for p in out.glob("*.png")}
    assert plots  # the first run drew its plots
    (out / "notes.md").write_text("what I saw\n")
    (out / "my_figures").mkdir()
    (out / "my_figures" / "mine.png").write_bytes(b"my figure")

    again = _orgsim_run(runner, scenario, out, "--no-plots", "--seed", "2")
    assert again.exit_code == 0, again.output
    assert (out / "notes.md").read_text() == "what I saw\n"
    assert (out / "my_figures" / "mine.png").read_bytes() == b"my figure"
    assert not any((out / name).exists() for name in plots)  # stale: this run drew none
    written = set(RESULT_FILES)
    assert _manifest(out)["files"] == sorted(written)
    assert _tree(out) == written | {MANIFEST, "notes.md", "my_figures/", "my_figures/mine.png"}
    loaded = sim.Results.load(out)
    assert loaded.seed == 2 and loaded.replications == 1


def test_foreign_summary_json_is_refused_before_the_run(runner, write_scenario, tiny_text,
                                                        tmp_path):
    scenario = write_scenario(tmp_path, tiny_text)
    out = tmp_path / "out"
    out.mkdir()
    (out / "summary.json").write_text('{"mine": true}\n')
    (out / "notes.md").write_text("mine\n")
    result = _orgsim_run(runner, scenario, out, "--no-plots")
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert result.output.startswith(f"error: {out / 'summary.json'} was not written by orgsim")
    assert "replications" not in result.output  # refused before the run started
    assert _tree(out) == {"summary.json", "notes.md"}
    assert (out / "summary.json").read_text() == '{"mine": true}\n'


def test_foreign_plot_file_is_refused_at_save_time(runner, write_scenario, tiny_text,
                                                   tmp_path):
    """The plots are named only when they are drawn: save checks again, writing nothing."""
    scenario = write_scenario(tmp_path, tiny_text)
    out = tmp_path / "out"
    out.mkdir()
    (out / "support_queue.png").write_bytes(b"my own plot")
    result = _orgsim_run(runner, scenario, out)
    assert result.exit_code == 2, result.output
    assert f"error: {out / 'support_queue.png'} was not written by orgsim" in result.output
    assert _tree(out) == {"support_queue.png"}
    assert (out / "support_queue.png").read_bytes() == b"my own plot"


def test_folder_from_an_earlier_orgsim_is_accepted(runner, write_scenario, tiny_text,
                                                   tmp_path):
    scenario = write_scenario(tmp_path, tiny_text)
    out = tmp_path / "out"
    out.mkdir()
    (out / LEGACY_MARKER).write_text("orgsim results\n")
    for name in RESULT_FILES:
        (out / name).write_text("from an earlier orgsim\n")
    (out / "notes.md").write_text("mine\n")
    result = _orgsim_run(runner, scenario, out, "--no-plots")
    assert result.exit_code == 0, result.output
    assert _tree(out) == set(RESULT_FILES) | {MANIFEST, "notes.md"}
    assert sim.Results.load(out).replications == 1


def test_out_that_is_a_file_is_refused(runner, write_scenario, tiny_text, tmp_path):
    scenario = write_scenario(tmp_path, tiny_text)
    taken = tmp_path / "taken"
    taken.write_text("mine\n")
    result = _orgsim_run(runner, scenario, taken, "--no-plots")
    assert result.exit_code == 2, result.output
    assert result.output.startswith(f"error: {taken} is a file, not a folder")
    assert taken.read_text() == "mine\n"
    assert _tree(tmp_path) == {"scenario.yaml", "taken"}
