"""What a report is made from: the tables of a run folder or a sweep folder, read once.

A *run folder* (``orgsim``) holds every replication of its designs; a *sweep folder*
(``orgsim -m``) holds many settings. Time series, job paths and the one-job timeline of a sweep are
drawn for one *reference setting* (the first, or the one asked for); the comparison and the
sweep figures use every setting. Large tables are read from the Parquet store with DuckDB, filtered
to what is drawn.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from sim.configuration.scenarios import catalog
from sim.experiments.analysis import (
    OUTCOME_INFO,
    load_summaries,
    paired_comparison,
    read_run_config,
)
from sim.experiments.budget import describe_basis
from sim.experiments.sweep_business import with_business


@dataclass
class ReportData:
    kind: str  # "run" or "sweep"
    folder: Path
    scenario: str
    question: str
    source: str
    designs: list[str]  # baseline first
    baseline: str | None
    seeds: list[int]
    horizon: float
    settings: list[str]
    reference: str  # the setting drawn in the time-series figures
    summary: pd.DataFrame  # every run
    comparison: pd.DataFrame  # paired comparison, every setting
    series: pd.DataFrame  # reference setting, every design and seed
    jobs: pd.DataFrame  # reference setting
    history: dict[str, pd.DataFrame]  # design → history of the first seed (reference setting)
    key_settings: dict[str, str]
    scenario_settings: str  # what the scenario file changes
    params: pd.DataFrame = field(default_factory=pd.DataFrame)  # sweep: setting → values
    edge_cases: list[str] = field(default_factory=list)
    basis: str = ""  # how the designs were compared: equal budget, equal headcount, as configured
    cash_flow: pd.DataFrame | None = None  # run folders: the business case week by week
    business: pd.DataFrame | None = None  # run folders: the business case's comparison
    market: str = ""  # run folders: the market file and what was drawn, if one was used
    typical: dict | None = None  # run folders: is the result typical of a verdict (typical.json)

    def caption(self, setting: str | None = None) -> str:
        seeds = (f"seeds {self.seeds[0]}–{self.seeds[-1]}" if len(self.seeds) > 1
                 else f"seed {self.seeds[0]}")
        where = setting if setting is not None else self.reference
        return (f"Scenario {self.scenario} · {len(self.seeds)} paired replication"
                f"{'s' if len(self.seeds) != 1 else ''}, {seeds} · {self.horizon:g} weeks"
                + (f" · {where}" if where else ""))


def _order(designs, baseline: str | None) -> list[str]:
    designs = list(dict.fromkeys(designs))
    if baseline in designs:
        designs.remove(baseline)
        designs.insert(0, baseline)
    return designs


def _scenario_text(name: str) -> tuple[str, str, str]:
    entry = catalog().get(name)
    if entry is None:
        return "", "", ""
    body = [line for line in entry.path.read_text().splitlines()
            if line.strip() and not line.startswith("#")]
    return entry.question, entry.source, "\n".join(body)


def _key_settings(config: dict, replications: int) -> dict[str, str]:
    m, s, t, r = config["market"], config["staffing"], config["therapy"], config["run"]
    staff = s["reps"] + s["msls"] + s["access"] + s["operations_experts"] + \
        s["patient_services_experts"]
    return {
        "accounts": f"{m['accounts']} in {m['regions']} regions",
        "staff (frontline + experts)": f"{staff} ({s['reps']} reps, {s['msls']} MSLs, "
                                       f"{s['access']} access, "
                                       f"{s['operations_experts'] + s['patient_services_experts']}"
                                       " experts)",
        "therapy": f"{t['name']} ({'IV' if t['intravenous'] else 'not IV'}), "
                   f"p = {t['innovation']:g}/week, q = {t['imitation']:g}/week",
        "horizon": f"{r['horizon_weeks']:g} weeks in steps of {r['step_weeks']:g}",
        "replications": str(replications),
    }


def _edge_cases(data: ReportData) -> list[str]:
    notes = []
    if len(data.seeds) == 1:
        notes.append("Single replication: no intervals can be drawn; lines show one run.")
    if len(data.designs) == 1:
        notes.append(f"Only one design ({data.designs[0]}): there are no paired differences.")
    if (data.summary.accounts_adopted_share == 0).all():
        notes.append("No account adopted within the horizon under any design: adoption "
                     "figures are flat at zero and weeks to 50% adoption are undefined.")
    if data.jobs.empty:
        notes.append("No customer job arrived: job figures are empty.")
    return notes


REPORT_TABLES = ("series", "jobs", "history")  # what a run's report may take from memory


def load(folder: Path | str, setting: str | None = None,
         tables: dict[str, pd.DataFrame] | None = None) -> ReportData:
    """Read a run or sweep folder for reporting. ``tables``: a run folder's ``series``,
    ``jobs`` and ``history`` tables as ``orgsim`` has them in memory, having just written them
    (sim/cli/main.py), so that they are not read back from disk: the same report
    (tests/test_report.py checks it against the one made from the folder alone)."""
    folder = Path(folder)
    summary = load_summaries([folder])
    if (folder / "store").is_dir():
        return _load_sweep(folder, summary, setting)
    return _load_run(folder, summary, dict(tables or {}))


def _load_run(folder: Path, summary: pd.DataFrame, tables: dict[str, pd.DataFrame]) -> ReportData:
    provenance = json.loads((folder / "provenance.json").read_text())
    config = read_run_config(folder)
    designs = provenance["designs"]
    baseline = designs[0] if len(designs) > 1 else None
    for t in ("series", "jobs"):
        if t not in tables:
            tables[t] = pd.read_parquet(folder / "tables" / f"{t}.parquet")
    first = min(provenance["seeds"])
    if "history" in tables:  # the first seed's rows, as the query below gives them
        history = tables["history"][tables["history"].seed == first].reset_index(drop=True)
    else:  # only the first seed's rows are read
        stored = folder / "tables" / "history.parquet"
        history = duckdb.sql(f"select * from read_parquet('{stored}') where seed = {first}").df()
    question, source, text = _scenario_text(provenance["scenario"])
    data = ReportData(
        kind="run", folder=folder, scenario=provenance["scenario"], question=question,
        source=source, designs=_order(designs, baseline), baseline=baseline,
        seeds=sorted(provenance["seeds"]), horizon=float(config["run"]["horizon_weeks"]),
        settings=[""], reference="", summary=summary,
        comparison=paired_comparison(summary, baseline, _outcomes(summary)),
        series=tables["series"].assign(setting=""), jobs=tables["jobs"].assign(setting=""),
        history={d: h.drop(columns=["design", "seed"]) for d, h in history.groupby("design")},
        key_settings=_key_settings(config, len(provenance["seeds"])),
        scenario_settings=text)
    data.edge_cases = _edge_cases(data)
    data.basis = describe_basis(provenance.get("comparison_basis"))
    if (folder / "tables" / "cash_flow.parquet").exists():  # folders before the business case
        data.cash_flow = pd.read_parquet(folder / "tables" / "cash_flow.parquet")
    if (folder / "business_case.csv").exists():
        data.business = pd.read_csv(folder / "business_case.csv")
    data.market = (provenance.get("market_file") or {}).get("described", "")
    data.typical = _typical(folder)
    return data


def _typical(folder: Path) -> dict | None:
    """typical.json as written by ``orgsim`` (sim/experiments/typical.py), or None (a folder
    from before it, or one whose file is not that shape: the report then says nothing)."""
    path = folder / "typical.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None
    except (OSError, ValueError, RecursionError):
        return None
    ok = isinstance(data, dict) and isinstance(data.get("line"), str) and all(
        isinstance(data.get(k), str | None) for k in ("verdict", "report")) and isinstance(
        data.get("rows", []), list) and all(isinstance(r, dict) for r in data.get("rows", []))
    return data if ok else None


def _outcomes(summary: pd.DataFrame) -> list[str]:
    return [o for o in OUTCOME_INFO if o in summary.columns]


def _load_sweep(folder: Path, summary: pd.DataFrame, setting: str | None) -> ReportData:
    store = folder / "store"
    settings = sorted(summary.setting.unique())
    reference = setting if setting is not None else settings[0]
    if reference not in settings:
        raise ValueError(f"--setting: {reference!r} is not a setting of {folder}; allowed: "
                         + "; ".join(repr(s) for s in settings))
    scenario = sorted(summary.scenario.unique())[0]
    runs = summary[(summary.setting == reference) & (summary.scenario == scenario)]
    ids = runs.run_id.tolist()

    def read(table: str, run_ids: list[str]) -> pd.DataFrame:
        files = [str(store / table / f"{rid}.parquet") for rid in run_ids]
        return duckdb.sql(f"select * from read_parquet({files!r}, union_by_name=true)").df()

    designs = list(dict.fromkeys(summary.design))
    baseline = "traditional" if "traditional" in designs and len(designs) > 1 else (
        designs[0] if len(designs) > 1 else None)
    summary = with_business(summary, [folder], baseline)  # the business case of every run
    first = runs.seed.min()
    history_ids = runs[runs.seed == first].set_index("design").run_id
    path = store / "runs" / f"{ids[0]}.json"
    try:
        manifest = json.loads(path.read_text())
        manifest["config"]["run"]["horizon_weeks"]
    except (ValueError, KeyError, TypeError) as error:
        raise ValueError(f"{path}: not a readable run manifest ({error})") from None
    params = summary.filter(like="param:").assign(setting=summary.setting).drop_duplicates(
        "setting").set_index("setting")
    params.columns = [c.split(":", 1)[1] for c in params.columns]
    question, source, text = _scenario_text(scenario)
    data = ReportData(
        kind="sweep", folder=folder, scenario=scenario, question=question, source=source,
        designs=_order(designs, baseline), baseline=baseline,
        seeds=sorted(summary.seed.unique().tolist()),
        horizon=float(manifest["config"]["run"]["horizon_weeks"]), settings=settings,
        reference=reference, summary=summary,
        comparison=paired_comparison(summary, baseline, _outcomes(summary)),
        series=read("series", ids), jobs=read("jobs", ids),
        history={d: read("history", [rid]) for d, rid in history_ids.items()},
        key_settings=_key_settings(manifest["config"], summary.groupby(
            ["setting", "design"]).seed.nunique().max()),
        scenario_settings=text, params=params)
    data.edge_cases = _edge_cases(data)
    return data


def numeric_params(params: pd.DataFrame) -> list[str]:
    """Swept settings with more than one value, all numbers."""
    out = []
    for col in params.columns:
        values = pd.to_numeric(params[col], errors="coerce")
        if values.notna().all() and values.nunique() > 1:
            out.append(col)
    return out


def finite(values) -> np.ndarray:
    values = np.asarray(values, float)
    return values[np.isfinite(values)]


def check_job(data: ReportData, job_id: int | None) -> None:
    """``--job``: the job must exist in the timeline's run (first seed, reference setting);
    raises ValueError with one line naming what is allowed."""
    if job_id is None:
        return
    first = data.seeds[0] if data.seeds else None
    ids = data.jobs[data.jobs.seed == first].job_id if len(data.jobs) else pd.Series([], int)
    if job_id not in set(ids):
        allowed = (f"a job id from {int(ids.min())} to {int(ids.max())}" if len(ids)
                   else "none: no job arrived")
        raise ValueError(f"--job: no job {job_id} in seed {first} of {data.folder}"
                         f"{' (' + data.reference + ')' if data.reference else ''}; allowed: "
                         f"{allowed}")
