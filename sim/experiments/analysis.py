"""Paired comparison of designs, computed with DuckDB over run summaries.

One implementation serves both the single ``orgsim`` run (an in-memory summary table) and
``orgsim-analyze`` (the Parquet store of one or more sweep folders). For each scenario and setting:

* per design and outcome: mean, 95% t interval (clipped to the outcome's range; none with fewer
  than MIN_N runs), n;
* per design other than the baseline: the paired difference (design − baseline) over the seeds
  both have, with its 95% t interval, the effect size dz = mean difference / sd of differences,
  and the two-sided paired t-test p-value.

Outcomes that are undefined in a run (NaN, e.g. the week of 50% adoption when it never came) are
left out of that outcome's n.
"""

from __future__ import annotations

import functools
import json
import os
from collections.abc import Iterable
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

# Student's t quantile and tail from scipy.special (what scipy.stats.t computes them with, to the
# last bit): scipy.stats costs a run a few hundred ms of imports before anything is written.
from scipy.special import stdtr, stdtrit

# Headline outcomes: (summary column, label, unit, decimals, better when)
HEADLINE = (
    ("resolved_share", "jobs resolved", "share", 3, "higher"),
    ("cross_functional_resolved_share", "cross-functional jobs resolved", "share", 3, "higher"),
    ("time_to_resolution_median", "time to resolve a job (median)", "weeks", 2, "lower"),
    ("cross_functional_time_to_resolution_median", "time to resolve a cross-functional job",
     "weeks", 2, "lower"),
    ("week_50pct_adoption", "week half the accounts adopted", "week", 1, "lower"),
    ("accounts_adopted_share", "accounts adopted at horizon", "share", 3, "higher"),
    ("patients_treated", "patients on therapy at horizon", "patients", 0, "higher"),
    ("contacts_per_account", "company contacts per account", "people", 2, "lower"),
    ("trust_final", "customer trust at horizon", "0-1", 3, "higher"),
    ("decision_wait_mean", "wait for an escalated decision", "weeks", 2, "lower"),
    ("engagement_final", "staff engagement at horizon", "0-1", 3, "higher"),
    ("staff_turnover", "staff turnover", "per year", 3, "lower"),
    ("compliance_incidents", "compliance incidents", "count", 1, "lower"),
    ("compliance_cost_expected", "compliance cost, expected", "k€", 0, "lower"),
    ("compliance_cost_p95", "compliance cost, 95th percentile", "k€", 0, "lower"),
    ("headcount_start", "positions at launch", "people", 0, "lower"),
    ("cost_total", "total cost over the horizon", "k€", 0, "lower"),
    ("cost_per_resolved_job", "cost per resolved job", "k€", 1, "lower"),
    ("cost_per_adopted_account", "cost per adopted account", "k€", 0, "lower"),
    ("cost_per_patient_year", "cost per patient-year on therapy", "k€", 1, "lower"),
)
# The headline outcomes the verdict (orgsim-verdict, sim/experiments/verdict.py) answers on.
VERDICT_OUTCOMES = ("resolved_share", "cross_functional_resolved_share", "week_50pct_adoption",
                    "patients_treated", "cost_per_resolved_job", "trust_final")
