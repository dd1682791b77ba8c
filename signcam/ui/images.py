"""The only numpy -> Qt image conversion; called in the GUI thread only."""

import numpy as np
from PySide6.QtGui import QImage


def bgr_to_qimage(image_bgr: np.ndarray) -> QImage:
    """A QImage that owns a copy of the pixels, so the numpy array may be freed or reused after."""
    if image_bgr.ndim == 2:
        return gray_to_qimage(image_bgr)
    array = np.ascontiguousarray(image_bgr[:, :, :3], dtype=np.uint8)
    h, w = array.shape[:2]
    return QImage(array.data, w, h, array.strides[0], QImage.Format.Format_BGR888).copy()


def gray_to_qimage(image_gray: np.ndarray) -> QImage:
    array = np.ascontiguousarray(image_gray, dtype=np.uint8)
    h, w = array.shape[:2]
    return QImage(array.data, w, h, array.strides[0], QImage.Format.Format_Grayscale8).copy()
