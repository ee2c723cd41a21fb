"""Epoch AI model data: training compute from the Notable AI Models export or the ECI export."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from ... import data as D
from ...errors import ForecastError
from .. import schema as S
from .common import EPOCH_ECI_URL, EPOCH_MODELS_URL, _date_text, _pct, _rows


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
