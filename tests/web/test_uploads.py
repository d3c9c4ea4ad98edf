"""Uploaded bytes classified as files on disk are: names made safe, refusals worded."""

import io

import pytest
from PIL import Image

from digitapp.web import uploads
from tests.helpers import one_sentence


@pytest.mark.parametrize(("name", "expected"), [
    ("seven.png", "seven.png"),
    ("../../etc/passwd", "passwd"),
    ("C:\\Users\\me\\digit.png", "digit.png"),
    ("bad\x00name\n.png", "badname.png"),
    ("", "upload-3"),
    (None, "upload-3"),
    ("..", "upload-3"),
    ("Zahl ✓ sieben.png", "Zahl ✓ sieben.png"),
])
def test_safe_file_name(name, expected):
    assert uploads.safe_file_name(name, 2) == expected


def test_a_long_name_fits_any_file_system():
    name = uploads.safe_file_name("ü" * 500 + ".png", 0)
    assert len(name.encode("utf-8")) <= uploads.MAX_NAME_BYTES and name.startswith("ü")


def test_refusal_only_when_nothing_could_be_classified():
    good, bad = {"file": "a", "label": "7"}, {"file": "b", "error": "b is damaged."}
    assert uploads.refusal([good, bad]) is None
    assert uploads.refusal([bad]) == "b is damaged."
    several = uploads.refusal([bad, {"file": "c", "error": "c is empty (0 bytes)."}])
    assert one_sentence(several) and several.startswith("None of the 2 files") and "b is damaged" in several


def test_same_names_stay_separate_files_and_rows_follow_the_uploads(served, seven_png):
    rows = uploads.classify_uploads(served, [("x.png", seven_png), ("x.png", b"junk"), ("../x.png", seven_png)])
    assert [r["file"] for r in rows] == ["x.png", "x.png", "../x.png"]  # as the client named them
    assert rows[0]["label"] == rows[2]["label"] == "7"
    assert "x.png is not an image" in rows[1]["error"]


def test_images_over_the_pixel_limit_are_refused_before_decoding(served, seven_png):
    side = int(uploads.MAX_PIXELS ** 0.5) + 10
    buf = io.BytesIO()
    Image.new("1", (side, side)).save(buf, "PNG")
    rows = uploads.classify_uploads(served, [("wide.png", buf.getvalue()), ("seven.png", seven_png)])
    assert "megapixels" in rows[0]["error"] and one_sentence(rows[0]["error"])
    assert rows[1]["label"] == "7"
