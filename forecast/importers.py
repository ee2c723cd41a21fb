"""Importers from the public datasets analysts already use, into the native schema.

Each importer returns a ``RawDataset`` of candidate rows plus a ``MergeReport`` holding the rows
it skipped and why; ``import_source`` merges the candidates into a data directory (policy
``import``: existing rows win, blanks are filled, rows from the same source are updated).

Mapping decisions (all tested in tests/test_importers.py):

* Epoch model-version ids become model ids with the effort or thinking-budget suffix removed and
  hosting prefixes (``chutes/``, ``deepinfra/``) dropped: ``o3-2025-04-16_high`` is model
  ``o3-2025-04-16`` with effort ``high``; ``claude-opus-4-20250514_32K`` is model
  ``claude-opus-4-20250514`` with a 32K thinking budget, effort ``high``.
* Thinking budgets map to effort levels: up to 4K tokens ``low``, up to 16K ``medium``, more
  ``high``. The multiplier stays blank: the size of an effort step is estimated by the model.
* A model reasons by default when its id matches a known reasoning family (o-series, R1, GPT-5,
  Gemini 2.5+, Grok 3 Mini / Grok 4, gpt-oss, QwQ, ``-thinking``) or when Epoch lists it only
  with effort suffixes. Hybrids listed with and without a budget (Claude 3.7+) do not.
* Epoch's public FrontierMath subsets are skipped (the private set is the benchmark).
* Leaderboards without dates get ``reported_date`` = the later of the model's release date and
  the benchmark's release date (a lower bound on when the number could have been known), with a
  note saying so.
"""

from __future__ import annotations

import re
from urllib.parse import quote
from datetime import datetime
from pathlib import Path

import pandas as pd

from . import data as D
from . import schema as S
from .errors import DataValidationError, ForecastError, Problem

SOURCES = ("epoch-hub", "epoch-models", "metr")

EPOCH_HUB_URL = "https://epoch.ai/benchmarks"
EPOCH_MODELS_URL = "https://epoch.ai/data/ai-models"
EPOCH_ECI_URL = "https://epoch.ai/benchmarks/eci"

# ----------------------------------------------------------------------------------------------
# Epoch Benchmarking Hub
# ----------------------------------------------------------------------------------------------

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

HOST_PREFIXES = ("chutes/", "deepinfra/", "parasail-", "fireworks/")

#: Release dates in Epoch's model_versions.csv that are wrong, with the evidence. Applied by the
#: epoch-hub importer and reported in its notes; see docs/data.md "Known disputes".
DATE_CORRECTIONS = {
    "Kimi-K2-Instruct-0905": ("2025-09-05", "model_versions.csv gives 2024-09-05, before Kimi K2 existed "
                              "(2025-07); its own fireworks/ row and the model card give 2025-09-05"),
}
EFFORT_SUFFIX = re.compile(r"_(minimal|low|medium|high|xhigh)$")
BUDGET_SUFFIX = re.compile(r"(?:_(\d+)[kK]| \((\d+)[kK] thinking\))$")
REASONING_PATTERNS = [
    r"^o\d(-|$)", r"(^|-)r1($|-)", r"deepseek-r1", r"^gpt-5(?!.*chat)", r"gemini-2\.5", r"gemini-3",
    r"grok-3-mini", r"grok-4", r"gpt-oss", r"qwq", r"thinking", r"magistral", r"kimi-k2-thinking",
]


def budget_effort(tokens_k: int) -> str:
    """Thinking budget (thousands of tokens) -> effort level."""
    if tokens_k <= 4:
        return "low"
    if tokens_k <= 16:
        return "medium"
    return "high"


def split_version(version_id: str) -> tuple[str, str, str]:
    """Epoch model-version id -> (model id, effort, setting text)."""
    vid = version_id.strip()
    host = ""
    for p in HOST_PREFIXES:
        if vid.startswith(p):
            host, vid = p.rstrip("/-"), vid[len(p):]
    effort, setting = "", ""
    m = EFFORT_SUFFIX.search(vid)
    if m:
        effort, vid = m.group(1), vid[: m.start()]
        setting = f"effort {effort}"
    else:
        m = BUDGET_SUFFIX.search(vid)
        if m:
            k = int(m.group(1) or m.group(2))
            effort, vid = budget_effort(k), vid[: m.start()]
            setting = f"thinking budget {k}K"
    if host:
        setting = (setting + f"; served by {host}").strip("; ")
    return vid, effort, setting


