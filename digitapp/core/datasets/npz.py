"""Datasets in Keras' own ``.npz`` layout (how MNIST ships with the app)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from digitapp.core.datasets.arrays import Dataset, first_line, from_arrays
from digitapp.core.errors import DatasetError

ARRAY_KEYS = ("x_train", "y_train", "x_test", "y_test")


def load_npz(path: str | Path, name: str | None = None, class_names: list[str] | None = None) -> Dataset:
    """Keras layout: ``x_train, y_train, x_test, y_test`` (and optionally ``class_names``)."""
    path = Path(path)
    try:
        # allow_pickle=False: an .npz from the internet must not be able to run code.
        # Opening the file ourselves closes it even when numpy rejects a broken archive.
        with open(path, "rb") as f:
            data = np.load(f, allow_pickle=False)
            if not hasattr(data, "files"):  # a plain array (.npy content), not an archive
                raise DatasetError(f"{path.name} holds a single array; expected an .npz archive.")
            with data:
                arrays, class_names = _read_archive(path, data, class_names)
    except DatasetError:
        raise
    except FileNotFoundError:
        raise DatasetError(f"{path} does not exist.") from None
    except Exception as exc:
        raise DatasetError(f"{path.name} is not a readable .npz file ({first_line(exc)}).") from None
    return from_arrays(name or path.stem, **arrays, class_names=class_names)


def _read_archive(path: Path, data, class_names: list[str] | None) -> tuple[dict, list[str] | None]:
    missing = [k for k in ARRAY_KEYS if k not in data.files]
    if missing:
        raise DatasetError(f"{path.name} lacks {', '.join(missing)}; expected x_train, y_train, x_test, y_test.")
    arrays = {k: data[k] for k in ARRAY_KEYS}
    if class_names is None and "class_names" in data.files:
        class_names = [str(c) for c in data["class_names"].tolist()]
    return arrays, class_names


def save_npz(ds: Dataset, path: str | Path) -> None:
    """Write a dataset in the keras layout that :func:`load_npz` reads."""
    np.savez_compressed(
        path, x_train=ds.x_train, y_train=ds.y_train, x_test=ds.x_test, y_test=ds.y_test,
        class_names=np.array(ds.class_names),
    )
