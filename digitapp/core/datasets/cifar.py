"""CIFAR-10's ``cifar-10-batches-py`` folder: pickled batches, read without running code."""

from __future__ import annotations

import pickle
from pathlib import Path

import numpy as np

from digitapp.core.config import CIFAR10_NAMES
from digitapp.core.datasets.arrays import Dataset, first_line, from_arrays
from digitapp.core.errors import DatasetError


class _ArrayOnlyUnpickler(pickle.Unpickler):
    """CIFAR batches are pickles; allow only what rebuilds numpy arrays, never code."""

    ALLOWED = frozenset({
        ("numpy", "ndarray"), ("numpy", "dtype"),
        ("numpy.core.multiarray", "_reconstruct"), ("numpy._core.multiarray", "_reconstruct"),
    })

    def find_class(self, module: str, name: str):
        if (module, name) in self.ALLOWED:
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"refusing {module}.{name}")


def _read_cifar_batch(path: Path) -> tuple[np.ndarray, np.ndarray]:
    try:
        with open(path, "rb") as f:
            batch = _ArrayOnlyUnpickler(f, encoding="bytes").load()
        data = np.asarray(batch[b"data"], dtype=np.uint8)
        labels = np.asarray(batch[b"labels"])
        return data.reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1), labels
    except Exception as exc:
        raise DatasetError(f"{path.name} is not a readable CIFAR batch ({first_line(exc)}).") from None


def load_cifar_dir(folder: str | Path) -> Dataset:
    """The ``cifar-10-batches-py`` layout: ``data_batch_1…5`` and ``test_batch``."""
    folder = Path(folder)
    parts = [_read_cifar_batch(p) for p in sorted(folder.glob("data_batch_*"))]
    x_test, y_test = _read_cifar_batch(folder / "test_batch")
    x_train = np.concatenate([p[0] for p in parts])
    y_train = np.concatenate([p[1] for p in parts])
    return from_arrays("CIFAR-10", x_train, y_train, x_test, y_test, CIFAR10_NAMES)


def is_cifar_dir(folder: Path) -> bool:
    """True for a folder in the ``cifar-10-batches-py`` layout."""
    return (folder / "data_batch_1").exists() and (folder / "test_batch").exists()
