"""User images → model input: MNIST's recipe for digits, the fitted frame for other grey
objects, a plain resize for photos; and files read once for both the picture and the input.
(Reading files in every mode is tested in test_images.py.)"""

import io

import numpy as np
import pytest
from PIL import Image, ImageFilter

from digitapp.core import preprocessing
from digitapp.core.errors import ImageError
from tests.helpers import digit_png

DIGIT = (28, 28, 1)


def dark_on_light_photo(digit: np.ndarray, size=(240, 180), at=(20, 110), scale=4) -> Image.Image:
    """An MNIST digit as dark ink on light paper, enlarged and placed off-centre."""
    ink = Image.fromarray(digit.reshape(28, 28)).resize((28 * scale, 28 * scale), Image.Resampling.BILINEAR)
    paper = Image.new("L", size, 235)
    paper.paste(Image.eval(ink, lambda v: 235 - v * 200 // 255), at)
    return paper


def test_off_centre_dark_on_light_digit_is_centred_like_mnist(mnist):
    photo = dark_on_light_photo(mnist.x_test[0])
    out = preprocessing.prepare(photo, DIGIT, "digit")[..., 0]
    assert out.shape == (28, 28) and out.dtype == np.float32
    cy, cx = preprocessing.center_of_mass(out)
    assert abs(cy - 13.5) <= 0.5 and abs(cx - 13.5) <= 0.5
    assert out.max() == pytest.approx(1.0, abs=0.05)
    corners = np.concatenate([out[:3, :3].ravel(), out[-3:, -3:].ravel()])
    assert corners.max() < 0.05  # paper became black background
    rows = np.flatnonzero((out > 0.1).any(axis=1))
    cols = np.flatnonzero((out > 0.1).any(axis=0))
    assert max(rows[-1] - rows[0], cols[-1] - cols[0]) + 1 in range(19, 23)  # fitted to the 20-px box


def test_mnist_digit_survives_the_pipeline(mnist):
    """An MNIST digit is already in MNIST form: the pipeline should barely change it."""
    original = mnist.x_test[3, ..., 0].astype(np.float32) / 255
    out = preprocessing.prepare(mnist.x_test[3], DIGIT, "digit")[..., 0]
    assert np.corrcoef(original.ravel(), out.ravel())[0, 1] > 0.9


def test_transparent_png_with_white_ink_keeps_its_ink():
    rgba = np.zeros((100, 100, 4), dtype=np.uint8)
    rgba[20:80, 45:55] = (255, 255, 255, 255)  # a white "1" on full transparency
    buf = io.BytesIO()
    Image.fromarray(rgba, "RGBA").save(buf, "PNG")
    out = preprocessing.prepare(Image.open(io.BytesIO(buf.getvalue())), DIGIT, "digit")
    assert out.max() > 0.9 and out[0, 0, 0] == 0


def test_blank_image_gives_blank_input():
    out = preprocessing.prepare(np.full((50, 50), 255, np.uint8), DIGIT, "digit")
    assert not out.any()


def test_rgb_recipe_resizes_whole_picture():
    photo = np.random.default_rng(0).integers(0, 255, (120, 90, 3), dtype=np.uint8)
    out = preprocessing.prepare(photo, (32, 32, 3), "rgb")
    assert out.shape == (32, 32, 3) and out.min() >= 0 and out.max() <= 1


def test_gray_recipe_fits_object_to_frame():
    img = np.full((100, 100), 250, np.uint8)
    img[30:60, 40:50] = 20  # dark object on white, like a product photo
    out = preprocessing.prepare(img, DIGIT, "gray")[..., 0]
    rows = np.flatnonzero((out > 0.5).any(axis=1))
    assert rows[0] == 0 and rows[-1] == 27  # longer side fills the frame


def test_canvas_array_of_any_dtype():
    canvas = np.zeros((280, 280), dtype=np.float64)
    canvas[60:220, 130:150] = 1.0
    out = preprocessing.prepare(canvas, DIGIT, "digit")
    assert out.shape == DIGIT and out.max() > 0.9


def test_uneven_light_and_a_small_digit_on_a_big_page(mnist):
    """A phone photo: paper from bright to shaded corner. The shading is not ink; the
    digit comes out as it does on even paper. A small digit on a big page is found."""
    digit = mnist.x_test[3]
    page = dark_on_light_photo(digit, size=(240, 180), at=(100, 30))
    even = preprocessing.prepare(page, DIGIT, "digit")[..., 0]
    photo = np.asarray(page, dtype=np.float32)
    yy, xx = np.mgrid[0 : photo.shape[0], 0 : photo.shape[1]]
    shaded = photo * (1.0 - 0.4 * (xx / photo.shape[1] * 0.6 + yy / photo.shape[0] * 0.4))
    uneven = preprocessing.prepare(shaded.astype(np.uint8), DIGIT, "digit")[..., 0]
    assert np.corrcoef(even.ravel(), uneven.ravel())[0, 1] > 0.95
    assert uneven[:4].max() < 0.2 and uneven[-4:].max() < 0.2  # no shading left as "ink"

    small = preprocessing.prepare(dark_on_light_photo(digit, size=(900, 700), at=(600, 80), scale=4), DIGIT, "digit")
    assert np.corrcoef(even.ravel(), small[..., 0].ravel())[0, 1] > 0.8


def test_a_file_gives_its_picture_and_the_same_input_as_the_picture(tmp_path, mnist):
    path = digit_png(mnist.x_test[0], tmp_path / "seven.png")
    picture, model_input = preprocessing.prepare_file(path, DIGIT, "digit")
    assert picture.size == (28, 28) and picture.mode == "L"
    np.testing.assert_array_equal(model_input, preprocessing.prepare(picture, DIGIT, "digit"))
    np.testing.assert_array_equal(model_input, preprocessing.prepare(path, DIGIT, "digit"))


def test_a_blank_file_is_refused_but_a_dark_photo_is_not(tmp_path):
    Image.new("L", (50, 50), 255).save(tmp_path / "white.png")
    with pytest.raises(ImageError, match="white.png looks blank: there is nothing on it to recognise."):
        preprocessing.prepare_file(tmp_path / "white.png", DIGIT, "digit")
    Image.new("RGB", (50, 50), 0).save(tmp_path / "night.png")
    _, photo = preprocessing.prepare_file(tmp_path / "night.png", (32, 32, 3), "rgb")
    assert photo.shape == (32, 32, 3) and not photo.any()


def test_bad_arrays_and_recipes(tmp_path):
    with pytest.raises(ImageError, match="must be \\(H, W\\) or \\(H, W, 3\\|4\\)"):
        preprocessing.prepare(np.zeros((4, 4, 2)), DIGIT, "digit")
    with pytest.raises(ImageError):
        preprocessing.prepare(np.zeros((0, 5)), DIGIT, "digit")
    with pytest.raises(ValueError, match="unknown preprocessing recipe 'sepia'"):
        preprocessing.prepare(np.zeros((5, 5)), DIGIT, "sepia")


def test_center_of_mass():
    arr = np.zeros((5, 7))
    arr[1, 6] = 3.0
    arr[3, 6] = 1.0
    assert preprocessing.center_of_mass(arr) == pytest.approx((1.5, 6.0))
    assert preprocessing.center_of_mass(np.zeros((5, 7))) == (2.0, 3.0)  # nothing: the middle


def test_stroke_width_of_a_bar_and_mnist_strokes_measured_again(mnist):
    bar = np.zeros((40, 40))
    bar[10:30, 18:22] = 1.0  # 4 wide, 20 long: ink 80, outline 48 steps · π/4
    assert preprocessing.stroke_width(bar) == pytest.approx(2 * 80 / (48 * np.pi / 4))
    assert preprocessing.stroke_width(np.zeros((5, 5))) == 0.0
    widths = [preprocessing.stroke_width(x[..., 0] / 255) for x in mnist.x_train[:3000]]
    median, p90 = np.percentile(widths, [50, 90])
    assert (median, p90) == pytest.approx(preprocessing.MNIST_STROKE, abs=0.1)


def _pen_digit(mnist, index: int, pen: int) -> Image.Image:
    """An MNIST digit's outline traced with a pen ``pen`` pixels wide, on a 200-pixel page."""
    ink = Image.fromarray(mnist.x_test[index, ..., 0]).resize((140, 140), Image.Resampling.BILINEAR)
    core = np.asarray(ink) > 160
    skeleton = Image.fromarray((core * 255).astype(np.uint8)).filter(ImageFilter.MinFilter(9))
    stroke = skeleton.filter(ImageFilter.MaxFilter(pen)) if pen > 1 else skeleton
    page = Image.new("L", (200, 200), 0)
    page.paste(stroke, (30, 30))
    return page


@pytest.mark.parametrize("pen", [1, 3, 31])
def test_thin_and_thick_pens_are_brought_to_mnists_stroke_width(mnist, pen):
    page = _pen_digit(mnist, 3, pen)
    as_drawn = preprocessing.mnist_frame(np.asarray(page, np.float32) / 255)
    out = preprocessing.prepare(page, DIGIT, "digit")[..., 0]
    thinnest, thickest = preprocessing.MNIST_STROKE
    drawn = preprocessing.stroke_width(as_drawn)
    assert not thinnest - 0.5 < drawn < thickest + 0.5  # the pen really was too thin or too thick
    assert thinnest - 0.5 < preprocessing.stroke_width(out) < thickest + 0.5


def test_strokes_of_mnists_width_are_left_alone(mnist):
    digit = mnist.x_test[0, ..., 0].astype(np.float32) / 255
    assert preprocessing.even_strokes(digit) is digit
    blank = np.zeros((28, 28), np.float32)
    assert preprocessing.even_strokes(blank) is blank


@pytest.mark.parametrize("size", [1, 2, 3, 5, 8, 15])
def test_window_reduction_matches_the_brute_force_one(size):
    rows = np.random.default_rng(size).random((30, 4))
    expected = np.array([rows[i:i + size].max(axis=0) for i in range(len(rows) - size + 1)])
    assert np.array_equal(preprocessing._window(rows, size, np.maximum), expected)
    expected = np.array([rows[i:i + size].min(axis=0) for i in range(len(rows) - size + 1)])
    assert np.array_equal(preprocessing._window(rows, size, np.minimum), expected)
