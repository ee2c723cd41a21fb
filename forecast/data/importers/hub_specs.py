"""The official Epoch AI Benchmarking Hub download (2026 format): one specification per CSV file,
saying whether it is imported, under which benchmark id, from which score column and scale, with
which domain, floor, ceiling and item count, and which row filters and setting columns apply.
The reasons are in docs/data.md ("The official Benchmarking Hub download")."""

from __future__ import annotations

from dataclasses import dataclass

#: The hub page cited by the zip's own README; used when no better per-row or per-benchmark page exists.
EPOCH_HUB = "https://epoch.ai/benchmarks"
#: Epoch benchmark pages whose slugs are attested in public material (others fall back to EPOCH_HUB).
EPOCH_PAGES = {
    "gpqa_diamond": "https://epoch.ai/benchmarks/gpqa-diamond",
    "swe_bench_verified_epoch2026": "https://epoch.ai/benchmarks/swe-bench-verified",
    "apex_agents": "https://epoch.ai/benchmarks/apex-agents",
    "cl_bench": "https://epoch.ai/benchmarks/cl-bench",
    "frontiermath_v2_tiers_1_3": "https://epoch.ai/benchmarks/frontiermath-tiers-1-3-v2",
    "frontiermath_v2_tier_4": "https://epoch.ai/benchmarks/frontiermath-tier-4-v2",
}


@dataclass(frozen=True)
class Spec:
    file: str  # CSV name without ".csv"
    include: bool
    reason: str
    benchmark: str = ""  # benchmark id (existing id where it is the same benchmark)
    existing: bool = False  # the id exists in data/benchmarks.csv (2026-11-26, 29 ids)
    score_col: str = ""
    scale: str = ""  # fraction | percent | elo | minutes (scale of the CSV column)
    unit: str = ""  # fraction | elo | minutes (native unit)
    domain: str = ""
    floor: float | None = None
    ceiling: float | None = None
    n_items: int | None = None
    evaluator: str = "independent"
    evaluator_note: str = ""  # who produced the numbers
    epoch_run: bool = False  # Epoch's own runs (Started at, Log viewer, id)
    source_url: str = ""  # benchmark paper or official page (benchmarks.csv source_url)
    name: str = ""
    description: str = ""
    release_date: str = ""  # benchmark release (lower bound for undated leaderboard rows)
    filters: str = ""  # row filters / special handling, in words
    setting_cols: tuple = ()  # ((column, label), ...) appended to the result's setting
    effort_col: str = ""  # column that states the reasoning effort (wins over the id suffix)
    name_effort: bool = False  # parse "(High)", "(120K, Max)", "(Thinking 16K)" from the Name column
    name_thinking: bool = False  # Name says "-thinking"/"(Thinking)" or "Non-Thinking"/"instant"
    date_col: str = ""  # per-row date giving reported_date (else lower bound)
    link_cols: tuple = ("Source link", "Source link (site from table)", "Source Link", "Source")
    publisher_org: str = ""  # organisation running the leaderboard: its own models are `vendor`
    note_cols: tuple = ()  # extra columns copied into notes ("col=value")


