"""Personal samples: the user's own handwriting, kept as plain files to learn from.

A correction in the Predict tab ("that is a 4") keeps the drawing or the opened image as
``<samples folder>/<class>/<time>-<n>.png``: the layout the folder importer reads, so the
samples can be looked at, backed up, deleted or reused as a dataset. The app's own folder is
``<app data>/personal/<kind>/`` (``digits`` for digit models, else the dataset's name), so
corrections for a clothes model never mix with a digit model's. No TensorFlow here: the
fine-tune itself is :func:`workflow.finetune_model`.
"""

from __future__ import annotations

import datetime as _dt
import itertools
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image

from digitapp.core.applog import app_data_dir
from digitapp.core.config import DIGIT_NAMES, IMAGE_EXTENSIONS, NOT_A_DIGIT
from digitapp.core.errors import DatasetError, ImageError, WriteError
from digitapp.core.images import open_image
from digitapp.core.preprocessing import prepare

PERSONAL_FOLDER = "personal"
# Fewer samples than this in all teach a model nothing it can keep (and cannot be checked).
MIN_SAMPLES = 5
# A class with at least this many samples gives every HOLDOUT_EVERY-th one to the check of
# the result (never trained on), so the before/after accuracy is on drawings it did not see.
HOLDOUT_FROM = 5
HOLDOUT_EVERY = 5
MAX_SIDE = 560  # pixels: a larger image is kept scaled down (twice the drawing canvas)
_UNSAFE = re.compile(r'[<>:"/\\|?*\x00-\x1f]')  # not allowed in Windows file names
_counter = itertools.count(1)


@dataclass
class Samples:
    """Personal samples prepared as model inputs: uint8 ``x`` (N, H, W, C), labels ``y`` (the
    model's class indices), their files, and one line per file or folder that was skipped."""

    x: np.ndarray
    y: np.ndarray
    paths: list[Path]
    notes: list[str] = field(default_factory=list)

    def counts(self, classes: int) -> list[int]:
        return np.bincount(self.y, minlength=classes).tolist()

    def split(self) -> tuple[Samples, Samples]:
        """(to learn from, held back to check): every ``HOLDOUT_EVERY``-th sample of each class
        that has at least ``HOLDOUT_FROM``, in file order (the same folder splits the same)."""
        held = np.zeros(len(self.y), bool)
        for label in np.unique(self.y):
            members = np.flatnonzero(self.y == label)
            if len(members) >= HOLDOUT_FROM:
                held[members[HOLDOUT_EVERY - 1::HOLDOUT_EVERY]] = True
        return self._subset(~held), self._subset(held)

    def _subset(self, keep: np.ndarray) -> Samples:
        return Samples(self.x[keep], self.y[keep], [p for p, k in zip(self.paths, keep) if k])


def folder_name(class_name: str) -> str:
    """A class's sub-folder name: the class name with characters Windows forbids replaced
    (``T-shirt/top`` → ``T-shirt-top``)."""
    return _UNSAFE.sub("-", class_name).strip(" .") or "class"


def samples_dir(class_names: list[str], dataset: str = "") -> Path:
    """The app's folder of personal samples for a model with these classes."""
    digits = [c for c in class_names if c != NOT_A_DIGIT] == DIGIT_NAMES
    kind = "digits" if digits else folder_name(Path(dataset).name or dataset or "model")
    return app_data_dir() / PERSONAL_FOLDER / kind


def save_sample(image: Image.Image | np.ndarray, class_name: str, folder: str | Path) -> Path:
    """Keep one image (a drawing's uint8 array, or an opened file's image) as a PNG of class
    ``class_name``; returns its path.

    Raises:
        WriteError: the folder cannot be created or written (read-only, full).
    """
    img = image.copy() if isinstance(image, Image.Image) else Image.fromarray(np.asarray(image, np.uint8))
    img.thumbnail((MAX_SIDE, MAX_SIDE))  # a phone photo need not be kept at 12 megapixels
    target = Path(folder) / folder_name(class_name)
    stamp = _dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    try:
        target.mkdir(parents=True, exist_ok=True)
        while True:
            path = target / f"{stamp}-{next(_counter)}.png"
            if not path.exists():
                break
        img.save(path)
    except OSError as exc:
        raise WriteError(f"Cannot keep the sample in {target} ({exc.strerror or type(exc).__name__}).") from None
    return path


