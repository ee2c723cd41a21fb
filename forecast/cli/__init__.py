"""The `forecast` command. Thin: parse arguments, call one library function, print the result.

Heavy libraries (pymc, arviz, matplotlib) are imported inside the commands that need them, so
`forecast --help` and the data commands start fast. Data goes to stdout, diagnostics to stderr.
Every command lives in the module of its layer's work: ``dataset``, ``fitting``, ``forecasts``,
``evaluation``, ``memo``; ``common`` holds the apps and shared options.
"""

from __future__ import annotations

import sys

# each module registers its commands, in the order `forecast --help` lists them
from . import dataset, evaluation, fitting, forecasts, memo  # noqa: F401, I001  # noqa: F401, I001
from .common import app, err


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        err("interrupted; nothing was left half-written")
        sys.exit(130)


__all__ = ["app", "main"]