# Further outcomes the report shows (not in the printed table).
EXTRA = (
    ("escalations", "escalations per run", "count", 0, "lower"),
    ("leavers", "staff who left", "people", 1, "lower"),
    ("variable_pay", "variable pay paid (value-sharing)", "k€", 0, "lower"),
    ("moves_to_desk_per_year", "moves from the field to desk jobs", "per year", 2, "lower"),
    ("returns_to_field_per_year", "returns from desk jobs to the field", "per year", 2, "higher"),
    ("field_headcount_mean", "people in field positions (mean)", "people", 1, "higher"),
    # the two platform layers (docs/ODD.md 7.4a): in a run's summary only when the enabling
    # platform is staffed
    ("service_platform_utilisation", "service platform: experts' hours used", "share", 3,
     "lower"),
    ("service_platform_wait_mean", "service platform: queue wait (mean)", "weeks", 2, "lower"),
    ("service_platform_within_target", "service platform: requests started within target",
     "share", 3, "higher"),
    ("enabling_platform_utilisation", "enabling platform: hours used", "share", 3, "lower"),
    ("enabling_platform_wait_mean", "enabling platform: queue wait (mean)", "weeks", 2, "lower"),
    ("enabling_platform_within_target", "enabling platform: requests started within target",
     "share", 3, "higher"),
    ("signoff_wait_mean", "wait for the enabling platform's sign-offs (mean)", "weeks", 2,
     "lower"),
    ("time_to_fill_mean", "time to fill a vacancy (mean)", "weeks", 1, "lower"),
    # with the channel rule on (docs/ODD.md 7.1a; absent from other runs' summaries)
    ("voices_per_account", "uncoordinated company voices per account", "voices", 2, "lower"),
    ("channel_cost", "channel cost beyond face-to-face hours", "k€", 0, "lower"),
    # with a portfolio (docs/ODD.md 7.6a): the second product, from its launch
    ("product2_weeks_to_adoption", "second product: weeks from its launch to adoption "
     "(restricted mean)", "weeks", 1, "lower"),
    ("product2_accounts_adopted_share", "second product: accounts adopted at horizon", "share", 3,
     "higher"),
    ("product2_contacts_per_account", "company contacts per account after the second launch",
     "people", 2, "lower"),
    ("product2_jobs_resolved", "second product's own jobs resolved", "count", 0, "higher"),
    ("ecosystem_iq_final", "ecosystem IQ: links of the network known", "0-1", 3, "higher"),
    ("lead_discoveries", "jobs found through a known link", "count", 1, "higher"),
    ("hybrid_tasks", "tasks a converged role did outside its home", "tasks", 0, "higher"),
    ("crossing_incidents", "incidents from medical work outside medical staff", "count", 1,
     "lower"),
)
# The business case (sim/experiments/business_case.py), one value per run; money can be < 0.
BUSINESS = (
    ("net_revenue", "net revenue", "k€", 0, "higher"),
    ("commercial_cost", "commercial cost", "k€", 0, "lower"),
    ("transformation_cost", "transformation cost", "k€", 0, "lower"),
    ("net_cash_flow", "net cash flow", "k€", 0, "higher"),
    ("npv", "net present value", "k€", 0, "higher"),
    ("payback_week", "payback of the move", "week", 1, "lower"),
    ("npv_move", "net present value of the move", "k€", 0, "higher"),
    ("pays_back", "move pays back within the horizon", "share", 3, "higher"),
)
SIGNED = ("net_cash_flow", "npv", "npv_move")
OUTCOME_INFO = {o[0]: o for o in (*HEADLINE, *EXTRA, *BUSINESS)}


# Fewer runs than this give no interval: with two, a t interval is ±12.7 sd/√2 wide and says
# nothing (the table prints "no interval" instead).
MIN_N = 3
INTERVAL_METHOD = (f"95% t interval, clipped to the outcome's possible range (shares 0–1, counts "
                   f"and times ≥ 0); none with fewer than {MIN_N} runs")


def outcome_range(outcome: str | None, difference: bool = False) -> tuple[float, float]:
    """The values an outcome (or a paired difference of it) can take: shares and 0–1 scores
    lie in [0, 1] (a difference in [−1, 1]); a cash flow or NPV is unbounded; every other
    outcome is a count, time, rate or cost, ≥ 0 (a difference unbounded)."""
    info = OUTCOME_INFO.get(outcome or "")
    if outcome in SIGNED:
        return (-np.inf, np.inf)
    unit_01 = info is not None and info[2] in ("share", "0-1")
    if difference:
        return (-1.0, 1.0) if unit_01 else (-np.inf, np.inf)
    return (0.0, 1.0) if unit_01 else (0.0, np.inf)


