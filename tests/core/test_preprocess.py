"""Preprocessing: square crops, edge-replicated padding, mirroring, model input."""

import numpy as np
import pytest
import torch

from signcam.pipeline.locate import Box
from signcam.pipeline.preprocess import crop_hand, square_crop, to_model_input


@pytest.fixture
def gradient() -> np.ndarray:
    """100x200 BGR image whose value is the column index (so crops reveal where they came from)."""
    row = np.arange(200, dtype=np.uint8)
    return np.repeat(np.repeat(row[None, :, None], 100, axis=0), 3, axis=2)


def test_square_crop_inside(gradient: np.ndarray) -> None:
    crop = square_crop(gradient, Box(50, 10, 40, 20))  # widened to 40x40 around the centre
    assert crop.shape == (40, 40, 3)
    assert crop[0, 0, 0] == 50 and crop[0, -1, 0] == 89


def test_square_crop_pads_by_edge_replication(gradient: np.ndarray) -> None:
    crop = square_crop(gradient, Box(-20, -10, 60, 60))
    assert crop.shape == (60, 60, 3)
    assert (crop[:, :20, 0] == 0).all()  # left of the frame repeats column 0
    assert crop[0, 30, 0] == 10  # above the frame repeats row 0 of column 10


def test_crop_hand_shape_and_mirror(gradient: np.ndarray) -> None:
    box = Box(0, 0, 100, 100)
    crop = crop_hand(gradient, box)
    assert crop.shape == (28, 28) and crop.dtype == np.uint8
    assert crop[0, 0] < crop[0, -1]
    np.testing.assert_array_equal(crop_hand(gradient, box, mirror=True), crop[:, ::-1])


def test_crop_hand_box_outside_frame(gradient: np.ndarray) -> None:
    crop = crop_hand(gradient, Box(500, 500, 30, 30))
    assert crop.shape == (28, 28) and (crop == 199).all()  # the nearest (bottom-right) pixel


def test_to_model_input_shapes() -> None:
    one = to_model_input(np.full((28, 28), 255, np.uint8))
    assert one.shape == (1, 1, 28, 28) and one.dtype == torch.float32 and one.max() == 1.0
    assert to_model_input(np.zeros((5, 28, 28), np.uint8)).shape == (5, 1, 28, 28)
    with pytest.raises(ValueError, match="expected"):
        to_model_input(np.zeros((28, 27), np.uint8))
