""""Not a digit": the extra class every digit model is trained with.

A model that only knows ten classes answers a star, a letter or a scribble with a confident
digit. So when the data is digits (the ``digit`` recipe), training adds one more class,
:data:`config.NOT_A_DIGIT`, made of synthetic non-digits drawn here: random pen strokes, flat
strokes, open arcs, dots, sharp-cornered shapes, crossing strokes and letters written as pen
strokes (never one long upright stroke: that is a 1). They go through the same preparation as a
user's drawing, so the model learns what a non-digit looks like *after* the app has prepared
it. The test set gets its own, held-out negatives (another seed), so the results say how many
non-digits a model catches and how many real digits it wrongly rejects.

A model must not learn that "prepared by the app" means "not a digit": the dataset's own images
(MNIST's soft, anti-aliased strokes) look different from a pen drawing or a scan after the app's
preparation. So twice as many of the dataset's *training* digits as there are negatives are
also redrawn as pen strokes and prepared the same way, with their own labels (:func:`restyled`),
and half the non-digits get MNIST's soft edges: both classes come in both looks, and the look
tells the model nothing. (Without this, a model rejected 74% of scanned digits: see
docs/BENCHMARKS.md, "Not a digit".)

Drawn with Pillow, kept in memory and in the app-data folder's ``cache/``; no TensorFlow.
"""

from __future__ import annotations

import functools
import hashlib
import math
import os
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

from digitapp.core import preprocessing
from digitapp.core.applog import app_data_dir
from digitapp.core.config import NOT_A_DIGIT, rejects
from digitapp.core.datasets import Dataset
from digitapp.core.resources import resource_path

# Negatives per real training image, and the bounds on their number: enough to learn the
# class on a small user dataset, not so many that they slow down a big one.
SHARE = 0.1
MIN_COUNT, MAX_TRAIN, MAX_TEST = 100, 6000, 1000
TRAIN_SEED, TEST_SEED = 1, 2
CACHE_FOLDER = "cache"
BUNDLED_FOLDER = "not-a-digit"  # in resources/: the drawings for bundled MNIST
CACHE_VERSION = 6  # in the cached files' names: raise it whenever the drawings below change
PEN_DIGITS_PER_NEGATIVE = 2  # training digits redrawn as pen strokes, per negative
PEN_SIDE = 140  # a training digit is redrawn at this size before it is prepared
SIDE = 140  # drawn at this size, then prepared like a drawing (cropped, fitted, centred)