S = Spec
# fmt: off
SPECS: list[Spec] = [
    # ------------------------------------------------------------------ Epoch AI's own runs
    S("gpqa_diamond", True, "Epoch AI run; accuracy", "gpqa_diamond", True, "Best score (across scorers)",
      "fraction", "fraction", "science", 0.25, 1, 198, epoch_run=True, evaluator_note="Epoch AI",
      source_url="https://arxiv.org/abs/2311.12022", name="GPQA Diamond", release_date="2023-11-20",
      date_col="Started at"),
    S("math_level_5", True, "Epoch AI run; accuracy (no runs after 2025-10-30)", "math_level5", True,
      "Best score (across scorers)", "fraction", "fraction", "math", 0, 1, 1324, epoch_run=True,
      evaluator_note="Epoch AI", source_url="https://arxiv.org/abs/2103.03874", name="MATH Level 5",
      release_date="2021-03-05", date_col="Started at"),
    S("otis_mock_aime_2024_2025", True, "Epoch AI run; accuracy", "otis_mock_aime", True,
      "Best score (across scorers)", "fraction", "fraction", "math", 0, 1, 45, epoch_run=True,
      evaluator_note="Epoch AI", source_url="https://epoch.ai/benchmarks/otis-mock-aime",
      name="OTIS Mock AIME 2024-2025", release_date="2024-12-19", date_col="Started at"),
    S("frontiermath", True, "Epoch AI run; FrontierMath v1 private tiers 1-3 (290 problems, task "
      "FrontierMath-2025-02-28-Private). v2 (2026-06-12) is NOT in this file", "frontiermath", True,
      "Best score (across scorers)", "fraction", "fraction", "math", 0, 1, 290, epoch_run=True,
      evaluator_note="Epoch AI", source_url="https://arxiv.org/abs/2411.04872",
      name="FrontierMath (tiers 1-3)", release_date="2025-02-28", date_col="Started at",
      filters="skip runs started on/after 2026-06-12 (FrontierMath v2 release): series would be ambiguous"),
    S("frontiermath_tier_4", True, "Epoch AI run; FrontierMath v1 Tier 4 private (48 problems). v2 NOT in "
      "this file", "frontiermath_tier4", True, "Best score (across scorers)", "fraction", "fraction", "math",
      0, 1, 48, epoch_run=True, evaluator_note="Epoch AI", source_url="https://epoch.ai/frontiermath",
      name="FrontierMath Tier 4", release_date="2025-07-01", date_col="Started at",
      filters="skip runs started on/after 2026-06-12 (FrontierMath v2 release)"),
    S("swe_bench_verified", True, "Epoch AI run with the scaffold upgraded in Feb 2026 on 484 tasks: every "
      "run is from 2026-02-01 on, the 2025 runs were withdrawn, and the 9 models in both series score "
      "+0.06..+0.19 higher here. A new series, not the old Epoch swe_bench_verified rows",
      "swe_bench_verified_epoch2026", False, "Best score (across scorers)", "fraction", "fraction", "code",
      0, 1, 484, epoch_run=True, evaluator_note="Epoch AI",
      source_url="https://epoch.ai/benchmarks/swe-bench-verified",
      name="SWE-bench Verified (Epoch scaffold, Feb 2026)", release_date="2026-02-01", date_col="Started at",
      description="Epoch AI's SWE-bench Verified runs with the February 2026 scaffold, 484 of the 500 tasks",
      filters="same model version twice (gpt-5.1_high, claude-opus-4-6): newest run kept"),
    S("simpleqa_verified", True, "Epoch AI run; accuracy on short factual questions", "simpleqa_verified",
      False, "Best score (across scorers)", "fraction", "fraction", "knowledge", 0, 1, 1000, epoch_run=True,
      evaluator_note="Epoch AI", source_url="https://arxiv.org/abs/2509.07968", name="SimpleQA Verified",
      release_date="2025-09-01", date_col="Started at",
      description="1,000 short fact-seeking questions (Google DeepMind's cleaned SimpleQA); share correct"),
    S("chess_puzzles", True, "Epoch AI run; share of puzzles solved", "chess_puzzles", False,
      "Best score (across scorers)", "fraction", "fraction", "reasoning", 0, 1, 100, epoch_run=True,
      evaluator_note="Epoch AI", source_url=EPOCH_HUB, name="Chess Puzzles (Epoch AI)",
      date_col="Started at", description="Chess puzzles (find the best move), run by Epoch AI; n_items "
      "estimated from the standard errors"),
    S("mystery_game_puzzles", True, "Epoch AI run; share solved (20 runs, all 2026-07)",
      "mystery_game_puzzles", False, "Best score (across scorers)", "fraction", "fraction", "reasoning", 0, 1,
      100, epoch_run=True, evaluator_note="Epoch AI", source_url=EPOCH_HUB,
      name="Mystery Game Puzzles (Epoch AI)", date_col="Started at",
      description="Deduction puzzles run by Epoch AI; n_items estimated from the standard errors"),
    # ------------------------------------------------------------------ leaderboards and papers collected by Epoch
    S("adversarial_nli_external", True, "accuracy, 3-way NLI (papers)", "anli", False, "Score", "fraction",
      "fraction", "language", 0.3333, 1, 3200, source_url="https://arxiv.org/abs/1910.14599",
      name="Adversarial NLI (R1-R3)", release_date="2019-10-31", setting_cols=(("Shots", "shots"),),
      evaluator_note="papers (vendor when the paper is the developer's)"),
    S("aider_polyglot_external", True, "pass rate (percent column)", "aider_polyglot", True,
      "Percent correct", "percent", "fraction", "code", 0, 1, 225, source_url="https://aider.chat/2024/12/21/polyglot.html",
      name="Aider Polyglot", release_date="2024-12-21", setting_cols=(("Edit format", "edit format"),),
      date_col="Date of evaluation", evaluator_note="Aider leaderboard", note_cols=("Cost",),
      filters="same model twice with different edit formats = two settings"),
    S("ale_bench_external", True, "AtCoder Heuristic Contest performance (rating scale, fixed human "
      "reference per contest): usable as an Elo-like score", "ale_bench", False, "Performance", "elo", "elo",
      "code", None, None, 40, source_url="https://arxiv.org/abs/2506.09050", name="ALE-Bench (performance)",
      release_date="2025-06-01", evaluator_note="ALE-Bench leaderboard (Sakana AI)", note_cols=("Cost",)),
    S("algotune_external", False, "score is a speedup ratio over reference code (1.3-2.1x), unbounded, "
      "not a success rate", score_col="Score"),
    S("apex_agents_external", True, "Pass@1 on 480 professional-services agent tasks (Mercor)",
      "apex_agents", False, "Pass@1 score", "fraction", "fraction", "agentic", 0, 1, 480,
      source_url="https://www.mercor.com/apex/", name="APEX-Agents (Pass@1)", release_date="2026-01-20",
      evaluator_note="Mercor leaderboard", note_cols=("Mean score",)),
    S("arc_agi_2_external", True, "ARC Prize semi-private accuracy (fractions now; the 2025 export had "
      "percent)", "arc_agi_2", True, "Score", "fraction", "fraction", "reasoning", 0, 1, 120,
      source_url="https://arcprize.org/arc-agi/2/", name="ARC-AGI-2 (semi-private)", release_date="2025-03-24",
      name_effort=True, evaluator_note="ARC Prize", note_cols=("Cost per task",),
      filters="effort from the Name column '(High)', '(120K, Max)', '(Thinking 16K)' (wins over the id "
      "suffix: claude-opus-4-6_120K appears 4x with Low/Medium/High/Max, claude-opus-5_max is named '(High)'); "
      "gemini-3-deep-think-preview holds two different systems (Dec 2025 preview 0.451, Feb 2026 0.846): "
      "the '(Preview)' row is kept as setting 'preview'"),
    S("arc_agi_external", True, "ARC Prize semi-private accuracy (fractions now)", "arc_agi_1", True, "Score",
      "fraction", "fraction", "reasoning", 0, 1, 100, source_url="https://arcprize.org/arc-agi",
      name="ARC-AGI-1 (semi-private)", release_date="2019-11-05", name_effort=True, evaluator_note="ARC Prize",
      note_cols=("Cost per task",), filters="effort from the Name column, as for ARC-AGI-2"),
    S("arc_ai2_external", True, "ARC Challenge accuracy (papers, fractions now)", "arc_challenge", True,
      "Challenge score", "fraction", "fraction", "science", 0.25, 1, 1172, source_url="https://arxiv.org/abs/1803.05457",
      name="ARC (AI2) Challenge", release_date="2018-03-14", setting_cols=(("Shots", "shots"),),
      evaluator_note="papers"),
    S("balrog_external", True, "average game progress in [0,1] (absolute, not relative to other models)",
      "balrog", False, "Average progress", "fraction", "fraction", "agentic", 0, 1, None,
      source_url="https://arxiv.org/abs/2411.13543", name="BALROG (average progress)", release_date="2024-11-20",
      date_col="Date added", evaluator_note="BALROG leaderboard"),
    S("bbh_external", True, "BIG-Bench Hard average accuracy (papers)", "bbh", True, "Average", "fraction",
      "fraction", "reasoning", 0, 1, 6511, source_url="https://arxiv.org/abs/2210.09261", name="BIG-Bench Hard",
      release_date="2022-10-17", setting_cols=(("Shots", "shots"),), evaluator_note="papers"),
    S("blueprint_bench_2_external", False, "'Score' is a floor-plan similarity rescaled against a baseline "
      "and clipped at 0 (5 of 21 rows are 0); 'Raw score' is a similarity, not a success rate",
      score_col="Score"),
    S("bool_q_external", True, "yes/no accuracy (papers, HELM)", "boolq", False, "Score", "fraction", "fraction",
      "language", 0.5, 1, 3270, source_url="https://arxiv.org/abs/1905.10044", name="BoolQ",
      release_date="2019-05-01", setting_cols=(("Shots", "shots"),), evaluator_note="papers, Stanford HELM"),
    S("btf3_external", False, "Brier score / ranked probability score (lower is better), forecasting",
      score_col="Pooled score"),
    S("cad_eval_external", True, "share of 50 CAD tasks passed (column named '%' but holds fractions)",
      "cadeval", False, "Overall pass (%)", "fraction", "fraction", "code", 0, 1, 50,
      source_url="https://willpatrick.xyz/cadevalresults_20250422_095709/", name="CadEval",
      release_date="2025-04-22", evaluator_note="CadEval dashboard"),
    S("cl_bench_external", True, "solving rate (task passes all rubrics), Tencent Hunyuan/Fudan", "cl_bench",
      False, "Overall", "fraction", "fraction", "reasoning", 0, 1, 1899, source_url="https://arxiv.org/abs/2602.03587",
      name="CL-bench (context learning)", release_date="2026-02-03", evaluator_note="CL-bench leaderboard"),
    S("cl_bench_life_external", True, "solving rate on real-life context-learning tasks", "cl_bench_life",
      False, "Overall", "fraction", "fraction", "reasoning", 0, 1, 405, source_url="https://arxiv.org/abs/2604.27043",
      name="CL-bench Life", release_date="2026-04-01", evaluator_note="CL-bench leaderboard"),
    S("common_sense_qa_2_external", True, "yes/no accuracy (papers); 3 of 10 rows have release dates",
      "csqa2", False, "Score", "fraction", "fraction", "knowledge", 0.5, 1, None,
      source_url="https://arxiv.org/abs/2201.05320", name="CommonsenseQA 2.0", release_date="2022-01-01",
      setting_cols=(("Shots", "shots"),), evaluator_note="papers"),
    S("critpt_external", True, "accuracy on 71 research-level physics challenges", "critpt", False, "Accuracy",
      "fraction", "fraction", "science", 0, 1, 71, source_url="https://arxiv.org/abs/2509.26574",
      name="CritPt", release_date="2025-09-30", name_thinking=True,
      evaluator_note="Artificial Analysis runs (no source column)", note_cols=("Cost",)),
    S("cursorbench_external", True, "Cursor's agentic coding benchmark, share of tasks solved", "cursorbench",
      False, "Score", "fraction", "fraction", "code", 0, 1, None, source_url="https://cursor.com/cursorbench",
      name="CursorBench", effort_col="Reasoning level", publisher_org="Cursor",
      evaluator_note="Cursor (vendor for Cursor's own models)", note_cols=("Cost per task", "Tokens per task"),
      filters="effort from 'Reasoning level' (claude-opus-5_max appears 3x with Max/Extra High/High)"),
    S("cybench_external", True, "unguided success rate (fractions now; percent in 2025)", "cybench", True,
      "Unguided % Solved", "fraction", "fraction", "cyber", 0, 1, 40, source_url="https://arxiv.org/abs/2408.08926",
      name="Cybench (unguided)", release_date="2024-08-15",
      evaluator_note="Cybench leaderboard; system/model cards are vendor",
      filters="rows from the developer's system/model card are evaluator=vendor; rows whose note says the "
      "score is inflated (HAL answer leak: o1-mini, o3-mini) are skipped"),
    S("deepresearchbench_external", True, "average task score in [0,1] (FutureSearch DRB)", "deepresearch_bench",
      False, "Average score", "fraction", "fraction", "agentic", 0, 1, None, source_url="https://drb.futuresearch.ai",
      name="Deep Research Bench (FutureSearch)", release_date="2025-06-13", evaluator_note="FutureSearch"),
    S("deepswe_external", True, "Pass@1 with mini-swe-agent (Pass@4 not used)", "deepswe", False, "Pass@1",
      "fraction", "fraction", "code", 0, 1, None, source_url="https://deepswe.datacurve.ai/", name="DeepSWE (Pass@1)",
      setting_cols=(("Harness", "harness"),), effort_col="Reasoning effort", evaluator_note="Datacurve",
      note_cols=("Mean cost (USD)", "Mean output tokens")),
    S("enigma_eval_external", True, "accuracy on 1,184 puzzle-hunt puzzles (Scale SEAL)", "enigmaeval", False,
      "Accuracy", "fraction", "fraction", "reasoning", 0, 1, 1184, source_url="https://arxiv.org/abs/2502.08859",
      name="EnigmaEval", release_date="2025-02-13", evaluator_note="Scale SEAL leaderboard"),
    S("eci_benchmark_difficulties_and_slopes", False, "additional_eci_data/: Epoch's IRT difficulty and "
      "slope per benchmark (54), not results; lists FrontierMath-Tiers-1-3-v2-Private and "
      "FrontierMath-Tier-4-v2-Private, whose runs are not in this zip"),
    S("epoch_capabilities_index", False, "derived index (ECI), not a benchmark; read only for model names "
      "(family), accessibility and training compute", score_col="ECI Score"),
    S("exploitbench_external", False, "'Mean capability' is a tiered-reach composite (T1-T5 reach, several "
      "runs per model: autonudge on/off, seeds), not a success rate", score_col="Mean capability"),
    S("fictionlivebench_external", True, "comprehension accuracy at 120k tokens of context", "fiction_livebench_120k",
      False, "120k token score", "fraction", "fraction", "language", 0, 1, None,
      source_url="https://fiction.live/stories/Fiction-liveBench-Mar-14-2025/oQdzQvKHw8JyXbN87/home",
      name="Fiction.LiveBench (120k tokens)", release_date="2025-02-21", evaluator_note="Fiction.live",
      filters="rows without a 120k score are skipped (19 of 62)"),
    S("forecastbench_external", False, "difficulty-adjusted Brier index, not a success rate",
      score_col="Overall score"),
    S("frontiercode_external", True, "Cognition's FrontierCode 'Main score' (Mean@5); Epoch switched from "
      "'Diamond score' to 'Main score' in 2026-07, not comparable across the switch", "frontiercode", False,
      "Main score", "fraction", "fraction", "code", 0, 1, None, source_url="https://cognition.com/frontiercode",
      name="FrontierCode (main)", setting_cols=(("Harness", "harness"),), effort_col="Reasoning effort",
      publisher_org="Cognition", evaluator_note="Cognition (vendor for SWE-1.x)"),
    S("frontiermath_tiers_1_3_v2", True, "NOT IN THE 2026-07-31 ZIP. Placeholder for the v2 file Epoch "
      "later publishes (frontiermath_tiers_1_3_v2.csv): corrected problem set released 2026-06-12",
      "frontiermath_v2_tiers_1_3", False, "Best score (across scorers)", "fraction", "fraction", "math", 0, 1,
      None, epoch_run=True, evaluator_note="Epoch AI",
      source_url="https://epoch.ai/benchmarks/frontiermath-tiers-1-3-v2", name="FrontierMath v2 (tiers 1-3)",
      release_date="2026-06-12", date_col="Started at"),
    S("frontiermath_tier_4_v2", True, "NOT IN THE 2026-07-31 ZIP. Placeholder for the v2 Tier 4 file",
      "frontiermath_v2_tier_4", False, "Best score (across scorers)", "fraction", "fraction", "math", 0, 1, None,
      epoch_run=True, evaluator_note="Epoch AI", source_url="https://epoch.ai/benchmarks/frontiermath-tier-4-v2",
      name="FrontierMath v2 (Tier 4)", release_date="2026-06-12", date_col="Started at"),
    S("frontierswe_external", False, "'Dominance' and 'Average rank' are ranks relative to the other models "
      "in the pool", score_col="Dominance"),
    S("gbaeval_external", True, "share of emulator tests passed by the system the agent built in 24 h "
      "(absolute scale)", "gbaeval", False, "Overall score", "fraction", "fraction", "agentic", 0, 1, None,
      source_url="https://gbaeval.com", name="GBAEval", date_col="Graded at", evaluator_note="GBAEval"),
    S("gdp_pdf_external", True, "whole-task accuracy on 100 expert questions over professional PDFs (Surge AI)",
      "gdp_pdf", False, "GDP.pdf score", "fraction", "fraction", "multimodal", 0, 1, 100,
      source_url="https://surgehq.ai/leaderboards/gdp-pdf", name="GDP.pdf", release_date="2026-04-01",
      date_col="Last updated", evaluator_note="Surge AI leaderboard"),
    S("gdpval_external", False, "win rate against human experts' deliverables (relative to a reference)",
      score_col="Win Rate (%)"),
    S("geobench_external", True, "country identification accuracy ('ACW Country %'); the headline "
      "'ACW Avg Score' is GeoGuessr points (0-5000)", "geobench_country", False, "ACW Country %", "fraction",
      "fraction", "multimodal", 0, 1, None, source_url="https://geobench.org/", name="GeoBench (country accuracy)",
      release_date="2025-03-01", setting_cols=(("Tools", "tools"),), evaluator_note="GeoBench leaderboard"),
    S("gsm8k_external", True, "exact match (papers, HELM)", "gsm8k", True, "EM", "fraction", "fraction", "math",
      0, 1, 1319, source_url="https://arxiv.org/abs/2110.14168", name="GSM8K", release_date="2021-10-27",
      setting_cols=(("Shots", "shots"),), evaluator_note="papers, Stanford HELM"),
    S("gso_external", True, "OPT@1 (share of tasks where the agent matches the expert speedup); "
      "'OPT@1 (hack-adjusted)' exists for 20 of 38 rows only, kept in notes", "gso", False, "Score OPT@1",
      "fraction", "fraction", "code", 0, 1, 102, source_url="https://gso-bench.github.io/", name="GSO (OPT@1)",
      release_date="2025-05-29", setting_cols=(("Scaffold", "scaffold"),), date_col="Evaluation date",
      evaluator_note="GSO leaderboard", note_cols=("OPT@1 (hack-adjusted)",),
      filters="hack-adjusted column not used as score (incomplete); bare id and _unknown/_high rows with the "
      "same score are one leaderboard entry"),
    S("hella_swag_external", True, "accuracy (papers, HELM)", "hellaswag", True, "Overall accuracy",
      "fraction", "fraction", "knowledge", 0.25, 1, 10042, source_url="https://arxiv.org/abs/1905.07830",
      name="HellaSwag", release_date="2019-05-19", setting_cols=(("Shots", "shots"),), evaluator_note="papers"),
    S("hle_external", True, "accuracy (Scale SEAL leaderboard; no source column)", "hle", True, "Accuracy",
      "fraction", "fraction", "knowledge", 0, 1, None, source_url="https://arxiv.org/abs/2501.14249",
      name="Humanity's Last Exam", release_date="2025-01-24", name_thinking=True,
      evaluator_note="Scale SEAL / CAIS leaderboard",
      filters="Claude rows: thinking vs non-thinking only in the Name ('...-thinking', '(Thinking)'), both "
      "under the same _unknown id: separated by setting"),
    S("lambada_external", True, "last-word accuracy (papers)", "lambada", False, "Score", "fraction", "fraction",
      "language", 0, 1, 5153, source_url="https://arxiv.org/abs/1606.06031", name="LAMBADA",
      release_date="2016-06-20", setting_cols=(("Shots", "shots"),), evaluator_note="papers"),
    S("lech_mazur_writing_external", False, "LLM-judge rating on a 0-10 scale (frozen V1), not a success rate",
      score_col="Mean score"),
    S("live_bench_external", True, "LiveBench-2024-11-25 global average (percent column)",
      "livebench_2024_11_25", False, "Global average", "percent", "fraction", "reasoning", 0, 1, None,
      source_url="https://livebench.ai", name="LiveBench (2024-11-25 release)", release_date="2024-11-25",
      evaluator_note="LiveBench leaderboard",
      filters="only rows with LiveBench Version == LiveBench-2024-11-25 (other releases are other question sets)"),
    S("metr_time_horizons_external", False, "copy of METR's numbers mixing TH1.0 (33 rows, some stale: o3 "
      "91.3 vs 94.0 in METR's YAML) and TH1.1 (17 rows); import METR's YAML instead (read_metr_th11)",
      "metr_time_horizon", True, "Time horizon", "minutes", "minutes", "agentic"),
    S("mindcube_external", True, "accuracy (5 small open VLMs); chance floor not established, 0 used",
      "mindcube", False, "Overall score", "fraction", "fraction", "multimodal", 0, 1, None,
      source_url="https://mind-cube.github.io/", name="MindCube", release_date="2025-06-01",
      evaluator_note="MindCube paper/site"),
    S("mmlu_external", True, "exact match (papers, HELM)", "mmlu", True, "EM", "fraction", "fraction", "knowledge",
      0.25, 1, 14042, source_url="https://arxiv.org/abs/2009.03300", name="MMLU", release_date="2020-09-07",
      setting_cols=(("Shots", "shots"),), evaluator_note="papers, Stanford HELM"),
    S("open_book_qa_external", True, "accuracy (papers)", "openbookqa", True, "Accuracy", "fraction", "fraction",
      "science", 0.25, 1, 500, source_url="https://arxiv.org/abs/1809.02789", name="OpenBookQA",
      release_date="2018-09-08", setting_cols=(("Shots", "shots"),), evaluator_note="papers"),
    S("os_world_external", True, "OSWorld-Verified success rate (percent column; every row added from "
      "2025-07-27 on, scores differ from the 2025 OSWorld export)", "osworld_verified", False, "Score",
      "percent", "fraction", "agentic", 0, 1, 369, source_url="https://os-world.github.io/",
      name="OSWorld-Verified", release_date="2025-07-28", setting_cols=(("Agent", "agent"),),
      date_col="Date added", evaluator_note="OSWorld leaderboard; developer announcements are vendor",
      filters="step budget (15/50/100 steps) from the Agent column is part of the setting"),
    S("osworld_2_external", True, "OSWorld 2.0 binary task success ('Partial score' not used)", "osworld_2",
      False, "Binary accuracy", "fraction", "fraction", "agentic", 0, 1, None,
      source_url="https://osworld-v2.xlang.ai/", name="OSWorld 2.0 (binary)",
      setting_cols=(("Tool setting", "tools"), ("Step budget", "steps")), effort_col="Reasoning",
      evaluator_note="XLANG OSWorld 2.0 leaderboard", note_cols=("Partial score", "Estimated cost (USD)")),
    S("piqa_external", True, "accuracy, 2 options (papers)", "piqa", True, "Score", "fraction", "fraction",
      "knowledge", 0.5, 1, 1838, source_url="https://arxiv.org/abs/1911.11641", name="PIQA",
      release_date="2019-11-26", setting_cols=(("Shots", "shots"),), evaluator_note="papers"),
    S("posttrainbench_external", False, "average benchmark score of the small model the agent post-trained: "
      "its floor is that base model's score, not 0 or chance", score_col="Average (%)"),
    S("proofbench_external", True, "share of proofs judged correct (Vals AI)", "proofbench", False, "Accuracy",
      "fraction", "fraction", "math", 0, 1, None, source_url="https://www.vals.ai/benchmarks/proof_bench",
      name="ProofBench (Vals AI)", effort_col="Reasoning effort", evaluator_note="Vals AI",
      note_cols=("Cost per test (USD)",)),
    S("rli_external", True, "automation rate: share of 240 freelance projects delivered at client-acceptable "
      "quality", "remote_labor_index", False, "Score", "fraction", "fraction", "agentic", 0, 1, 240,
      source_url="https://arxiv.org/abs/2510.26787", name="Remote Labor Index", release_date="2025-10-29",
      name_thinking=True, evaluator_note="Scale AI / CAIS leaderboard"),
    S("scicode_external", True, "SciCode main-problem accuracy run by Artificial Analysis", "scicode", False,
      "Score", "fraction", "fraction", "science", 0, 1, 80, source_url="https://arxiv.org/abs/2407.13168",
      name="SciCode", release_date="2024-07-01", name_thinking=True, evaluator_note="Artificial Analysis"),
    S("science_qa_external", True, "accuracy, multimodal multiple choice (chance 39.8% in the paper)",
      "scienceqa", False, "Score", "fraction", "fraction", "multimodal", 0.398, 1, 4241,
      source_url="https://arxiv.org/abs/2209.09513", name="ScienceQA", release_date="2022-09-20",
      evaluator_note="ScienceQA leaderboard, papers"),
    S("simplebench_external", True, "AVG@5 accuracy, 6 options", "simplebench", True, "Score (AVG@5)",
      "fraction", "fraction", "reasoning", 0.1667, 1, None, source_url="https://simple-bench.com/",
      name="SimpleBench", release_date="2024-10-31", evaluator_note="SimpleBench / LM Council"),
    S("spatialviz_bench_external", True, "accuracy, 4-option multiple choice", "spatialviz_bench", False,
      "Overall score", "fraction", "fraction", "multimodal", 0.25, 1, 1180, source_url="https://arxiv.org/abs/2507.07610",
      name="SpatialViz-Bench", release_date="2025-07-01", evaluator_note="paper"),
    S("superglue_external", False, "average of heterogeneous task metrics (accuracy, F1, EM) and only 1 of 11 "
      "rows has a release date", score_col="Score"),
    S("surface_evolver_bench_external", True, "pass rate on 16 Surface Evolver physics tasks ('Mean score' is "
      "partial credit, not used)", "surface_evolver_bench", False, "Pass rate", "fraction", "fraction", "science",
      0, 1, 16, source_url="https://yhenon.github.io/surface-evolver-llm-eval/", name="Surface Evolver Bench",
      evaluator_note="author's leaderboard", note_cols=("Mean score",)),
    S("terminalbench_external", True, "Terminal-Bench 2.0 accuracy per agent harness", "terminal_bench_2", False,
      "Accuracy mean", "fraction", "fraction", "agentic", 0, 1, 89,
      source_url="https://www.tbench.ai/leaderboard/terminal-bench/2.0", name="Terminal-Bench 2.0",
      setting_cols=(("Agent", "agent"),), date_col="Created",
      evaluator_note="tbench.ai leaderboard; agent harness built by the model developer (Codex, Claude Code, "
      "Gemini CLI) stays independent: the leaderboard ran/collected it",
      filters="Epoch re-entered the whole leaderboard on 2026-03-06 (ids with _unknown, Name filled): 49 rows "
      "are the same entry twice; keep the latest curation per (agent, run date, score), reported_date = the "
      "first time Epoch recorded it; agent names trimmed ('Terminus 2 ')"),
    S("the_agent_company_external", True, "'% Resolved' (full task completion; '% Score' is partial credit)",
      "the_agent_company", False, "% Resolved", "fraction", "fraction", "agentic", 0, 1, 175,
      source_url="https://arxiv.org/abs/2412.14161", name="TheAgentCompany (% resolved)",
      release_date="2024-12-18", date_col="Date", evaluator_note="TheAgentCompany leaderboard",
      note_cols=("% Score",), filters="agent scaffold = text before ' + ' in Name"),
    S("trivia_qa_external", True, "exact match (papers)", "triviaqa", True, "EM", "fraction", "fraction",
      "knowledge", 0, 1, None, source_url="https://arxiv.org/abs/1705.03551", name="TriviaQA",
      release_date="2017-05-09", setting_cols=(("Shots", "shots"),), evaluator_note="papers"),
    S("vending_bench_2_external", False, "final money balance in dollars (-31 to 11,180), not a success rate",
      score_col="Score"),
    S("video_mme_external", True, "accuracy without subtitles, 4-option multiple choice", "video_mme", False,
      "Overall (no subtitles)", "fraction", "fraction", "multimodal", 0.25, 1, 2700,
      source_url="https://arxiv.org/abs/2405.21075", name="Video-MME (no subtitles)", release_date="2024-05-01",
      setting_cols=(("Frames", "frames"),), evaluator_note="Video-MME leaderboard",
      filters="rows whose note says the model was augmented by another system (AdaReTaKe, QuoTA, ReTaKe) skipped"),
    S("vpct_external", True, "share correct, 3 buckets", "vpct", False, "Correct", "fraction", "fraction",
      "multimodal", 0.3333, 1, 100, source_url="https://cbrower.dev/vpct", name="VPCT (visual physics)",
      release_date="2025-01-30", evaluator_note="VPCT leaderboard"),
    S("webdev_arena_external", False, "Arena Elo from pairwise votes, relative to a shifting model pool",
      score_col="Arena Score"),
    S("weirdml_external", True, "accuracy (fractions now; percent in 2025)", "weirdml", True, "Accuracy",
      "fraction", "fraction", "code", 0, 1, None, source_url="https://htihle.github.io/weirdml.html",
      name="WeirdML", release_date="2025-01-16", evaluator_note="WeirdML leaderboard", note_cols=("Cost per run",)),
    S("wino_grande_external", True, "accuracy, 2 options (papers)", "winogrande", True, "Accuracy", "fraction",
      "fraction", "language", 0.5, 1, 1267, source_url="https://arxiv.org/abs/1907.10641", name="Winogrande",
      release_date="2019-07-24", setting_cols=(("Shots", "shots"),), evaluator_note="papers"),
]# fmt: on

SPEC_BY_FILE = {s.file: s for s in SPECS}
#: Placeholders for files that are not in the 2026-07-31 zip (FrontierMath v2).
NOT_IN_ZIP = {"frontiermath_tiers_1_3_v2", "frontiermath_tier_4_v2"}


def spec_for(stem: str) -> Spec | None:
    """Spec for a CSV stem; unknown FrontierMath v2 file names are routed to the v2 series."""
    if stem in SPEC_BY_FILE:
        return SPEC_BY_FILE[stem]
    low = stem.lower()
    if "frontiermath" in low and ("v2" in low or "2026" in low):
        return SPEC_BY_FILE["frontiermath_tier_4_v2" if "tier_4" in low or "tier4" in low else
                            "frontiermath_tiers_1_3_v2"]
    return None
