"""Thin entry point: `python cli.py ...` is the same as the installed `forecast` command."""

from forecast.cli import main

if __name__ == "__main__":
    main()
