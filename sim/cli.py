"""The `orgsim` command: each subcommand is a thin call into the Python API.

Heavy modules (simpy, numpy, pydantic, matplotlib, pandas) are imported inside the commands,
so `orgsim --help` answers at once.
"""

from __future__ import annotations

import gc
import json
import os
import sys
from pathlib import Path

import click

from sim import __version__
from sim.bundled import (
    bundled_paths,
    bundled_scenarios_dir,
    did_you_mean,
    find_bundled,
    validation_paths,
)

EXIT_BAD_INPUT = 2


def resolve_scenario_path(text: str) -> Path:
    """A path, or the name of a bundled scenario ('support_desk'). A bare name that is neither
    a file nor a bundled scenario is the user's mistake: one error line, with a guess."""
    path = Path(text)
    if path.exists() or path.suffix in (".yaml", ".yml") or "/" in text or "\\" in text:
        return path  # a file: the loader reports one that is missing
    found = find_bundled(text)
    if found is None:
        names = [p.stem for p in bundled_paths()]
        _fail([f"{text}: no such file, nor a bundled scenario of that name"
               f"{did_you_mean(text, names)} (`orgsim list` shows the bundled scenarios)"])
    return found


def _fail(lines: list[str]) -> None:
    for line in lines:
        _say("error", line)
    sys.exit(EXIT_BAD_INPUT)


def _say(kind: str, text: str) -> None:
    """One `error:` or `warning:` line on stderr, whatever characters the user's text holds."""
    from sim.scenario.errors import printable

    click.echo(f"{kind}: {printable(text)}", err=True)


def _dask_failure(error: Exception, dask_scheduler: str | None) -> None:
    """A Dask cluster that cannot be reached is the user's to fix: one error line. Without
    Dask the same error is a bug worth its traceback."""
    if dask_scheduler is None:
        raise error
    _fail([f"--dask {dask_scheduler}: {error}"])


def _save(saved, target: Path, **options) -> None:
    """Write results (a run, a comparison, a warm-up) to `target`, or one error line."""
    from sim.output_folder import OutputError

    try:
        saved.save(target, **options)
    except OutputError as error:
        _fail([str(error)])


def _load(scenario: str, overrides: tuple[str, ...], quiet: bool = False):
    from sim.scenario import ScenarioError, load_scenario

    try:
        loaded = load_scenario(resolve_scenario_path(scenario), list(overrides))
    except ScenarioError as error:
        _fail([str(p) for p in error.problems])
    if not quiet:
        for warning in loaded.warnings:
            _say("warning", warning)
    return loaded


quiet_option = click.option(
    "--quiet", "-q", is_flag=True,
    help="Print only errors and the final table (warnings stay in summary.json).")


set_option = click.option(
    "--set", "overrides", multiple=True, metavar="KEY=VALUE",
    help="Override a scenario value, e.g. --set teams.support.members=7 (repeatable).")


def executor_options(command):
    """--jobs and --dask: where the replications run (sim/experiment/executors.py)."""
    command = click.option(
        "--dask", "dask_scheduler", metavar="ADDRESS",
        help="Run replications on a Dask cluster ('local' starts one on this machine).")(command)
    return click.option(
        "--jobs", type=click.IntRange(min=1),
        help="Run replications on this many local processes (default: every core when the run "
             "is big enough to gain from it; 1: serially).")(command)


def size_options(command):
    """--force, --max-events, --max-memory: the run-size limits (sim/experiment/size.py)."""
    command = click.option("--max-memory", metavar="SIZE", help="Refuse runs estimated to "
                           "need more memory, e.g. 2GiB (default: ORGSIM_MAX_MEMORY, else a "
                           "tenth of this machine's memory).")(command)
    command = click.option("--max-events", metavar="COUNT", help="Refuse runs estimated to "
                           "take more events, e.g. 1e8 (default: ORGSIM_MAX_EVENTS, else "
                           "1e9, about an hour).")(command)
    return click.option("--force", is_flag=True,
                        help="Run even beyond the run-size limits.")(command)


