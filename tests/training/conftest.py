"""Tiny synthetic Sign-MNIST CSVs written on the fly."""

import gzip
from pathlib import Path

import numpy as np
import pytest

from training.data import HEADER


def csv_text(rows: list[list], header: list[str] | None = HEADER) -> str:
    lines = [",".join(header)] if header is not None else []
    lines += [",".join(str(v) for v in row) for row in rows]
    return "\r\n".join(lines) + "\r\n"  # CRLF, as in the Kaggle download


def synthetic_rows(n: int, seed: int = 0) -> list[list[int]]:
    """n rows cycling through all 24 valid labels, random pixels."""
    rng = np.random.default_rng(seed)
    labels = [v for v in range(25) if v != 9]
    return [[labels[i % 24], *rng.integers(0, 256, 784).tolist()] for i in range(n)]


@pytest.fixture
def write_csv(tmp_path: Path):
    """write_csv(name, rows, header=HEADER, gz=False) -> path"""

    def write(name: str, rows: list[list], header: list[str] | None = HEADER, gz: bool = False) -> Path:
        path = tmp_path / name
        data = csv_text(rows, header).encode()
        path.write_bytes(gzip.compress(data) if gz else data)
        return path

    return write
