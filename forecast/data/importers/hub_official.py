"""Import the official Epoch AI Benchmarking Hub download (``epoch_benchmark_data_*.zip`` or its
unpacked folder): every included file's rows become results in the native schema, with the
model, effort and setting parsed from the version id, the reported date from the row or a stated
lower bound, the evaluator (vendor when the source is the developer's own document), and the
duplicates of the download removed by the rules of docs/data.md. Skipped rows keep a reason."""

from __future__ import annotations

import re

import pandas as pd

from ..schema import (
    BENCHMARK_COLUMNS,
    BENCHMARK_OPTIONAL,
    MODEL_COLUMNS,
    MODEL_OPTIONAL,
    RESULT_COLUMNS,
    RESULT_OPTIONAL,
)
from .hub_rows import (
    BUDGET_SUFFIX,
    DATE_CORRECTIONS,
    EFFORT_SUFFIX,
    NAME_EFFORT,
    NAME_EFFORT_WORD,
    NAME_NONTHINKING,
    NAME_THINKING,
    _date,
    _is_url,
    _num,
    _source_text,
    effort_word,
    is_reasoning_id,
    parse_version,
    read_tables,
    vendor_source,
)
from .hub_specs import EPOCH_HUB, EPOCH_PAGES, SPECS, Spec, spec_for

SKIPPED_COLUMNS = ["file", "line", "model_version", "benchmark", "reason", "detail"]
#: Extra columns kept on results for provenance.
RESULT_EXTRA = ["_file", "_line", "_version"]

# ---------------------------------------------------------------------------------------------
# The hub importer
# ---------------------------------------------------------------------------------------------

FM_V2_RELEASE = "2026-06-12"
#: A row dated up to this many days before the model's release is early access (dated at release);
#: earlier than that it is a mis-mapped version or a date error (skipped).
EARLY_ACCESS_DAYS = 7
#: Row-level fixes keyed by (file stem, Name): setting text that tells two systems apart.
ROW_SETTINGS = {
    ("arc_agi_2_external", "Gemini 3 Deep Think (Preview) ²"): "Dec 2025 preview",
}
#: Rows whose model mapping is wrong in the hub, keyed by (file stem, Name): reason to skip.
ROW_SKIPS = {
    (
        "the_agent_company_external",
        "OpenHands + LLama-3.3-70b",
    ): "Name says Llama-3.3-70B but Epoch mapped it to Llama-3.1-70B-Instruct (which has its own row)",
}


class _Run:
    """Collects results and skips for one call of read_official_hub."""

    def __init__(self):
        self.results: list[dict] = []
        self.skipped: list[dict] = []

    def skip(self, file, line, version, bench, reason, detail=""):
        self.skipped.append(
            {
                "file": file,
                "line": line,
                "model_version": version,
                "benchmark": bench,
                "reason": reason,
                "detail": detail,
            }
        )


def _canonical_spellings(tables) -> dict[str, str]:
    """lower-case id -> the spelling used without any prefix (first one seen, most frequent wins)."""
    counts: dict[str, dict[str, int]] = {}
    for _stem, (_, rows) in tables.items():
        for r in rows:
            v = re.sub(r"\s+", " ", r.get("Model version", "").strip())
            if not v or "/" in v:
                continue
            base = EFFORT_SUFFIX.sub("", v)
            base = BUDGET_SUFFIX.sub("", base)
            counts.setdefault(base.lower(), {}).setdefault(base, 0)
            counts[base.lower()][base] += 1
    return {k: max(v.items(), key=lambda kv: kv[1])[0] for k, v in counts.items()}