def _check_size(loaded, reps, jobs, dask_scheduler, force, max_events, max_memory,
                records=False):
    """The run's estimate; exit 2 with the estimate and what to change beyond the limits."""
    from sim.experiment.size import LimitError, Limits, RunTooLarge, check_run_size

    try:
        limits = Limits.resolve(max_events, max_memory)
        return check_run_size(loaded.spec, reps, jobs, dask_scheduler, limits, force,
                              where=str(loaded.source) if loaded.source else None,
                              records=records)
    except LimitError as error:
        _fail([str(error)])
    except RunTooLarge as error:
        _fail(error.problems)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="orgsim")
def cli() -> None:
    """orgsim: simulate an e-commerce company's operations and the collaboration of its teams.

    Run a scenario with `orgsim run SCENARIO`; see every scenario key with `orgsim schema`.
    """


@cli.command()
@click.argument("scenario")
@click.option("--reps", type=click.IntRange(min=1), help="Replications (default: the scenario's).")
@click.option("--seed", type=click.IntRange(min=0), help="Master seed (default: the scenario's).")
@click.option("--out", "out_dir", type=click.Path(path_type=Path),
              help="Output folder (default: runs/<scenario name>/).")
@set_option
@click.option("--no-plots", is_flag=True, help="Skip the PNG plots.")
@executor_options
@click.option("--records", is_flag=True,
              help="Also keep every entity (order, inquiry) with its time split, written as "
                   "one Parquet file per kind into OUT/records/.")
@click.option("--precision", "precision", multiple=True, metavar="METRIC=LIMIT",
              help="Run replications until METRIC's 95% interval half-width is within LIMIT: "
                   "a share of the mean (support.wait.mean=5%) or a value in the metric's "
                   "unit (support.wait.mean=10s). Repeatable; replaces --reps.")
@click.option("--max-reps", type=click.IntRange(min=1), default=100, show_default=True,
              help="The most replications a --precision run takes.")
@quiet_option
@size_options
def run(scenario, reps, seed, out_dir, overrides, no_plots, jobs, dask_scheduler, records,
        precision, max_reps, quiet, force, max_events, max_memory) -> None:
    """Run SCENARIO (a file, or the name of a bundled scenario) and write its results."""
    from sim.results import OutputError, check_output_dir, record_kinds

    loaded = _load(scenario, overrides, quiet)
    if precision and reps is not None:
        _fail(["--reps and --precision: give one (--max-reps caps a --precision run)"])
    targets = _precision_targets(loaded, precision)
    estimate = _check_size(loaded, max_reps if targets else reps, jobs,
                           dask_scheduler, force, max_events, max_memory, records)
    target = out_dir or Path("runs") / loaded.name
    try:
        check_output_dir(target, record_kinds(loaded.spec) if records else ())
    except OutputError as error:
        _fail([str(error)])
    from sim.api import run as run_scenario

    reporter = _reporter(loaded.name, estimate, quiet)
    try:
        # force: the size was checked above, against the limits given here
        results = run_scenario(loaded, reps=reps, seed=seed, jobs=jobs,
                               dask_scheduler=dask_scheduler, progress=reporter, force=True,
                               records=records, precision=targets, max_reps=max_reps)
    except (RuntimeError, OSError) as error:
        _dask_failure(error, dask_scheduler)
    _save(results, target, plots=not no_plots)
    click.echo(render_summary(results.summary_dict()))
    if quiet:  # the warnings stay in summary.json
        return
    click.echo(f"\nresults written to {target}/")
    reached = results.provenance.get("precision")
    if reached and reached["met"]:
        click.echo(f"precision: {', '.join(f'{m} within {t}' for m, t in targets.items())} "
                   f"after {reached['replications']} replications")
    for warning in results.warnings[len(loaded.warnings):]:  # the run's (the scenario's came first)
        _say("warning", warning)


def _precision_targets(loaded, items: tuple[str, ...]) -> dict[str, str]:
    """--precision METRIC=LIMIT items, checked against what the scenario reports."""
    if not items:
        return {}
    from sim.experiment.precision import PrecisionError, parse_targets

    try:
        return {t.metric: t.text for t in parse_targets(items, loaded.spec)}
    except PrecisionError as error:
        _fail([str(error)])


