"""Row-level rules of the official Epoch hub importer: model-version ids to (model, effort,
setting), effort words, values and dates in the formats the files use, reading CSVs from a zip or a
folder with the physical line of every record, and whether a source is the developer's own."""

from __future__ import annotations

import csv
import io
import math
import re
import zipfile
from datetime import datetime
from pathlib import Path

# ---------------------------------------------------------------------------------------------
# Model-version ids
# ---------------------------------------------------------------------------------------------

#: Hosting prefixes: the model is served by a third party; kept in the setting ("served by chutes").
HOSTS = {"chutes", "fireworks", "deepinfra"}
#: Hugging Face / OpenRouter organisation prefixes: dropped (same model).
ORG_PREFIXES = {
    "zai-org",
    "openai",
    "deepseek",
    "moonshotai",
    "qwen",
    "meta-llama",
    "google",
    "mistralai",
    "anthropic",
    "x-ai",
}
#: Spelling variants of one model inside the download (keys lower-case, after prefix removal).
ID_ALIASES = {
    "kimi-k2p5": "kimi-k2.5",  # fireworks uses p for the dot
    "deepseek-v3p2": "deepseek-v3.2",
    "kimi-k2-0905": "Kimi-K2-Instruct-0905",  # moonshotai/kimi-k2-0905
    "glm-4.5-fp8": "glm-4.5",  # chutes/GLM-4.5-FP8 (FP8 serving of GLM-4.5)
    "llama-4-scout-17b-16e instruct": "Llama-4-Scout-17B-16E-Instruct",
    "grok-4-3": "grok-4.3",  # same "Grok 4.3 Beta", same release date
}
#: Hub ids that name a model already in data/models.csv under another id (2026-11-26 dataset).
DATASET_ALIASES = {
    "claude-opus-4-5-20251101": "claude-opus-4-5",
    "gemini-3-pro-preview": "gemini-3-pro",
    "gpt-5.1-2025-11-13": "gpt-5.1",
    "gemini-3-deep-think-preview": "gemini-3-deep-think",
}
#: Trailing parts of a version id that describe how the model was accessed, not a new model.
MODIFIERS = [
    ("-pre-release", "pre-release checkpoint"),
    ("-webapp", "web app (manual run)"),
    ("-web-app", "web app (manual run)"),
    ("-customtools", "custom-tools endpoint"),
]
EFFORT_SUFFIX = re.compile(r"_(minimal|low|medium|high|xhigh|max|none|unknown|promax|prounknown)$", re.I)
BUDGET_SUFFIX = re.compile(r"(?:_(\d+)[kK]| \((\d+)[kK] thinking\))$")
#: Release dates to override, with the evidence. (Kimi-K2-Instruct-0905, corrected by the current
#: importer, is right in this download: 2025-09-05.)
DATE_CORRECTIONS: dict[str, tuple[str, str]] = {
    "qwen2.5-7b-instruct": (
        "2024-09-19",
        "hub gives 2025-02-26 in every file; Qwen2.5 (incl. 7B-Instruct) "
        "was released 2024-09-19 (https://qwenlm.github.io/blog/qwen2.5/) and BALROG "
        "added it on 2024-11-25",
    ),
    "qwen2.5-14b-instruct": (
        "2024-09-19",
        "hub gives 2025-02-26; Epoch's AI Models archive dates Qwen2.5-14B 2024-09-19 (Qwen2.5 family release)",
    ),
    "gpt-neo-2.7B": ("2021-03-21", "hub gives 2023-03-30; Epoch's AI Models archive dates GPT-Neo-2.7B 2021-03-21"),
}

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
    r"deep-think",
    r"-reasoner",
]


def budget_effort(tokens_k: int) -> str:
    """Thinking budget (thousands of tokens) -> effort level (docs/data.md: <=4K low, <=16K medium)."""
    return "low" if tokens_k <= 4 else "medium" if tokens_k <= 16 else "high"


