"""Sign-MNIST CSV reading with clear errors, an honest train/validation split, and augmentation.

A CSV row is `label,pixel1,...,pixel784`: one 28x28 grayscale image, labels 0-24 = A-Y without
9 (J). Every problem is reported as `CsvError` naming the file, line and column, so the CLI and
the app's retrain dialog can show one line instead of a traceback.
"""

import csv
import gzip
import hashlib
import io
import itertools
import math
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import numpy as np
import pandas as pd
import torch
import torch.nn.functional as F

from signcam.labels import class_of_csv_label, is_known_csv_label
from signcam.models.model import INPUT_SIZE
from training.config import CSV_NAMES, CsvError, find_csvs  # noqa: F401 (re-exported: torch-free, for the app)

N_PIXELS = INPUT_SIZE * INPUT_SIZE
HEADER = ["label", *(f"pixel{i}" for i in range(1, N_PIXELS + 1))]
# A row is at most 785 cells of 3 digits and commas (3,139 characters); a longer line is not a row, and reading
# stops there instead of holding a 2 GB "line" in memory (issue 11).
MAX_LINE_CHARS = 16_384
# Sign-MNIST's train CSV has 27,455 rows (85 MB of text); 100,000 rows are ~320 MB of text and ~630 MB as the
# parsed int64 table, the most a CSV may hold so that reading it stays near 1 GB. A gzip of a few MB can expand to
# gigabytes; the row cap and the blank-line cap stop it early (issue 24: 1 GB of blank lines ran for > 300 s).
MAX_ROWS = 100_000
MAX_BLANK_LINES = 10_000


@dataclass(frozen=True)
class Dataset:
    images: np.ndarray  # (N, 28, 28) uint8
    labels: np.ndarray  # (N,) int64 class indices into signcam.labels.LETTERS
    source: str  # the file it came from
    sha256: str  # of the file's bytes as stored (compressed if .gz)

    def __len__(self) -> int:
        return len(self.labels)

    def subset(self, indices: np.ndarray) -> "Dataset":
        return Dataset(self.images[indices], self.labels[indices], self.source, self.sha256)


def _open_text(path: Path) -> IO[str]:
    """A text stream of a plain or gzipped CSV, decoded as it is read (never the whole file at once)."""
    try:
        if path.exists() and not (path.is_file() or path.is_dir()):  # open() of a FIFO would wait for a writer
            raise CsvError(f"{path}: not a regular file (a pipe or device), not a CSV file")
        with open(path, "rb") as f:
            gzipped = f.read(2) == b"\x1f\x8b"
    except FileNotFoundError:
        raise CsvError(f"{path}: file not found") from None
    except IsADirectoryError:
        raise CsvError(f"{path}: is a folder, not a CSV file") from None
    except OSError as e:
        raise CsvError(f"{path}: cannot read ({e.strerror})") from None
    return (gzip.open if gzipped else open)(path, "rt", encoding="utf-8-sig", newline="")


def _read_lines(path: Path, limit: int | None) -> tuple[list[str], list[int]]:
    """The header and the first `limit` non-blank data lines, with their line numbers.

    Each line is read with a length cap, so a file without line breaks (2 GB of NUL bytes, a sparse
    file, a runaway quoted field) fails at its first line instead of being read into memory whole.
    """
    lines, numbers = [], []
    blank = 0
    try:
        with _open_text(path) as f:
            for line_no in itertools.count(1):
                line = f.readline(MAX_LINE_CHARS + 1)
                if not line or (limit is not None and len(lines) > limit):
                    break
                if len(lines) > MAX_ROWS:
                    raise CsvError(f"{path}, line {line_no}: more than {MAX_ROWS:,} rows (Sign-MNIST's train CSV has "
                                   "27,455); split it, or pass --limit")
                if "\x00" in line:
                    raise CsvError(f"{path}, line {line_no}: not a text CSV (NUL bytes: a damaged, unfinished or "
                                   "sparse file)")
                if len(line) > MAX_LINE_CHARS:
                    raise CsvError(f"{path}, line {line_no}: longer than {MAX_LINE_CHARS:,} characters (a Sign-MNIST "
                                   f"row has at most {len(HEADER) * 4 - 1:,}): not a Sign-MNIST CSV")
                if line.strip():
                    lines.append(line)
                    numbers.append(line_no)
                elif (blank := blank + 1) > MAX_BLANK_LINES:
                    raise CsvError(f"{path}, line {line_no}: more than {MAX_BLANK_LINES:,} blank lines: not a "
                                   "Sign-MNIST CSV (a damaged or padded file)")
    except (gzip.BadGzipFile, EOFError, zlib.error) as e:
        raise CsvError(f"{path}: corrupt gzip file ({e})") from None
    except UnicodeDecodeError:  # decoded 8 KB at a time: the bad byte is in the next few lines
        raise CsvError(f"{path}: not a text CSV (a byte that is not UTF-8 at or after line {line_no})") from None
    except OSError as e:
        raise CsvError(f"{path}: cannot read ({e.strerror or e})") from None
    if not lines:
        raise CsvError(f"{path}: empty file")
    return lines, numbers