def _setting_value(col: str, label: str, value: str) -> str:
    v = re.sub(r"\s+", " ", value).strip()
    if not v or v.lower() in ("none", "nan", "n/a", "-"):
        return ""
    if col == "Shots":
        n = _num(v)
        if n is not None:
            return f"{int(n)}-shot"
        return v if v.endswith("shot") else f"{v}-shot"
    if col == "Agent" and re.search(r"\((\d+) steps\)", v):  # OSWorld: "o3 (100 steps)"
        return f"{re.search(r'[(](\d+) steps[)]', v).group(1)} steps"
    if col == "Tool setting":
        v = {"batch tool": "batched tool"}.get(v.lower(), v)
    if col == "Frames":
        n = _num(v)
        v = f"{int(n)}" if n is not None else v
    return f"{label} {v}"


def _row_filter(spec: Spec, row: dict) -> str | None:
    """File-specific row filters: a reason to skip, or None."""
    notes = row.get("Notes", "") + " " + row.get("Notes (details)", "")
    if spec.file in ("frontiermath", "frontiermath_tier_4"):
        started = _date(row.get("Started at", ""))
        if started and started >= FM_V2_RELEASE:
            return f"v1 FrontierMath file but run started {started}, after the v2 release ({FM_V2_RELEASE})"
    if spec.file == "live_bench_external" and row.get("LiveBench Version", "") != "LiveBench-2024-11-25":
        return f"other LiveBench release ({row.get('LiveBench Version') or 'none'})"
    if spec.file == "cybench_external" and "inflated" in notes.lower():
        return "Epoch's note: score inflated (HAL harness leaked an answer)"
    if spec.file == "video_mme_external" and "augmented" in notes.lower():
        return "model augmented by another system (Epoch's note)"
    return None


def _effort_from_name(spec: Spec, name: str, parsed: dict, setting: list, notes: list) -> None:
    if not name:
        return
    if spec.name_effort:
        m = NAME_EFFORT.search(name)
        if m:
            word = m.group(1).lower().replace("-", "")
            if parsed["effort"] != word and parsed["suffix"] and not parsed["budget"]:
                notes.append(f"effort from Name '{name}' (id suffix said {parsed['suffix']})")
            parsed["effort"] = word
    if spec.name_thinking:
        m = re.search(r"\b(x-?high|max|high|medium|low|minimal)\s+effort\b", name, re.I)
        if m:
            word = m.group(1).lower().replace("-", "")
            if parsed["effort"] and parsed["effort"] != word:
                notes.append(f"effort from Name '{name}' (id suffix said {parsed['suffix']})")
            parsed["effort"] = word
    if spec.name_thinking and not parsed["effort"]:
        if NAME_NONTHINKING.search(name):
            parsed["effort"] = "none"
            notes.append(f"thinking off per leaderboard name '{name}'")
        elif NAME_THINKING.search(name):
            w = NAME_EFFORT_WORD.search(name)
            if w and "max effort" in w.group(1).lower():
                parsed["effort"] = "max"
            elif w:
                parsed["effort"] = w.group(1).lower().replace("-", "")
            else:
                setting.append("thinking on")
            notes.append(f"leaderboard name '{name}'")


