"""METR time horizons (``benchmark_results_*.yaml``): the 50% horizon in minutes."""

from __future__ import annotations

import re
from pathlib import Path

from ... import data as D
from ...errors import DataValidationError, ForecastError, Problem
from .. import schema as S
from .common import _date_text, _rows, is_reasoning_id

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
METR_PUBLISHED = "2025-03-19"

METR_TH11_URL = "https://metr.org/blog/2026-1-29-time-horizon-1-1/"
METR_TH11_PUBLISHED = "2026-01-29"
#: METR TH1.1 result keys -> model ids (dataset ids where they exist; hub ids otherwise).
METR_TH11_ALIASES = {
    "claude_3_5_sonnet_20240620_inspect": "claude-3-5-sonnet-20240620",
    "claude_3_5_sonnet_20241022_inspect": "claude-3-5-sonnet-20241022",
    "claude_3_7_sonnet_inspect": "claude-3-7-sonnet-20250219",
    "claude_3_opus_inspect": "claude-3-opus-20240229",
    "claude_4_1_opus_inspect": "claude-opus-4-1-20250805",
    "claude_4_opus_inspect": "claude-opus-4-20250514",
    "claude_opus_4_5_inspect": "claude-opus-4-5",
    "claude_opus_4_6_inspect": "claude-opus-4-6",
    "claude_mythos_preview_early_inspect": "claude-mythos-preview-early",
    "davinci_002": "davinci-002",
    "gemini_3_pro": "gemini-3-pro",
    "gemini_3_1_pro": "gemini-3.1-pro-preview",
    "gpt2": "gpt2",
    "gpt_3_5_turbo_instruct": "gpt-3.5-turbo-instruct",
    "gpt_4": "gpt-4-0314",
    "gpt_4_1106_inspect": "gpt-4-1106-preview",
    "gpt_4_turbo_inspect": "gpt-4-turbo-2024-04-09",
    "gpt_4o_inspect": "gpt-4o-2024-05-13",
    "gpt_5_1_codex_max_inspect": "gpt-5.1-codex-max",
    "gpt_5_2": "gpt-5.2-2025-12-11",
    "gpt_5_2025_08_07_inspect": "gpt-5-2025-08-07",
    "gpt_5_3_codex": "gpt-5.3-codex",
    "gpt_5_4": "gpt-5.4-2026-03-05",
    "o1_inspect": "o1-2024-12-17",
    "o1_preview": "o1-preview-2024-09-12",
    "o3_inspect": "o3-2025-04-16",
}


#: Time Horizon 1.1 results are the same benchmark as 1.0 (METR's 50% horizon), on a new task
#: suite (228 tasks, Inspect instead of 170 tasks, Vivaria): the setting tells them apart.
TH11_SETTING = "Time Horizon 1.1"


def import_metr(path: Path, existing: D.RawDataset) -> tuple[D.RawDataset, D.MergeReport]:
    """METR time-horizon YAML (``benchmark_results_*.yaml``, Time Horizon 1.0 or 1.1): the 50%
    horizon in minutes, with its 95% CI in the notes. A 1.1 result gets the setting "Time Horizon
    1.1" and is dated no earlier than 1.1's publication (2026-01-29)."""
    import yaml

    path = Path(path)
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise DataValidationError(
            [
                Problem(
                    str(path), getattr(getattr(exc, "problem_mark", None), "line", None), None, f"malformed YAML: {exc}"
                )
            ]
        ) from None
    if not isinstance(doc, dict) or "results" not in doc:
        raise ForecastError(f"{path}: not a METR benchmark_results YAML (no 'results' key)")
    report = D.MergeReport()
    text_lines = path.read_text(encoding="utf-8").splitlines()
    known = set(existing.models["model"])
    version = doc.get("benchmark_name", "METR-Horizon")
    th11 = str(version).endswith("v1.1") or "doubling_time_in_days" in doc
    aliases, url, published = (
        (METR_TH11_ALIASES, METR_TH11_URL, METR_TH11_PUBLISHED) if th11 else (METR_ALIASES, METR_URL, METR_PUBLISHED)
    )
    models_out, results_out = [], []
    registry = D.bundled_benchmarks()
    # The hub export carries copies of METR's figures under effort-suffixed version ids: the same
    # measurement, so a METR row for that model takes over the existing row's setting and effort
    # (and so updates it) instead of standing beside it.
    er = existing.results
    same = er[(er["benchmark"] == "metr_time_horizon") & (er["source_url"] == METR_URL)]
    prior = {} if th11 else {r["model"]: (r["setting"], r["effort"]) for _, r in same.iterrows()}
    for key, entry in doc["results"].items():
        line = next((i + 1 for i, t in enumerate(text_lines) if t.strip() == f"{key}:"), 0)
        mid = aliases.get(key, re.sub(r"_inspect$", "", key) if th11 else key)
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
            models_out.append(
                {
                    "model": mid,
                    "organization": "",
                    "release_date": release,
                    "train_flop": "",
                    "reasoning": "true" if is_reasoning_id(mid) else "false",
                    "source_url": url,
                    "family": key,
                    "notes": "added by the METR importer",
                    "_line": line,
                }
            )
            known.add(mid)
        ci = entry["metrics"]["p50_horizon_length"]
        setting, effort = prior.get(mid, (TH11_SETTING if th11 else "", ""))
        results_out.append(
            {
                "model": mid,
                "benchmark": "metr_time_horizon",
                "score": f"{est:.6g}",
                "inference_multiplier": "",
                "setting": setting,
                "reported_date": max(release or "", published),
                "source_url": url,
                "effort": effort,
                "evaluator": "independent",
                "_line": line,
                "notes": f"{version}; scaffolds {', '.join(str(s) for s in entry.get('scaffolds') or [] if s)}; "
                f"95% CI {float(ci.get('ci_low', 'nan')):.3g}-{float(ci.get('ci_high', 'nan')):.3g} min; "
                f"reported_date is the later of release and METR's publication of this suite ({published})",
            }
        )
    new = D.empty_raw()
    new.models = _rows(models_out, S.MODEL_COLUMNS + S.MODEL_OPTIONAL, str(path))
    new.results = _rows(results_out, S.RESULT_COLUMNS + S.RESULT_OPTIONAL, str(path))
    new.benchmarks = registry[registry["benchmark"] == "metr_time_horizon"].copy()
    return new, report
