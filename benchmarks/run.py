"""orgsim performance benchmarks: `python benchmarks/run.py [--pairs N] [--quick]`.

1. M/M/c (5 servers, utilisation 0.9, 400,000 customers): a hand-written plain SimPy model
   (benchmarks/plain_simpy_mmc.py) against the same system as an orgsim scenario
   (benchmarks/mmc.yaml run as `orgsim run benchmarks/mmc.yaml --reps 1 --no-plots`).
   Required (issue 7): median ratio orgsim / plain SimPy at most 0.5.
2. ecommerce_week (`orgsim run scenarios/ecommerce_week.yaml --reps 1 --no-plots`) in the
   same pairs: wall time per order simulated against plain SimPy's wall time per customer.
   Required (issue 7): median ratio at most 4.5.
3. ecommerce_week with the horizon and warm-up doubled against the scenario's own:
   whole processes, and `run_replication` timed in-process (start-up excluded).
4. Peak memory (max RSS) of every measured process, from `os.wait4` on that process alone.
5. A cProfile of one in-process `run_replication` of ecommerce_week (top functions).

Every measured command runs as a whole, fresh process; the wall clock is
`time.perf_counter()` around start and reap of the process (start-up included). Within a
pair the three commands run one after another, and the order is rotated from pair to pair
(pair 1: plain, mmc, ecommerce; pair 2: mmc, ecommerce, plain; pair 3: ecommerce, plain,
mmc; ...) so that slow drifts of a noisy machine do not favour one of them. It prints a
table and writes benchmarks/results.json (or --output).

Before measuring, the `sim` package is byte-compiled (`compileall`), as an installed package
is: with PYTHONDONTWRITEBYTECODE set, every `orgsim` process would otherwise compile its
modules again (about 70 ms), which no user's installation does.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
PLAIN = HERE / "plain_simpy_mmc.py"
MMC = HERE / "mmc.yaml"
TIMER = HERE / "replication_timer.py"
ECOMMERCE = ROOT / "scenarios" / "ecommerce_week.yaml"

CUSTOMERS = 400_000
ARRIVAL_RATE = 4.5  # per minute, as in mmc.yaml and plain_simpy_mmc.py
MMC_LIMIT = 0.5  # issue 7
ECOMMERCE_LIMIT = 4.5  # issue 7
COUNT_TOLERANCE = 0.005  # normalise per customer when orgsim's count is further off
DAY = 1440.0  # minutes
OTHER_SCRIPTS_KEYS = ("soak",)  # written into results.json by benchmarks/soak.py


# --- running one measured process ---------------------------------------------------------

def measure(cmd: list[str], workdir: Path) -> dict:
    """Run `cmd` as a whole process; its wall time, and its own peak RSS from wait4."""
    out_path = workdir / f"stdout-{time.monotonic_ns()}.txt"
    err_path = out_path.with_name(out_path.name.replace("stdout", "stderr"))
    with out_path.open("wb") as out, err_path.open("wb") as err:
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=out, stderr=err)
        _pid, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    stdout = out_path.read_text(errors="replace")
    if proc.returncode != 0:
        sys.exit(f"command failed ({proc.returncode}): {' '.join(cmd)}\n"
                 f"{stdout}\n{err_path.read_text(errors='replace')}")
    return {"wall_s": wall, "cpu_s": usage.ru_utime + usage.ru_stime,
            "max_rss_mib": usage.ru_maxrss / 1024, "stdout": stdout}


def orgsim_exe() -> str:
    exe = shutil.which("orgsim")
    if exe is None:
        sys.exit("the `orgsim` command is not on PATH (pip install -e . in the repository)")
    return exe


def parse_days(text: str) -> float:
    from sim.units import parse_duration

    return parse_duration(text) / DAY


def run_orgsim(scenario: Path, overrides: list[str], workdir: Path, tag: str) -> dict:
    """`orgsim run SCENARIO --reps 1 --no-plots --out TMP [--set ...]`, then read its output."""
    out_dir = workdir / f"{tag}-{time.monotonic_ns()}"
    cmd = [orgsim_exe(), "run", str(scenario.relative_to(ROOT)), "--reps", "1", "--no-plots",
           "--out", str(out_dir)]
    for item in overrides:
        cmd += ["--set", item]
    m = measure(cmd, workdir)
    summary = json.loads((out_dir / "summary.json").read_text())
    import yaml

    resolved = yaml.safe_load((out_dir / "scenario.yaml").read_text())
    m["horizon_days"] = parse_days(str(resolved["horizon"]))
    m["warmup_days"] = parse_days(str(resolved["warmup"]))
    m["metrics"] = {k: v["mean"] for k, v in summary["metrics"].items()}
    m["replication_wall_s"] = summary["provenance"]["replication_wall_time_s"][0]
    m["command"] = " ".join(["orgsim"] + cmd[1:3] + ["--reps", "1", "--no-plots", "--out", "TMP"]
                            + [f"--set {o}" for o in overrides])
    shutil.rmtree(out_dir, ignore_errors=True)
    del m["stdout"]
    return m


def run_plain(customers: int, workdir: Path) -> dict:
    cmd = [sys.executable, str(PLAIN.relative_to(ROOT)), "--customers", str(customers)]
    m = measure(cmd, workdir)
    words = m.pop("stdout").split()
    m["customers"] = int(words[words.index("customers") + 1])
    m["command"] = " ".join(["python"] + cmd[1:])
    return m


def run_timer(scenario: Path, overrides: list[str], workdir: Path, profile: int = 0,
              gc_off: bool = False) -> dict:
    cmd = [sys.executable, str(TIMER.relative_to(ROOT)), str(scenario.relative_to(ROOT))]
    for item in overrides:
        cmd += ["--set", item]
    if profile:
        cmd += ["--profile", str(profile)]
    if gc_off:
        cmd.append("--gc-off")
    m = measure(cmd, workdir)
    data = json.loads(m.pop("stdout"))
    data["process_wall_s"] = m["wall_s"]
    return data


# --- the benchmark --------------------------------------------------------------------------

def source_fingerprint() -> dict:
    """Hashes of sim/**/*.py, to tell whether the code under test changed during a run."""
    files = {}
    newest = 0.0
    for path in sorted((ROOT / "sim").rglob("*.py")):
        files[str(path.relative_to(ROOT))] = hashlib.sha256(path.read_bytes()).hexdigest()[:12]
        newest = max(newest, path.stat().st_mtime)
    whole = hashlib.sha256(json.dumps(files, sort_keys=True).encode()).hexdigest()[:16]
    return {"sha256": whole, "files": files,
            "newest_mtime": dt.datetime.fromtimestamp(newest).astimezone().isoformat(
                timespec="seconds")}


def compile_sources() -> bool:
    """Byte-compile sim/ as an installed package is (pip compiles a wheel's modules), so that
    no measured process compiles them, whatever PYTHONDONTWRITEBYTECODE says."""
    import compileall

    return bool(compileall.compile_dir(ROOT / "sim", quiet=1))


def machine() -> dict:
    cpu = platform.processor() or "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    import simpy

    return {
        "date": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "host": platform.node(), "cpu": cpu, "cores": os.cpu_count(),
        "os": platform.platform(), "python": platform.python_version(),
        "simpy": simpy.__version__, "loadavg_start": list(os.getloadavg()),
    }


def doubled_horizon(scenario: Path) -> list[str]:
    """Overrides that double the scenario's own horizon and warm-up."""
    import yaml

    data = yaml.safe_load(scenario.read_text())
    return [f"horizon={2 * parse_days(str(data['horizon'])):g}d",
            f"warmup={2 * parse_days(str(data.get('warmup', '0s'))):g}d"]


def spread(values: list[float]) -> dict:
    return {"median": statistics.median(values), "min": min(values), "max": max(values),
            "n": len(values)}


def benchmark(args: argparse.Namespace) -> dict:
    quick = args.quick
    pairs = args.pairs if args.pairs is not None else (1 if quick else 3)
    customers = 40_000 if quick else CUSTOMERS
    mmc_set = [f"horizon={customers / ARRIVAL_RATE:.3f}m"] if quick else []
    eco_base = ["horizon=4d", "warmup=1d"] if quick else []
    eco_double = ["horizon=8d", "warmup=2d"] if quick else doubled_horizon(ECOMMERCE)
    repeats = 1 if quick else args.repeats
    results: dict = {"machine": machine(), "quick": quick,
                     "sim_source": {"start": source_fingerprint()},
                     "settings": {"pairs": pairs, "customers": customers, "repeats": repeats,
                                  "mmc_overrides": mmc_set, "ecommerce_overrides": eco_base,
                                  "ecommerce_doubled_overrides": eco_double}}
    started = time.perf_counter()
    results["bytecode_compiled"] = compile_sources()
    with tempfile.TemporaryDirectory(prefix="orgsim-bench-") as tmp:
        work = Path(tmp)
        # warm the file cache once (not measured): imports, scenario files
        run_orgsim(MMC, ["horizon=1h"], work, "warm")
        run_plain(1000, work)

        # 1 + 2: pairs of plain / orgsim-mmc / orgsim-ecommerce, order rotated
        kinds = ["plain", "mmc", "ecommerce"]
        rows = []
        for i in range(pairs):
            order = kinds[i % 3:] + kinds[: i % 3]
            row: dict = {"pair": i + 1, "order": order}
            for kind in order:
                if kind == "plain":
                    row["plain"] = run_plain(customers, work)
                elif kind == "mmc":
                    row["mmc"] = run_orgsim(MMC, mmc_set, work, "mmc")
                else:
                    row["ecommerce"] = run_orgsim(ECOMMERCE, eco_base, work, "eco")
                print(f"  pair {i + 1}: {kind:<9} {row[kind]['wall_s']:7.2f} s", flush=True)
            derive_pair(row, customers)
            rows.append(row)
        results["pairs"] = rows

        # 3: horizon doubling, whole processes, alternating
        base_runs, double_runs = [], []
        for _ in range(repeats):
            base_runs.append(run_orgsim(ECOMMERCE, eco_base, work, "eco"))
            double_runs.append(run_orgsim(ECOMMERCE, eco_double, work, "eco2"))
            print(f"  doubling: {base_runs[-1]['wall_s']:6.2f} s vs "
                  f"{double_runs[-1]['wall_s']:6.2f} s", flush=True)
        # ... and in-process run_replication (start-up excluded), alternating
        # (diagnostic: the default horizon again with the cyclic garbage collector off)
        base_inproc, double_inproc, nogc_inproc = [], [], []
        for _ in range(repeats):
            base_inproc.append(run_timer(ECOMMERCE, eco_base, work))
            double_inproc.append(run_timer(ECOMMERCE, eco_double, work))
            nogc_inproc.append(run_timer(ECOMMERCE, eco_base, work, gc_off=True))
            print(f"  in-process run_replication: {base_inproc[-1]['replication_s']:6.2f} s vs "
                  f"{double_inproc[-1]['replication_s']:6.2f} s (GC off: "
                  f"{nogc_inproc[-1]['replication_s']:.2f} s)", flush=True)
        # start-up of the command line: `orgsim validate` (imports + loading the scenario)
        validate = [measure([orgsim_exe(), "validate", str(ECOMMERCE.relative_to(ROOT))], work)
                    for _ in range(repeats)]
        results["doubling"] = derive_doubling(base_runs, double_runs, base_inproc,
                                              double_inproc, validate)
        results["gc_diagnostic"] = {
            "replication_s_gc_on": [b["replication_s"] for b in base_inproc],
            "replication_s_gc_off": [b["replication_s"] for b in nogc_inproc],
            "replication_cpu_s_gc_on": [b["replication_cpu_s"] for b in base_inproc],
            "replication_cpu_s_gc_off": [b["replication_cpu_s"] for b in nogc_inproc],
            "ratio_off_on_cpu": spread([n["replication_cpu_s"] / b["replication_cpu_s"]
                                        for b, n in zip(base_inproc, nogc_inproc,
                                                        strict=True)]),
            "gc_s_measured": [b["gc_s"] for b in base_inproc],
            "gc_by_generation": base_inproc[0]["gc_by_generation"],
            "ratio_off_on": spread([n["replication_s"] / b["replication_s"]
                                    for b, n in zip(base_inproc, nogc_inproc, strict=True)]),
        }

        # 5: where the time goes per order
        if not args.no_profile:
            prof = run_timer(ECOMMERCE, eco_base, work, profile=10)
            results["profile"] = {k: prof[k] for k in
                                  ("profile_total_s", "profile_top", "orders_simulated")}
    results["sim_source"]["end"] = source_fingerprint()
    before, after = results["sim_source"]["start"], results["sim_source"]["end"]
    results["sim_source"]["changed_during_run"] = sorted(
        name for name in set(before["files"]) | set(after["files"])
        if before["files"].get(name) != after["files"].get(name))
    for part in (before, after):
        del part["files"]
    results["summary"] = summarise(results, customers)
    results["machine"]["loadavg_end"] = list(os.getloadavg())
    results["benchmark_wall_s"] = time.perf_counter() - started
    return results


def derive_pair(row: dict, customers: int) -> None:
    plain, mmc, eco = row["plain"], row["mmc"], row["ecommerce"]
    per_customer = plain["wall_s"] / plain["customers"]
    simulated = mmc["metrics"]["support.arrivals_per_day"] * mmc["horizon_days"]
    mmc["customers_simulated"] = simulated
    row["mmc_ratio"] = mmc["wall_s"] / plain["wall_s"]
    row["mmc_ratio_cpu"] = (mmc["cpu_s"] / simulated) / (plain["cpu_s"] / plain["customers"])
    row["mmc_ratio_per_customer"] = (mmc["wall_s"] / simulated) / per_customer
    row["mmc_count_off"] = simulated / customers - 1
    # orders simulated: the placed rate over the observed window times the whole horizon
    orders = eco["metrics"]["orders.placed_per_day"] * eco["horizon_days"]
    eco["orders_simulated"] = orders
    eco["per_order_us"] = eco["wall_s"] / orders * 1e6
    row["plain_per_customer_us"] = per_customer * 1e6
    row["ecommerce_ratio"] = (eco["wall_s"] / orders) / per_customer
    row["ecommerce_ratio_cpu"] = ((eco["cpu_s"] / orders)
                                  / (plain["cpu_s"] / plain["customers"]))
    row["ecommerce_ratio_replication_only"] = (eco["replication_wall_s"] / orders) / per_customer


def derive_doubling(base: list, double: list, base_in: list, double_in: list,
                    validate: list) -> dict:
    startup = statistics.median(v["wall_s"] for v in validate)
    whole = [d["wall_s"] / b["wall_s"] for b, d in zip(base, double, strict=True)]
    minus = [(d["wall_s"] - startup) / (b["wall_s"] - startup)
             for b, d in zip(base, double, strict=True)]
    inproc = [d["replication_s"] / b["replication_s"] for b, d in zip(base_in, double_in,
                                                                       strict=True)]
    inproc_cpu = [d["replication_cpu_s"] / b["replication_cpu_s"]
                  for b, d in zip(base_in, double_in, strict=True)]
    return {
        "base": {"horizon_days": base[0]["horizon_days"], "warmup_days": base[0]["warmup_days"],
                 "wall_s": [b["wall_s"] for b in base],
                 "max_rss_mib": [b["max_rss_mib"] for b in base],
                 "replication_s": [b["replication_s"] for b in base_in],
                 "replication_cpu_s": [b["replication_cpu_s"] for b in base_in],
                 "orders_simulated": base_in[0]["orders_simulated"],
                 "gc_s": [b["gc_s"] for b in base_in],
                 "gc_collected_objects": base_in[0]["gc_collected_objects"],
                 "inprocess_max_rss_mib": [b["max_rss_mib"] for b in base_in]},
        "doubled": {"horizon_days": double[0]["horizon_days"],
                    "warmup_days": double[0]["warmup_days"],
                    "wall_s": [d["wall_s"] for d in double],
                    "max_rss_mib": [d["max_rss_mib"] for d in double],
                    "replication_s": [d["replication_s"] for d in double_in],
                    "replication_cpu_s": [d["replication_cpu_s"] for d in double_in],
                    "orders_simulated": double_in[0]["orders_simulated"],
                    "gc_s": [d["gc_s"] for d in double_in],
                    "gc_collected_objects": double_in[0]["gc_collected_objects"],
                    "inprocess_max_rss_mib": [d["max_rss_mib"] for d in double_in]},
        "startup_validate_s": [v["wall_s"] for v in validate],
        "ratio_whole_process": spread(whole),
        "ratio_minus_startup": spread(minus),
        "ratio_run_replication": spread(inproc),
        "ratio_run_replication_cpu": spread(inproc_cpu),
    }


def summarise(results: dict, customers: int) -> dict:
    rows = results["pairs"]
    count_off = statistics.median(abs(r["mmc_count_off"]) for r in rows)
    normalise = count_off > COUNT_TOLERANCE
    mmc_key = "mmc_ratio_per_customer" if normalise else "mmc_ratio"
    mmc = spread([r[mmc_key] for r in rows])
    eco = spread([r["ecommerce_ratio"] for r in rows])
    doubling = results["doubling"]

    def mem(key: str, part: str | None = None) -> float:
        if part is None:
            return statistics.median(r[key]["max_rss_mib"] for r in rows)
        return statistics.median(doubling[part]["max_rss_mib"])

    return {
        "mmc_ratio": mmc, "mmc_ratio_basis": "per customer" if normalise else "whole run",
        "mmc_ratio_whole_run": spread([r["mmc_ratio"] for r in rows]),
        "mmc_customers_simulated": statistics.median(r["mmc"]["customers_simulated"]
                                                     for r in rows),
        "mmc_pass": mmc["median"] <= MMC_LIMIT,
        "ecommerce_ratio": eco, "ecommerce_pass": eco["median"] <= ECOMMERCE_LIMIT,
        "mmc_ratio_cpu_per_customer": spread([r["mmc_ratio_cpu"] for r in rows]),
        "ecommerce_ratio_cpu": spread([r["ecommerce_ratio_cpu"] for r in rows]),
        # the same limits on CPU time (user + sys): what a shared machine disturbs least
        "mmc_pass_cpu": statistics.median(r["mmc_ratio_cpu"] for r in rows) <= MMC_LIMIT,
        "ecommerce_pass_cpu": (statistics.median(r["ecommerce_ratio_cpu"] for r in rows)
                               <= ECOMMERCE_LIMIT),
        "ecommerce_ratio_replication_only": spread(
            [r["ecommerce_ratio_replication_only"] for r in rows]),
        "plain_wall_s": spread([r["plain"]["wall_s"] for r in rows]),
        "mmc_wall_s": spread([r["mmc"]["wall_s"] for r in rows]),
        "ecommerce_wall_s": spread([r["ecommerce"]["wall_s"] for r in rows]),
        "plain_per_customer_us": statistics.median(r["plain_per_customer_us"] for r in rows),
        "ecommerce_per_order_us": statistics.median(r["ecommerce"]["per_order_us"]
                                                    for r in rows),
        "ecommerce_orders_simulated": statistics.median(r["ecommerce"]["orders_simulated"]
                                                        for r in rows),
        "doubling_whole_process": doubling["ratio_whole_process"]["median"],
        "doubling_minus_startup": doubling["ratio_minus_startup"]["median"],
        "doubling_run_replication": doubling["ratio_run_replication"]["median"],
        "doubling_run_replication_cpu": doubling["ratio_run_replication_cpu"]["median"],
        "peak_rss_mib": {
            "plain_simpy_mmc": mem("plain"), "orgsim_mmc": mem("mmc"),
            "orgsim_ecommerce": mem("ecommerce"),
            "orgsim_ecommerce_doubling_base": mem("", "base"),
            "orgsim_ecommerce_doubled": mem("", "doubled"),
        },
        "limits": {"mmc": MMC_LIMIT, "ecommerce": ECOMMERCE_LIMIT},
        "customers": customers,
    }


# --- the report -----------------------------------------------------------------------------

def report(results: dict) -> str:
    s, d, m = results["summary"], results["doubling"], results["machine"]
    lines = [f"orgsim benchmarks, {m['date']} on {m['cpu']} ({m['cores']} cores), "
             f"Python {m['python']}, simpy {m['simpy']}; load average "
             f"{m['loadavg_start'][0]:.2f} at start, {m['loadavg_end'][0]:.2f} at end"
             + ("  [QUICK smoke run: not the benchmark]" if results["quick"] else ""), ""]
    head = (f"{'pair':>4}  {'order':<24} {'plain s':>8} {'mmc s':>7} {'mmc/plain':>9} "
            f"{'ecom s':>7} {'orders':>7} {'us/order':>8} {'us/cust':>7} {'ecom ratio':>10} "
            f"{'cpu:mmc':>7} {'cpu:ecom':>8}")
    lines += [head, "-" * len(head)]
    for r in results["pairs"]:
        lines.append(
            f"{r['pair']:>4}  {','.join(r['order']):<24} {r['plain']['wall_s']:8.2f} "
            f"{r['mmc']['wall_s']:7.2f} {r['mmc_ratio']:9.3f} {r['ecommerce']['wall_s']:7.2f} "
            f"{r['ecommerce']['orders_simulated']:7.0f} {r['ecommerce']['per_order_us']:8.1f} "
            f"{r['plain_per_customer_us']:7.2f} {r['ecommerce_ratio']:10.2f} "
            f"{r['mmc_ratio_cpu']:7.3f} {r['ecommerce_ratio_cpu']:8.2f}")

    def rng(x: dict, fmt: str = ".3f") -> str:
        return f"{x['median']:{fmt}} (min {x['min']:{fmt}}, max {x['max']:{fmt}}, n={x['n']})"

    ok = {True: "PASS", False: "FAIL"}
    lines += [
        "",
        f"M/M/c orgsim / plain SimPy, median ({s['mmc_ratio_basis']}): {rng(s['mmc_ratio'])}"
        f"  limit {s['limits']['mmc']}: {ok[s['mmc_pass']]}",
        f"  orgsim customers simulated: {s['mmc_customers_simulated']:,.0f} "
        f"(target {s['customers']:,}); whole-run ratio {rng(s['mmc_ratio_whole_run'])}",
        f"  same from CPU time (user+sys, per customer): "
        f"{rng(s['mmc_ratio_cpu_per_customer'])}: {ok[s['mmc_pass_cpu']]}",
        f"ecommerce_week per order / plain SimPy per customer, median: "
        f"{rng(s['ecommerce_ratio'], '.2f')}  limit {s['limits']['ecommerce']}: "
        f"{ok[s['ecommerce_pass']]}",
        f"  {s['ecommerce_orders_simulated']:,.0f} orders, {s['ecommerce_per_order_us']:.1f} us "
        f"per order vs {s['plain_per_customer_us']:.2f} us per plain SimPy customer; "
        f"replication wall only (orgsim's own timer): "
        f"{rng(s['ecommerce_ratio_replication_only'], '.2f')}",
        f"  same from CPU time (user+sys) of the whole processes: "
        f"{rng(s['ecommerce_ratio_cpu'], '.2f')}: {ok[s['ecommerce_pass_cpu']]}",
        "",
        f"horizon doubling ({d['base']['horizon_days']:g}d/{d['base']['warmup_days']:g}d -> "
        f"{d['doubled']['horizon_days']:g}d/{d['doubled']['warmup_days']:g}d), "
        "time ratio doubled / default:",
        f"  whole process:                  {rng(d['ratio_whole_process'], '.2f')}",
        f"  minus start-up (validate, median {statistics.median(d['startup_validate_s']):.2f} s):"
        f" {rng(d['ratio_minus_startup'], '.2f')}",
        f"  in-process run_replication:     {rng(d['ratio_run_replication'], '.2f')}",
        f"  same, CPU time:                 {rng(d['ratio_run_replication_cpu'], '.2f')}",
        f"  orders {d['base']['orders_simulated']:,.0f} -> {d['doubled']['orders_simulated']:,.0f};"
        f" cyclic GC in run_replication: median "
        f"{statistics.median(d['base']['gc_s']):.2f} s of "
        f"{statistics.median(d['base']['replication_s']):.2f} s -> "
        f"{statistics.median(d['doubled']['gc_s']):.2f} s of "
        f"{statistics.median(d['doubled']['replication_s']):.2f} s "
        f"({d['base']['gc_collected_objects']:,} -> {d['doubled']['gc_collected_objects']:,} "
        "objects freed by the collector)",
        f"  diagnostic: run_replication {d['base']['horizon_days']:g}d with the cyclic GC off"
        f" / on: wall {rng(results['gc_diagnostic']['ratio_off_on'], '.2f')}, CPU "
        f"{rng(results['gc_diagnostic']['ratio_off_on_cpu'], '.2f')}",
        "",
        "peak memory (max RSS of the whole process, median):",
    ]
    names = {"plain_simpy_mmc": "plain SimPy M/M/c", "orgsim_mmc": "orgsim M/M/c",
             "orgsim_ecommerce": "orgsim ecommerce_week (pairs)",
             "orgsim_ecommerce_doubling_base":
                 f"orgsim ecommerce_week {d['base']['horizon_days']:g}d",
             "orgsim_ecommerce_doubled": f"orgsim ecommerce_week {d['doubled']['horizon_days']:g}d"}
    for key, value in s["peak_rss_mib"].items():
        lines.append(f"  {names[key]:<34} {value:7.1f} MiB")
    if "profile" in results:
        p = results["profile"]
        lines += ["", f"cProfile of one run_replication of ecommerce_week "
                      f"({p['profile_total_s']:.2f} s under the profiler), top 10 by tottime:"]
        for row in p["profile_top"]:
            lines.append(f"  {row['tottime_s']:6.3f} s {100 * row['tottime_share']:5.1f}%  "
                         f"{row['ncalls']:>8}  {row['function']}")
    src = results["sim_source"]
    lines += ["", f"benchmark took {results['benchmark_wall_s']:.0f} s; sim/ sources "
                  f"{src['start']['sha256']} (newest file {src['start']['newest_mtime']})"]
    if src["changed_during_run"]:
        lines.append(f"WARNING: sim/ changed during the run (now {src['end']['sha256']}): "
                     + ", ".join(src["changed_during_run"]))
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description="orgsim performance benchmarks")
    parser.add_argument("--pairs", type=int, default=None,
                        help="pairs of plain / orgsim runs (default 3; 1 with --quick)")
    parser.add_argument("--quick", action="store_true",
                        help="smoke version: 40,000 customers, ecommerce_week 4d vs 8d, "
                             "1 pair, 1 repeat")
    parser.add_argument("--repeats", type=int, default=3,
                        help="runs of each horizon for the doubling check (default 3)")
    parser.add_argument("--no-profile", action="store_true", help="skip the cProfile step")
    parser.add_argument("--output", type=Path, default=HERE / "results.json",
                        help="where to write the results (default benchmarks/results.json)")
    args = parser.parse_args()
    if args.pairs is not None and args.pairs < 1:
        parser.error("--pairs must be at least 1")
    results = benchmark(args)
    text = report(results)
    print()
    print(text)
    results["report"] = text.splitlines()
    if args.output.exists():  # keep what other scripts wrote into the file (soak.py: "soak")
        previous = json.loads(args.output.read_text())
        results.update({k: v for k, v in previous.items() if k in OTHER_SCRIPTS_KEYS})
    args.output.write_text(json.dumps(results, indent=2) + "\n")
    print(f"\nresults written to {args.output}")


if __name__ == "__main__":
    main()
