"""Reference images: one medoid per letter, upscaled, written as PNGs."""


import cv2
import numpy as np

from signcam.assets_dir import ASSETS_DIR
from signcam.labels import LETTERS
from tests.training.conftest import synthetic_rows
from training.make_references import OUTPUT_SIZE, medoid_images, write_references


def test_medoid_is_the_real_row_nearest_the_mean():
    rows = np.array([[0] * 784, [100] * 784, [110] * 784, [255] * 784], dtype=np.uint8)  # mean ~116
    medoids = medoid_images(np.zeros(4, dtype=int), rows)
    assert list(medoids) == ["A"] and int(medoids["A"][0, 0]) == 110


def test_writes_one_png_per_static_letter(write_csv, tmp_path):
    csv_path = write_csv("train.csv.gz", synthetic_rows(48), gz=True)
    written = write_references(csv_path, tmp_path / "reference")
    assert [p.stem for p in written] == sorted(LETTERS)
    image = cv2.imread(str(written[0]), cv2.IMREAD_UNCHANGED)
    assert image.shape == (OUTPUT_SIZE, OUTPUT_SIZE) and image.dtype == np.uint8


def test_shipped_references_are_complete():
    shipped = ASSETS_DIR / "reference"
    assert sorted(p.stem for p in shipped.glob("*.png")) == sorted(LETTERS)
    assert "CC0" in (shipped / "README.md").read_text()