def parse_version(version_id: str, canonical: dict[str, str] | None = None, dataset_aliases: bool = True) -> dict:
    """Epoch model-version id -> {model, effort, budget, setting[], notes[], host, prerelease}.

    ``canonical`` maps lower-case ids to the spelling used without a prefix elsewhere in the download.
    """
    vid = re.sub(r"\s+", " ", str(version_id).strip())
    out = {
        "model": "",
        "effort": "",
        "budget": None,
        "setting": [],
        "notes": [],
        "host": "",
        "prerelease": False,
        "suffix": "",
    }
    if vid.lower().startswith("parasail-"):  # parasail-qwen3-235b-a22b-instruct-2507
        out["host"], vid = "parasail", vid[len("parasail-") :]
    if "/" in vid:
        pre, rest = vid.split("/", 1)
        if pre.lower() in HOSTS:
            out["host"], vid = pre.lower(), rest
        elif pre.lower() in ORG_PREFIXES:
            vid = rest
    m = EFFORT_SUFFIX.search(vid)
    if m:
        suffix = m.group(1).lower()
        out["suffix"] = suffix
        vid = vid[: m.start()]
        if suffix.startswith("pro"):  # gpt-5.6-sol_promax = GPT-5.6 Sol Pro at max effort
            vid, suffix = vid + "-pro", suffix[3:]
        if suffix == "unknown":
            out["notes"].append("effort unknown (Epoch id suffix _unknown)")
        else:
            out["effort"] = suffix
    else:
        m = BUDGET_SUFFIX.search(vid)
        if m:
            k = int(m.group(1) or m.group(2))
            vid = vid[: m.start()]
            out["budget"], out["effort"], out["suffix"] = k, budget_effort(k), f"{k}K"
            out["setting"].append(f"thinking budget {k}K")
    for tail, label in MODIFIERS:
        if vid.lower().endswith(tail):
            vid = vid[: -len(tail)]
            out["setting"].append(label)
            out["prerelease"] = out["prerelease"] or tail == "-pre-release"
    low = vid.lower()
    if low in ID_ALIASES:
        vid = ID_ALIASES[low]
    elif canonical and low in canonical:
        vid = canonical[low]
    if dataset_aliases and vid in DATASET_ALIASES:
        out["notes"].append(f"hub id {vid} = dataset id {DATASET_ALIASES[vid]}")
        vid = DATASET_ALIASES[vid]
    if out["host"]:
        out["setting"].append(f"served by {out['host']}")
    out["model"] = vid
    return out


def is_reasoning_id(model_id: str) -> bool:
    mid = model_id.lower()
    return any(re.search(p, mid) for p in REASONING_PATTERNS)


EFFORT_WORDS = {
    "max": "max",
    "maximum": "max",
    "extra high": "xhigh",
    "xhigh": "xhigh",
    "x-high": "xhigh",
    "high": "high",
    "medium": "medium",
    "med": "medium",
    "low": "low",
    "minimal": "minimal",
    "none": "none",
    "no thinking": "none",
    "off": "none",
}


def effort_word(text: str) -> str | None:
    """'Extra High' -> 'xhigh'; 'enabled'/'thinking' -> '' (on, level unknown); unknown -> None."""
    t = str(text).strip().lower()
    if not t:
        return None
    if t in EFFORT_WORDS:
        return EFFORT_WORDS[t]
    if t in ("enabled", "thinking", "on", "adaptive"):
        return ""
    return None


NAME_EFFORT = re.compile(r"\((?:[^()]*?,\s*)?(minimal|low|medium|high|x-?high|max|none)\)", re.I)
NAME_NONTHINKING = re.compile(r"non[- ]?thinking|non[- ]?reasoning|\binstant\b|no thinking", re.I)
NAME_THINKING = re.compile(r"thinking|reasoning", re.I)
NAME_EFFORT_WORD = re.compile(r"\b(x-?high|max effort|high|medium|low)\b", re.I)


# ---------------------------------------------------------------------------------------------
# Small helpers
# ---------------------------------------------------------------------------------------------


def _num(value) -> float | None:
    s = str(value).strip().replace(",", "")
    if s.lower() in ("", "nan", "n/a", "na", "none", "-", "null"):
        return None
    s = s.rstrip("%")
    try:
        v = float(s)
    except ValueError:
        return None
    return v if math.isfinite(v) else None


def _date(value) -> str:
    """ISO date (YYYY-MM-DD) or ''; accepts ISO timestamps, 06/06/2026 (US), '17 November 2025 4:28pm'."""
    s = str(value).strip()
    if not s or s.lower() == "nan":
        return ""
    m = re.match(r"(\d{4})-(\d{1,2})-(\d{1,2})", s)
    if m:
        try:
            return datetime(int(m[1]), int(m[2]), int(m[3])).date().isoformat()
        except ValueError:
            return ""
    for fmt in ("%m/%d/%Y", "%d/%m/%Y", "%d %B %Y %I:%M%p", "%d %B %Y", "%Y/%m/%d"):
        try:
            return datetime.strptime(s, fmt).date().isoformat()
        except ValueError:
            continue
    return ""


