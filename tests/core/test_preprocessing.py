"""User images → model input: MNIST's recipe for digits, and every awkward image mode."""

import io

import numpy as np
import pytest
from PIL import Image

from digitapp.core import preprocessing
from digitapp.core.errors import ImageError

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


def test_exif_orientation_is_applied(tmp_path):
    img = Image.new("L", (60, 20), 0)
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° clockwise on display
    path = tmp_path / "rotated.jpg"
    img.save(path, exif=exif)
    assert preprocessing.open_image(path).size == (20, 60)


def test_sixteen_bit_grayscale_is_scaled_not_clamped(tmp_path):
    arr = np.zeros((40, 40), dtype=np.uint16)
    arr[10:30, 18:22] = 30000  # mid-grey ink in 16-bit
    path = tmp_path / "deep.png"
    Image.fromarray(arr).save(path)
    img = preprocessing.open_image(path)
    assert img.mode == "L"
    assert np.asarray(img).max() == round(30000 * 255 / 65535)


def test_blank_image_gives_blank_input():
    out = preprocessing.prepare(np.full((50, 50), 255, np.uint8), DIGIT, "digit")
    assert not out.any()


def test_rgb_recipe_resizes_whole_picture():
    photo = np.random.default_rng(0).integers(0, 255, (120, 90, 3), dtype=np.uint8)
    out = preprocessing.prepare(photo, (32, 32, 3), "rgb")
    assert out.shape == (32, 32, 3) and 0 <= out.min() and out.max() <= 1


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


@pytest.mark.parametrize("content", [b"", b"not an image at all", b"\x89PNG\r\n\x1a\n\x00\x00"])
def test_unreadable_files_raise_one_sentence(tmp_path, content):
    path = tmp_path / "bad.png"
    path.write_bytes(content)
    with pytest.raises(ImageError) as info:
        preprocessing.open_image(path)
    assert "bad.png" in str(info.value) and "\n" not in str(info.value)


def test_missing_file_and_folder(tmp_path):
    with pytest.raises(ImageError, match="does not exist"):
        preprocessing.open_image(tmp_path / "nope.png")
    (tmp_path / "dir.png").mkdir()
    with pytest.raises(ImageError, match="is a folder"):
        preprocessing.open_image(tmp_path / "dir.png")


def test_truncated_jpeg(tmp_path, mnist):
    path = tmp_path / "cut.jpg"
    Image.fromarray(mnist.x_test[0, ..., 0]).resize((200, 200)).save(path, quality=90)
    path.write_bytes(path.read_bytes()[:300])
    with pytest.raises(ImageError, match="cut.jpg"):
        preprocessing.open_image(path)


def test_palette_cmyk_and_animated_gif(tmp_path):
    Image.new("CMYK", (30, 30), (0, 0, 0, 255)).save(tmp_path / "cmyk.jpg")
    assert preprocessing.open_image(tmp_path / "cmyk.jpg").mode in ("L", "RGB")
    frames = [Image.new("P", (20, 20), i) for i in range(3)]
    frames[0].save(tmp_path / "anim.gif", save_all=True, append_images=frames[1:])
    assert preprocessing.open_image(tmp_path / "anim.gif").size == (20, 20)


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
