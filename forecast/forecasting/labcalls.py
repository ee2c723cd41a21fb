"""The labs' own calls beside each proxy: which published determinations (``determinations.csv``)
belong to a threshold, the first call that says the level is (or may be) reached, and, in words,
where a proxy runs ahead of or behind the lab."""

from __future__ import annotations

import pandas as pd

from ..data import schema as S
from .thresholds import Threshold

#: A proxy crossing this many days before or after the lab's first positive call is "ahead" or
#: "behind"; within it, the proxy and the lab agree.
AGREE_DAYS = 90


def positive(threshold: Threshold) -> tuple[str, ...]:
    """The determinations that count as the lab saying this level is reached: crossed, treated as
    crossed, cannot rule out; for an alert threshold, also "alert threshold reached"."""
    extra = ("alert threshold reached",) if "alert" in threshold.lab_level.lower() else ()
    return S.POSITIVE_DETERMINATIONS + extra


def lab_determinations(threshold: Threshold, determinations: pd.DataFrame) -> list[dict]:
    """The lab's published calls on this threshold's level, oldest first: date, model, lab, level,
    determination, source_url (and the quote). Matched by lab and level (any spelling the
    threshold lists); within its category when the threshold says so."""
    if determinations is None or determinations.empty or not threshold.lab or not threshold.determination_levels:
        return []
    d = determinations
    levels = {lv.lower() for lv in threshold.determination_levels}
    sel = (d["lab"] == threshold.lab) & d["level"].str.lower().isin(levels)
    if threshold.match_category and "category" in d:
        sel &= d["category"].str.lower() == threshold.category.lower()
    rows = d[sel].sort_values(["date", "model"], kind="stable")
    return [
        {
            "date": r["date"],
            "model": r["model"],
            "lab": r["lab"],
            "level": r["level"],
            "determination": r["determination"],
            "source_url": r["source_url"],
            "quote": r.get("quote", ""),
        }
        for _, r in rows.iterrows()
    ]


def first_positive(threshold: Threshold, calls: list[dict]) -> dict | None:
    """The lab's first call that the level is (or may be) reached, or None."""
    good = positive(threshold)
    return next((c for c in calls if c["determination"] in good), None)


def lab_outcome(threshold: Threshold, calls: list[dict], by: str, newest_call: str | None) -> tuple[int | None, str]:
    """Whether the lab had called this level reached by ``by``: (1, date of the call), (0, "") when
    the determinations reach past ``by`` without such a call, (None, "") when they do not reach
    that far yet, or the threshold names no lab level."""
    if not threshold.determination_levels:
        return None, ""
    first = first_positive(threshold, calls)
    if first is not None and first["date"] <= by:
        return 1, first["date"]
    if newest_call is not None and newest_call >= by:
        return 0, ""
    return None, ""


def compare(threshold: Threshold, calls: list[dict], proxy_crossed: str | None, as_of: str) -> str:
    """One sentence on the proxy against the lab's own calls, for the memo and the table."""
    name = threshold.display_name or threshold.id
    if not threshold.determination_levels:
        if threshold.lab == "METR" or threshold.framework.startswith("METR"):
            return f"{name}: no lab makes this call; the line is METR's metric, not a lab threshold."
        own = threshold.framework or "no framework"
        return f"{name}: no lab makes this call; the line is the thresholds file's own ({own})."
    first = first_positive(threshold, calls)
    if first is None:
        latest = calls[-1] if calls else None
        said = (
            f"its latest call: '{latest['determination']}' for {latest['model']} on {latest['date']}"
            if latest
            else "no published call found"
        )
        if proxy_crossed:
            return (
                f"{name}: the proxy was crossed in the data on {proxy_crossed}, but {threshold.lab} has not declared "
                f"this level ({said}); the proxy runs ahead of the lab."
            )
        return f"{name}: neither the proxy (as of {as_of}) nor {threshold.lab} ({said}) says it is reached."
    lab_on = f"{threshold.lab} called it '{first['determination']}' for {first['model']} on {first['date']}"
    if first["date"] > as_of:
        seen = f"crossed on {proxy_crossed}" if proxy_crossed else "not crossed"
        return f"{name}: {lab_on}, after this forecast's data (as of {as_of}), in which the proxy is {seen}."
    if not proxy_crossed:
        return (
            f"{name}: {lab_on}, but the proxy is not crossed in the data as of {as_of}: the proxy runs behind the lab."
        )
    gap = (pd.Timestamp(first["date"]) - pd.Timestamp(proxy_crossed)).days
    if gap > AGREE_DAYS:
        return (
            f"{name}: the proxy was crossed on {proxy_crossed}, {gap // 30} months before {lab_on}: "
            "the proxy runs ahead of the lab."
        )
    if gap < -AGREE_DAYS:
        return (
            f"{name}: {lab_on}; the proxy was crossed only on {proxy_crossed}, {-gap // 30} months later: "
            "the proxy runs behind the lab."
        )
    return f"{name}: the proxy was crossed on {proxy_crossed} and {lab_on}: they agree within three months."