def _is_url(value) -> bool:
    return str(value).strip().lower().startswith(("http://", "https://"))


def _fmt(v) -> str:
    if isinstance(v, float):
        return f"{v:.6g}"
    return str(v)


# ---------------------------------------------------------------------------------------------
# Reading CSVs from a zip or a folder (multi-line quoted fields; physical line numbers kept)
# ---------------------------------------------------------------------------------------------


def _parse_csv(text: str) -> tuple[list[str], list[dict]]:
    reader = csv.reader(io.StringIO(text, newline=""))
    header: list[str] | None = None
    rows: list[dict] = []
    while True:
        start = reader.line_num + 1
        try:
            rec = next(reader)
        except StopIteration:
            break
        if header is None:
            header = [h.strip() for h in rec]
            continue
        if not any(x.strip() for x in rec):
            continue
        row = {h: (rec[i].strip() if i < len(rec) else "") for i, h in enumerate(header)}
        row["_line"] = start
        rows.append(row)
    return header or [], rows


def read_tables(path) -> dict[str, tuple[list[str], list[dict]]]:
    """{csv stem: (header, rows)} for every CSV in a zip file or a folder (searched recursively)."""
    path = Path(path)
    out: dict[str, tuple[list[str], list[dict]]] = {}
    if path.is_file() and zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as zf:
            for name in sorted(zf.namelist()):
                if name.lower().endswith(".csv") and not Path(name).name.startswith("._"):
                    out[Path(name).stem] = _parse_csv(zf.read(name).decode("utf-8-sig"))
    elif path.is_dir():
        for f in sorted(path.rglob("*.csv")):
            out[f.stem] = _parse_csv(f.read_text(encoding="utf-8-sig"))
    else:
        raise FileNotFoundError(f"{path}: neither a zip file nor a folder")
    return out


# ---------------------------------------------------------------------------------------------
# Evaluator: vendor when the source is the model developer's own document
# ---------------------------------------------------------------------------------------------

#: (pattern on Source + Source link, organisation keywords). A row is `vendor` when its
#: Organization contains one of the keywords of a matching pattern.
SOURCE_ORGS = [
    (r"qwen", ("alibaba",)),
    (r"gemma|gemini|\bpalm\b|text-to-text|switch transformers|\bglam\b|minerva|\bflan\b|blog\.google", ("google",)),
    (r"compute-optimal|scaling language models: methods|deepmind", ("deepmind",)),
    (r"deepseek", ("deepseek",)),
    (r"\byi\b|01\.ai", ("01.ai",)),
    (r"\bllama\b|\bmeta\b", ("meta",)),
    (r"gpt-4 tech|few-shot learners|openai\.com", ("openai",)),
    (r"\bphi-|textbooks are all you need|microsoft", ("microsoft",)),
    (r"falcon", ("technology innovation institute",)),
    (r"baichuan", ("baichuan",)),
    (r"nemotron|nvidia", ("nvidia",)),
    (r"mixtral|mistral", ("mistral",)),
    (r"xgen|salesforce", ("salesforce",)),
    (r"claude|anthropic|system card", ("anthropic",)),
    (r"\bgrok\b|x\.ai\b", ("xai",)),
    (r"megatron-turing|deepspeed and megatron", ("microsoft", "nvidia")),
    (r"intellect-1", ("prime intellect",)),
    (r"kimi|moonshot", ("moonshot",)),
    (r"\bglm\b|zhipu|z\.ai", ("z.ai", "zhipu")),
]


def vendor_source(source_text: str, organization: str) -> bool:
    text, org = source_text.lower(), organization.lower()
    if not org:
        return False
    return any(re.search(p, text) and any(k in org for k in keys) for p, keys in SOURCE_ORGS)


def _source_text(row: dict) -> str:
    """Text used for vendor detection: the Source title (unless it is a URL) plus the host names of
    the links. Paths are ignored: leaderboards put model names in their URLs (gbaeval.com/model/claude-...)."""
    parts = []
    for c in ("Source", "Source link", "Source Link", "Source link (site from table)"):
        v = row.get(c, "").strip()
        if not v:
            continue
        if _is_url(v):
            parts.append(re.sub(r"^https?://", "", v).split("/")[0])
        else:
            parts.append(v)
    return " | ".join(parts)
