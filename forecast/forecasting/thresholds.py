"""Capability thresholds as benchmark proxies, read from a TOML file (default data/thresholds.toml).

A threshold holds one or more criteria ``benchmark comparison value`` combined with ``all`` or
``any``. Crossing a proxy is not a lab's determination; each threshold says what its proxy misses.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from ..data import BUNDLED_DATA
from ..data.schema import THRESHOLDS_FILE
from ..errors import DataValidationError, ForecastError, Problem

COMPARISONS = (">=", "<=")
REQUIRED = ("id", "framework", "level", "description", "source_url", "proxy_note", "criteria")
ID_RE = re.compile(r"^[a-z0-9][a-z0-9._-]*$")


@dataclass(frozen=True)
class Criterion:
    benchmark: str
    comparison: str
    value: float
    inference_multiplier: float = 1.0

    def met(self, score):
        """Vectorised: True where ``score`` satisfies the criterion."""
        return score >= self.value if self.comparison == ">=" else score <= self.value

    def __str__(self) -> str:
        return f"{self.benchmark} {self.comparison} {self.value:g}"


@dataclass(frozen=True)
class Threshold:
    id: str
    framework: str
    level: str
    description: str
    criteria: tuple[Criterion, ...]
    combine: str
    source_url: str
    proxy_note: str
    confidence: str = ""
    proxy_source_url: str = ""
    #: the lab level this proxy stands for, as readers know it, and how the lab's own published
    #: determinations of it are found (``forecast.forecasting.labcalls``)
    lab: str = ""
    lab_level: str = ""
    category: str = ""
    display_name: str = ""
    determination_levels: tuple[str, ...] = ()
    match_category: bool = False
    #: ids of this threshold in earlier versions of the thresholds file (old ledgers resolve)
    aliases: tuple[str, ...] = ()
    extra: dict = field(default_factory=dict, compare=False, hash=False)

    @property
    def rule(self) -> str:
        joiner = " and " if self.combine == "all" else " or "
        return joiner.join(str(c) for c in self.criteria)

    @property
    def title(self) -> str:
        """The threshold as a policy reader names it, with its proxy: "OpenAI High,
        cybersecurity (proxy: cybench >= 0.75 or metr_time_horizon >= 960)"."""
        return f"{self.display_name or self.id} (proxy: {self.rule})"


def default_thresholds_path() -> Path:
    return BUNDLED_DATA / THRESHOLDS_FILE


def _line_of(text: str, ident: str) -> int | None:
    for i, line in enumerate(text.splitlines(), start=1):
        if re.match(rf'^\s*id\s*=\s*["\']{re.escape(ident)}["\']', line):
            return i
    return None