def interval(mean, sd, n, low_bound=-np.inf, high_bound=np.inf):
    """95% t interval of a mean of ``n`` runs, clipped to [low_bound, high_bound]; NaN when
    n < MIN_N (see INTERVAL_METHOD). Works elementwise on arrays."""
    mean, sd, n = np.asarray(mean, float), np.asarray(sd, float), np.asarray(n)
    with np.errstate(invalid="ignore", divide="ignore"):
        half = np.where(n >= MIN_N, stdtrit(np.maximum(n - 1, 1), 0.975) * sd / np.sqrt(n),
                        np.nan)
    low, high = mean - half, mean + half
    return np.clip(low, low_bound, high_bound), np.clip(high, low_bound, high_bound)


def _t_interval(mean, sd, n, outcomes, kinds):
    bounds = np.array([outcome_range(o, k == "difference") for o, k in zip(outcomes, kinds,
                                                                           strict=True)],
                      float).reshape(-1, 2)
    return interval(mean, sd, n, bounds[:, 0], bounds[:, 1])


@functools.cache
def _database(pid: int) -> duckdb.DuckDBPyConnection:
    """This process's in-memory DuckDB (per process id: never one inherited across a fork)."""
    return duckdb.connect()


def paired_comparison(summary: pd.DataFrame, baseline: str | None,
                      outcomes: Iterable[str] | None = None) -> pd.DataFrame:
    """Tidy comparison of the designs in ``summary`` (columns: scenario, setting, design, seed and
    the outcomes). ``baseline`` is the design the others are compared with (None: no pairs)."""
    # a connection of its own (its own registered table and temporary view, as a new database
    # had) to the process's one database: creating a database costs 20–30 ms, and a run
    # compares three times (comparison, business case, report)
    with _database(os.getpid()).cursor() as con:
        return _paired_comparison(con, summary, baseline, outcomes)


def _paired_comparison(con: duckdb.DuckDBPyConnection, summary: pd.DataFrame,
                       baseline: str | None, outcomes: Iterable[str] | None) -> pd.DataFrame:
    summary = summary.copy()
    for col in ("scenario", "setting", "configuration"):
        if col not in summary:
            summary[col] = ""
    outcomes = [o for o in (outcomes or [h[0] for h in HEADLINE]) if o in summary.columns]
    con.register("summary", summary[["scenario", "setting", "configuration", "design", "seed",
                                     *outcomes]])
    unpivot = ", ".join(f'"{o}"' for o in outcomes)
    con.execute(f"""
        create temp view long as
        select scenario, setting, configuration, design, seed, outcome, value
        from (unpivot summary on {unpivot} into name outcome value value)
        where value is not null and not isnan(value)
    """)
    means = con.execute("""
        select scenario, setting, configuration, outcome, design, 'mean' as kind,
               avg(value) as mean, stddev_samp(value) as sd, count(*) as n
        from long group by all
    """).df()
    parts = [means]
    if baseline is not None:
        diffs = con.execute("""
            select b.scenario, b.setting, b.configuration, b.outcome,
                   b.design || ' − ' || a.design as design,
                   'difference' as kind, avg(b.value - a.value) as mean,
                   stddev_samp(b.value - a.value) as sd, count(*) as n
            from long a join long b using (scenario, setting, configuration, outcome, seed)
            where a.design = ? and b.design <> ?
            group by all
        """, [baseline, baseline]).df()
        parts.append(diffs)
    out = pd.concat(parts, ignore_index=True)
    # an outcome undefined in every run of a design still gets its row (n = 0)
    every = summary[["scenario", "setting", "configuration", "design"]].drop_duplicates().merge(
        pd.DataFrame({"outcome": outcomes}), how="cross")
    every["kind"] = "mean"
    out = every.merge(out, how="outer", on=["scenario", "setting", "configuration", "design",
                                            "outcome", "kind"])
    out["n"] = out["n"].fillna(0).astype(int)
    out["low"], out["high"] = _t_interval(out["mean"].to_numpy(float),
                                          out["sd"].to_numpy(float), out["n"].to_numpy(),
                                          out["outcome"], out["kind"])
    diff = out.kind == "difference"
    with np.errstate(invalid="ignore", divide="ignore"):
        out["effect_size"] = np.where(diff, out["mean"] / out["sd"], np.nan)
        t = out["mean"] / (out["sd"] / np.sqrt(out["n"]))
        out["p_value"] = np.where(diff & (out["n"] > 1),
                                  2 * stdtr(np.maximum(out["n"] - 1, 1), -np.abs(t)),
                                  np.nan)
    info = pd.DataFrame(OUTCOME_INFO.values(),
                        columns=["outcome", "label", "unit", "decimals", "better"])
    out = out.merge(info, on="outcome", how="left")
    order = {o: i for i, o in enumerate(outcomes)}
    designs = ([baseline] if baseline else []) + [
        d for d in summary.design.unique() if d != baseline]
    rank = {d: i for i, d in enumerate(designs)}
    out["_o"] = out.outcome.map(order)
    out["_d"] = out.apply(lambda r: rank.get(r.design, len(rank)) + (100 if r.kind ==
                                                                      "difference" else 0),
                          axis=1)
    out = out.sort_values(["scenario", "setting", "configuration", "_o", "_d"]).drop(
        columns=["_o", "_d"])
    return out[["scenario", "setting", "configuration", "outcome", "label", "unit", "decimals",
                "better",
                "design", "kind", "mean", "low", "high", "n", "sd", "effect_size",
                "p_value"]].reset_index(drop=True)


