"""A folder of class sub-folders of images (the layout users build by hand)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import numpy as np
from PIL import Image

from digitapp.core.config import IMAGE_EXTENSIONS
from digitapp.core.datasets.arrays import Dataset, from_arrays
from digitapp.core.errors import DatasetError, ImageError
from digitapp.core.images import open_image

# Images larger than this are reduced so CPU training stays quick.
MAX_FOLDER_IMAGE_SIDE = 64
# Without a train/test split, this share of each class is held out for testing…
FOLDER_TEST_FRACTION = 0.2
# …chosen with this seed, so the same folder always gives the same split.
SPLIT_SEED = 0


def load_image_folder(folder: str | Path) -> Dataset:
    """A folder with one sub-folder of images per class (class names = folder names).

    If the folder holds ``train/`` and ``test/`` (each with class sub-folders) they are
    used as the split; otherwise ``FOLDER_TEST_FRACTION`` of every class is held out.
    Unreadable files are skipped and listed in ``notes``.
    """
    folder = Path(folder)
    train_dir, test_dir = folder / "train", folder / "test"
    split = train_dir.is_dir() and test_dir.is_dir()
    class_names = _class_dirs(train_dir if split else folder)
    notes: list[str] = []
    if split:
        test_classes = _class_dirs(test_dir)
        if set(test_classes) - set(class_names):
            raise DatasetError(f"{test_dir} has classes missing from {train_dir}.")
        train_items = _list_images(train_dir, class_names)
        test_items = _list_images(test_dir, class_names)
    else:
        items = _list_images(folder, class_names)
        train_items, test_items = _stratified_split(items, len(class_names))
    images: dict[Path, Image.Image] = {}
    for path, _ in train_items + test_items:
        try:
            images[path] = open_image(path)
        except ImageError as exc:
            notes.append(f"skipped {exc}")
    if not images:
        raise DatasetError(f"No readable images in {folder}.")
    shape = _folder_shape(list(images.values()))
    x_train, y_train = _stack(train_items, images, shape)
    x_test, y_test = _stack(test_items, images, shape)
    for i, cls in enumerate(class_names):
        if not (y_train == i).any():
            raise DatasetError(f"Class folder {cls!r} has no readable training images.")
    ds = from_arrays(folder.name, x_train, y_train, x_test, y_test, class_names)
    ds.notes = notes + ds.notes  # skipped files first, then what from_arrays noticed
    return ds


def _class_dirs(folder: Path) -> list[str]:
    names = sorted(p.name for p in folder.iterdir() if p.is_dir() and not p.name.startswith("."))
    if len(names) < 2:
        raise DatasetError(
            f"{folder} is not a dataset: expected an .npz, the four IDX files, "
            "or at least two class sub-folders of images."
        )
    return names


def _list_images(folder: Path, class_names: list[str]) -> list[tuple[Path, int]]:
    items = []
    for label, cls in enumerate(class_names):
        cls_dir = folder / cls
        files = sorted(
            p for p in cls_dir.rglob("*")
            if p.is_file() and p.suffix.lower() in IMAGE_EXTENSIONS
        ) if cls_dir.is_dir() else []
        if not files:
            raise DatasetError(f"Class folder {cls_dir} contains no images.")
        items.extend((p, label) for p in files)
    return items


def _stratified_split(items: list[tuple[Path, int]], num_classes: int):
    rng = np.random.default_rng(SPLIT_SEED)
    train, test = [], []
    for label in range(num_classes):
        members = [it for it in items if it[1] == label]
        order = rng.permutation(len(members))
        n_test = int(round(len(members) * FOLDER_TEST_FRACTION)) if len(members) >= 2 else 0
        test.extend(members[i] for i in order[:n_test])
        train.extend(members[i] for i in order[n_test:])
    if not test:
        raise DatasetError("Too few images to hold any out for testing; add more per class.")
    return train, test


def _folder_shape(images: list) -> tuple[int, int, int]:
    channels = 1 if all(img.mode == "L" for img in images) else 3
    (w, h), _ = Counter(img.size for img in images).most_common(1)[0]
    if max(w, h) > MAX_FOLDER_IMAGE_SIDE:
        scale = MAX_FOLDER_IMAGE_SIDE / max(w, h)
        w, h = max(8, round(w * scale)), max(8, round(h * scale))
    return max(8, h), max(8, w), channels


def _stack(items: list[tuple[Path, int]], images: dict, shape: tuple[int, int, int]):
    h, w, c = shape
    rows = [(images[p], y) for p, y in items if p in images]
    x = np.zeros((len(rows), h, w, c), dtype=np.uint8)
    for i, (img, _) in enumerate(rows):
        resized = img.convert("L" if c == 1 else "RGB").resize((w, h), Image.Resampling.LANCZOS)
        x[i] = np.asarray(resized).reshape(h, w, c)
    return x, np.array([y for _, y in rows], dtype=np.int32)