# Letters as pen strokes on a unit square (x right, y down); none of them can pass for a digit
# (no O, I, l, S, Z, B, G, q, g, b, z).
LETTERS = {
    "A": [[(0.1, 1), (0.5, 0), (0.9, 1)], [(0.28, 0.6), (0.72, 0.6)]],
    "C": [("arc", 0.55, 0.5, 0.45, 0.5, 45, 315)],
    "E": [[(0.85, 0), (0.15, 0), (0.15, 1), (0.85, 1)], [(0.15, 0.5), (0.7, 0.5)]],
    "F": [[(0.85, 0), (0.15, 0), (0.15, 1)], [(0.15, 0.5), (0.7, 0.5)]],
    "H": [[(0.15, 0), (0.15, 1)], [(0.85, 0), (0.85, 1)], [(0.15, 0.5), (0.85, 0.5)]],
    "K": [[(0.15, 0), (0.15, 1)], [(0.85, 0), (0.15, 0.55), (0.85, 1)]],
    "M": [[(0.05, 1), (0.15, 0), (0.5, 0.7), (0.85, 0), (0.95, 1)]],
    "N": [[(0.15, 1), (0.15, 0), (0.85, 1), (0.85, 0)]],
    "P": [[(0.2, 1), (0.2, 0), (0.6, 0)], ("arc", 0.6, 0.25, 0.25, 0.25, -90, 90), [(0.6, 0.5), (0.2, 0.5)]],
    "R": [[(0.2, 1), (0.2, 0), (0.6, 0)], ("arc", 0.6, 0.25, 0.25, 0.25, -90, 90), [(0.6, 0.5), (0.2, 0.5)],
          [(0.45, 0.5), (0.85, 1)]],
    "T": [[(0.05, 0), (0.95, 0)], [(0.5, 0), (0.5, 1)]],
    "U": [[(0.15, 0), (0.15, 0.6)], ("arc", 0.5, 0.6, 0.35, 0.4, 180, 0), [(0.85, 0.6), (0.85, 0)]],
    "W": [[(0.0, 0), (0.25, 1), (0.5, 0.35), (0.75, 1), (1.0, 0)]],
    "X": [[(0.1, 0), (0.9, 1)], [(0.9, 0), (0.1, 1)]],
    "Y": [[(0.1, 0), (0.5, 0.5), (0.9, 0)], [(0.5, 0.5), (0.5, 1)]],
    "e": [[(0.15, 0.55), (0.85, 0.55)], ("arc", 0.5, 0.55, 0.35, 0.4, 0, 320)],
    "h": [[(0.2, 0), (0.2, 1)], ("arc", 0.5, 0.65, 0.3, 0.3, 180, 360), [(0.8, 0.65), (0.8, 1)]],
    "m": [[(0.05, 1), (0.05, 0.4)], ("arc", 0.27, 0.55, 0.22, 0.2, 180, 360), [(0.49, 0.55), (0.49, 1)],
          ("arc", 0.71, 0.55, 0.22, 0.2, 180, 360), [(0.93, 0.55), (0.93, 1)]],
    "n": [[(0.2, 1), (0.2, 0.35)], ("arc", 0.5, 0.6, 0.3, 0.3, 180, 360), [(0.8, 0.6), (0.8, 1)]],
    "r": [[(0.25, 1), (0.25, 0.3)], ("arc", 0.55, 0.55, 0.3, 0.25, 180, 300)],
    "v": [[(0.1, 0.3), (0.5, 1), (0.9, 0.3)]],
    "w": [[(0.0, 0.3), (0.25, 1), (0.5, 0.5), (0.75, 1), (1.0, 0.3)]],
    "x": [[(0.15, 0.3), (0.85, 1)], [(0.85, 0.3), (0.15, 1)]],
    "y": [[(0.15, 0.3), (0.5, 0.75)], [(0.85, 0.3), (0.3, 1.2)]],
}
_LETTER_KEYS = sorted(LETTERS)


def applies(dataset: Dataset) -> bool:
    """Whether a new model trained on ``dataset`` gets the "not a digit" class: digit data
    (one channel, the digit recipe) that does not already have it."""
    return (dataset.preprocessing == "digit" and dataset.input_shape[-1] == 1
            and NOT_A_DIGIT not in dataset.class_names)


def fits(class_names: list[str], dataset: Dataset) -> bool:
    """Whether a model with ``class_names`` can be tested on ``dataset``'s classes (a digit
    model's "not a digit" class is tested with held-out non-digits)."""
    return len(class_names) == dataset.num_classes + (applies(dataset) and rejects(class_names))


def for_model(dataset: Dataset, has_class: bool = True) -> Dataset:
    """The data a model trains and is tested on: ``dataset`` with negatives when the model has
    the extra class (a new model for digit data always gets it)."""
    return with_negatives(dataset) if has_class and applies(dataset) else dataset


def clear_memory() -> None:
    """Forget the drawings held in memory (the app-data and bundled copies stay): as a new app."""
    negatives.cache_clear()
    _RESTYLED.clear()