def _reporter(label: str, estimate, quiet: bool):
    """A progress reporter on stderr, or a silent one with --quiet."""
    from sim.progress import Progress, ProgressReporter

    return Progress() if quiet else ProgressReporter(label, expected_seconds=estimate.seconds)


def render_summary(summary: dict) -> str:
    """The summary table: each metric's mean and 95% interval, in its declared unit; a mean
    over fewer replications than the run had says over how many ('2.6 d (4 of 5 reps)')."""
    from sim.metrics.catalog import format_value
    from sim.metrics.declare import kind_of_unit

    replications = summary["replications"]
    lines = [f"{summary['scenario']}: {replications} replication(s), "
             f"seed {summary['seed']}", ""]
    rows = [("metric", "mean", "95% CI")]
    for name, entry in summary["metrics"].items():
        kind = entry.get("kind") or kind_of_unit(entry["unit"])  # older files: by unit
        mean = format_value(entry["mean"] if entry["mean"] is not None else float("nan"), kind)
        n = entry.get("n", replications)
        if n != replications:
            mean += f" ({n} of {replications} reps)"
        ci = entry["ci95"]
        interval = (f"{format_value(ci[0], kind)} .. {format_value(ci[1], kind)}"
                    if ci else "")
        rows.append((name, mean, interval))
    widths = [max(len(r[i]) for r in rows) for i in range(3)]
    for i, row in enumerate(rows):
        lines.append(f"{row[0]:<{widths[0]}}  {row[1]:>{widths[1]}}  {row[2]}".rstrip())
        if i == 0:
            lines.append("-" * (sum(widths) + 4))
    return "\n".join(lines)


@cli.command()
@click.argument("base")
@click.argument("alt", required=False)
@click.option("--change", "changes", multiple=True, metavar="KEY=VALUE",
              help="Change the alternative (BASE, or ALT when given), in the --set syntax, "
                   "e.g. --change teams.support.shifts.0.members=9 (repeatable).")
@click.option("--reps", type=click.IntRange(min=2),
              help="Replications of each run (default: BASE's).")
@click.option("--seed", type=click.IntRange(min=0),
              help="Master seed of both runs (default: BASE's).")
@click.option("--out", "out_dir", type=click.Path(path_type=Path),
              help="Output folder (default: runs/<base>-compare/ or runs/<base>-vs-<alt>/).")
@click.option("--metric", "metric_names", multiple=True, metavar="NAME",
              help="Compare only these metrics (names or patterns like 'support.*'; "
                   "repeatable); Holm's correction is then over them.")
@click.option("--no-plots", is_flag=True, help="Skip the PNG plots.")
@executor_options
@quiet_option
@size_options
def compare(base, alt, changes, reps, seed, out_dir, metric_names, no_plots, jobs,
            dask_scheduler, quiet, force, max_events, max_memory) -> None:
    """Compare BASE with ALT (another scenario), or with BASE changed by --change: both run on
    the same seed and replications (common random numbers), and every metric's paired
    difference is shown with its 95% interval, flagged where significant (Holm)."""
    from sim.experiment.compare import (
        apply_changes,
        plan_output,
        reported_metrics,
        select_metrics,
    )
    from sim.results import OutputError
    from sim.scenario import ScenarioError

    base_loaded = _load(base, (), quiet)
    alt_loaded = _load(alt, (), quiet) if alt is not None else None
    if alt_loaded is None and not changes:
        _fail(["nothing to compare: give ALT (another scenario) or --change KEY=VALUE"])
    unchanged = alt_loaded or base_loaded
    try:
        changed = apply_changes(unchanged, changes)
    except ScenarioError as error:
        _fail([str(p) for p in error.problems])
    for warning in changed.warnings:
        if warning not in unchanged.warnings and not quiet:
            _say("warning", f"--change: {warning}")
    if metric_names:
        try:
            select_metrics(metric_names, reported_metrics(base_loaded.spec, changed.spec))
        except ValueError as error:
            _fail([f"--metric: {error}"])
    reps = reps or base_loaded.spec.replications
    estimates = {role: _check_size(loaded, reps, jobs, dask_scheduler, force, max_events,
                                   max_memory)
                 for role, loaded in (("base", base_loaded), ("alt", changed))}
    target = out_dir or Path("runs") / (
        f"{base_loaded.name}-vs-{changed.name}" if alt_loaded and changed.name != base_loaded.name
        else f"{base_loaded.name}-compare")
    try:
        plan_output(target)
    except OutputError as error:
        _fail([str(error)])
    from sim.api import compare as compare_runs
    from sim.experiment.compare_text import render_comparison

    def reporter(role: str):
        return _reporter(f"{base_loaded.name} ({role})", estimates[role], quiet)

    try:
        # force: both sizes were checked above, against the limits given here
        comparison = compare_runs(base_loaded, alt_loaded, changes, reps=reps, seed=seed,
                                  metrics=metric_names or None, jobs=jobs,
                                  dask_scheduler=dask_scheduler, progress=reporter, force=True)
    except (RuntimeError, OSError) as error:
        _dask_failure(error, dask_scheduler)
    _save(comparison, target, plots=not no_plots)
    click.echo(render_comparison(comparison))
    if quiet:  # the warnings stay in each run's summary.json
        return
    click.echo(f"\ncomparison written to {target}/ (the runs in base/ and alt/)")
    for role, results, loaded in (("base", comparison.base, base_loaded),
                                  ("alt", comparison.alt, changed)):
        for warning in results.warnings[len(loaded.warnings):]:  # the run's own
            _say("warning", f"{role}: {warning}")