def _cell(mean, low, high, decimals, n, total) -> str:
    if pd.isna(mean):
        return "–"
    text = f"{mean:.{decimals}f}"
    if not pd.isna(low):
        text += f" [{low:.{decimals}f}, {high:.{decimals}f}]"
    if 0 < n < MIN_N:
        text += f" (n={n}: no interval)"
    elif n < total:
        text += f" (n={n})"
    return text


def table(comparison: pd.DataFrame, replications: int) -> pd.DataFrame:
    """One block of the comparison as the printed table: outcomes × (designs, differences)."""
    rows = {}
    for _, group in comparison.groupby("outcome", sort=False):
        first = group.iloc[0]
        rows[f"{first.label} ({first.unit})"] = {
            r.design: _cell(r["mean"], r.low, r.high, int(r.decimals), int(r.n), replications)
            for _, r in group.iterrows()}
    return pd.DataFrame.from_dict(rows, orient="index").fillna("–")


# ------------------------------------------------------------------------------ folders
def summary_files(folder: Path) -> list[str]:
    """The summary Parquet files of a sweep folder (store/) or a single-run folder (tables/)."""
    folder = Path(folder)
    if (folder / "store" / "summary").is_dir():
        return [str(folder / "store" / "summary" / "*.parquet")]
    if (folder / "tables" / "summary.parquet").exists():
        return [str(folder / "tables" / "summary.parquet")]
    raise FileNotFoundError(f"{folder}: no results store (store/) or run tables (tables/)")


# What a run's configuration key leaves out: how it was run (seeds, replications, workers) and
# the design (``org``), which a comparison varies on purpose.
_NOT_CONFIGURATION = {"run": ("seed", "replications", "workers")}


