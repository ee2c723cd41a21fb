"""The dataset: schema, reading and atomic writing, validation, merging, summaries and the
importers of public exports (``forecast.data.importers``). Nothing here imports the model.

The public API is re-exported here: ``from forecast import data as D`` then ``D.load_dataset``.
"""

from .dataset import Dataset, bundled_benchmarks, load_dataset, load_raw, typed, write_raw
from .io import (
    BUNDLED_DATA,
    FILE_COL,
    LINE_COL,
    RawDataset,
    atomic_write_text,
    default_file_mode,
    empty_raw,
    hash_raw,
    read_csv_rows,
    read_raw,
    resolve_data_dir,
)
from .merge import MergeReport, add_files, merge, read_new_files, snapshot
from .validation import parse_bool, parse_date, parse_number, result_key, validate_raw

__all__ = [
    "BUNDLED_DATA",
    "FILE_COL",
    "LINE_COL",
    "Dataset",
    "MergeReport",
    "RawDataset",
    "add_files",
    "atomic_write_text",
    "bundled_benchmarks",
    "default_file_mode",
    "empty_raw",
    "hash_raw",
    "load_dataset",
    "load_raw",
    "merge",
    "parse_bool",
    "parse_date",
    "parse_number",
    "read_csv_rows",
    "read_new_files",
    "read_raw",
    "resolve_data_dir",
    "result_key",
    "snapshot",
    "typed",
    "validate_raw",
    "write_raw",
]