@cli.command()
@click.argument("scenario")
@click.option("--vary", "varies", multiple=True, required=True, metavar="KEY=SPEC",
              help="A parameter and its values: 4:12:2 (both ends included), a,b,c, or "
                   "15m..45m for --design lhs; values keep their units (repeatable).")
@click.option("--design", type=click.Choice(["grid", "lhs", "oat"]), default="grid",
              show_default=True, help="grid: every combination; lhs: a Latin hypercube of "
              "--points points; oat: one parameter at a time around the scenario's values.")
@click.option("--points", type=click.IntRange(min=1), help="Points of a Latin hypercube.")
@click.option("--reps", type=click.IntRange(min=1),
              help="Replications per point (default: the scenario's).")
@click.option("--seed", type=click.IntRange(min=0),
              help="Master seed, the same for every point (default: the scenario's).")
@click.option("--out", "out_dir", type=click.Path(path_type=Path),
              help="Output folder (default: runs/<scenario name>-sweep/).")
@set_option
@click.option("--metric", help="The metric the plots show (default: the first flow's "
              "headline, e.g. support.wait.mean).")
@click.option("--restart", is_flag=True, help="Start afresh in a folder holding another "
              "sweep (replaces orgsim's files there, never yours).")
@click.option("--no-plots", is_flag=True, help="Skip the PNG plots.")
@click.option("--jobs", type=click.IntRange(min=1),
              help="Run replications (across points) on this many local processes (default: "
                   "every core when the sweep is big enough to gain from it; 1: serially).")
@click.option("--dask", "dask_scheduler", metavar="ADDRESS",
              help="Run replications on a Dask cluster ('local' starts one on this machine); "
                   "one client for the whole sweep.")
@quiet_option
@size_options
def sweep(scenario, varies, design, points, reps, seed, out_dir, overrides, metric, restart,
          no_plots, jobs, dask_scheduler, quiet, force, max_events, max_memory) -> None:
    """Run SCENARIO at every point of a design over --vary parameters, each point on the same
    seed; finished points are kept, so rerunning the command after an interruption resumes."""
    from sim.experiment.design import DesignError
    from sim.experiment.size import LimitError, Limits, RunTooLarge
    from sim.experiment.sweep import sweep as run_sweep
    from sim.output_folder import OutputError
    from sim.progress import Progress, ProgressReporter

    loaded = _load(scenario, overrides, quiet)
    target = out_dir or Path("runs") / f"{loaded.name}-sweep"
    try:
        result = run_sweep(
            loaded, list(varies), design=design, points=points, reps=reps, seed=seed,
            out=target, jobs=jobs, dask_scheduler=dask_scheduler, restart=restart,
            progress=Progress() if quiet else ProgressReporter(f"{loaded.name} sweep",
                                                                unit="point"),
            force=force, limits=Limits.resolve(max_events, max_memory), plots=not no_plots,
            metric=metric, on_message=None if quiet else lambda text: click.echo(text, err=True))
    except (DesignError, LimitError, OutputError) as error:
        _fail([str(error)])
    except RunTooLarge as error:
        _fail(error.problems)
    except KeyboardInterrupt:
        click.echo(f"\ninterrupted: the finished points are kept in {target}/; rerun the same "
                   "command to compute only the missing ones", err=True)
        sys.exit(130)
    except (RuntimeError, OSError) as error:
        _dask_failure(error, dask_scheduler)
    click.echo(render_sweep(result))
    if not quiet:
        click.echo(f"\nsweep written to {target}/ ({len(result.computed)} point(s) computed "
                   "now)")