def _number(value):
    if isinstance(value, dict):
        return {str(k): _number(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_number(v) for v in value]
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return value
    return float(value)


def configuration_key(config: dict) -> tuple[str, str]:
    """(market key, design key) of a run's configuration: short hashes of everything that
    decides its result except the seed — the market, therapy, staffing and run length, and
    separately the design's settings. Runs compare only when their market keys agree."""
    import hashlib

    config = {k: v for k, v in (config or {}).items() if k not in ("baseline", "hydra")}
    market = {k: v for k, v in config.items() if k != "org"}
    if isinstance(market.get("run"), dict):
        market["run"] = {k: v for k, v in market["run"].items()
                         if k not in _NOT_CONFIGURATION["run"]}

    def digest(value) -> str:
        text = json.dumps(_number(value), sort_keys=True, default=str)
        return hashlib.sha256(text.encode()).hexdigest()[:8]

    return digest(market), digest(config.get("org"))


def _keys_of_sweep(folder: Path, run_ids: Iterable[str]) -> dict[str, tuple[str, str]]:
    keys = {}
    for rid in run_ids:
        manifest = folder / "store" / "runs" / f"{rid}.json"
        try:
            config = json.loads(manifest.read_text()).get("config")
        except (OSError, ValueError):
            config = None
        keys[rid] = configuration_key(config) if config else ("unknown", "unknown")
    return keys


def read_run_config(folder: Path):
    """A run folder's config.yaml as plain data, as ``yaml.safe_load`` gives it. Read with
    libyaml's ``CSafeLoader`` when PyYAML has it (the same safe constructor, the parsing in C):
    the file is about 1 300 lines and a report reads it twice, 25 ms each in Python, 6 in C."""
    import yaml

    safe = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # a safe loader: plain data only
    loader = safe((Path(folder) / "config.yaml").read_text())
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()


def _keys_of_run(folder: Path, designs: Iterable[str]) -> dict[str, tuple[str, str]]:
    """A run folder's config.yaml holds the design under study; the baseline design ran with
    the same market and its own default settings."""
    import yaml

    try:
        config = read_run_config(folder)
    except (OSError, yaml.YAMLError):
        return {d: ("unknown", "unknown") for d in designs}
    try:  # a market or organisation file is identified by its contents (recorded at the run)
        provenance = json.loads((folder / "provenance.json").read_text())
    except (OSError, ValueError):
        provenance = {}
    for key, group in (("market_file", "market"), ("organisation_file", "staffing")):
        facts = provenance.get(key) if isinstance(provenance, dict) else None
        if isinstance(facts, dict) and isinstance(config, dict) and isinstance(
                config.get(group), dict):
            config[group]["file_sha256"] = str(facts.get("sha256"))
    market, org = configuration_key(config)
    studied = (config.get("org") or {}).get("design")
    return {d: (market, org if d == studied else f"default:{d}") for d in designs}


def load_summaries(folders: Iterable[Path | str]) -> pd.DataFrame:
    """Every run summary of the folders, read with DuckDB (a single-run folder's rows get its
    scenario from provenance.json and an empty setting). Each run gets ``folder`` and
    ``configuration`` (its market key, see configuration_key); runs of the same configuration,
    design and seed seen in two folders are one run (a run is a pure function of them)."""
    frames = []
    for folder in folders:
        folder = Path(folder)
        files = summary_files(folder)
        try:
            frame = duckdb.sql(f"select * from read_parquet({files!r}, union_by_name=true)").df()
        except duckdb.Error as error:  # a truncated or damaged file: one line naming it
            raise ValueError(f"{folder}: cannot read its results "
                             f"({str(error).splitlines()[0]})") from None
        if "scenario" not in frame:
            provenance = folder / "provenance.json"
            scenario = json.loads(provenance.read_text()).get("scenario", "") \
                if provenance.exists() else ""
            frame.insert(0, "setting", "")
            frame.insert(0, "scenario", scenario)
            keys = _keys_of_run(folder, frame.design.unique())
            by = frame.design
        else:
            keys = _keys_of_sweep(folder, frame.run_id)
            by = frame.run_id
        frame["configuration"] = by.map({k: v[0] for k, v in keys.items()})
        frame["design_key"] = by.map({k: v[1] for k, v in keys.items()})
        frame["folder"] = str(folder)
        frames.append(frame)
    summary = pd.concat(frames, ignore_index=True)
    summary = summary.drop_duplicates(["configuration", "design_key", "design", "seed",
                                       "setting", "scenario"])
    # a design run with other settings in another folder is another experiment: keep apart
    mixed = summary.groupby(["scenario", "setting", "configuration", "design"]) \
        .design_key.transform("nunique") > 1
    summary.loc[mixed, "configuration"] += "@" + summary.loc[mixed, "folder"]
    return summary.reset_index(drop=True)