def _sha256(path: Path) -> str:
    """Of the file's bytes as stored, read in chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _check_header(path: Path, first_line: str) -> None:
    columns = [c.strip() for c in first_line.split(",")]
    if columns == HEADER:
        return
    if not columns or columns[0] != "label":
        raise CsvError(
            f"{path}, line 1: missing or garbled header (expected 'label,pixel1,...,pixel{N_PIXELS}', "
            f"found {first_line[:40]!r})"
        )
    if len(columns) != len(HEADER):
        raise CsvError(f"{path}, line 1: header has {len(columns)} columns, expected {len(HEADER)}")
    col = next(i for i, (a, b) in enumerate(zip(columns, HEADER, strict=True)) if a != b)
    raise CsvError(f"{path}, line 1, column {col + 1}: header says {columns[col]!r}, expected {HEADER[col]!r}")


def _first_bad_cell(path: Path, lines: list[str], numbers: list[int]) -> CsvError:
    """Walk the rows one by one to name the first bad line and column (slow; errors only). Cells are split on
    commas alone: a Sign-MNIST CSV holds only integers, so a quote is a bad cell, never the start of a field."""
    for line, line_no in zip(lines[1:], numbers[1:], strict=True):
        row = line.rstrip("\r\n").split(",")
        if len(row) != len(HEADER):
            return CsvError(f"{path}, line {line_no}: {len(row)} columns, expected {len(HEADER)}")
        for col, cell in enumerate(row):
            try:
                value = int(cell)
            except ValueError:
                return CsvError(f"{path}, line {line_no}, column {col + 1} ({HEADER[col]}): {cell[:40]!r} is not an "
                                "integer")
            error = _check_value(path, line_no, col, value)
            if error:
                return error
    return CsvError(f"{path}: cannot parse the CSV")


def _check_value(path: Path, line_no: int, col: int, value: int) -> CsvError | None:
    where = f"{path}, line {line_no}, column {col + 1} ({HEADER[col]})"
    if col == 0 and not is_known_csv_label(value):
        why = " (J and Z need motion: Sign-MNIST has no label 9 or 25)" if value in (9, 25) else ""
        return CsvError(f"{where}: unknown label {value}; expected 0-24 without 9{why}")
    if col > 0 and not 0 <= value <= 255:
        return CsvError(f"{where}: pixel value {value} out of range 0-255")
    return None


def load_csv(path: str | Path, limit: int | None = None) -> Dataset:
    """Read and validate a Sign-MNIST CSV (plain or .gz). `limit` keeps the first N rows."""
    path = Path(path)
    lines, numbers = _read_lines(path, limit)
    _check_header(path, lines[0].rstrip("\r\n"))
    if len(lines) == 1:
        raise CsvError(f"{path}: header only, no data rows")
    try:
        frame = pd.read_csv(io.StringIO("".join(lines)), header=0, nrows=limit, engine="c", quoting=csv.QUOTE_NONE)
    except (pd.errors.ParserError, ValueError):
        raise _first_bad_cell(path, lines, numbers) from None
    values = frame.to_numpy()
    if frame.shape[1] != len(HEADER) or not all(pd.api.types.is_integer_dtype(t) for t in frame.dtypes):
        raise _first_bad_cell(path, lines, numbers)
    known = np.isin(values[:, 0], [k for k in range(25) if is_known_csv_label(k)])
    in_range = (values[:, 1:] >= 0) & (values[:, 1:] <= 255)
    bad = np.argwhere(np.concatenate([known[:, None], in_range], axis=1) == 0)
    if len(bad):
        row, col = bad[0]
        raise _check_value(path, numbers[int(row) + 1], int(col), int(values[row, col]))
    labels = np.array([class_of_csv_label(int(v)) for v in values[:, 0]], dtype=np.int64)
    images = values[:, 1:].astype(np.uint8).reshape(-1, INPUT_SIZE, INPUT_SIZE)
    return Dataset(images, labels, str(path), _sha256(path))


def stratified_split(labels: np.ndarray, val_fraction: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Indices (train, val) with each letter split in the same proportion, seeded."""
    rng = np.random.default_rng(seed)
    train_idx, val_idx = [], []
    for cls in np.unique(labels):
        idx = rng.permutation(np.flatnonzero(labels == cls))
        n_val = max(1, round(len(idx) * val_fraction)) if len(idx) > 1 else 0
        val_idx.append(idx[:n_val])
        train_idx.append(idx[n_val:])
    return np.sort(np.concatenate(train_idx)), np.sort(np.concatenate(val_idx))


