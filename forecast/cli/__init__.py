"""The `forecast` command. Thin: parse arguments, call one library function, print the result.

Heavy libraries (pymc, arviz, matplotlib) are imported inside the commands that need them, so
`forecast --help` and the data commands start fast. Data goes to stdout, diagnostics to stderr.
Every command lives in the module of its layer's work: ``dataset``, ``fitting``, ``forecasts``,
``evaluation``, ``memo``; ``common`` holds the apps and shared options.
"""

from __future__ import annotations

import importlib
import sys

from .common import app, err

# each module registers its commands on import, in the order `forecast --help` lists them
for _module in ("dataset", "fitting", "forecasts", "evaluation", "memo"):
    importlib.import_module(f"{__name__}.{_module}")


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        err("interrupted; nothing was left half-written")
        sys.exit(130)


__all__ = ["app", "main"]
