"""Datasets in Keras' own ``.npz`` layout (how MNIST ships with the app)."""

from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np

from digitapp.core.datasets.arrays import Dataset, first_line, from_arrays
from digitapp.core.errors import DatasetError

ARRAY_KEYS = ("x_train", "y_train", "x_test", "y_test")
# How a single saved array (.npy content) begins.
NPY_MAGIC = b"\x93NUMPY"


def load_npz(path: str | Path, name: str | None = None, class_names: list[str] | None = None) -> Dataset:
    """Keras layout: ``x_train, y_train, x_test, y_test`` (and optionally ``class_names``)."""
    path = Path(path)
    try:
        # Opening the file ourselves closes it even when numpy rejects a broken archive.
        with open(path, "rb") as f:
            _check_archive(path, f)
            # allow_pickle=False: an .npz from the internet must not be able to run code.
            with np.load(f, allow_pickle=False) as data:
                arrays, class_names = _read_archive(path, data, class_names)
    except DatasetError:
        raise
    except FileNotFoundError:
        raise DatasetError(f"{path} does not exist.") from None
    except Exception as exc:
        raise DatasetError(f"{path.name} is not a readable .npz file ({_reason(exc)}).") from None
    return from_arrays(name or path.stem, **arrays, class_names=class_names)


def _check_archive(path: Path, f) -> None:
    """Refuse anything but a zip archive before numpy sees it: numpy takes other content
    for a pickle and answers with advice to load it unsafely."""
    if f.read(len(NPY_MAGIC)) == NPY_MAGIC:
        raise DatasetError(f"{path.name} holds a single array; expected an .npz archive.")
    if not zipfile.is_zipfile(f):
        raise DatasetError(f"{path.name} is not a NumPy .npz archive.")
    f.seek(0)


def _read_archive(path: Path, data, class_names: list[str] | None) -> tuple[dict, list[str] | None]:
    missing = [k for k in ARRAY_KEYS if k not in data.files]
    if missing:
        raise DatasetError(f"{path.name} lacks {', '.join(missing)}; expected x_train, y_train, x_test, y_test.")
    keys = [*ARRAY_KEYS, *(["class_names"] if class_names is None and "class_names" in data.files else [])]
    arrays = {}
    for key in keys:
        try:
            arrays[key] = data[key]
        except ValueError as exc:
            if "allow_pickle" not in str(exc):
                raise
            raise DatasetError(
                f"{path.name} stores {key} as Python objects, which are not loaded for safety; "
                "expected plain numeric arrays."
            ) from None
    if "class_names" in arrays:
        class_names = [str(c) for c in arrays.pop("class_names").tolist()]
    return arrays, class_names


def _reason(exc: BaseException) -> str:
    """numpy's own words, unless they advise loading the file unsafely."""
    text = first_line(exc)
    return type(exc).__name__ if "pickle" in text.lower() else text


def save_npz(ds: Dataset, path: str | Path) -> None:
    """Write a dataset in the keras layout that :func:`load_npz` reads."""
    np.savez_compressed(
        path, x_train=ds.x_train, y_train=ds.y_train, x_test=ds.x_test, y_test=ds.y_test,
        class_names=np.array(ds.class_names),
    )
