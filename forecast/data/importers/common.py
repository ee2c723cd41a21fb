"""Shared helpers of the importers: model-version ids, effort suffixes, reasoning families,
dates and percentages in the formats the public exports use."""

from __future__ import annotations

import re
from datetime import datetime

import pandas as pd

from .. import io as D

EPOCH_HUB_URL = "https://epoch.ai/benchmarks"
EPOCH_MODELS_URL = "https://epoch.ai/data/ai-models"
EPOCH_ECI_URL = "https://epoch.ai/benchmarks/eci"

HOST_PREFIXES = ("chutes/", "deepinfra/", "parasail-", "fireworks/")


EFFORT_SUFFIX = re.compile(r"_(minimal|low|medium|high|xhigh)$")


BUDGET_SUFFIX = re.compile(r"(?:_(\d+)[kK]| \((\d+)[kK] thinking\))$")


REASONING_PATTERNS = [
    r"^o\d(-|$)",
    r"(^|-)r1($|-)",
    r"deepseek-r1",
    r"^gpt-5(?!.*chat)",
    r"gemini-2\.5",
    r"gemini-3",
    r"grok-3-mini",
    r"grok-4",
    r"gpt-oss",
    r"qwq",
    r"thinking",
    r"magistral",
    r"kimi-k2-thinking",
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
            host, vid = p.rstrip("/-"), vid[len(p) :]
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