def _parameter_text(value) -> str:
    return f"{value:.6g}" if isinstance(value, float) else str(value)


def render_sweep(result) -> str:
    """One line per point: its parameters and the headline metric's mean and 95% CI."""
    from sim.metrics.catalog import format_value
    from sim.metrics.declare import lookup

    columns = result.summary_columns
    metric = result.headline
    declared = lookup(metric)
    kind = declared.kind if declared else "count"
    header = ["point", *(f"{p} ({result.units[p]})" if result.units[p] else p
                         for p in result.parameters), metric, "95% CI"]
    rows = [header]
    for i, point in enumerate(columns["point"]):
        low, high = columns[f"{metric}.ci_low"][i], columns[f"{metric}.ci_high"][i]
        rows.append([str(point), *(_parameter_text(columns[p][i]) for p in result.parameters),
                     format_value(columns[metric][i], kind),
                     f"{format_value(low, kind)} .. {format_value(high, kind)}"])
    widths = [max(len(r[j]) for r in rows) for j in range(len(header))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
             for row in rows]
    lines.insert(1, "-" * len(lines[0]))
    return "\n".join(lines)


@cli.command()
@click.argument("scenario")
@set_option
@click.option("--reps", type=click.IntRange(min=1), default=5, show_default=True,
              help="Replications whose series are averaged.")
@click.option("--seed", type=click.IntRange(min=0), help="Master seed (default: the scenario's).")
@click.option("--out", "out_dir", type=click.Path(path_type=Path),
              help="Output folder for warmup.png and warmup.json "
                   "(default: runs/<scenario name>/warmup/).")
@executor_options
@quiet_option
@size_options
def warmup(scenario, overrides, reps, seed, out_dir, jobs, dask_scheduler, quiet, force,
           max_events, max_memory) -> None:
    """Suggest a warm-up for SCENARIO: MSER-5 on each flow's binned series, averaged over
    replications; says which flows settle slowly and plots the series with the cut."""

    loaded = _load(scenario, overrides, quiet)
    estimate = _check_size(loaded, reps, jobs, dask_scheduler, force, max_events,
                           max_memory)
    target = out_dir or Path("runs") / loaded.name / "warmup"
    from sim.api import warmup as suggest

    try:
        found = suggest(loaded, reps=reps, seed=seed, jobs=jobs, dask_scheduler=dask_scheduler,
                        progress=_reporter(f"{loaded.name} warm-up", estimate, quiet),
                        force=True)
    except (RuntimeError, OSError) as error:
        _dask_failure(error, dask_scheduler)
    _save(found, target)
    click.echo("\n".join(found.lines()))
    if not quiet:
        click.echo(f"\nplot and cuts written to {target}/")
        for line in found.slow_lines():
            _say("warning", line)


@cli.command()
@click.argument("scenario", required=False)
@set_option
def metrics(scenario, overrides) -> None:
    """The metrics SCENARIO reports (name, unit, meaning), derived from the scenario without
    running it; without SCENARIO, every metric orgsim can report ('<type>': one per name)."""
    import sim.replication  # noqa: F401  (the flows declare their metrics)
    from sim.metrics.catalog import reference_rows
    from sim.metrics.declare import declared, lookup, reported_names

    if scenario is None:
        if overrides:
            _fail(["--set needs a SCENARIO to change"])
        rows = reference_rows(declared())
    else:
        loaded = _load(scenario, overrides)
        names = reported_names(loaded.spec)
        rows = [(name, unit, meaning) for name, (_, unit, meaning)
                in zip(names, reference_rows((lookup(name) for name in names), conditions=False),
                    strict=True)]
    width = max((len(name) for name, _, _ in rows), default=0)
    unit_width = max((len(unit) for _, unit, _ in rows), default=0)
    for name, unit, meaning in rows:
        click.echo(f"{name:<{width}}  {unit:<{unit_width}}  {meaning}")