def _one_file(run: _Run, stem: str, header: list[str], rows: list[dict], canonical, dataset_aliases: bool) -> None:
    spec = spec_for(stem)
    if spec is None:
        run.skip(stem, 0, "", "", "unknown file: no mapping", f"{len(rows)} rows")
        return
    if not spec.include:
        run.skip(stem, 0, "", spec.benchmark, "excluded file", f"{len(rows)} rows; {spec.reason}")
        return
    if spec.score_col not in header:
        run.skip(stem, 0, "", spec.benchmark, "score column missing", spec.score_col)
        return
    # percent detection: the spec says which; a column of fractions declared percent is an error
    values = [v for v in (_num(r.get(spec.score_col, "")) for r in rows) if v is not None]
    scale = spec.scale
    if scale in ("fraction", "percent") and values:
        detected = "percent" if max(values) > 1.5 else "fraction"
        if detected != scale:
            scale = detected
            run.skip(
                stem,
                0,
                "",
                spec.benchmark,
                "scale mismatch (column re-detected)",
                f"spec said {spec.scale}, values say {detected}",
            )
    bench = spec.benchmark
    for r in rows:
        line, version = r["_line"], r.get("Model version", "").strip()
        if not version:
            run.skip(
                stem,
                line,
                "",
                bench,
                "no model version (Epoch did not map the entry to a model)",
                r.get("Name", "") or r.get("Agent", ""),
            )
            continue
        why = _row_filter(spec, r) or ROW_SKIPS.get((stem, r.get("Name", "")))
        if why:
            run.skip(stem, line, version, bench, "filtered", why)
            continue
        raw = r.get(spec.score_col, "")
        score = _num(raw)
        if score is None:
            run.skip(stem, line, version, bench, "no score", f"{spec.score_col}={raw!r}")
            continue
        if scale == "percent":
            score = score / 100.0
        if spec.unit == "fraction" and not (0.0 <= score <= 1.0):
            run.skip(stem, line, version, bench, "score out of range", f"{spec.score_col}={raw}")
            continue
        if spec.unit == "minutes" and score <= 0:
            run.skip(stem, line, version, bench, "score out of range", f"{spec.score_col}={raw}")
            continue
        release = _date(r.get("Release date", ""))
        p = parse_version(version, canonical, dataset_aliases)
        if p["model"] in DATE_CORRECTIONS:
            release = DATE_CORRECTIONS[p["model"]][0]
        if not release:
            run.skip(stem, line, version, bench, "no release date", "Release date blank in the hub file")
            continue
        setting = ["Epoch AI run"] if spec.epoch_run else []
        setting += p["setting"]
        notes = list(p["notes"])
        # effort: explicit column > Name > id suffix
        if spec.effort_col and r.get(spec.effort_col, "").strip():
            w = effort_word(r[spec.effort_col])
            if w is None:
                notes.append(f"{spec.effort_col}={r[spec.effort_col]!r} not an effort level")
            else:
                if w != p["effort"] and p["suffix"] and p["suffix"] != "unknown":
                    notes.append(
                        f"effort from '{spec.effort_col}' ({r[spec.effort_col]}), id suffix said {p['suffix']}"
                    )
                p["effort"] = w
                if w == "" and r[spec.effort_col].strip().lower() in ("enabled", "thinking", "on"):
                    setting.append("thinking on")
        _effort_from_name(spec, r.get("Name", ""), p, setting, notes)
        if (stem, r.get("Name", "")) in ROW_SETTINGS:
            setting.append(ROW_SETTINGS[(stem, r.get("Name", ""))])
        for col, label in spec.setting_cols:
            part = _setting_value(col, label, r.get(col, ""))
            if part:
                setting.append(part)
        if stem == "the_agent_company_external" and " + " in r.get("Name", ""):
            setting.append("agent " + r["Name"].split(" + ")[0].strip())
            if r.get("Environment model"):
                notes.append(f"NPC model {r['Environment model']}")
        if "assum" in r.get("Notes", "").lower() and p["effort"]:
            notes.append("effort assumed by Epoch")
        # reported date
        row_date = _date(r.get(spec.date_col, "")) if spec.date_col else ""
        if spec.file == "terminalbench_external":
            row_date = _date(r.get("Created", "")) or _date(r.get("Run date", ""))
        if row_date:
            reported = row_date
        else:
            reported = max(release, spec.release_date or "")
            notes.append(
                "reported_date is a lower bound (later of model and benchmark release)"
                if spec.release_date
                else "reported_date is the model release date (benchmark release date unknown)"
            )
        if reported < release:
            if p["prerelease"] or reported >= _shift(release, -EARLY_ACCESS_DAYS):
                notes.append(
                    f"dated {reported}, before the release on {release} (early access): "
                    f"reported_date set to the release date"
                )
                reported = release
            else:
                run.skip(
                    stem,
                    line,
                    version,
                    bench,
                    "run/report date before the model's release date",
                    f"{reported} < {release}",
                )
                continue
        # evaluator
        evaluator = spec.evaluator
        org = r.get("Organization", "")
        if spec.publisher_org and spec.publisher_org.lower() in org.lower():
            evaluator = "vendor"
            notes.append(f"{spec.publisher_org} runs this benchmark and made the model")
        if vendor_source(_source_text(r), org):
            evaluator = "vendor"
            notes.append(f"source is the developer's own document ({r.get('Source', '')[:60]})")
        # source url
        if spec.epoch_run:
            url = r.get("Log viewer", "") if _is_url(r.get("Log viewer", "")) else EPOCH_PAGES.get(bench, EPOCH_HUB)
        else:
            url = next((r[c].strip() for c in spec.link_cols if _is_url(r.get(c, ""))), "")
            if not url:
                url = EPOCH_PAGES.get(bench, EPOCH_HUB)
                notes.append("no per-row source link; number as published in the Epoch AI Benchmarking Hub")
        for c in spec.note_cols:
            if r.get(c, "").strip():
                notes.append(f"{c}={r[c].strip()}")
        if r.get("Notes", "").strip():
            notes.append("Epoch note: " + re.sub(r"\s+", " ", r["Notes"]).strip()[:200])
        run.results.append(
            {
                "model": p["model"],
                "benchmark": bench,
                "score": round(score, 6),
                "inference_multiplier": None,
                "setting": "; ".join(dict.fromkeys(s for s in setting if s)),
                "reported_date": reported,
                "source_url": url,
                "effort": p["effort"],
                "evaluator": evaluator,
                "notes": "; ".join(dict.fromkeys(notes)),
                "_file": stem,
                "_line": line,
                "_version": version,
                "_release": release,
                "_org": org,
                "_flop": _num(r.get("Training compute (FLOP)", "")),
                "_started": r.get("Started at", "") if spec.epoch_run else "",
                "_created": r.get("Created", ""),
                "_rundate": r.get("Run date", ""),
                "_agent": re.sub(r"\s+", " ", r.get("Agent", "")).strip().lower(),
                "_name": re.sub(r"\s+", " ", r.get("Name", "")).strip(),
                "_papers": any(c == "Shots" for c, _ in spec.setting_cols),
                "_epoch_run": spec.epoch_run,
                "_prerelease": p["prerelease"],
                "_suffix": p["suffix"],
            }
        )


