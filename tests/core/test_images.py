"""Reading image files: every mode to L or RGB, EXIF turned, wide pixels scaled, alpha
flattened so the ink stays visible, and one sentence for files that cannot be read."""

import numpy as np
import pytest
from PIL import Image

from digitapp.core import images
from digitapp.core.errors import ImageError
from tests.helpers import one_sentence


def test_exif_orientation_is_applied(tmp_path):
    img = Image.new("L", (60, 20), 0)
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° clockwise on display
    img.save(tmp_path / "rotated.jpg", exif=exif)
    assert images.open_image(tmp_path / "rotated.jpg").size == (20, 60)


def test_sixteen_bit_grayscale_is_scaled_not_clamped(tmp_path):
    arr = np.zeros((40, 40), dtype=np.uint16)
    arr[10:30, 18:22] = 30000  # mid-grey ink in 16-bit
    Image.fromarray(arr).save(tmp_path / "deep.png")
    img = images.open_image(tmp_path / "deep.png")
    assert img.mode == "L"
    assert np.asarray(img).max() == round(30000 * 255 / 65535)


@pytest.mark.parametrize("values,expected", [
    (np.array([0.0, 0.5, 1.0]), [0, 128, 255]),              # float on [0, 1]
    (np.array([0, 100, 255], np.int32), [0, 100, 255]),      # already bytes
    (np.array([0, 257, 65535], np.uint16), [0, 1, 255]),      # 16 bits, scaled as the format defines
    (np.array([0, 50_000, 100_000], np.int32), [0, 128, 255]),  # beyond 16 bits: by the brightest pixel
    (np.array([np.nan, np.inf, 1.0]), [0, 0, 255]),           # NaN and infinities are black
    (np.array([-7e305, -1.0, 1.0]), [0, 0, 255]),             # below zero is black (found by the fuzz test)
])
def test_wide_pixels_to_bytes(values, expected):
    out = images.wide_to_uint8(values)
    assert out.dtype == np.uint8 and out.tolist() == expected


@pytest.mark.parametrize("ink,background", [(255, 0), (0, 255)])
def test_transparency_is_flattened_onto_a_contrasting_background(ink, background):
    """White ink on transparency would vanish on white paper (and black ink on black)."""
    rgba = np.zeros((40, 40, 4), np.uint8)
    rgba[10:30, 18:22] = (ink, ink, ink, 255)
    flat = images.normalize_mode(Image.fromarray(rgba, "RGBA"))
    assert flat.mode == "L"
    arr = np.asarray(flat)
    assert arr[0, 0] == background and arr[20, 20] == ink


def test_colour_stays_colour_and_grey_rgb_becomes_l():
    colour = Image.new("RGB", (10, 10), (200, 30, 30))
    assert images.normalize_mode(colour).mode == "RGB"
    assert images.normalize_mode(Image.new("RGB", (10, 10), (90, 91, 90))).mode == "L"
    assert images.normalize_mode(Image.new("1", (10, 10), 1)).mode == "L"


def test_big_pictures_are_reduced_while_reading(tmp_path):
    Image.new("L", (3000, 1500), 255).save(tmp_path / "big.png")
    assert images.open_image(tmp_path / "big.png").size == (images.WORKING_SIZE, images.WORKING_SIZE // 2)


def test_palette_cmyk_and_animated_gif(tmp_path):
    Image.new("CMYK", (30, 30), (0, 0, 0, 255)).save(tmp_path / "cmyk.jpg")
    assert images.open_image(tmp_path / "cmyk.jpg").mode in ("L", "RGB")
    frames = [Image.new("P", (20, 20), i) for i in range(3)]
    frames[0].save(tmp_path / "anim.gif", save_all=True, append_images=frames[1:])
    assert images.open_image(tmp_path / "anim.gif").size == (20, 20)


@pytest.mark.parametrize("content,words", [(b"", "is empty"), (b"not an image at all", "is not an image"),
                                           (b"\x89PNG\r\n\x1a\n\x00\x00", "bad.png")])
def test_unreadable_files_raise_one_sentence(tmp_path, content, words):
    path = tmp_path / "bad.png"
    path.write_bytes(content)
    with pytest.raises(ImageError, match=words) as info:
        images.open_image(path)
    assert "bad.png" in str(info.value) and one_sentence(str(info.value))


def test_missing_file_and_folder(tmp_path):
    with pytest.raises(ImageError, match="does not exist"):
        images.open_image(tmp_path / "nope.png")
    (tmp_path / "dir.png").mkdir()
    with pytest.raises(ImageError, match="is a folder"):
        images.open_image(tmp_path / "dir.png")


def test_truncated_jpeg(tmp_path, mnist):
    path = tmp_path / "cut.jpg"
    Image.fromarray(mnist.x_test[0, ..., 0]).resize((200, 200)).save(path, quality=90)
    path.write_bytes(path.read_bytes()[:300])
    with pytest.raises(ImageError, match="cut.jpg is damaged"):
        images.open_image(path)


def test_expand_image_paths(tmp_path):
    folder = tmp_path / "scans"
    (folder / "inner").mkdir(parents=True)
    for name in ("b.png", "A.JPG", "notes.txt", "inner/c.png"):
        (folder / name).write_bytes(b"x")
    (tmp_path / "empty").mkdir()
    single = tmp_path / "ghost.png"  # files are passed on as given, even missing ones
    files, empty = images.expand_image_paths([single, folder, str(tmp_path / "empty")])
    assert files == [single, folder / "A.JPG", folder / "b.png"]  # sorted, not recursive
    assert empty == [tmp_path / "empty"]