@cli.command()
@click.argument("scenario")
@set_option
@click.option("--records", is_flag=True, help="Size a run that keeps entity records.")
@size_options
def validate(scenario, overrides, records, force, max_events, max_memory) -> None:
    """Check SCENARIO without running it (exit 0 when valid, 2 with the problems), and print
    the estimated size of a run with the scenario's replications."""
    loaded = _load(scenario, overrides)
    estimate = _check_size(loaded, None, 1, None, force, max_events, max_memory, records)
    click.echo(f"{loaded.name}: valid; a run: {estimate.line()}")


@cli.command("list")
def list_scenarios() -> None:
    """The bundled scenarios, with their descriptions."""
    import yaml

    folder = bundled_scenarios_dir()
    paths = bundled_paths()
    if not paths:
        _broken_install(f"no bundled scenario in {folder}")
    for path in paths:
        try:
            data = yaml.safe_load(path.read_text()) or {}
        except yaml.YAMLError:
            data = {}
        description = data.get("description", "") if isinstance(data, dict) else ""
        click.echo(f"{path.relative_to(folder).as_posix():<40} {description}")


def _broken_install(problem: str) -> None:
    """Not the user's mistake: the installation lacks the files that ship with orgsim."""
    click.echo(f"error: {problem}; orgsim's installation is incomplete (reinstall it)",
               err=True)
    sys.exit(1)


@cli.command()
def schema() -> None:
    """Print the JSON Schema of scenario files (for editors; the reference of every key)."""
    from sim.scenario.schema import ScenarioSpec

    document = ScenarioSpec.model_json_schema()
    document["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    document["title"] = "orgsim scenario"
    click.echo(json.dumps(document, indent=2))


@cli.command()
@click.option("--reps", type=click.IntRange(min=2), help="Replications per case.")
@click.option("--seed", type=click.IntRange(min=0), help="Master seed (default: each case's).")
@click.argument("cases", nargs=-1)
def check(reps, seed, cases) -> None:
    """Run the bundled validation scenarios against queueing and inventory theory.

    Exit 0 when every row passes, 1 when a row fails or no row ran, 2 for an unknown CASE.
    """
    from sim.check import render_rows, run_checks

    known = [path.stem for path in validation_paths()]
    if not known:
        _broken_install(f"no validation scenario in {bundled_scenarios_dir() / 'validation'}")
    unknown = [case for case in cases if case not in known]
    if unknown:
        _fail([f"unknown validation case {case!r}{did_you_mean(case, known)} (the cases are: "
               f"{', '.join(known)})" for case in unknown])
    report = run_checks(bundled_scenarios_dir() / "validation", reps=reps, seed=seed,
                        only=cases, progress=lambda text: click.echo(text, err=True))
    if not report.rows:
        click.echo("error: no check ran: no theory covers "
                   + ("; ".join(report.skipped) or "any case"), err=True)
        sys.exit(1)
    click.echo(render_rows(report.rows))
    click.echo(f"\n{report.rule.describe(report.rows)}")
    failed = report.failed
    click.echo(f"\n{len(report.rows) - len(failed)} passed, {len(failed)} failed")
    sys.exit(1 if failed else 0)


def main() -> None:
    # No threaded BLAS: orgsim does no linear algebra worth a thread, and its replications
    # run in processes. OpenBLAS starting a thread per core costs about 50 ms at
    # `import numpy` (benchmarks/README.md). The worker processes inherit the setting.
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    try:
        cli(prog_name="orgsim")
    finally:
        # The process ends here. Its last cyclic garbage collection, at interpreter shutdown,
        # would walk every object the run made only to free memory the OS takes back anyway:
        # about 0.15 s of a 1.4 s `orgsim run ecommerce_week` (benchmarks/README.md). Frozen
        # objects are skipped; files are still closed and streams flushed as usual.
        gc.freeze()