@dataclass(frozen=True)
class AugmentConfig:
    rotate_deg: float = 15.0  # hands in a webcam tilt; Sign-MNIST rows already vary by a few degrees
    scale: float = 0.15  # +-: the hand locator's box is never exactly Sign-MNIST's crop
    shift: float = 0.12  # +- fraction of the image
    shear: float = 0.1  # +- radians-ish; camera angle
    flip: float = 0.5  # probability of a horizontal flip: left-handed signers mirror every letter
    brightness: float = 0.25  # +- added, on the [0, 1] scale
    contrast: float = 0.35  # +- relative
    gamma: float = 0.35  # +- log-gamma; webcam exposure curves differ from Sign-MNIST's
    blur: float = 0.3  # probability of a 3x3 blur (soft focus, motion)
    noise: float = 0.04  # max std of Gaussian sensor noise
    erase: float = 0.25  # probability of a random occluding rectangle


def augment(x: torch.Tensor, cfg: AugmentConfig, gen: torch.Generator) -> torch.Tensor:
    """Randomly transform a batch (N, 1, 28, 28) in [0, 1]; runs on x's device, batched.

    Random numbers come from `gen` (on the CPU) so a run is reproducible on any device.
    """
    n, dev = x.shape[0], x.device

    def uniform(*shape: int, low: float = -1.0, high: float = 1.0) -> torch.Tensor:
        return (torch.rand(*shape, generator=gen) * (high - low) + low).to(dev)

    # Geometry: rotation, scale, shear, shift and flip in one affine warp; border pixels extend
    # the background rather than painting black corners that Sign-MNIST never has.
    angle = uniform(n) * math.radians(cfg.rotate_deg)
    scale = 1 + uniform(n) * cfg.scale
    shear = uniform(n) * cfg.shear
    flip = torch.where(uniform(n, low=0, high=1) < cfg.flip, -1.0, 1.0)
    cos, sin = torch.cos(angle) / scale, torch.sin(angle) / scale
    theta = torch.stack(
        [
            torch.stack([cos * flip, -sin + shear, uniform(n) * cfg.shift * 2], dim=1),
            torch.stack([sin * flip, cos, uniform(n) * cfg.shift * 2], dim=1),
        ],
        dim=1,
    )  # (N, 2, 3)
    grid = F.affine_grid(theta, list(x.shape), align_corners=False)
    x = F.grid_sample(x, grid, mode="bilinear", padding_mode="border", align_corners=False)

    # Photometry: gamma, contrast about the image mean, brightness.
    x = x.clamp(1e-4, 1).pow(torch.exp(uniform(n, 1, 1, 1) * cfg.gamma))
    mean = x.mean(dim=(2, 3), keepdim=True)
    x = (x - mean) * (1 + uniform(n, 1, 1, 1) * cfg.contrast) + mean + uniform(n, 1, 1, 1) * cfg.brightness

    # Blur a random subset, add sensor noise, and occlude a random rectangle in some images.
    blurred = F.avg_pool2d(F.pad(x, (1, 1, 1, 1), mode="replicate"), 3, stride=1)
    x = torch.where(uniform(n, 1, 1, 1, low=0, high=1) < cfg.blur, blurred, x)
    x = x + torch.randn(x.shape, generator=gen).to(dev) * uniform(n, 1, 1, 1, low=0, high=cfg.noise)
    if cfg.erase > 0:
        x = _erase(x, cfg.erase, uniform)
    return x.clamp(0, 1)


def _erase(x: torch.Tensor, p: float, uniform) -> torch.Tensor:
    """Fill one random rectangle (up to a third of each side) per chosen image with a random grey."""
    n, _, h, w = x.shape
    size = INPUT_SIZE
    cy, cx = uniform(n, low=0, high=size), uniform(n, low=0, high=size)
    hh, hw = uniform(n, low=1, high=size / 6), uniform(n, low=1, high=size / 6)
    rows = torch.arange(h, device=x.device).view(1, h, 1)
    cols = torch.arange(w, device=x.device).view(1, 1, w)
    inside = ((rows - cy.view(n, 1, 1)).abs() < hh.view(n, 1, 1)) & ((cols - cx.view(n, 1, 1)).abs() < hw.view(n, 1, 1))
    chosen = (uniform(n, low=0, high=1) < p).view(n, 1, 1)
    mask = (inside & chosen).unsqueeze(1)  # (N, 1, H, W)
    return torch.where(mask, uniform(n, 1, 1, 1, low=0, high=1), x)