def _shift(iso: str, days: int) -> str:
    return (pd.Timestamp(iso) + pd.Timedelta(days=days)).date().isoformat()


def _dedupe(run: _Run) -> None:
    """Apply the duplicate rules of spec.md section 'Duplicates' to run.results (in place)."""
    df = pd.DataFrame(run.results)
    if df.empty:
        return
    df["_i"] = range(len(df))
    drop: dict[int, tuple[str, str]] = {}
    # (1) Terminal-Bench 2.0: one leaderboard entry recorded twice (2026-03-06 re-entry)
    tb = df[df["_file"] == "terminalbench_external"]
    for _, g in tb.groupby(["_agent", "_rundate", "score"]):
        if len(g) < 2:
            continue
        created = g["_created"].map(_date)
        latest = created.max()
        first = created[created != ""].min()
        for i, r in g.iterrows():
            if created[i] != latest:
                drop[r["_i"]] = (
                    "duplicate: same leaderboard entry recorded twice",
                    f"older curation ({created[i]}); kept the {latest} entry",
                )
        keep = g[created == latest]
        for i in keep.index:
            df.at[i, "reported_date"] = max(first or df.at[i, "reported_date"], df.at[i, "_release"])
            df.at[i, "notes"] = (
                df.at[i, "notes"] + "; " if df.at[i, "notes"] else ""
            ) + f"first recorded by Epoch {first}; leaderboard run date {df.at[i, '_rundate']}"
    live = df[~df["_i"].isin(drop)]
    # (2) same measurement under two labels (bare/_unknown vs explicit effort, rounding): keep explicit
    for _, g in live.groupby(["model", "benchmark", "setting", "evaluator"]):
        if len(g) < 2 or g["_epoch_run"].iloc[0]:
            continue  # Epoch re-runs are handled by rule (3)
        rows = g.sort_values("_i").to_dict("records")
        for ai, a in enumerate(rows):
            for b in rows[ai + 1 :]:
                if a["_i"] in drop or b["_i"] in drop:
                    continue
                if abs(a["score"] - b["score"]) > 0.0006 or (
                    a["effort"] and b["effort"] and a["effort"] != b["effort"]
                ):
                    continue
                if a["effort"] != b["effort"]:
                    # one label is bare/_unknown, the other an effort word (never a thinking budget),
                    # and the score is informative (two different runs can both score 0)
                    plain = a if not a["effort"] else b
                    other = b if plain is a else a
                    if plain["_suffix"] not in ("", "unknown") or other["_suffix"].endswith("K") or a["score"] == 0:
                        continue
                loser = b if (a["effort"] or not b["effort"]) else a
                winner = a if loser is b else b
                drop[loser["_i"]] = (
                    "duplicate: same number listed twice (same model, setting and score)",
                    f"{loser['_version']} = {winner['_version']} ({winner['score']})",
                )
    live = df[~df["_i"].isin(drop)]
    # (3a) identical keys whose rows carry different leaderboard names are different configurations
    # that Epoch mapped to one id (AA's "GPT-5.5 (Non-reasoning)" vs "GPT-5.5 Instant"): keep both,
    # telling them apart in the setting. Not for paper compilations (files with a Shots column), where
    # the names are spelling variants ("LLaMA 13B", "LLAMA 1 13B") of one model.
    keycols = ["model", "benchmark", "setting", "effort", "evaluator"]
    for _, g in live.groupby(keycols):
        if len(g) > 1 and not g["_epoch_run"].iloc[0] and g["_name"].nunique() > 1 and not g["_papers"].iloc[0]:
            for i in g.index:
                if df.at[i, "_name"]:
                    df.at[i, "setting"] = "; ".join(
                        x for x in (df.at[i, "setting"], f'listed as "{df.at[i, "_name"]}"') if x
                    )
    live = df[~df["_i"].isin(drop)]
    # (3b) remaining identical result keys: Epoch runs -> newest run; others -> median score
    for _, g in live.groupby(keycols):
        if len(g) < 2:
            continue
        if g["_epoch_run"].iloc[0]:
            order = g.sort_values(["_started", "_i"], ascending=[False, True])
            for i in order.index[1:]:
                drop[df.at[i, "_i"]] = (
                    "duplicate: superseded by a newer Epoch run",
                    f"{df.at[i, '_started'][:10]} score {df.at[i, 'score']}; kept "
                    f"{order.iloc[0]['_started'][:10]} score {order.iloc[0]['score']}",
                )
            continue
        med = g["score"].median()
        keep_i = (g["score"] - med).abs().sort_values(kind="stable").index[0]
        for i in g.index:
            if i != keep_i:
                drop[df.at[i, "_i"]] = (
                    "duplicate: same model/benchmark/setting reported again",
                    f"score {df.at[i, 'score']} ({df.at[i, '_version']}); kept "
                    f"{df.at[keep_i, 'score']}, the one nearest the median of {len(g)}",
                )
    for i, (reason, detail) in drop.items():
        r = df[df["_i"] == i].iloc[0]
        run.skip(r["_file"], r["_line"], r["_version"], r["benchmark"], reason, detail)
    run.results = df[~df["_i"].isin(drop)].drop(columns=["_i"]).to_dict("records")