def with_negatives(dataset: Dataset) -> Dataset:
    """``dataset`` plus :data:`NOT_A_DIGIT` as its last class: synthetic non-digits in the
    training set and held-out ones (drawn with another seed) in the test set."""
    label = dataset.num_classes
    count = _count(len(dataset.x_train), MAX_TRAIN, dataset.num_classes)
    train = negatives(count, dataset.input_shape, TRAIN_SEED)
    test = negatives(_count(len(dataset.x_test), MAX_TEST, dataset.num_classes), dataset.input_shape, TEST_SEED)
    pen_x, pen_y = restyled(dataset.x_train, dataset.y_train, PEN_DIGITS_PER_NEGATIVE * count, TRAIN_SEED)
    dtype = dataset.y_train.dtype
    return Dataset(
        dataset.name,
        np.concatenate([dataset.x_train, pen_x, train]),
        np.concatenate([dataset.y_train, pen_y, np.full(len(train), label, dtype)]),
        np.concatenate([dataset.x_test, test]), np.concatenate([dataset.y_test, np.full(len(test), label, dtype)]),
        [*dataset.class_names, NOT_A_DIGIT], dataset.preprocessing, list(dataset.notes),
    )


def _count(real: int, most: int, classes: int) -> int:
    """How many negatives go with ``real`` images: a share of them, at least MIN_COUNT (but
    never more than an average class has: the class must not outweigh the digits)."""
    return int(min(most, max(min(MIN_COUNT, real // classes), round(real * SHARE))))


@functools.lru_cache(maxsize=4)
def negatives(count: int, input_shape: tuple[int, int, int], seed: int) -> np.ndarray:
    """``count`` synthetic non-digits, uint8 ``(count, *input_shape)``, prepared as drawings are
    (the same seed always gives the same images). Cached in memory and on disk: the array is
    shared, do not modify it."""
    key = f"negatives-{count}-{'x'.join(map(str, input_shape))}-{seed}"
    out = _disk_cached(key, (count, *input_shape), lambda: _draw_negatives(count, input_shape, seed))
    out.flags.writeable = False
    return out


def bundle(cache: Path, out: Path) -> list[Path]:
    """Copy the drawings in an app-data ``cache`` folder into ``out`` (the app's resources), compressed:
    what ``make default-model`` ships, so the default run on bundled MNIST never draws them.

    Drawings of another version are removed from ``out``; those of this version stay unless the
    cache has them (a run that read them from ``out`` drew nothing, so its cache is empty).
    """
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("*.npz"):
        if not old.name.startswith(f"v{CACHE_VERSION}-"):
            old.unlink()
    written = []
    for path in sorted(cache.glob(f"v{CACHE_VERSION}-*.npy")):
        target = out / f"{path.stem}.npz"
        np.savez_compressed(target, images=np.load(path, allow_pickle=False))
        written.append(target)
    return written


def _draw_negatives(count: int, input_shape: tuple[int, int, int], seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    out = np.empty((count, *input_shape), np.uint8)
    for i in range(count):
        # Clean white ink on black is what the digit recipe makes of a drawing before it fits
        # and centres the ink, so only that last step is needed.
        ink = np.asarray(draw_negative(rng), np.float32) / 255.0
        while _looks_like_a_one(ink):  # never teach that a 1 is "not a digit"
            ink = np.asarray(draw_negative(rng), np.float32) / 255.0
        out[i] = np.round(preprocessing.mnist_frame(ink, input_shape[:2]) * 255).astype(np.uint8)[..., None]
    return out


def _disk_cached(key: str, shape: tuple, make) -> np.ndarray:
    """``make()``'s uint8 array of ``shape``, kept in the app-data folder under ``key``: drawing
    thousands of images takes seconds, and they are the same every time. The app ships those of
    bundled MNIST (``resources/not-a-digit/``, made by ``make default-model``), so even a first
    default run does not draw. A missing, damaged or unwritable cache costs that time again,
    never a wrong image."""
    name = f"v{CACHE_VERSION}-{key}"
    try:
        with np.load(resource_path(BUNDLED_FOLDER) / f"{name}.npz", allow_pickle=False) as bundled:
            images = bundled["images"]
        if images.shape == shape and images.dtype == np.uint8:
            return images
    except (OSError, ValueError, KeyError, EOFError):
        pass
    path = app_data_dir() / CACHE_FOLDER / f"{name}.npy"
    try:
        cached = np.load(path, allow_pickle=False)
        if cached.shape == shape and cached.dtype == np.uint8:
            return cached
    except (OSError, ValueError, EOFError):
        pass
    array = make()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f".{path.stem}.{os.getpid()}.tmp.npy")
        np.save(temporary, array, allow_pickle=False)
        os.replace(temporary, path)
    except OSError:
        pass
    return array


def _looks_like_a_one(ink: np.ndarray) -> bool:
    """Whether the ink is one long thin stroke (straight or gently curved) closer to upright
    than to lying: its spread along its main axis is over 3 times that across it, and the
    axis leans less than 60° from vertical."""
    rows, cols = np.nonzero(ink[::2, ::2] > 0.2)
    if rows.size < 3:
        return False
    across, along = np.linalg.eigh(np.cov(np.stack([rows, cols])))  # ascending eigenvalues
    axis = along[:, 1]  # (row, column) direction of the main axis
    return bool(across[1] > 9 * max(across[0], 1e-6) and abs(axis[0]) > math.cos(math.radians(60)))


_RESTYLED: dict[tuple, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}


def restyled(x: np.ndarray, y: np.ndarray, count: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """``count`` of the digits ``x`` (labels ``y``) redrawn as pen strokes — enlarged, made
    thinner or thicker, cut at a random ink level (a pen's sharp edge) — and prepared as a
    drawing is: (images, labels). Cached for the last arrays given (the same every time)."""
    key = (id(x), x.shape, count, seed)
    cached = _RESTYLED.get(key)
    if cached is not None and cached[0] is x:
        return cached[1], cached[2]
    picks = np.sort(np.random.default_rng([seed, 1]).choice(len(x), size=min(count, len(x)), replace=False))
    digest = hashlib.blake2b(np.ascontiguousarray(x).data, digest_size=8).hexdigest()
    out = _disk_cached(f"pen-digits-{digest}-{count}-{seed}", (len(picks), *x.shape[1:]),
                       lambda: _redraw(x, picks, seed))
    _RESTYLED.clear()
    _RESTYLED[key] = (x, out, y[picks])
    return out, y[picks]


def _redraw(x: np.ndarray, picks: np.ndarray, seed: int) -> np.ndarray:
    rng = np.random.default_rng([seed, 2])
    out = np.empty((len(picks), *x.shape[1:]), np.uint8)
    for i, index in enumerate(picks):
        big = Image.fromarray(x[index, ..., 0]).resize((PEN_SIDE, PEN_SIDE), Image.Resampling.BILINEAR)
        # Spread the ink, then cut it at a random level: a low cut of a wide spread is a thick
        # marker, a high cut a fine pen (a pen's edge is sharp: the cut is steep).
        big = big.filter(ImageFilter.GaussianBlur(float(rng.uniform(0, 0.05) * PEN_SIDE)))
        ink = np.asarray(big, np.float32)
        ink /= max(float(ink.max()), 1e-6)
        ink = np.clip((ink - rng.uniform(0.08, 0.75)) * rng.uniform(4, 12), 0, 1)
        out[i] = np.round(preprocessing.mnist_frame(ink, x.shape[1:3]) * 255).astype(np.uint8)[..., None]
    return out


def draw_negative(rng: np.random.Generator) -> Image.Image:
    """One non-digit, white on black, as if drawn on the Predict tab's canvas."""
    image = Image.new("L", (SIDE, SIDE), 0)
    draw = ImageDraw.Draw(image)
    width = int(rng.integers(4, 15))
    kind = int(rng.integers(7))
    if kind == 5:  # a closed shape with 3 to 5 sharp corners (a round one would be a 0)
        angles = np.sort(rng.uniform(0, 2 * math.pi, int(rng.integers(3, 6))))
        radius = rng.uniform(0.25, 0.4) * SIDE
        points = [(SIDE / 2 + radius * rng.uniform(0.7, 1.2) * math.cos(a),
                   SIDE / 2 + radius * rng.uniform(0.7, 1.2) * math.sin(a)) for a in angles]
        draw.line([*points, points[0]], fill=255, width=width, joint="curve")
    elif kind == 6:  # two to five straight strokes crossing near the middle
        for angle in rng.uniform(0, math.pi, int(rng.integers(2, 6))):
            length, (cx, cy) = rng.uniform(0.25, 0.4) * SIDE, rng.normal(SIDE / 2, SIDE / 12, 2)
            dx, dy = math.cos(angle) * length, math.sin(angle) * length
            draw.line([(cx - dx, cy - dy), (cx + dx, cy + dy)], fill=255, width=width)
    elif kind == 0:  # a random polyline of 3 to 6 points
        points = rng.uniform(0.1, 0.9, size=(int(rng.integers(3, 7)), 2)) * SIDE
        draw.line([tuple(p) for p in points], fill=255, width=width, joint="curve")
    elif kind == 1:  # a straight stroke far from upright (a slanted upright one is a 1)
        angle = math.radians(rng.uniform(-30, 30) + rng.choice([0, 180]))
        length = rng.uniform(0.3, 0.45) * SIDE
        cx, cy = SIDE / 2, SIDE / 2
        dx, dy = math.cos(angle) * length, math.sin(angle) * length
        draw.line([(cx - dx, cy - dy), (cx + dx, cy + dy)], fill=255, width=width)
    elif kind == 2:  # an open arc (a closed loop would be a 0)
        x0, x1 = sorted(rng.uniform(0.1, 0.9, 2) * SIDE)
        y0, y1 = sorted(rng.uniform(0.1, 0.9, 2) * SIDE)
        start = rng.uniform(0, 360)
        draw.arc([x0, y0, x1 + 5, y1 + 5], start, start + rng.uniform(60, 250), fill=255, width=width)
    elif kind == 3:  # dots
        for x, y in rng.uniform(0.2, 0.8, size=(int(rng.integers(1, 6)), 2)) * SIDE:
            r = rng.uniform(3, 10)
            draw.ellipse([x - r, y - r, x + r, y + r], fill=255)
    else:  # a letter written as strokes, in a random hand
        _letter(draw, LETTERS[_LETTER_KEYS[int(rng.integers(len(_LETTER_KEYS)))]], rng, width)
    image = image.rotate(float(rng.uniform(-20, 20)))
    if rng.random() < 0.5:  # soft edges, as MNIST's own images have (digits come in both looks)
        image = image.filter(ImageFilter.GaussianBlur(float(rng.uniform(1.5, 4))))
    return image


def stroke_points(part, arc_points: int) -> np.ndarray:
    """A stroke of a template on the unit square as ``(N, 2)`` points: a polyline given as its
    points, or ``("arc", cx, cy, rx, ry, start°, end°)`` sampled at ``arc_points`` points."""
    if isinstance(part, tuple):
        _, cx, cy, rx, ry, a0, a1 = part
        t = np.radians(np.linspace(a0, a1, arc_points))
        return np.stack([cx + rx * np.cos(t), cy + ry * np.sin(t)], axis=1)
    return np.asarray(part, dtype=float)


def _letter(draw: ImageDraw.ImageDraw, strokes: list, rng: np.random.Generator, width: int) -> None:
    scale = rng.uniform(0.5, 0.75) * SIDE
    aspect, slant = rng.uniform(0.7, 1.2), rng.uniform(-0.25, 0.25)
    ox, oy = (SIDE - scale * aspect) / 2, (SIDE - scale) / 2
    for part in strokes:
        points = stroke_points(part, 24)
        points = points + rng.normal(0, 0.03, points.shape)  # a hand is never exact
        xy = [(ox + (x + slant * (1 - y)) * scale * aspect, oy + y * scale) for x, y in points]
        if len(xy) > 1:
            draw.line(xy, fill=255, width=width, joint="curve")
