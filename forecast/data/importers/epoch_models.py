"""Epoch AI model data: training compute from the AI Models download (with lower and upper bounds
where Epoch gives them), the older Notable AI Models export, or the ECI export."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from ... import data as D
from ...errors import ForecastError
from .. import schema as S
from .common import EPOCH_ECI_URL, EPOCH_MODELS_URL, _date_text, _pct, _rows
from .hub_rows import _date, _num, read_tables


def _norm(name: str) -> str:
    return re.sub(r"[^a-z0-9.]+", "", str(name).lower())


def import_epoch_models(
    path: Path, existing: D.RawDataset, add_new: bool = False
) -> tuple[D.RawDataset, D.MergeReport]:
    """Fill training compute (and publication dates for new models) from Epoch's Notable AI Models
    CSV, or from the ECI export (``epoch_capabilities_index.csv``), matched by model-version id,
    then by display name (``family``) with the release date closest to Epoch's date (within 90 days).
    With ``add_new``, language models not in the dataset are added with their compute."""
    path = Path(path)
    if path.is_dir() or path.suffix.lower() == ".zip":
        return import_models_archive(path, existing)
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
                added.append(
                    {
                        "model": _norm(label).replace(".", "-") or label,
                        "organization": r.get("Organization", ""),
                        "release_date": when,
                        "train_flop": f"{flop:.4g}",
                        "reasoning": "false",
                        "source_url": url,
                        "family": label,
                        "train_flop_source_url": url,
                        "notes": "added from Epoch Notable AI Models",
                        "_line": line,
                    }
                )
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


ARCHIVE_URL = "https://epoch.ai/data/ai-models"


def read_models_archive(path) -> pd.DataFrame:
    """Epoch AI Models download (zip or folder) -> one row per model of all_ai_models.csv:
    model_name, organization, publication_date, domain, train_flop, train_flop_lower, train_flop_upper,
    confidence, estimation_method, frontier (bool), hub_versions (';'-joined 'Model versions
    (benchmarks)' from frontier_ai_models.csv), notes (bound problems), source_url."""
    tables = read_tables(path)
    if "all_ai_models" not in tables:
        raise ValueError(f"{path}: all_ai_models.csv missing")
    versions = {}
    for r in tables.get("frontier_ai_models", ([], []))[1]:
        if r.get("Model versions (benchmarks)", "").strip():
            versions[r["Model"].strip()] = ";".join(
                v.strip() for v in r["Model versions (benchmarks)"].split(",") if v.strip()
            )
    rows = []
    for r in tables["all_ai_models"][1]:
        name = re.sub(r"\s+", " ", r.get("Model", "")).strip()
        point = _num(r.get("Training compute (FLOP)", ""))
        lo = _num(r.get("Training compute lower bound", ""))
        hi = _num(r.get("Training compute upper bound", ""))
        notes = []
        if name != r.get("Model", ""):
            notes.append("name had stray whitespace/newline")
        for label, v in (("lower bound", lo), ("upper bound", hi), ("point estimate", point)):
            if v is not None and not (1e15 <= v <= 1e31):
                notes.append(f"{label} {v:g} FLOP implausible (outside 1e15..1e31): ignored")
        lo = lo if lo is not None and 1e15 <= lo <= 1e31 else None
        hi = hi if hi is not None and 1e15 <= hi <= 1e31 else None
        if point is not None and lo is not None and lo > point * 1.0001:
            notes.append(f"lower bound {lo:.4g} above point estimate {point:.4g}")
        if point is not None and hi is not None and hi < point * 0.9999:
            notes.append(f"upper bound {hi:.4g} below point estimate {point:.4g}")
        if lo is not None and hi is not None and lo > hi:
            notes.append("lower bound above upper bound")
        rows.append(
            {
                "model_name": name,
                "organization": r.get("Organization", ""),
                "publication_date": _date(r.get("Publication date", "")),
                "domain": r.get("Domain", ""),
                "train_flop": point,
                "train_flop_lower": lo,
                "train_flop_upper": hi,
                "confidence": r.get("Confidence", ""),
                "estimation_method": r.get("Training compute estimation method", ""),
                "frontier": str(r.get("Frontier model", "")).strip().lower() == "true",
                "hub_versions": versions.get(name, ""),
                "notes": "; ".join(notes),
                "source_url": ARCHIVE_URL,
            }
        )
    return pd.DataFrame(rows)


def map_archive_to_models(archive: pd.DataFrame, models: pd.DataFrame) -> pd.DataFrame:
    """Match AI-Models rows to hub model ids: (1) frontier file's version list, (2) the hub model's
    family (ECI 'Model name') equal to the archive's Model, (3) normalised name equality.
    Returns model, model_name, how, train_flop, train_flop_lower, train_flop_upper, confidence."""

    def norm(s):
        return re.sub(r"[^a-z0-9.]+", "", str(s).lower())

    by_name = {}
    for _, a in archive.iterrows():
        by_name.setdefault(a["model_name"], []).append(a)
    by_norm = {}
    for _, a in archive.iterrows():
        by_norm.setdefault(norm(a["model_name"]), []).append(a)
    by_version = {}
    for _, a in archive.iterrows():
        for v in filter(None, str(a["hub_versions"]).split(";")):
            by_version[v] = a
    out = []
    for _, m in models.iterrows():
        hit, how = None, ""
        if m["model"] in by_version:
            hit, how = by_version[m["model"]], "frontier file version list"
        elif m["family"] and len(by_name.get(m["family"], [])) == 1:
            hit, how = by_name[m["family"]][0], "hub family = archive Model"
        elif m["family"] and len(by_name.get(m["family"], [])) > 1:
            cands = sorted(
                by_name[m["family"]],
                key=lambda a: abs(
                    (pd.Timestamp(a["publication_date"] or m["release_date"]) - pd.Timestamp(m["release_date"])).days
                ),
            )
            hit, how = cands[0], f"hub family = archive Model ({len(cands)} rows; nearest date)"
        elif len(by_norm.get(norm(m["model"]), [])) == 1:
            hit, how = by_norm[norm(m["model"])][0], "normalised id = archive Model"
        if hit is not None:
            out.append(
                {
                    "model": m["model"],
                    "model_name": hit["model_name"],
                    "how": how,
                    "release_date": m["release_date"],
                    "publication_date": hit["publication_date"],
                    "train_flop": hit["train_flop"],
                    "train_flop_lower": hit["train_flop_lower"],
                    "train_flop_upper": hit["train_flop_upper"],
                    "confidence": hit["confidence"],
                    "frontier": hit["frontier"],
                }
            )
    return pd.DataFrame(out)


def import_models_archive(path: Path, existing: D.RawDataset) -> tuple[D.RawDataset, D.MergeReport]:
    """Epoch's AI Models download (zip or folder with ``all_ai_models.csv``): for models in the
    dataset, fill blank training compute and Epoch's lower and upper bounds. Matched by the frontier
    file's list of model versions, then by the dataset's ``family`` (Epoch's model name), then by
    normalised name. Bounds that contradict the model's point estimate are left out, with the reason."""
    try:
        archive = read_models_archive(path)
    except (FileNotFoundError, ValueError) as exc:
        raise ForecastError(f"{path}: not an Epoch AI Models download ({exc})") from None
    report = D.MergeReport()
    models = existing.models
    matches = map_archive_to_models(archive, models.assign(release_date=models["release_date"].replace("", None)))
    by_id = {m: i for i, m in enumerate(models["model"])}
    rows = []

    def number(x) -> float | None:
        return None if x is None or x != x else float(x)

    for m in matches.to_dict("records"):
        old = models.iloc[by_id[m["model"]]].to_dict()
        m_point, lo, hi = number(m["train_flop"]), number(m["train_flop_lower"]), number(m["train_flop_upper"])
        point = _num(old.get("train_flop", "")) or m_point
        if point and ((lo and lo > point * 1.0001) or (hi and hi < point * 0.9999)) or (lo and hi and lo > hi):
            report.skip(
                f"{path} {m['model_name']} -> {m['model']}",
                "bounds contradict the model's training compute estimate; bounds left out",
            )
            lo = hi = None
        if point is None and lo is None and hi is None:
            report.skip(f"{path} {m['model_name']} -> {m['model']}", "no training compute estimate or bound")
            continue
        row = dict(old)
        if not old.get("train_flop") and m_point:
            row["train_flop"] = f"{m_point:.4g}"
        row["train_flop_lower"] = "" if lo is None else f"{lo:.4g}"
        row["train_flop_upper"] = "" if hi is None else f"{hi:.4g}"
        row["train_flop_source_url"] = old.get("train_flop_source_url") or ARCHIVE_URL
        row["_line"] = 0
        rows.append(row)
    unmatched = len(models) - len(matches)
    if unmatched:
        report.notes.append(f"{unmatched} dataset models have no match in the AI Models download")
    new = D.empty_raw()
    new.models = _rows(rows, S.MODEL_COLUMNS + S.MODEL_OPTIONAL, str(path))
    return new, report
