"""CSVs that gave `_csv.Error` tracebacks or were read whole into memory (issue 11): CsvError with file:line,
after reading a bounded amount."""

import re
import tracemalloc
from pathlib import Path

import pytest

from tests.training.conftest import csv_text, synthetic_rows
from training.data import HEADER, MAX_LINE_CHARS, CsvError, load_csv

TWO_GB = 2 * 1024**3
PEAK_BYTES = 8 * 1024**2  # Python allocations while failing; the whole file would be 2 GB (4 GB decoded)


def rows_with(line: int, cell: str) -> str:
    """Five valid rows with `cell` as pixel1 of file line `line` (line 1 is the header)."""
    rows = synthetic_rows(5)
    rows[line - 2][1] = cell
    return csv_text(rows)


def load_bounded(path: Path) -> CsvError:
    """load_csv's error, checking that failing took little memory."""
    tracemalloc.start()
    try:
        with pytest.raises(CsvError) as caught:
            load_csv(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < PEAK_BYTES, f"{peak / 2**20:.0f} MiB allocated to reject {path.name}"
    return caught.value


@pytest.mark.parametrize("cell", ['"12', '1"2', '"12"3'])
def test_stray_quote_names_its_line_and_column(tmp_path, cell):
    path = tmp_path / "quote.csv"
    path.write_text(rows_with(4, cell))
    message = str(load_bounded(path))
    assert message.startswith(f"{path}, line 4, column 2 (pixel1): ") and "is not an integer" in message


def test_field_longer_than_the_csv_module_limit(tmp_path):
    path = tmp_path / "long.csv"
    path.write_text(rows_with(3, "1" * 131_073))
    message = str(load_bounded(path))
    assert message == (f"{path}, line 3: longer than {MAX_LINE_CHARS:,} characters (a Sign-MNIST row has at most "
                       f"{len(HEADER) * 4 - 1:,}): not a Sign-MNIST CSV")


def test_real_header_then_2_gb_of_nul_bytes(tmp_path):
    path = tmp_path / "nul.csv"
    with open(path, "wb") as f:
        f.write((",".join(HEADER) + "\r\n").encode())
        f.truncate(TWO_GB)  # sparse: 2 GB of NUL bytes that take no disk
    assert re.fullmatch(re.escape(f"{path}, line 2: not a text CSV (NUL bytes") + ".*", str(load_bounded(path)))


def test_2_gb_sparse_file(tmp_path):
    path = tmp_path / "sparse.csv"
    with open(path, "wb") as f:
        f.truncate(TWO_GB)
    assert str(load_bounded(path)).startswith(f"{path}, line 1: not a text CSV (NUL bytes")


def test_valid_rows_around_blank_lines_keep_their_line_numbers(tmp_path):
    path = tmp_path / "blank.csv"
    text = rows_with(5, "300").replace("\r\n", "\r\n\r\n", 2)  # two blank lines before line 5's row
    path.write_text(text)
    assert "line 7, column 2 (pixel1): pixel value 300 out of range" in str(load_bounded(path))
