"""Classify uploaded image files exactly as ``digitapp predict`` classifies files on disk.

The uploads are written to a private temporary folder, each under its own (cleaned) name,
and handed to the model's ``predict_files``: the same decoding, preprocessing and error
sentences as the CLI and the app, by construction rather than by a second decoder. No
TensorFlow here: the model arrives as a ``workflow.TrainedModel``.
"""

from __future__ import annotations

import tempfile
import unicodedata
import warnings
from pathlib import Path

from PIL import Image

from digitapp.core.errors import ImageError
from digitapp.core.reports import prediction_row

# A server decodes what strangers send: Pillow refuses only images over ~179 megapixels
# (and warns from ~89), so a 10 MB PNG could still claim 150 megapixels and take over a
# gigabyte to decode. 50 megapixels still takes any phone photo.
MAX_PIXELS = 50_000_000
# File names are written to disk: keep them within every file system's limit (255 bytes).
MAX_NAME_BYTES = 200


def classify_uploads(trained, uploads: list[tuple[str, bytes]]) -> list[dict]:
    """One ``predict --json`` row per upload, in order.

    Args:
        trained: a ``workflow.TrainedModel``.
        uploads: (file name as the client sent it, the file's bytes).

    Returns:
        Rows with ``label``, ``confidence`` and ``probabilities``, or ``error`` for a file
        that could not be used.
    """
    with tempfile.TemporaryDirectory(prefix="digitapp-upload-") as folder:
        paths = []
        for index, (name, data) in enumerate(uploads):
            # One sub-folder per upload: two files called "image.png" stay two files.
            path = Path(folder) / str(index) / safe_file_name(name, index)
            path.parent.mkdir()
            path.write_bytes(data)
            paths.append(path)
        checked = [_too_many_pixels(p) for p in paths]
        to_predict = [p for p, refused in zip(paths, checked) if refused is None]
        answers = iter(trained.predict_files(to_predict) if to_predict else [])
        results = [refused if refused is not None else next(answers) for refused in checked]
    class_names = trained.info.class_names
    return [prediction_row(name, result, class_names) for (name, _), result in zip(uploads, results)]


def refusal(rows: list[dict]) -> str | None:
    """The sentence to refuse a request with when none of its files could be classified
    (one file: its own sentence), or None when at least one could."""
    errors = [row["error"] for row in rows if "error" in row]
    if not rows or len(errors) < len(rows):
        return None
    if len(errors) == 1:
        return errors[0]
    return f"None of the {len(errors)} files could be classified (the first: {errors[0].rstrip('.')})."


def safe_file_name(name: str | None, index: int) -> str:
    """The last part of a client's file name, without control characters, short enough for
    any file system; ``upload-N`` when nothing usable is left. Never a path."""
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C").strip()
    while len(base.encode("utf-8")) > MAX_NAME_BYTES:
        base = base[:-1]
    return base if base not in ("", ".", "..") else f"upload-{index + 1}"


def _too_many_pixels(path: Path) -> ImageError | None:
    """An error for an image whose header claims more than :data:`MAX_PIXELS`; None otherwise."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(path) as img:
                width, height = img.size
    except Exception:  # any failure here is the core's to explain, in its own words
        return None
    if width * height <= MAX_PIXELS:
        return None
    return ImageError(f"{path.name} is too large to open safely ({width}×{height} pixels; this service takes "
                      f"up to {MAX_PIXELS // 1_000_000} megapixels).")
