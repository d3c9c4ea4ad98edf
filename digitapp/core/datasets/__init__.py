"""Datasets by name (bundled or cached) and importers for local files.

Every loader returns a :class:`Dataset` whose images are uint8 ``(N, H, W, C)`` — kept as
bytes to save memory; training scales them to [0, 1] — with integer labels, class names,
and the preprocessing recipe that user images need to look like the training images.
One module per source: :mod:`.builtin`, :mod:`.npz`, :mod:`.idx`, :mod:`.cifar`,
:mod:`.folders`; :mod:`.arrays` holds the type and the checks they share. No TensorFlow
(only a download of a missing built-in set imports it).
"""

from __future__ import annotations

from pathlib import Path

from digitapp.core.config import BUILTIN_DATASETS
from digitapp.core.datasets.arrays import Dataset, from_arrays, split_validation
from digitapp.core.datasets.builtin import builtin_key, download_builtin, load_builtin, local_copy
from digitapp.core.datasets.cifar import is_cifar_dir, load_cifar_dir
from digitapp.core.datasets.folders import load_image_folder
from digitapp.core.datasets.idx import find_idx_files, load_idx_dir, read_idx, write_idx
from digitapp.core.datasets.npz import load_npz, save_npz
from digitapp.core.errors import DatasetError

__all__ = [
    "Dataset", "builtin_key", "download_builtin", "from_arrays", "load_builtin", "load_cifar_dir", "load_dataset",
    "load_idx_dir",
    "load_image_folder", "load_npz", "local_copy", "read_idx", "save_npz", "split_validation", "write_idx",
]


def load_dataset(name_or_path: str | Path, download: bool = True) -> Dataset:
    """Load a built-in dataset by name, or import one from a path.

    A path may be a keras-layout ``.npz``, a folder with the four IDX files, a CIFAR
    ``cifar-10-batches-py`` folder, or a folder of class sub-folders of images.
    ``download``: whether a built-in set that is not on this computer may be downloaded.
    """
    key = str(name_or_path)
    if key in BUILTIN_DATASETS:
        return load_builtin(key, download)
    path = Path(name_or_path)
    if not path.exists():
        raise DatasetError(f"{path} does not exist.")
    if path.is_file():
        if path.suffix.lower() == ".npz":
            return load_npz(path)
        raise DatasetError(f"{path.name} is not a dataset: expected an .npz file or a folder.")
    if find_idx_files(path, required=False):
        return load_idx_dir(path)
    if is_cifar_dir(path):
        return load_cifar_dir(path)
    return load_image_folder(path)
