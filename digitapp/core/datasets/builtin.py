"""The built-in datasets: MNIST ships with the app; Fashion-MNIST and CIFAR-10 come from a
local copy (Keras' cache, Debian's package) or, failing that, a download — which a front end
can ask about first: :func:`local_copy` says whether one is needed without making it."""

from __future__ import annotations

import os
from pathlib import Path

from digitapp.core.config import (
    BUILTIN_DATASETS,
    BUNDLED_DATASET,
    CIFAR10_NAMES,
    DIGIT_NAMES,
    DOWNLOAD_SIZES_MB,
    FASHION_NAMES,
    SYSTEM_FASHION_DIR,
)
from digitapp.core.datasets.arrays import Dataset, from_arrays
from digitapp.core.datasets.cifar import is_cifar_dir, load_cifar_dir
from digitapp.core.datasets.idx import find_idx_files, load_idx_dir
from digitapp.core.datasets.npz import load_npz
from digitapp.core.errors import DatasetError
from digitapp.core.resources import resource_path

MNIST_FILE = "mnist.npz"


def load_builtin(name: str, download: bool = True) -> Dataset:
    """``mnist`` (bundled), ``fashion_mnist`` or ``cifar10`` from a local copy; when there
    is none, downloaded if ``download`` (see :func:`local_copy` to ask the user first).

    Raises:
        DatasetError: unknown name, the bundled file is missing, or there is no local copy
            and it may not or could not be downloaded.
    """
    folder = local_copy(name)
    if name == BUNDLED_DATASET:
        if folder is None:
            raise DatasetError(f"The bundled MNIST file is missing ({resource_path(MNIST_FILE)}); reinstall the app.")
        ds = load_npz(folder, name=BUILTIN_DATASETS[name], class_names=DIGIT_NAMES)
        ds.preprocessing = "digit"
        return ds
    if folder is not None:
        if name == "fashion_mnist":
            return load_idx_dir(folder, name=BUILTIN_DATASETS[name], class_names=FASHION_NAMES)
        return load_cifar_dir(folder)
    if not download:
        raise DatasetError(
            f"{BUILTIN_DATASETS[name]} is not on this computer; download it or import it from local files."
        )
    return download_builtin(name)


def builtin_key(name: str) -> str | None:
    """The built-in dataset's key for a name a model's sidecar records (``MNIST`` → ``mnist``),
    or None when the model was trained on other data."""
    return next((key for key, shown in BUILTIN_DATASETS.items() if name in (key, shown)), None)


def local_copy(name: str) -> Path | None:
    """Where a built-in dataset is on this computer (the bundled file, Keras' cache, a
    system package), or None when it would have to be downloaded. Looks only at the disk:
    fast enough to ask before every load.

    Raises:
        DatasetError: unknown name.
    """
    if name not in BUILTIN_DATASETS:
        raise DatasetError(f"Unknown dataset {name!r}; choose one of {', '.join(BUILTIN_DATASETS)}.")
    if name == BUNDLED_DATASET:
        path = resource_path(MNIST_FILE)
        return path if path.exists() else None
    cache = keras_cache()
    if name == "fashion_mnist":
        for folder in (cache / "fashion-mnist", SYSTEM_FASHION_DIR):
            if find_idx_files(folder, required=False):
                return folder
    else:
        for folder in (cache / "cifar-10-batches-py-target" / "cifar-10-batches-py", cache / "cifar-10-batches-py"):
            if is_cifar_dir(folder):
                return folder
    return None


def keras_cache() -> Path:
    """Where ``keras.datasets`` keeps what it downloads (``$KERAS_HOME`` or ``~/.keras``)."""
    home = os.environ.get("KERAS_HOME") or os.path.join(os.path.expanduser("~"), ".keras")
    return Path(home) / "datasets"


def download_builtin(name: str) -> Dataset:
    """Fetch Fashion-MNIST or CIFAR-10 through ``keras.datasets``, which keeps a copy in
    Keras' cache (``~/.keras/datasets``) that :func:`local_copy` finds from then on.
    Sizes: :data:`~digitapp.core.config.DOWNLOAD_SIZES_MB`.

    Raises:
        DatasetError: unknown or bundled name, or the download failed.
    """
    if name not in DOWNLOAD_SIZES_MB:
        raise DatasetError(f"{name!r} is not a dataset that can be downloaded; choose one of "
                           f"{', '.join(DOWNLOAD_SIZES_MB)}.")
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