def is_reasoning_id(model_id: str) -> bool:
    mid = model_id.lower()
    return any(re.search(p, mid) for p in REASONING_PATTERNS)


def _pct(text) -> float | None:
    if pd.isna(text):
        return None
    t = str(text).strip().rstrip("%").replace(",", "")
    try:
        return float(t)
    except ValueError:
        return None


def _date_text(value) -> str:
    if pd.isna(value) or str(value).strip() == "":
        return ""
    for fmt in ("%Y-%m-%d", "%d %B %Y %I:%M%p", "%d/%m/%Y", "%Y/%m/%d"):
        try:
            return datetime.strptime(str(value).strip(), fmt).date().isoformat()
        except ValueError:
            continue
    return ""


def _rows(records: list[dict], columns: list[str], origin: str) -> pd.DataFrame:
    frame = pd.DataFrame(records, columns=columns, dtype=str).fillna("")
    frame[D.FILE_COL] = [r.get("_file", origin) for r in records] if records else []
    frame[D.LINE_COL] = [r.get("_line", 0) for r in records] if records else []
    return frame


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
        reasoning = is_reasoning_id(mid) or (mid in suffixed_ids and mid not in plain_ids
                                             and not BUDGET_SUFFIX.search(version_id))
        link = entry["link"] if isinstance(entry["link"], str) and entry["link"].startswith("http") else \
            f"{EPOCH_HUB_URL}#{quote(mid)}"
        release = min(entry["dates"])
        note = "imported from Epoch AI Benchmarking Hub (model_versions.csv)"
        if mid in DATE_CORRECTIONS:
            release, why = DATE_CORRECTIONS[mid]
            note += f"; release date corrected: {why}"
        models_out[mid] = {
            "model": mid, "organization": "", "release_date": release, "train_flop": "",
            "reasoning": "true" if reasoning else "false", "source_url": link,
            "family": entry["name"] if isinstance(entry["name"], str) else "", "_line": line,
            "notes": note, "_file": origin,
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
            url = viewer if isinstance(viewer, str) and viewer.startswith("http") else \
                f"{EPOCH_HUB_URL}#{quote(r['task'].lower().replace(' ', '-'))}"
            results_out.append({
                "model": mid, "benchmark": bench, "score": f"{score:.6g}", "inference_multiplier": "",
                "setting": ("Epoch AI run; " + setting).strip("; "), "reported_date": r["_date"],
                "source_url": url, "effort": effort, "evaluator": "independent", "_line": line, "_file": origin,
                "notes": "",
            })
            bench_used.add(bench)

    # External leaderboards collected by Epoch
    bench_dates = dict(zip(registry["benchmark"], registry["release_date"]))
    for f in sorted(path.glob("external_benchmark_*.csv")):
        name = f.stem[len("external_benchmark_"):]
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
            results_out.append({
                "model": mid, "benchmark": bench, "score": f"{score:.6g}", "inference_multiplier": "",
                "setting": "; ".join(p for p in parts if p), "reported_date": reported, "source_url": url,
                "effort": effort, "evaluator": "independent", "_line": line, "_file": origin, "notes": note,
            })
            bench_used.add(bench)

    new = D.empty_raw()
    new.models = _rows(list(models_out.values()), S.MODEL_COLUMNS + S.MODEL_OPTIONAL, str(versions_path))
    new.results = _rows(results_out, S.RESULT_COLUMNS + S.RESULT_OPTIONAL, str(path))
    # results carry their own origin file in the key used for messages
    new.benchmarks = registry[registry["benchmark"].isin(bench_used)].copy()
    return new, report


# ----------------------------------------------------------------------------------------------
# Epoch Notable AI Models (and the ECI export, which carries newer compute estimates)
# ----------------------------------------------------------------------------------------------


def _norm(name: str) -> str:
    return re.sub(r"[^a-z0-9.]+", "", str(name).lower())


def import_epoch_models(path: Path, existing: D.RawDataset, add_new: bool = False) -> tuple[D.RawDataset, D.MergeReport]:
    """Fill training compute (and publication dates for new models) from Epoch's Notable AI Models
    CSV, or from the ECI export (``epoch_capabilities_index.csv``), matched by model-version id,
    then by display name (``family``) with the release date closest to Epoch's date (within 90 days).
    With ``add_new``, language models not in the dataset are added with their compute."""
    path = Path(path)
    src = pd.read_csv(path, dtype=str, encoding="utf-8-sig")
    report = D.MergeReport()
    eci = "Model version" in src.columns
    name_col, date_col = ("Model version", "Release date") if eci else ("Model", "Publication date")
    for c in (name_col, date_col, "Training compute (FLOP)"):
        if c not in src.columns:
            raise ForecastError(f"{path}: column '{c}' missing; expected Epoch's Notable AI Models or ECI export")
    url = EPOCH_ECI_URL if eci else EPOCH_MODELS_URL
    models = existing.models
    by_id = {m: i for i, m in enumerate(models["model"])}
    by_name: dict[str, list[int]] = {}
    for i, r in models.iterrows():
        for label in {r["model"], r.get("family", "")}:
            if label:
                by_name.setdefault(_norm(label), []).append(i)
    updates: list[dict] = []
    added: list[dict] = []
    for i, r in src.iterrows():
        line = i + 2
        flop = _pct(r["Training compute (FLOP)"])
        when = _date_text(r[date_col])
        label = str(r[name_col])
        if flop is None:
            report.skip(f"{path}:{line} {label}", "no training compute estimate")
            continue
        if eci and str(r.get("Confidence", "")).strip().lower() == "unverified":
            report.skip(f"{path}:{line} {label}", "marked Unverified in the ECI export")
            continue
        if eci and label in by_id:
            idx = [by_id[label]]
        else:
            idx = by_name.get(_norm(label), [])
            if len(idx) > 1 and when:
                dated = [(abs((pd.Timestamp(models.at[j, "release_date"]) - pd.Timestamp(when)).days), j) for j in idx]
                dated = [d for d in dated if d[0] <= 90]
                idx = [min(dated)[1]] if dated else []
        if not idx:
            if add_new and not eci and "Language" in str(r.get("Domain", "")) and when:
                added.append({"model": _norm(label).replace(".", "-") or label, "organization": r.get("Organization", ""),
                              "release_date": when, "train_flop": f"{flop:.4g}", "reasoning": "false",
                              "source_url": url, "family": label, "train_flop_source_url": url,
                              "notes": "added from Epoch Notable AI Models", "_line": line})
            else:
                report.skip(f"{path}:{line} {label}", "no matching model in the dataset")
            continue
        for j in idx:
            row = models.iloc[j].to_dict()
            row.update({"train_flop": f"{flop:.4g}", "train_flop_source_url": url, "_line": line})
            if not row.get("organization") and isinstance(r.get("Organization"), str):
                row["organization"] = r["Organization"]
            updates.append(row)
    new = D.empty_raw()
    new.models = _rows(updates + added, S.MODEL_COLUMNS + S.MODEL_OPTIONAL, str(path))
    return new, report


# ----------------------------------------------------------------------------------------------
# METR time horizons
# ----------------------------------------------------------------------------------------------

#: METR's model keys -> model ids in the Epoch naming used by the dataset.
METR_ALIASES = {
    "claude_3_5_sonnet": "claude-3-5-sonnet-20240620",
    "claude_3_5_sonnet_20241022": "claude-3-5-sonnet-20241022",
    "claude_3_7_sonnet": "claude-3-7-sonnet-20250219",
    "claude_3_opus": "claude-3-opus-20240229",
    "claude_4_opus": "claude-opus-4-20250514",
    "claude_4_sonnet": "claude-sonnet-4-20250514",
    "claude_4_1_opus": "claude-opus-4-1-20250805",
    "claude_sonnet_4_5": "claude-sonnet-4-5-20250929",
    "claude_opus_4_5": "claude-opus-4-5",
    "gpt_5_1_codex_max": "gpt-5.1-codex-max",
    "davinci_002": "davinci-002",
    "gpt2": "gpt2",
    "gpt_3_5_turbo_instruct": "gpt-3.5-turbo-instruct",
    "gpt_4": "gpt-4-0314",
    "gpt_4_0125": "gpt-4-0125-preview",
    "gpt_4_1106": "gpt-4-1106-preview",
    "gpt_4_turbo": "gpt-4-turbo-2024-04-09",
    "gpt_4o": "gpt-4o-2024-05-13",
    "gpt_5": "gpt-5-2025-08-07",
    "o1": "o1-2024-12-17",
    "o1_elicited": "o1-2024-12-17",
    "o1_preview": "o1-preview-2024-09-12",
    "o3": "o3-2025-04-16",
    "o4-mini": "o4-mini-2025-04-16",
    "o4_mini": "o4-mini-2025-04-16",
    "deepseek_r1": "DeepSeek-R1",
    "deepseek_r1_0528": "DeepSeek-R1-0528",
    "deepseek_v3": "DeepSeek-V3",
    "deepseek_v3_0324": "DeepSeek-V3-0324",
    "grok_4": "grok-4-0709",
    "gemini_2_5_pro_preview": "gemini-2.5-pro-preview-06-05",
    "qwen_2_5_72b": "Qwen2.5-72B-Instruct",
    "qwen_2_72b": "Qwen2-72B-Instruct",
    "kimi_k2_thinking": "kimi-k2-thinking",
    "gpt_oss_120b": "gpt-oss-120b",
}
METR_URL = "https://metr.org/blog/2025-03-19-measuring-ai-ability-to-complete-long-tasks/"


def import_metr(path: Path, existing: D.RawDataset) -> tuple[D.RawDataset, D.MergeReport]:
    """METR time-horizon YAML (``benchmark_results_*.yaml``): the 50% horizon in minutes."""
    import yaml

    path = Path(path)
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise DataValidationError([Problem(str(path), getattr(getattr(exc, "problem_mark", None), "line", None),
                                           None, f"malformed YAML: {exc}")]) from None
    if not isinstance(doc, dict) or "results" not in doc:
        raise ForecastError(f"{path}: not a METR benchmark_results YAML (no 'results' key)")
    report = D.MergeReport()
    text_lines = path.read_text(encoding="utf-8").splitlines()
    known = set(existing.models["model"])
    version = doc.get("benchmark_name", "METR-Horizon")
    models_out, results_out = [], []
    registry = D.bundled_benchmarks()
    # The hub export carries copies of METR's figures under effort-suffixed version ids: the same
    # measurement, so a METR row for that model takes over the existing row's setting and effort
    # (and so updates it) instead of standing beside it.
    er = existing.results
    same = er[(er["benchmark"] == "metr_time_horizon") & (er["source_url"] == METR_URL)]
    prior = {r["model"]: (r["setting"], r["effort"]) for _, r in same.iterrows()}
    for key, entry in doc["results"].items():
        line = next((i + 1 for i, t in enumerate(text_lines) if t.strip() == f"{key}:"), 0)
        mid = METR_ALIASES.get(key, key)
        try:
            est = float(entry["metrics"]["p50_horizon_length"]["estimate"])
        except (KeyError, TypeError, ValueError):
            report.skip(f"{path}:{line} {key}", "no p50_horizon_length estimate")
            continue
        if est <= 0:
            report.skip(f"{path}:{line} {key}", "non-positive horizon")
            continue
        release = _date_text(entry.get("release_date"))
        if mid not in known:
            if not release:
                report.skip(f"{path}:{line} {key}", "model unknown to the dataset and no release_date")
                continue
            models_out.append({"model": mid, "organization": "", "release_date": release, "train_flop": "",
                               "reasoning": "true" if is_reasoning_id(mid) else "false", "source_url": METR_URL,
                               "family": key, "notes": "added by the METR importer", "_line": line})
            known.add(mid)
        ci = entry["metrics"]["p50_horizon_length"]
        setting, effort = prior.get(mid, ("", ""))
        results_out.append({
            "model": mid, "benchmark": "metr_time_horizon", "score": f"{est:.6g}", "inference_multiplier": "",
            "setting": setting,
            "reported_date": max(release or "", "2025-03-19"), "source_url": METR_URL, "effort": effort,
            "evaluator": "independent", "_line": line,
            "notes": f"{version}; scaffolds {', '.join(str(s) for s in entry.get('scaffolds') or [] if s)}; "
                     f"95% CI {float(ci.get('ci_low', 'nan')):.3g}-{float(ci.get('ci_high', 'nan')):.3g} min; "
                     "reported_date is the later of release and METR's first publication (2025-03-19)",
        })
    new = D.empty_raw()
    new.models = _rows(models_out, S.MODEL_COLUMNS + S.MODEL_OPTIONAL, str(path))
    new.results = _rows(results_out, S.RESULT_COLUMNS + S.RESULT_OPTIONAL, str(path))
    new.benchmarks = registry[registry["benchmark"] == "metr_time_horizon"].copy()
    return new, report


def import_source(source: str, path: Path, data_dir: Path, dry_run: bool = False,
                  add_new: bool = False) -> D.MergeReport:
    """Run one importer and merge into ``data_dir`` (created if empty). Nothing is written on
    error or with ``dry_run``."""
    if source not in SOURCES:
        raise ForecastError(f"unknown import source '{source}'; choose one of {', '.join(SOURCES)}")
    data_dir = Path(data_dir)
    raw, problems = D.read_raw(data_dir, allow_missing=True)
    problems += [] if problems else D.validate_raw(raw)
    if problems:
        raise DataValidationError(problems, f"{data_dir}: existing dataset is invalid; fix it before importing")
    if source == "epoch-hub":
        new, pre = import_epoch_hub(path, raw)
    elif source == "epoch-models":
        new, pre = import_epoch_models(path, raw, add_new=add_new)
    else:
        new, pre = import_metr(path, raw)
    # Import candidates that fail validation (e.g. an out-of-range leaderboard value) are skipped
    # with the reason instead of aborting the import; the merged dataset must then be valid.
    new, repeated = _dedupe(new)
    new, dropped = _drop_invalid(new, raw)
    dropped = repeated + dropped
    merged, report = D.merge(raw, new, policy="import")
    report.skipped = pre.skipped + dropped + report.skipped
    if not dry_run:
        D.write_raw(merged, data_dir)
    return report


def _dedupe(new: D.RawDataset) -> tuple[D.RawDataset, list[tuple[str, str]]]:
    """Leaderboards list some model versions twice (another source, a re-run): keep the first."""
    if new.results.empty:
        return new, []
    keys = D.result_key(new.results)
    dup = keys.duplicated(keep="first")
    skipped = [(f"{r[D.FILE_COL]}:{r[D.LINE_COL]} {r['model']} / {r['benchmark']}",
                "repeated within the import (same model, benchmark and setting); first kept")
               for _, r in new.results[dup].iterrows()]
    return D.RawDataset(new.models, new.benchmarks, new.results[~dup].reset_index(drop=True)), skipped


def _drop_invalid(new: D.RawDataset, raw: D.RawDataset) -> tuple[D.RawDataset, list[tuple[str, str]]]:
    """Validate candidate rows in the context of the existing dataset and drop those with problems."""
    trial = D.RawDataset(
        pd.concat([raw.models, new.models[~new.models["model"].isin(raw.models["model"])]], ignore_index=True).fillna(""),
        pd.concat([raw.benchmarks, new.benchmarks[~new.benchmarks["benchmark"].isin(raw.benchmarks["benchmark"])]],
                  ignore_index=True).fillna(""),
        new.results.copy(),
    )
    problems = D.validate_raw(trial)
    bad_result_lines = {(p.file, p.line) for p in problems if p.file in set(new.results[D.FILE_COL])}
    dropped = []
    mask = []
    for _, r in new.results.iterrows():
        where = (r[D.FILE_COL], r[D.LINE_COL])
        mask.append(where not in bad_result_lines)
        if where in bad_result_lines:
            why = next(p for p in problems if (p.file, p.line) == where)
            dropped.append((f"{where[0]}:{where[1]} {r['model']} / {r['benchmark']}: {why.message}",
                            f"invalid {why.column}"))
    results = new.results[mask].reset_index(drop=True) if mask else new.results
    return D.RawDataset(new.models, new.benchmarks, results), dropped