def load_thresholds(path: str | Path | None = None, benchmarks: dict[str, str] | None = None) -> list[Threshold]:
    """Parse and validate a thresholds file. ``benchmarks`` maps known benchmark ids to units;
    a criterion on an unknown benchmark is an error. Raises ``DataValidationError`` listing
    every problem with file and line."""
    path = Path(path) if path else default_thresholds_path()
    name = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ForecastError(f"{path}: thresholds file not found") from None
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        m = re.search(r"line (\d+), column (\d+)", str(exc))
        raise DataValidationError(
            [
                Problem(
                    name,
                    int(m.group(1)) if m else None,
                    f"column {m.group(2)}" if m else None,
                    f"malformed TOML: {exc}",
                )
            ],
            f"{path}: thresholds file is invalid",
        ) from None
    items = doc.get("threshold")
    if not isinstance(items, list) or not items:
        raise DataValidationError(
            [Problem(name, None, None, "no [[threshold]] tables found")], f"{path}: thresholds file is invalid"
        )
    problems: list[Problem] = []
    out: list[Threshold] = []
    seen: set[str] = set()
    aliased: set[str] = set()
    for n, item in enumerate(items, start=1):
        ident = str(item.get("id", f"#{n}"))
        line = _line_of(text, ident)
        where = f"threshold '{ident}'"
        bad = False
        for key in REQUIRED:
            if key not in item or item[key] in ("", [], None):
                problems.append(Problem(name, line, key, f"{where}: '{key}' is required"))
                bad = True
        if not ID_RE.match(ident):
            problems.append(Problem(name, line, "id", f"{where}: id must be lowercase letters, digits, '.', '-', '_'"))
        if ident in seen:
            problems.append(Problem(name, line, "id", f"duplicate threshold id '{ident}'"))
        seen.add(ident)
        combine = item.get("combine", "all")
        if combine not in ("all", "any"):
            problems.append(Problem(name, line, "combine", f"{where}: combine must be 'all' or 'any', got '{combine}'"))
        url = str(item.get("source_url", ""))
        if url and not url.startswith(("http://", "https://")):
            problems.append(Problem(name, line, "source_url", f"{where}: '{url}' is not an http(s) URL"))
        criteria = []
        for c in item.get("criteria", []) or []:
            b = c.get("benchmark", "")
            comp = c.get("comparison", "")
            value = c.get("value")
            if benchmarks is not None and b not in benchmarks:
                problems.append(Problem(name, line, "criteria.benchmark", f"{where}: unknown benchmark '{b}'"))
                bad = True
            if comp not in COMPARISONS:
                problems.append(
                    Problem(
                        name, line, "criteria.comparison", f"{where}: comparison must be '>=' or '<=', got '{comp}'"
                    )
                )
                bad = True
            if not isinstance(value, (int, float)) or isinstance(value, bool):
                problems.append(
                    Problem(name, line, "criteria.value", f"{where}: value must be a number, got {value!r}")
                )
                bad = True
            elif benchmarks is not None and benchmarks.get(b) == "fraction" and not 0 <= value <= 1:
                problems.append(
                    Problem(
                        name, line, "criteria.value", f"{where}: {b} is a fraction; value {value} is outside [0, 1]"
                    )
                )
                bad = True
            elif benchmarks is not None and benchmarks.get(b) == "minutes" and value <= 0:
                problems.append(Problem(name, line, "criteria.value", f"{where}: a time horizon must be positive"))
                bad = True
            mult = c.get("inference_multiplier", 1.0)
            if not isinstance(mult, (int, float)) or mult <= 0:
                problems.append(
                    Problem(name, line, "criteria.inference_multiplier", f"{where}: must be a positive number")
                )
                bad = True
            if not bad:
                criteria.append(Criterion(b, comp, float(value), float(mult)))
        if bad or not criteria:
            continue
        lists = {}
        for key in ("determination_levels", "aliases"):
            v = item.get(key, [])
            if not isinstance(v, list) or not all(isinstance(x, str) for x in v):
                problems.append(Problem(name, line, key, f"{where}: {key} must be a list of strings"))
                v = []
            lists[key] = tuple(v)
        for alias in lists["aliases"]:
            if alias in seen or alias in aliased:
                problems.append(Problem(name, line, "aliases", f"{where}: alias '{alias}' is already an id or alias"))
            aliased.add(alias)
        known = set(REQUIRED) | {
            "combine",
            "confidence",
            "proxy_source_url",
            "lab",
            "lab_level",
            "category",
            "display_name",
            "determination_levels",
            "match_category",
            "aliases",
        }
        out.append(
            Threshold(
                id=ident,
                framework=str(item["framework"]),
                level=str(item["level"]),
                description=str(item["description"]),
                criteria=tuple(criteria),
                combine=combine,
                source_url=url,
                proxy_note=str(item["proxy_note"]),
                confidence=str(item.get("confidence", "")),
                proxy_source_url=str(item.get("proxy_source_url", "")),
                lab=str(item.get("lab", "")),
                lab_level=str(item.get("lab_level", "")),
                category=str(item.get("category", "")),
                display_name=str(item.get("display_name", "")),
                determination_levels=lists["determination_levels"],
                match_category=bool(item.get("match_category", False)),
                aliases=lists["aliases"],
                extra={k: v for k, v in item.items() if k not in known},
            )
        )
    for clash in sorted(aliased & seen):
        problems.append(Problem(name, _line_of(text, clash), "aliases", f"'{clash}' is both an id and an alias"))
    if problems:
        raise DataValidationError(problems, f"{path}: thresholds file is invalid")
    return out


def by_id_or_alias(thresholds: list[Threshold]) -> dict[str, Threshold]:
    """Every id and every alias (an id of an earlier thresholds file) to its threshold."""
    out = {a: t for t in thresholds for a in t.aliases}
    out.update({t.id: t for t in thresholds})
    return out


def select(thresholds: list[Threshold], ids: list[str] | None) -> list[Threshold]:
    """The thresholds named by ``ids`` (all when empty); an id of an earlier file (an alias)
    names the threshold that continues it; an unknown id is an error."""
    if not ids:
        return thresholds
    by_id = by_id_or_alias(thresholds)
    unknown = [i for i in ids if i not in by_id]
    if unknown:
        raise ForecastError(
            f"unknown threshold id(s): {', '.join(unknown)}; known: {', '.join(t.id for t in thresholds)}"
        )
    return list(dict.fromkeys(by_id[i] for i in ids))
