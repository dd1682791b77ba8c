import gzip
import re

import numpy as np
import pytest
import torch

from signcam.labels import LETTERS
from tests.training.conftest import synthetic_rows
from training.data import HEADER, AugmentConfig, CsvError, augment, find_csvs, load_csv, stratified_split


def test_load_csv_reads_plain_and_gzip_with_crlf(write_csv):
    rows = synthetic_rows(30)
    plain = load_csv(write_csv("a.csv", rows))
    zipped = load_csv(write_csv("a.csv.gz", rows, gz=True))
    assert plain.images.shape == (30, 28, 28) and plain.images.dtype == np.uint8
    assert np.array_equal(plain.images, zipped.images)
    # CSV label 10 (K) is class 9: J has no class.
    assert LETTERS[plain.labels[9]] == "K"
    assert plain.images[0, 0, 0] == rows[0][1] and plain.images[0, 27, 27] == rows[0][784]


def test_load_csv_limit_keeps_first_rows(write_csv):
    data = load_csv(write_csv("a.csv", synthetic_rows(30)), limit=5)
    assert len(data) == 5


def _bad(rows, row, col, value):
    rows = [list(r) for r in rows]
    rows[row][col] = value
    return rows


@pytest.mark.parametrize(
    "make, expected",
    [
        (lambda r: _bad(r, 1, 10, "abc"), r"line 3, column 11 \(pixel10\): 'abc' is not an integer"),
        (lambda r: _bad(r, 0, 5, "1.5"), r"line 2, column 6 \(pixel5\): '1.5' is not an integer"),
        (lambda r: _bad(r, 2, 784, 300), r"line 4, column 785 \(pixel784\): pixel value 300 out of range"),
        (lambda r: _bad(r, 0, 1, -1), r"line 2, column 2 \(pixel1\): pixel value -1 out of range"),
        (lambda r: _bad(r, 3, 0, 9), r"line 5, column 1 \(label\): unknown label 9.*J and Z need motion"),
        (lambda r: _bad(r, 3, 0, 25), r"line 5, column 1 \(label\): unknown label 25"),
        (lambda r: _bad(r, 1, 0, 40), r"line 3, column 1 \(label\): unknown label 40"),
        (lambda r: [*r[:2], r[2][:-1], *r[3:]], r"line 4: 784 columns, expected 785"),
        (lambda r: [*r[:2], [*r[2], 7], *r[3:]], r"line 4: 786 columns, expected 785"),
    ],
)
def test_bad_cells_name_file_line_and_column(write_csv, make, expected):
    path = write_csv("bad.csv", make(synthetic_rows(6)))
    with pytest.raises(CsvError, match=re.escape(str(path)) + ".*" + expected):
        load_csv(path)


def test_missing_header_is_reported(write_csv):
    path = write_csv("noheader.csv", synthetic_rows(3), header=None)
    with pytest.raises(CsvError, match=r"line 1: missing or garbled header"):
        load_csv(path)


def test_garbled_header_column_is_named(write_csv):
    header = list(HEADER)
    header[7] = "pixle7"
    with pytest.raises(CsvError, match=r"line 1, column 8: header says 'pixle7', expected 'pixel7'"):
        load_csv(write_csv("h.csv", synthetic_rows(3), header=header))


def test_short_header_is_reported(write_csv):
    with pytest.raises(CsvError, match=r"line 1: header has 784 columns, expected 785"):
        load_csv(write_csv("h.csv", synthetic_rows(3), header=HEADER[:-1]))


def test_empty_and_header_only_files(write_csv, tmp_path):
    (tmp_path / "empty.csv").write_bytes(b"")
    with pytest.raises(CsvError, match=r"empty.csv: empty file"):
        load_csv(tmp_path / "empty.csv")
    with pytest.raises(CsvError, match=r"no data rows"):
        load_csv(write_csv("header_only.csv", []))


def test_unreadable_files(tmp_path):
    with pytest.raises(CsvError, match=r"missing.csv: file not found"):
        load_csv(tmp_path / "missing.csv")
    with pytest.raises(CsvError, match=r"is a folder"):
        load_csv(tmp_path)
    corrupt = tmp_path / "corrupt.csv.gz"
    corrupt.write_bytes(gzip.compress(b"label,pixel1\r\n" * 100)[:40])
    with pytest.raises(CsvError, match=r"corrupt.csv.gz: corrupt gzip file"):
        load_csv(corrupt)
    binary = tmp_path / "binary.csv"
    binary.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(CsvError, match=r"not a text CSV"):
        load_csv(binary)


def test_find_csvs_names_the_missing_file(tmp_path, write_csv):
    write_csv("sign_mnist_train.csv.gz", synthetic_rows(2), gz=True)
    with pytest.raises(CsvError, match=r"no sign_mnist_test.csv"):
        find_csvs(tmp_path)
    write_csv("sign_mnist_test.csv", synthetic_rows(2))
    train, test = find_csvs(tmp_path)
    assert train.name == "sign_mnist_train.csv.gz" and test.name == "sign_mnist_test.csv"


def test_stratified_split_is_disjoint_stratified_and_seeded():
    labels = np.repeat(np.arange(24), 50)
    train, val = stratified_split(labels, 0.2, seed=1)
    assert not set(train) & set(val) and len(train) + len(val) == len(labels)
    assert all((labels[val] == c).sum() == 10 for c in range(24))
    again, _ = stratified_split(labels, 0.2, seed=1)
    other, _ = stratified_split(labels, 0.2, seed=2)
    assert np.array_equal(train, again) and not np.array_equal(train, other)


def test_augment_keeps_shape_range_and_is_reproducible():
    x = torch.rand(16, 1, 28, 28)
    a = augment(x, AugmentConfig(), torch.Generator().manual_seed(3))
    b = augment(x, AugmentConfig(), torch.Generator().manual_seed(3))
    assert a.shape == x.shape and a.min() >= 0 and a.max() <= 1
    assert torch.equal(a, b) and not torch.allclose(a, x)


def test_augment_flip_mirrors_when_everything_else_is_off():
    x = torch.zeros(4, 1, 28, 28)
    x[..., :, :7] = 1.0  # a bright stripe on the left
    off = AugmentConfig(rotate_deg=0, scale=0, shift=0, shear=0, flip=1.0, brightness=0, contrast=0, gamma=0,
                        blur=0, noise=0, erase=0)
    out = augment(x, off, torch.Generator().manual_seed(0))
    assert torch.allclose(out, torch.flip(x, dims=[3]), atol=1e-3)
