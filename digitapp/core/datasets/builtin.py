"""The built-in datasets: MNIST ships with the app; Fashion-MNIST and CIFAR-10 come from a
local copy (Keras' cache, Debian's package) or, failing that, a download."""

from __future__ import annotations

import os
from pathlib import Path

from digitapp.core.config import (
    BUILTIN_DATASETS,
    BUNDLED_DATASET,
    CIFAR10_NAMES,
    DIGIT_NAMES,
    FASHION_NAMES,
    SYSTEM_FASHION_DIR,
)
from digitapp.core.datasets.arrays import Dataset, from_arrays
from digitapp.core.datasets.cifar import is_cifar_dir, load_cifar_dir
from digitapp.core.datasets.idx import find_idx_files, load_idx_dir
from digitapp.core.datasets.npz import load_npz
from digitapp.core.errors import DatasetError
from digitapp.core.resources import resource_path


def load_builtin(name: str) -> Dataset:
    """``mnist`` (bundled), ``fashion_mnist`` or ``cifar10`` (local copies, else download)."""
    if name == BUNDLED_DATASET:
        path = resource_path("mnist.npz")
        if not path.exists():
            raise DatasetError(f"The bundled MNIST file is missing ({path}); reinstall the app.")
        ds = load_npz(path, name=BUILTIN_DATASETS[name], class_names=DIGIT_NAMES)
        ds.preprocessing = "digit"
        return ds
    if name == "fashion_mnist":
        for folder in (_keras_cache() / "fashion-mnist", SYSTEM_FASHION_DIR):
            if find_idx_files(folder, required=False):
                return load_idx_dir(folder, name=BUILTIN_DATASETS[name], class_names=FASHION_NAMES)
        return _download(name)
    if name == "cifar10":
        for folder in (
            _keras_cache() / "cifar-10-batches-py-target" / "cifar-10-batches-py",
            _keras_cache() / "cifar-10-batches-py",
        ):
            if is_cifar_dir(folder):
                return load_cifar_dir(folder)
        return _download(name)
    raise DatasetError(f"Unknown dataset {name!r}; choose one of {', '.join(BUILTIN_DATASETS)}.")


def _keras_cache() -> Path:
    home = os.environ.get("KERAS_HOME") or os.path.join(os.path.expanduser("~"), ".keras")
    return Path(home) / "datasets"


def _download(name: str) -> Dataset:
    """Fetch through ``keras.datasets`` (which caches under ~/.keras/datasets)."""
    from digitapp.core.tf import keras

    loader = {"fashion_mnist": keras.datasets.fashion_mnist, "cifar10": keras.datasets.cifar10}[name]
    try:
        (x_train, y_train), (x_test, y_test) = loader.load_data()
    except Exception:
        raise DatasetError(
            f"{BUILTIN_DATASETS[name]} is not on this computer and could not be downloaded "
            "(no network?); import it from local files instead."
        ) from None
    names = FASHION_NAMES if name == "fashion_mnist" else CIFAR10_NAMES
    return from_arrays(BUILTIN_DATASETS[name], x_train, y_train, x_test, y_test, names)
