"""The native data schema: three CSV files, their columns and the rules each value must meet.

See docs/data.md for the prose version. This module is the single source of truth for column
names; loaders, validators, importers and docs tests all read it.
"""

from __future__ import annotations

MODELS_FILE = "models.csv"
BENCHMARKS_FILE = "benchmarks.csv"
RESULTS_FILE = "results.csv"
THRESHOLDS_FILE = "thresholds.toml"
#: The labs' own published threshold calls (not part of what is fitted, so not in the data hash).
DETERMINATIONS_FILE = "determinations.csv"

MODEL_COLUMNS = ["model", "organization", "release_date", "train_flop", "reasoning", "source_url"]
#: ``train_flop_lower`` / ``train_flop_upper``: Epoch's bounds on training compute (FLOP), where
#: it publishes them; the fit then treats the model's compute as uncertain within them.
MODEL_OPTIONAL = ["family", "train_flop_source_url", "notes", "train_flop_lower", "train_flop_upper"]
#: Optional columns added after 0.1.0: they enter the data hash only where a row fills them.
LATER_COLUMNS = ("train_flop_lower", "train_flop_upper", "unreachable", "unreachable_source_url")

BENCHMARK_COLUMNS = ["benchmark", "domain", "unit", "floor", "ceiling", "source_url"]
#: ``unreachable``: the share of a fraction benchmark's items that no answer can get right by its
#: answer key (wrong labels, flawed tests), as a published audit estimates it, with the audit in
#: ``unreachable_source_url``. It centres the prior of the benchmark's ceiling (docs/methodology.md);
#: blank: the default prior.
BENCHMARK_OPTIONAL = ["name", "n_items", "release_date", "description", "unreachable", "unreachable_source_url"]

RESULT_COLUMNS = [
    "model",
    "benchmark",
    "score",
    "inference_multiplier",
    "setting",
    "reported_date",
    "source_url",
]
#: ``evaluator``: ``vendor`` (the developer's own report), ``independent`` (a third party ran it)
#: or blank when not known. It is part of a result's identity: a vendor and an independent score
#: for the same model and setting may both stand.
RESULT_OPTIONAL = ["effort", "evaluator", "notes"]

#: ``effort``: the reasoning-effort level of a result when the vendor exposes one (o-series
#: ``reasoning_effort``, Claude/Gemini thinking budgets mapped to levels, see docs/data.md).
#: Blank means the model's default. ``none`` means reasoning switched off on a hybrid model.
#: The size of one effort step in test-time compute is not published, so it is *not* written
#: into ``inference_multiplier``; the capability model estimates it (``effort_step``).
EFFORT_LEVELS = {"none": None, "minimal": -2, "low": -1, "medium": 0, "high": 1, "xhigh": 2, "max": 2}

UNITS = ("fraction", "elo", "minutes")
DOMAINS = (
    "math",
    "code",
    "science",
    "knowledge",
    "agentic",
    "cyber",
    "bio",
    "reasoning",
    "language",
    "multimodal",
)
EVALUATORS = ("vendor", "independent", "")

#: The columns that identify a result; two rows with the same key and different scores conflict.
RESULT_KEY = ["model", "benchmark", "setting", "inference_multiplier", "effort", "evaluator"]

TRUE_WORDS = {"true", "1", "yes", "y", "t"}
FALSE_WORDS = {"false", "0", "no", "n", "f"}

#: Release dates outside this window are rejected as impossible for a language model.
EARLIEST_DATE = "2015-01-01"
LATEST_DATE = "2035-12-31"

#: ``determinations.csv``: one row per published call of a lab on one of its own thresholds.
DETERMINATION_COLUMNS = ["date", "lab", "framework", "level", "model", "determination", "source_url"]
DETERMINATION_OPTIONAL = ["framework_version", "category", "quote", "notes"]
#: What a lab can say of a threshold, strongest first. "alert threshold reached" is Google
#: DeepMind's early warning below a Critical Capability Level.
DETERMINATIONS = ("crossed", "treated as crossed", "cannot rule out", "alert threshold reached", "not crossed")
#: The calls that count as the lab saying the threshold is (or may be) reached.
POSITIVE_DETERMINATIONS = ("crossed", "treated as crossed", "cannot rule out")