def list_samples(folder: str | Path) -> dict[str, list[Path]]:
    """Sub-folder name → its image files (sorted), for every sub-folder of ``folder``."""
    folder = Path(folder)
    if not folder.is_dir():
        return {}
    return {
        sub.name: sorted(p for p in sub.iterdir() if p.is_file() and p.suffix.lower() in IMAGE_EXTENSIONS)
        for sub in sorted(folder.iterdir()) if sub.is_dir() and not sub.name.startswith(".")
    }


def delete_sample(path: str | Path) -> None:
    """Remove one sample file (gone already is fine).

    Raises:
        WriteError: it cannot be removed (read-only folder).
    """
    try:
        Path(path).unlink(missing_ok=True)
    except OSError as exc:
        raise WriteError(f"Cannot delete {Path(path).name} ({exc.strerror or type(exc).__name__}).") from None


def load_samples(folder: str | Path, class_names: list[str], input_shape: tuple[int, int, int],
                 recipe: str) -> Samples:
    """Every image under ``folder``'s class sub-folders, prepared for a model the way its
    answers are (``recipe``). Classes without a folder, or with an empty one, are fine.

    Raises:
        DatasetError: ``folder`` is missing or not a folder, or has sub-folders that are not
            the model's classes (a folder for another model).
    """
    folder = Path(folder)
    if not folder.exists():
        raise DatasetError(f"{folder} does not exist.")
    if not folder.is_dir():
        raise DatasetError(f"{folder} is not a folder: personal samples are a folder of class sub-folders.")
    labels = {folder_name(name): i for i, name in enumerate(class_names)}
    found = list_samples(folder)
    # Digit models share a folder: a 10-class model skips the "not a digit" samples of an 11-class one.
    shared = {folder_name(NOT_A_DIGIT)} - set(labels)
    notes = [f"skipped the {name!r} samples: this model has no such class" for name in shared & set(found)]
    found = {name: files for name, files in found.items() if name not in shared}
    strangers = sorted(set(found) - set(labels))
    if strangers:
        known = ", ".join(folder_name(n) for n in class_names)
        raise DatasetError(f"{folder} has sub-folders that are not the model's classes "
                           f"({', '.join(strangers[:3])}); the model's classes are: {known}.")
    rows, y, paths = [], [], []
    loose = [p.name for p in folder.iterdir() if p.is_file() and p.suffix.lower() in IMAGE_EXTENSIONS]
    if loose:
        notes.append(f"skipped {len(loose)} image(s) not in a class sub-folder, e.g. {loose[0]}")
    for name, files in found.items():
        for path in files:
            try:
                image = open_image(path)
                ready = prepare(image, input_shape, recipe)
            except ImageError as exc:
                notes.append(f"skipped {exc}")
                continue
            if recipe != "rgb" and not ready.any():
                notes.append(f"skipped {path.name}: it is blank")
                continue
            rows.append(np.round(ready * 255).astype(np.uint8))
            y.append(labels[name])
            paths.append(path)
    x = np.stack(rows) if rows else np.zeros((0, *input_shape), np.uint8)
    return Samples(x, np.array(y, np.int32), paths, notes)


def check_enough(samples: Samples, folder: str | Path) -> None:
    """Raise :class:`DatasetError` when there are too few samples to learn from."""
    if len(samples.y) < MIN_SAMPLES:
        raise DatasetError(
            f"Too few personal samples to learn from: {len(samples.y)} in {folder}, at least "
            f"{MIN_SAMPLES} are needed (a few of each class you want recognised better)."
        )
