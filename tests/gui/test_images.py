"""numpy ↔ Qt image conversions: exact round trips, padded rows, copies, scaling."""

import numpy as np
import pytest
from PIL import Image
from PySide6.QtGui import QColor, QImage

from digitapp.gui import images

# Pixmaps need a running QApplication.
pytestmark = pytest.mark.usefixtures("qapp")

# An odd width: Qt pads each row to 4 bytes, so the padding must be skipped both ways.
HEIGHT, WIDTH = 5, 7


@pytest.fixture
def rng():
    return np.random.default_rng(0)


def test_grayscale_round_trip_is_exact(rng):
    pixels = rng.integers(0, 256, (HEIGHT, WIDTH), dtype=np.uint8)
    image = images.to_qimage(pixels)
    assert image.format() == QImage.Format_Grayscale8
    assert (image.width(), image.height()) == (WIDTH, HEIGHT)
    assert image.bytesPerLine() > WIDTH  # padded rows: the case that goes wrong easily
    back = images.to_array(image)
    assert back.shape == (HEIGHT, WIDTH) and back.dtype == np.uint8
    np.testing.assert_array_equal(back, pixels)


def test_rgb_round_trip_is_exact(rng):
    pixels = rng.integers(0, 256, (HEIGHT, WIDTH, 3), dtype=np.uint8)
    image = images.to_qimage(pixels)
    assert image.format() == QImage.Format_RGB888
    assert image.pixelColor(2, 1) == QColor(*pixels[1, 2])  # x, y ↔ row, column
    np.testing.assert_array_equal(images.to_array(image), pixels)


def test_single_channel_and_pillow_images(rng):
    pixels = rng.integers(0, 256, (HEIGHT, WIDTH, 1), dtype=np.uint8)
    np.testing.assert_array_equal(images.to_array(images.to_qimage(pixels)), pixels[..., 0])
    rgb = rng.integers(0, 256, (HEIGHT, WIDTH, 3), dtype=np.uint8)
    for pil in (Image.fromarray(pixels[..., 0], "L"), Image.fromarray(rgb, "RGB")):
        np.testing.assert_array_equal(images.to_array(images.to_qimage(pil)), np.asarray(pil))


def test_both_directions_copy(rng):
    pixels = rng.integers(0, 256, (HEIGHT, WIDTH), dtype=np.uint8)
    image = images.to_qimage(pixels)
    pixels[:] = 0  # the image must not share the array's memory
    assert images.to_array(image).any()
    back = images.to_array(image)
    back[:] = 0  # nor the array the image's
    assert images.to_array(image).any()


def test_other_formats_come_back_as_rgb():
    image = QImage(3, 2, QImage.Format_ARGB32)
    image.fill(QColor(10, 20, 30, 255))
    pixels = images.to_array(image)
    assert pixels.shape == (2, 3, 3)
    assert (pixels == (10, 20, 30)).all()


def test_unit_values_become_clipped_bytes():
    values = np.array([-0.5, 0.0, 0.5, 1.0, 2.0])
    np.testing.assert_array_equal(images.unit_to_uint8(values), [0, 0, 127, 255, 255])


def test_enlarged_pixmap_keeps_pixels_sharp():
    checker = np.array([[0.0, 1.0], [1.0, 0.0]])[..., None]  # (2, 2, 1) model input
    image = images.enlarged_pixmap(checker, 140).toImage()
    assert (image.width(), image.height()) == (140, 140)
    # Each model pixel is a 70×70 block, with no blending at the block edges.
    assert image.pixelColor(69, 0) == QColor(0, 0, 0)
    assert image.pixelColor(70, 0) == QColor(255, 255, 255)
    assert image.pixelColor(69, 70) == QColor(255, 255, 255)


def test_fitted_pixmap_keeps_proportions():
    wide = np.zeros((20, 40), np.uint8)
    pixmap = images.fitted_pixmap(wide, 140)
    assert (pixmap.width(), pixmap.height()) == (140, 70)