def _eci_families(tables) -> dict[str, dict]:
    """Model version -> {family (Epoch 'Model name'), accessibility, confidence} from the ECI file."""
    out = {}
    for r in tables.get("epoch_capabilities_index", ([], []))[1]:
        v = r.get("Model version", "").strip()
        if v:
            out[v] = {
                "family": r.get("Model name", "").strip(),
                "access": r.get("Model accessibility", ""),
                "confidence": r.get("Confidence", ""),
                "eci": _num(r.get("ECI Score", "")),
            }
    return out


def _build_models(results: list[dict], families: dict[str, dict]) -> pd.DataFrame:
    by_model: dict[str, list[dict]] = {}
    for r in results:
        by_model.setdefault(r["model"], []).append(r)
    rows = []
    for mid, rs in sorted(by_model.items()):
        releases = sorted({r["_release"] for r in rs})
        orgs = [o for o in dict.fromkeys(r["_org"] for r in rs) if o]
        flops = sorted({f for f in (r["_flop"] for r in rs) if f})
        versions = sorted({r["_version"] for r in rs})
        fam = next((families[v]["family"] for v in versions if families.get(v, {}).get("family")), "")
        notes = [f"from the Epoch AI Benchmarking Hub download 2026-07-31 ({len(versions)} version ids)"]
        if len(releases) > 1:
            notes.append("version ids disagree on release date: " + ", ".join(releases) + "; earliest used")
        if len(flops) > 1 and max(flops) / min(flops) > 1.01:
            notes.append("training compute differs across version ids: " + ", ".join(f"{f:.3g}" for f in flops))
        if mid in DATE_CORRECTIONS:
            notes.append("release date corrected: " + DATE_CORRECTIONS[mid][1])
        efforts = {r["effort"] for r in rs}
        plain = any(r["_suffix"] in ("", "unknown") and not r["_suffix"].endswith("K") for r in rs)
        only_levels = not plain and not any(r["_suffix"].endswith("K") for r in rs) and efforts - {""}
        anthropic = mid.startswith("claude") or any("anthropic" in o.lower() for o in orgs)
        reasoning = (is_reasoning_id(mid) or bool(only_levels)) and not anthropic
        rows.append(
            {
                "model": mid,
                "organization": orgs[0] if orgs else "",
                "release_date": releases[0],
                "train_flop": max(flops) if flops else None,
                "reasoning": "true" if reasoning else "false",
                "source_url": EPOCH_HUB,
                "family": fam,
                "train_flop_source_url": "https://epoch.ai/data/ai-models" if flops else "",
                "notes": "; ".join(notes),
            }
        )
    return pd.DataFrame(rows, columns=MODEL_COLUMNS + MODEL_OPTIONAL)


