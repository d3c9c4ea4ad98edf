"""The :class:`Dataset` every loader returns, and the checks that turn arrays in keras
layout into one (or into one clear sentence saying what is wrong with them)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from digitapp.core.config import DIGIT_NAMES, default_recipe
from digitapp.core.errors import DatasetError


@dataclass
class Dataset:
    """Images and labels split into train and test, plus what the app needs to show them."""

    name: str
    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    class_names: list[str]
    preprocessing: str
    notes: list[str] = field(default_factory=list)

    @property
    def input_shape(self) -> tuple[int, int, int]:
        return tuple(int(d) for d in self.x_train.shape[1:])

    @property
    def num_classes(self) -> int:
        return len(self.class_names)

    def summary(self) -> str:
        h, w, c = self.input_shape
        return (
            f"{self.name}: {len(self.x_train):,} train / {len(self.x_test):,} test images, "
            f"{h}×{w}×{c}, {self.num_classes} classes"
        )


def from_arrays(
    name: str,
    x_train: np.ndarray,
    y_train: np.ndarray,
    x_test: np.ndarray,
    y_test: np.ndarray,
    class_names: list[str] | None = None,
    preprocessing_recipe: str | None = None,
) -> Dataset:
    """Validate arrays in keras layout and wrap them as a :class:`Dataset`.

    Accepts images ``(N, H, W)`` or ``(N, H, W, 1|3)``, uint8 or float on [0, 1] or
    [0, 255], and integer labels ``(N,)`` or ``(N, 1)`` from 0 to classes − 1.
    """
    x_train, x_test = _check_images(x_train, "x_train"), _check_images(x_test, "x_test")
    y_train, y_test = _check_labels(y_train, "y_train"), _check_labels(y_test, "y_test")
    for x, y, part in ((x_train, y_train, "train"), (x_test, y_test, "test")):
        if len(x) != len(y):
            raise DatasetError(f"The {part} set has {len(x)} images but {len(y)} labels.")
        if len(x) == 0:
            raise DatasetError(f"The {part} set is empty.")
    if x_train.shape[1:] != x_test.shape[1:]:
        raise DatasetError(
            f"Train images are {x_train.shape[1:]} but test images are {x_test.shape[1:]}."
        )
    top = int(max(y_train.max(), y_test.max()))
    if class_names is None:
        count = top + 1
        class_names = DIGIT_NAMES[:count] if count <= 10 else [str(i) for i in range(count)]
    if top >= len(class_names):
        raise DatasetError(
            f"Labels go up to {top} but there are only {len(class_names)} classes (0–{len(class_names) - 1})."
        )
    if len(class_names) < 2:
        raise DatasetError("A dataset needs at least two classes.")
    notes = _check_classes(list(class_names), y_train, y_test)
    recipe = preprocessing_recipe or default_recipe(x_train.shape[1:], class_names)
    return Dataset(name, x_train, y_train, x_test, y_test, list(class_names), recipe, notes)


def _check_classes(class_names: list[str], y_train: np.ndarray, y_test: np.ndarray) -> list[str]:
    """Refuse training labels of a single class (a model would learn nothing and report
    0%); return a sentence for each gap a user should know about before training."""
    train_counts = np.bincount(y_train, minlength=len(class_names))
    test_counts = np.bincount(y_test, minlength=len(class_names))
    present = np.flatnonzero(train_counts)
    if len(present) < 2:
        raise DatasetError(
            f"Every training image is labelled {class_names[present[0]]!r}; "
            "a classifier needs training images of at least two classes."
        )
    notes = []
    untrained = [class_names[i] for i in np.flatnonzero(train_counts == 0)]
    if untrained:
        notes.append(f"No training images for {len(untrained):,} of {len(class_names):,} classes "
                     f"({_listing(untrained)}): the model cannot learn to recognise them.")
    untested = [class_names[i] for i in np.flatnonzero((test_counts == 0) & (train_counts > 0))]
    if untested:
        notes.append(f"No test images for {len(untested):,} of {len(class_names):,} classes "
                     f"({_listing(untested)}): the test accuracy says nothing about them.")
    return notes


def _listing(names: list[str], shown: int = 5) -> str:
    """``'a', 'b', 'c' and 7 more``: a list of class names short enough for one sentence."""
    text = ", ".join(repr(n) for n in names[:shown])
    return text + (f" and {len(names) - shown:,} more" if len(names) > shown else "")


def _check_images(x: np.ndarray, key: str) -> np.ndarray:
    x = np.asarray(x)
    if x.ndim == 3:
        x = x[..., None]
    if x.ndim != 4 or x.shape[-1] not in (1, 3):
        raise DatasetError(
            f"{key} has shape {x.shape}; expected (N, height, width) or (N, height, width, 1 or 3)."
        )
    if min(x.shape[1:3]) < 8 or max(x.shape[1:3]) > 256:
        raise DatasetError(f"{key} images are {x.shape[1]}×{x.shape[2]}; supported sizes are 8 to 256 pixels.")
    if x.dtype == np.uint8:
        return x
    if not (np.issubdtype(x.dtype, np.number) or x.dtype == bool) or np.issubdtype(x.dtype, np.complexfloating):
        raise DatasetError(f"{key} holds {x.dtype} values; expected numbers.")
    if x.dtype.kind == "f" and not np.isfinite(x).all():
        raise DatasetError(f"{key} contains NaN or infinite values.")
    low, high = float(x.min(initial=0)), float(x.max(initial=0))
    if low < 0 or high > 255:  # checked before the cast: 1e300 would overflow float32
        raise DatasetError(f"{key} values range from {low:g} to {high:g}; expected 0–1 or 0–255.")
    xf = x.astype(np.float32)
    if high <= 1.0:
        xf = xf * 255.0  # float images on [0, 1]
    return xf.round().astype(np.uint8)


def _check_labels(y: np.ndarray, key: str) -> np.ndarray:
    y = np.asarray(y)
    if y.ndim == 2 and y.shape[1] == 1:
        y = y[:, 0]
    if y.ndim != 1:
        raise DatasetError(f"{key} has shape {y.shape}; expected one integer label per image.")
    whole = np.issubdtype(y.dtype, np.integer) or (
        np.issubdtype(y.dtype, np.floating) and np.all(np.isfinite(y)) and np.all(y == np.round(y)))
    if y.size and not whole:
        raise DatasetError(f"{key} must hold whole-number class labels, not {y.dtype} values.")
    if y.size and y.min() < 0:
        raise DatasetError(f"{key} contains negative labels; classes are numbered from 0.")
    if y.size and y.max() > 10_000:
        raise DatasetError(f"{key} contains label {int(y.max())}; at most 10,000 classes are supported.")
    return y.astype(np.int32)


def split_validation(
    x: np.ndarray, y: np.ndarray, fraction: float, seed: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Carve a random validation share from the training set (the test set stays unseen)."""
    if not 0.0 <= fraction < 1.0:
        raise ValueError("validation fraction must be in [0, 1)")
    n_val = int(round(len(x) * fraction))
    if n_val == 0:
        return x, y, x[:0], y[:0]
    order = np.random.default_rng(seed).permutation(len(x))
    val, train = order[:n_val], order[n_val:]
    return x[train], y[train], x[val], y[val]


def first_line(exc: BaseException) -> str:
    """The first line of an exception's text (or its type), for one-sentence errors."""
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
