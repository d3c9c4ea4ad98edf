"""Turn any user image into exactly the array a model expects.

Three recipes, chosen by the dataset a model was trained on (stored in its sidecar):

* ``digit`` — MNIST's own recipe: white ink on black, the ink cropped and fitted into a
  20×20 box (aspect kept, anti-aliased), then placed in the 28×28 frame so that its centre
  of mass sits at the centre. Dark ink on light paper is inverted first, and strokes much
  thinner or thicker than MNIST's are brought to its width.
* ``gray`` — Fashion-MNIST's recipe: light object on black, cropped and fitted to the frame.
* ``rgb`` — plain resize of the whole picture (CIFAR-style photos).

All outputs are float32 in [0, 1] with shape ``(height, width, channels)``.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
from PIL import Image, ImageFilter

from digitapp.core.config import RECIPES
from digitapp.core.errors import ImageError
from digitapp.core.images import normalize_mode, open_image, wide_to_uint8

# MNIST digits were fitted into 20×20 and centred by mass in 28×28; the 4-pixel margin
# leaves room for the centring shift.
MNIST_BOX = 20
# Pixels brighter than this (after background removal, on [0, 1]) count as ink when
# finding the bounding box; fainter ones are anti-aliasing or paper texture.
INK_THRESHOLD = 0.2
# The width of MNIST's strokes, in pixels of the 28×28 frame: the median and the 90th
# percentile of its training digits (see stroke_width; a test measures them again). A thin
# pen's strokes are widened to the median and a marker's narrowed to the 90th percentile, so
# a model sees user ink as thick as the ink it learned from.
MNIST_STROKE = (2.5, 3.4)

# What a program outside the app must do to an image before giving it to an exported model
# (written into every export's manifest; the functions below are the reference).
RECIPE_STEPS = {
    "digit": ["convert to 8-bit grayscale", "invert if the ink is darker than the paper (white ink on black)",
              "crop to the ink",
              f"widen strokes thinner than {MNIST_STROKE[0]} px and narrow strokes thicker than "
              f"{MNIST_STROKE[1]} px (in the 20x20 box's pixels; width = 2 x ink / outline) by a square "
              "max / min filter",
              "fit the ink into a 20x20 box, keeping its aspect ratio",
              "place it in the 28x28 frame with its centre of mass at the centre",
              "divide by 255 (float32 on [0, 1])"],
    "gray": ["convert to 8-bit grayscale", "invert if the object is darker than the background",
             "crop to the object", "fit it to the frame, keeping its aspect ratio",
             "divide by 255 (float32 on [0, 1])"],
    "rgb": ["convert to RGB", "resize the whole picture to the input size (Lanczos)",
            "divide by 255 (float32 on [0, 1])"],
}


def to_float_array(img: Image.Image, channels: int) -> np.ndarray:
    """``L``/``RGB`` image → float32 array on [0, 1] with ``channels`` channels last."""
    mode = "L" if channels == 1 else "RGB"
    arr = np.asarray(img.convert(mode), dtype=np.float32) / 255.0
    return arr[..., None] if channels == 1 else arr


def prepare(
    image: Image.Image | np.ndarray | str | Path,
    input_shape: tuple[int, int, int],
    recipe: str,
) -> np.ndarray:
    """Turn a user image into one model input.

    Args:
        image: a file path, a Pillow image of any mode, or an array (H, W) / (H, W, C)
            of uint8 (0–255) or float (0–1) values, e.g. a drawing canvas.
        input_shape: the model's ``(height, width, channels)``.
        recipe: ``digit``, ``gray`` or ``rgb`` (see the module docstring).

    Returns:
        float32 array of ``input_shape`` on [0, 1].
    """
    if isinstance(image, (str, Path)):
        return prepare_file(image, input_shape, recipe)[1]
    return _prepare_image(_as_image(image), input_shape, recipe)


def prepare_file(
    path: str | Path, input_shape: tuple[int, int, int], recipe: str
) -> tuple[Image.Image, np.ndarray]:
    """(the decoded file, its model input): callers show the first beside the second
    without decoding the file again.

    Raises:
        ImageError: unreadable, or blank (a drawing starts blank; a blank file was
            probably the wrong file).
    """
    image = open_image(path)
    out = _prepare_image(image, input_shape, recipe)
    photo = recipe == "rgb" or input_shape[-1] == 3  # a dark photo is still a photo
    if not photo and not out.any():
        raise ImageError(f"{Path(path).name} looks blank: there is nothing on it to recognise.")
    return image, out


def _prepare_image(img: Image.Image, input_shape: tuple[int, int, int], recipe: str) -> np.ndarray:
    if recipe not in RECIPES:
        raise ValueError(f"unknown preprocessing recipe {recipe!r}")
    height, width, channels = input_shape
    if recipe == "rgb" or channels == 3:
        resized = img.convert("RGB" if channels == 3 else "L").resize(
            (width, height), Image.Resampling.LANCZOS
        )
        return to_float_array(resized, channels)
    gray = img.convert("L")
    ink = _find_ink(gray, 4 * max(height, width), flatten=recipe == "digit")
    if recipe == "digit":
        out = mnist_frame(even_strokes(ink), (height, width))
    else:
        out = fit_to_frame(ink, (height, width))
    return out[..., None].astype(np.float32)


def _as_image(image: Image.Image | np.ndarray) -> Image.Image:
    if isinstance(image, Image.Image):
        return normalize_mode(image)
    arr = np.asarray(image)
    if arr.ndim == 3 and arr.shape[2] == 1:
        arr = arr[..., 0]
    if arr.ndim not in (2, 3) or (arr.ndim == 3 and arr.shape[2] not in (3, 4)) or arr.size == 0:
        raise ImageError(f"An image array must be (H, W) or (H, W, 3|4), not {arr.shape}.")
    if arr.dtype != np.uint8:
        arr = wide_to_uint8(arr)
    return normalize_mode(Image.fromarray(arr))


def _find_ink(gray: Image.Image, detail: int, flatten: bool) -> np.ndarray:
    """Bright-on-black ink of an ``L`` image, at the resolution the result needs.

    Big inputs (a 280×280 drawing, a photo) are box-reduced first so that their short
    side stays at least ``detail`` pixels: every step after runs on a quarter of the
    pixels or fewer. When the ink then turns out to be small (a digit in the corner of
    a page), it is cropped from the full-resolution image instead, with a margin of
    paper around it, so a small digit keeps its detail.
    """
    factor = min(gray.size) // detail
    if factor < 2:
        return ink_on_black(np.asarray(gray), flatten)
    ink = ink_on_black(np.asarray(gray.reduce(factor)), flatten)
    box = _ink_box(ink)
    if box is None:
        return ink
    rows, cols = box
    extent = max(rows.stop - rows.start, cols.stop - cols.start)
    if extent >= 2 * MNIST_BOX:
        return ink
    margin = extent // 2 + 2
    width, height = gray.size  # clamped: pixels outside would be black, not paper
    crop = gray.crop((max((cols.start - margin) * factor, 0), max((rows.start - margin) * factor, 0),
                      min((cols.stop + margin) * factor, width), min((rows.stop + margin) * factor, height)))
    return _find_ink(crop, detail, flatten) if min(crop.size) > 8 else ink


def ink_on_black(gray: np.ndarray, flatten: bool = False) -> np.ndarray:
    """Make ink bright on a zero background and stretch it to [0, 1].

    Args:
        gray: uint8 grayscale pixels (H, W).
        flatten: subtract the paper's own slowly varying level first (uneven light on a
            phone photo of a page). Right for thin strokes, wrong for big solid objects.

    Polarity comes from the border: a photo or scan of handwriting has light paper
    around the edges, an MNIST-style drawing has black. Levels come from a 256-bin
    histogram (exact for 8-bit pixels and a tenth of the cost of sorting, which matters
    when a drawing is re-classified on every mouse move).
    """
    gray = np.asarray(gray, dtype=np.uint8)
    border = np.concatenate([gray[0, :], gray[-1, :], gray[:, 0], gray[:, -1]])
    if np.median(border) > 127.5:
        gray = 255 - gray
    paper = paper_level(gray) if flatten else None
    if paper is not None:
        gray = np.clip(gray.astype(np.int16) - paper, 0, 255).astype(np.uint8)
    cumulative = np.cumsum(np.bincount(gray.ravel(), minlength=256))
    total = cumulative[-1]
    background = int(np.searchsorted(cumulative, total * 0.5))
    # The brightest ink maps to 1, paper to 0. The 99.9th percentile ignores a few hot
    # pixels yet still finds a small digit on a big page (a 1 can be 0.2% of a photo).
    peak = int(np.searchsorted(cumulative, total * 0.999)) if total > 2000 else int(gray.max())
    if peak - background < 13:  # 5% of the range: a blank page, nothing to recognise
        return np.zeros(gray.shape, np.float32)
    ink = (gray.astype(np.float32) - background) * (1.0 / (peak - background))
    return np.clip(ink, 0.0, 1.0, out=ink)


PAPER_GRID = 8  # the page is split into about 8×8 blocks to follow uneven light


def paper_level(gray: np.ndarray) -> np.ndarray | None:
    """The paper's level at every pixel of bright-ink-on-dark ``gray`` (uint8, H×W):
    the mean of each block of the page, the darkest of each 3×3 neighbourhood of blocks
    (so a block with ink takes its neighbours' bare paper), smoothly interpolated.
    None when the paper is even (a drawing, a clean scan): nothing to subtract."""
    h, w = gray.shape
    grid = (min(PAPER_GRID, w), min(PAPER_GRID, h))
    blocks = Image.fromarray(gray, "L").resize(grid, Image.Resampling.BOX).filter(ImageFilter.MinFilter(3))
    low, high = blocks.getextrema()
    if high - low <= 2:
        return None
    smooth = blocks.resize((w, h), Image.Resampling.BILINEAR)
    return np.asarray(smooth, dtype=np.int16)


def _ink_box(ink: np.ndarray) -> tuple[slice, slice] | None:
    rows = np.flatnonzero((ink > INK_THRESHOLD).any(axis=1))
    cols = np.flatnonzero((ink > INK_THRESHOLD).any(axis=0))
    if rows.size == 0:
        return None
    return slice(rows[0], rows[-1] + 1), slice(cols[0], cols[-1] + 1)


def _fit(ink: np.ndarray, box: int) -> np.ndarray:
    """Crop to the ink and scale so the longer side is ``box`` pixels (aspect kept)."""
    crop = ink[_ink_box(ink)]
    h, w = crop.shape
    scale = box / max(h, w)
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    resized = np.asarray(
        # reducing_gap: box-reduce big crops first, then Lanczos (same look, 5× faster).
        Image.fromarray(crop.astype(np.float32), "F").resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0)
    )
    resized = np.clip(resized, 0.0, None)
    # Down-scaling thin strokes leaves them faint; MNIST ink peaks at full brightness.
    return np.clip(resized / max(resized.max(), 1e-6), 0.0, 1.0)


def stroke_width(ink: np.ndarray) -> float:
    """The mean width of the strokes in ``ink``, in its pixels: twice the ink over the outline.

    A stroke of width w and length L has ink w·L and an outline about 2·L long. The outline
    is the sum of the steps between neighbouring pixels (soft edges count as fractions),
    times π/4: steps along rows and columns overcount a slanted edge by 4/π on average.
    """
    ink = np.asarray(ink, np.float64)
    outline = (np.abs(np.diff(ink, axis=0)).sum() + np.abs(np.diff(ink, axis=1)).sum()) * math.pi / 4
    return 2 * float(ink.sum()) / outline if outline > 0 else 0.0


def even_strokes(ink: np.ndarray) -> np.ndarray:
    """Widen or narrow the strokes of bright-on-black ``ink`` into :data:`MNIST_STROKE`'s
    range, measured as they will be once fitted into MNIST's 20×20 box.

    A thin pen's digit, shrunk to 20×20, has hair-thin strokes no MNIST digit has, and a
    marker's fills its loops; both made the default model unsure of digits it read right.
    Each pass of a 3×3 max filter widens by 2 pixels, of a min filter narrows as much.
    """
    box = _ink_box(ink)
    if box is None:
        return ink
    extent = max(box[0].stop - box[0].start, box[1].stop - box[1].start)
    scale = MNIST_BOX / extent  # from ink pixels to the box's
    width = stroke_width(ink[box]) * scale
    thinnest, thickest = MNIST_STROKE
    target = thinnest if width < thinnest else min(width, thickest)
    passes = round(abs(target - width) / scale / 2)
    if passes == 0:
        return ink
    # A square max (min) filter 2·passes + 1 wide: along the rows, then along the columns.
    reduce = np.maximum if target > width else np.minimum
    out = np.pad(ink, 2 * passes)  # room for the widened ink, and black beyond the edges
    for _ in range(2):
        out = _window(out, 2 * passes + 1, reduce).T
    return out


def _window(rows: np.ndarray, size: int, reduce) -> np.ndarray:
    """``reduce`` (np.maximum or np.minimum) over every ``size`` consecutive rows, in
    log₂(size) steps: each step doubles the span already reduced (van Herk's doubling)."""
    span = 1
    while span < size:
        step = min(span, size - span)
        rows = reduce(rows[:-step], rows[step:])
        span += step
    return rows


def mnist_frame(ink: np.ndarray, frame: tuple[int, int] = (28, 28)) -> np.ndarray:
    """Fit ink into MNIST's 20×20 box and centre its mass in the frame (sub-pixel)."""
    height, width = frame
    if _ink_box(ink) is None:
        return np.zeros(frame, dtype=np.float32)
    digit = _fit(ink, round(MNIST_BOX * min(height, width) / 28))
    cy, cx = center_of_mass(digit)
    # Translate so the centre of mass lands on the frame's centre; bilinear resampling
    # keeps the first moment, so the result is centred to a fraction of a pixel.
    dx = (width - 1) / 2.0 - cx
    dy = (height - 1) / 2.0 - cy
    shifted = Image.fromarray(digit.astype(np.float32), "F").transform(
        (width, height), Image.Transform.AFFINE, (1, 0, -dx, 0, 1, -dy),
        resample=Image.Resampling.BILINEAR,
    )
    return np.clip(np.asarray(shifted), 0.0, 1.0)


def fit_to_frame(ink: np.ndarray, frame: tuple[int, int]) -> np.ndarray:
    """Crop to the object, fit its longer side to the frame and centre its box."""
    height, width = frame
    out = np.zeros(frame, dtype=np.float32)
    if _ink_box(ink) is None:
        return out
    obj = _fit(ink, min(height, width))
    top = (height - obj.shape[0]) // 2
    left = (width - obj.shape[1]) // 2
    out[top : top + obj.shape[0], left : left + obj.shape[1]] = obj
    return out


def center_of_mass(arr: np.ndarray) -> tuple[float, float]:
    """(row, column) of the intensity-weighted centre, in pixel-index coordinates."""
    total = arr.sum()
    if total <= 0:
        return ((arr.shape[0] - 1) / 2.0, (arr.shape[1] - 1) / 2.0)
    rows = np.arange(arr.shape[0], dtype=np.float64)
    cols = np.arange(arr.shape[1], dtype=np.float64)
    return float((arr.sum(axis=1) * rows).sum() / total), float((arr.sum(axis=0) * cols).sum() / total)