def _build_benchmarks(results: list[dict]) -> pd.DataFrame:
    used = dict.fromkeys(r["benchmark"] for r in results)
    rows = []
    for s in SPECS:
        if s.include and s.benchmark in used:
            rows.append(
                {
                    "benchmark": s.benchmark,
                    "domain": s.domain,
                    "unit": s.unit,
                    "floor": s.floor if s.unit == "fraction" else None,
                    "ceiling": s.ceiling if s.unit == "fraction" else None,
                    "source_url": s.source_url,
                    "name": s.name,
                    "n_items": s.n_items,
                    "release_date": s.release_date,
                    "description": s.description or s.reason,
                }
            )
            used.pop(s.benchmark)
    df = pd.DataFrame(rows, columns=BENCHMARK_COLUMNS + BENCHMARK_OPTIONAL)
    df["n_items"] = df["n_items"].astype("Int64")
    return df


def read_official_hub(
    path, dataset_aliases: bool = True, provenance: bool = False, existing_ids=None
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Official Epoch Benchmarking Hub download (zip or unpacked folder) ->
    (models_df, results_df, benchmarks_df, skipped_df) in the native schema.

    ``dataset_aliases`` maps hub ids to the ids already used in data/models.csv (DATASET_ALIASES).
    ``provenance`` keeps ``_file``, ``_line`` and ``_version`` columns on the results.
    ``existing_ids`` (iterable of model ids already in the dataset) fixes the spelling of ids that differ
    only in case (hub ``qwen3-235b-a22b`` -> dataset ``Qwen3-235B-A22B``).
    """
    tables = read_tables(path)
    run = _Run()
    canonical = _canonical_spellings(tables)
    for mid in list(existing_ids) if existing_ids is not None else []:
        canonical[str(mid).lower()] = str(mid)
    for stem in sorted(tables):
        header, rows = tables[stem]
        _one_file(run, stem, header, rows, canonical, dataset_aliases)
    _dedupe(run)
    families = _eci_families(tables)
    models = _build_models(run.results, families)
    benchmarks = _build_benchmarks(run.results)
    cols = RESULT_COLUMNS + RESULT_OPTIONAL + (RESULT_EXTRA if provenance else [])
    results = pd.DataFrame(run.results)
    results = results.sort_values(["benchmark", "model", "setting", "effort", "_line"]).reset_index(drop=True)
    results = results[cols]
    skipped = pd.DataFrame(run.skipped, columns=SKIPPED_COLUMNS)
    return models, results, benchmarks, skipped


def _text(v) -> str:
    """A cell as the CSV text the dataset keeps: blank for missing, numbers without noise."""
    if v is None or (isinstance(v, float) and v != v) or v is pd.NA:
        return ""
    if isinstance(v, float):
        return f"{v:.6g}"
    return str(v)


def is_official_download(path) -> bool:
    """A zip file, or a folder of per-benchmark CSVs without the stitching export's
    ``model_versions.csv``."""
    from pathlib import Path

    path = Path(path)
    if path.is_file():
        import zipfile

        return zipfile.is_zipfile(path)
    return path.is_dir() and not (path / "model_versions.csv").exists() and any(path.rglob("*.csv"))


def import_official_hub(path, existing, *, known_only: bool = False):
    """``forecast data import epoch-hub`` on the official download: (candidate rows as a
    ``RawDataset``, a ``MergeReport`` holding the skipped rows and why). With ``known_only``,
    results on benchmarks not in the dataset's registry are skipped (the bundled dataset's curated
    set of benchmarks)."""
    from pathlib import Path

    from ... import data as D
    from ...errors import ForecastError
    from .common import _rows

    path = Path(path)
    try:
        models, results, benchmarks, skipped = read_official_hub(
            path, provenance=True, existing_ids=existing.models["model"].tolist()
        )
    except (FileNotFoundError, ValueError) as exc:
        raise ForecastError(f"{path}: not an Epoch Benchmarking Hub download ({exc})") from None
    report = D.MergeReport()
    for r in skipped.itertuples():
        where = f"{path}/{r.file}.csv:{r.line}" if r.line else f"{path}/{r.file}.csv"
        report.skip(f"{where} {r.model_version} / {r.benchmark}".strip(), r.reason)
    if known_only:
        known = set(existing.benchmarks["benchmark"])
        keep = results["benchmark"].isin(known)
        for r in results[~keep].to_dict("records"):
            report.skip(
                f"{path}/{r['_file']}.csv:{r['_line']} {r['model']} / {r['benchmark']}",
                "benchmark not in the dataset's registry (import with --benchmarks all to add it)",
            )
        results = results[keep]
        benchmarks = benchmarks[benchmarks["benchmark"].isin(known)]
    used = set(results["benchmark"])
    models = models[models["model"].isin(set(results["model"]))]
    records = [
        {
            **{c: _text(v) for c, v in r.items() if not c.startswith("_")},
            "_file": f"{path}/{r['_file']}.csv",
            "_line": int(r["_line"]),
        }
        for r in results.to_dict("records")
    ]
    new = D.empty_raw()
    new.results = _rows(records, RESULT_COLUMNS + RESULT_OPTIONAL, str(path))
    new.models = _rows(
        [{c: _text(v) for c, v in r.items()} for r in models.to_dict("records")],
        MODEL_COLUMNS + MODEL_OPTIONAL,
        str(path),
    )
    bench = benchmarks[benchmarks["benchmark"].isin(used)]
    new.benchmarks = _rows(
        [{c: _text(v) for c, v in r.items()} for r in bench.to_dict("records")],
        BENCHMARK_COLUMNS + BENCHMARK_OPTIONAL,
        str(path),
    )
    return new, report
