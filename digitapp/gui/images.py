"""Every conversion between numpy pixels and Qt images, in one place.

Qt images are row-padded (each line starts on a 4-byte boundary) and may share memory
with the array they were made from; these helpers copy both ways, so neither side can
see the other's memory change or disappear.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QPixmap


def to_qimage(pixels) -> QImage:
    """A uint8 image — ``(H, W)``, ``(H, W, 1)`` or ``(H, W, 3)`` array, or a Pillow ``L`` or
    ``RGB`` image — as a grayscale or RGB QImage of its own."""
    array = np.ascontiguousarray(np.asarray(pixels, dtype=np.uint8))
    if array.ndim == 3 and array.shape[2] == 1:
        array = np.ascontiguousarray(array[..., 0])
    height, width = array.shape[:2]
    fmt = QImage.Format_Grayscale8 if array.ndim == 2 else QImage.Format_RGB888
    return QImage(array.data, width, height, array.strides[0], fmt).copy()


def to_array(image: QImage) -> np.ndarray:
    """A QImage's pixels as uint8: ``(H, W)`` for a grayscale image, ``(H, W, 3)`` RGB for
    any other format (alpha is dropped)."""
    channels = 1 if image.format() == QImage.Format_Grayscale8 else 3
    if channels == 3:
        image = image.convertToFormat(QImage.Format_RGB888)
    height, width = image.height(), image.width()
    rows = np.frombuffer(image.constBits(), np.uint8).reshape(height, image.bytesPerLine())
    pixels = rows[:, : width * channels].copy()  # without the padding at each line's end
    return pixels if channels == 1 else pixels.reshape(height, width, 3)


def unit_to_uint8(values: np.ndarray) -> np.ndarray:
    """An image on [0, 1] (a model input) as uint8 pixels; values outside are clipped."""
    return (np.clip(values, 0, 1) * 255).astype(np.uint8)


def enlarged_pixmap(values: np.ndarray, size: int) -> QPixmap:
    """A small image on [0, 1] ``(H, W, C)`` as a ``size``×``size`` pixmap with sharp pixels,
    so the user sees exactly the pixels the model receives."""
    image = to_qimage(unit_to_uint8(values))
    return QPixmap.fromImage(image).scaled(size, size, Qt.IgnoreAspectRatio, Qt.FastTransformation)


def fitted_pixmap(pixels, size: int) -> QPixmap:
    """A uint8 image (array or Pillow image) shrunk or grown smoothly to fit a
    ``size``×``size`` square, keeping its proportions."""
    return QPixmap.fromImage(to_qimage(pixels)).scaled(size, size, Qt.KeepAspectRatio, Qt.SmoothTransformation)
