"""Epoch AI Benchmarking Hub: the export of its runs and external leaderboards in the format of
the benchmark-stitching repository (``model_versions.csv``, ``benchmarks_runs.csv``,
``external_benchmark_*.csv``)."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

import pandas as pd

from ... import data as D
from ...errors import ForecastError
from .. import schema as S
from .common import BUDGET_SUFFIX, EPOCH_HUB_URL, _date_text, _pct, _rows, is_reasoning_id, split_version

#: Epoch-run tasks (benchmarks_runs.csv ``task``) -> benchmark id; None = skip with the reason.
HUB_TASKS: dict[str, str | None] = {
    "GPQA diamond": "gpqa_diamond",
    "MATH level 5": "math_level5",
    "OTIS Mock AIME 2024-2025": "otis_mock_aime",
    "FrontierMath-2025-02-28-Private": "frontiermath",
    "FrontierMath-Tier-4-2025-07-01-Private": "frontiermath_tier4",
    "SWE-Bench verified": "swe_bench_verified",
    "FrontierMath-2025-02-28-Public": None,
    "FrontierMath-Tier-4-2025-07-01-Public": None,
}


#: external_benchmark_<name>.csv -> (benchmark id, score column, unit of the column)
HUB_EXTERNAL: dict[str, tuple[str, str, str]] = {
    "aider_polyglot": ("aider_polyglot", "Percent correct", "percent"),
    "arc_agi": ("arc_agi_1", "Score", "percent"),
    "arc_ai2": ("arc_challenge", "Challenge score", "percent"),
    "bbh": ("bbh", "Average", "percent"),
    "cybench": ("cybench", "Unguided % Solved", "percent"),
    "gsm8k": ("gsm8k", "EM", "percent"),
    "hellaswag": ("hellaswag", "Overall accuracy", "percent"),
    "metr": ("metr_time_horizon", "Time horizon", "minutes"),
    "mmlu": ("mmlu", "EM", "percent"),
    "openbookqa": ("openbookqa", "Accuracy", "percent"),
    "os_world": ("os_world", "Score", "percent"),
    "piqa": ("piqa", "Score", "percent"),
    "simple_bench": ("simplebench", "Score (AVG@5)", "percent"),
    "terminal_bench": ("terminal_bench", "Accuracy mean", "percent"),
    "triviaqa": ("triviaqa", "EM", "percent"),
    "weirdml": ("weirdml", "Accuracy", "percent"),
    "winogrande": ("winogrande", "Accuracy", "percent"),
}


#: Release dates in Epoch's model_versions.csv that are wrong, with the evidence. Applied by the
#: epoch-hub importer and reported in its notes; see docs/data.md "Known disputes".
DATE_CORRECTIONS = {
    "Kimi-K2-Instruct-0905": (
        "2025-09-05",
        "model_versions.csv gives 2024-09-05, before Kimi K2 existed "
        "(2025-07); its own fireworks/ row and the model card give 2025-09-05",
    ),
}


def import_epoch_hub(path: Path, existing: D.RawDataset) -> tuple[D.RawDataset, D.MergeReport]:
    """Epoch Benchmarking Hub export: a directory with benchmarks_runs.csv, model_versions.csv and
    external_benchmark_*.csv files."""
    path = Path(path)
    versions_path = path / "model_versions.csv"
    if not versions_path.exists():
        raise ForecastError(f"{path}: not an Epoch hub export (model_versions.csv missing)")
    report = D.MergeReport()
    versions = pd.read_csv(versions_path, dtype=str, encoding="utf-8-sig")
    registry = D.bundled_benchmarks()
    known_models = set(existing.models["model"])
    existing_dates = dict(zip(existing.models["model"], existing.models["release_date"]))

    # Which model ids appear without any suffix: those default to no reasoning (hybrids).
    plain_ids = set()
    suffixed_ids = set()
    info: dict[str, dict] = {}
    for _, v in versions.iterrows():
        mid, effort, _ = split_version(v["id"])
        (suffixed_ids if effort else plain_ids).add(mid)
        entry = info.setdefault(mid, {"dates": [], "name": v.get("Model"), "link": v.get("Link")})
        d = _date_text(v.get("Version release date"))
        if d:
            entry["dates"].append(d)

    models_out: dict[str, dict] = {}
    results_out: list[dict] = []
    bench_used: set[str] = set()

    def ensure_model(version_id: str, line: int, origin: str) -> tuple[str | None, str, str]:
        mid, effort, setting = split_version(version_id)
        if mid in known_models or mid in models_out:
            return mid, effort, setting
        entry = info.get(mid)
        if entry is None:
            report.skip(f"{origin}:{line} {version_id}", "model version not in model_versions.csv")
            return None, effort, setting
        if not entry["dates"]:
            report.skip(f"{origin}:{line} {version_id}", "no release date in model_versions.csv")
            return None, effort, setting
        reasoning = is_reasoning_id(mid) or (
            mid in suffixed_ids and mid not in plain_ids and not BUDGET_SUFFIX.search(version_id)
        )
        link = (
            entry["link"]
            if isinstance(entry["link"], str) and entry["link"].startswith("http")
            else f"{EPOCH_HUB_URL}#{quote(mid)}"
        )
        release = min(entry["dates"])
        note = "imported from Epoch AI Benchmarking Hub (model_versions.csv)"
        if mid in DATE_CORRECTIONS:
            release, why = DATE_CORRECTIONS[mid]
            note += f"; release date corrected: {why}"
        models_out[mid] = {
            "model": mid,
            "organization": "",
            "release_date": release,
            "train_flop": "",
            "reasoning": "true" if reasoning else "false",
            "source_url": link,
            "family": entry["name"] if isinstance(entry["name"], str) else "",
            "_line": line,
            "notes": note,
            "_file": origin,
        }
        return mid, effort, setting

    # Epoch's own runs
    runs_path = path / "benchmarks_runs.csv"
    if runs_path.exists():
        runs = pd.read_csv(runs_path, dtype=str, encoding="utf-8-sig")
        runs["_line"] = range(2, len(runs) + 2)
        runs["_date"] = runs["started_at"].map(_date_text)
        runs = runs.sort_values("_date", ascending=False)  # newest run first wins
        seen_keys = set()
        origin = str(runs_path)
        for _, r in runs.iterrows():
            line = int(r["_line"])
            bench = HUB_TASKS.get(r["task"], "unmapped")
            if bench is None:
                report.skip(f"{origin}:{line}", f"public subset '{r['task']}' (the private set is used)")
                continue
            if bench == "unmapped":
                report.skip(f"{origin}:{line}", f"no benchmark mapping for task '{r['task']}'")
                continue
            if str(r.get("Status", "Success")) != "Success":
                report.skip(f"{origin}:{line}", "run did not succeed")
                continue
            score = _pct(r["Best score (across scorers)"])
            if score is None:
                report.skip(f"{origin}:{line}", "no score")
                continue
            mid, effort, setting = ensure_model(r["model"], line, origin)
            if mid is None:
                continue
            key = (mid, bench, effort, setting)
            if key in seen_keys:
                report.skip(f"{origin}:{line}", "superseded by a newer Epoch run of the same model and setting")
                continue
            seen_keys.add(key)
            viewer = r.get("log viewer")
            url = (
                viewer
                if isinstance(viewer, str) and viewer.startswith("http")
                else f"{EPOCH_HUB_URL}#{quote(r['task'].lower().replace(' ', '-'))}"
            )
            results_out.append(
                {
                    "model": mid,
                    "benchmark": bench,
                    "score": f"{score:.6g}",
                    "inference_multiplier": "",
                    "setting": ("Epoch AI run; " + setting).strip("; "),
                    "reported_date": r["_date"],
                    "source_url": url,
                    "effort": effort,
                    "evaluator": "independent",
                    "_line": line,
                    "_file": origin,
                    "notes": "",
                }
            )
            bench_used.add(bench)

    # External leaderboards collected by Epoch
    bench_dates = dict(zip(registry["benchmark"], registry["release_date"]))
    for f in sorted(path.glob("external_benchmark_*.csv")):
        name = f.stem[len("external_benchmark_") :]
        origin = str(f)
        if name not in HUB_EXTERNAL:
            report.skip(origin, "benchmark not in the registry (no mapping)")
            continue
        bench, col, unit = HUB_EXTERNAL[name]
        ext = pd.read_csv(f, dtype=str, encoding="utf-8-sig")
        if col not in ext.columns or "Model version" not in ext.columns:
            report.skip(origin, f"expected columns 'Model version' and '{col}'")
            continue
        date_col = next((c for c in ("Date added", "Date") if c in ext.columns), None)
        link_col = next((c for c in ext.columns if c.startswith("Source link")), None)
        for i, r in ext.iterrows():
            line = i + 2
            if pd.isna(r["Model version"]) or not str(r["Model version"]).strip():
                report.skip(f"{origin}:{line}", "no Epoch model version id")
                continue
            value = _pct(r[col])
            if value is None:
                report.skip(f"{origin}:{line}", "no score")
                continue
            score = value / 100 if unit == "percent" else value
            if unit == "percent" and not (0 <= score <= 1):
                report.skip(f"{origin}:{line}", f"score {r[col]} is not a percentage")
                continue
            mid, effort, setting = ensure_model(str(r["Model version"]), line, origin)
            if mid is None:
                continue
            url = r.get(link_col) if link_col else None
            url = str(url).strip() if isinstance(url, str) and url.strip().startswith("http") else ""
            if not url:
                report.skip(f"{origin}:{line}", "no source link")
                continue
            parts = [setting]
            if "Shots" in ext.columns and isinstance(r.get("Shots"), str) and r["Shots"].strip():
                parts.append(f"{_pct(r['Shots']):g}-shot" if _pct(r["Shots"]) is not None else r["Shots"])
            for agent_col in ("Agent", "Scaffold", "Edit format"):
                if agent_col in ext.columns and isinstance(r.get(agent_col), str) and r[agent_col].strip():
                    parts.append(f"{agent_col.lower()} {r[agent_col].strip()}")
            note = ""
            reported = _date_text(r.get(date_col)) if date_col else ""
            if not reported:
                release = models_out.get(mid, {}).get("release_date") or existing_dates.get(mid, "")
                reported = max(release, bench_dates.get(bench, "") or "")
                note = "reported_date is a lower bound (later of model and benchmark release); source has no date"
            results_out.append(
                {
                    "model": mid,
                    "benchmark": bench,
                    "score": f"{score:.6g}",
                    "inference_multiplier": "",
                    "setting": "; ".join(p for p in parts if p),
                    "reported_date": reported,
                    "source_url": url,
                    "effort": effort,
                    "evaluator": "independent",
                    "_line": line,
                    "_file": origin,
                    "notes": note,
                }
            )
            bench_used.add(bench)

    new = D.empty_raw()
    new.models = _rows(list(models_out.values()), S.MODEL_COLUMNS + S.MODEL_OPTIONAL, str(versions_path))
    new.results = _rows(results_out, S.RESULT_COLUMNS + S.RESULT_OPTIONAL, str(path))
    # results carry their own origin file in the key used for messages
    new.benchmarks = registry[registry["benchmark"].isin(bench_used)].copy()
    return new, report
