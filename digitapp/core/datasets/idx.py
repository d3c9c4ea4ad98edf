"""The four IDX files of MNIST's original distribution (and of Debian's Fashion-MNIST)."""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np

from digitapp.core.config import FASHION_NAMES
from digitapp.core.datasets.arrays import Dataset, first_line, from_arrays
from digitapp.core.errors import DatasetError

IDX_FILES = {
    "x_train": "train-images-idx3-ubyte",
    "y_train": "train-labels-idx1-ubyte",
    "x_test": "t10k-images-idx3-ubyte",
    "y_test": "t10k-labels-idx1-ubyte",
}


def find_idx_files(folder: Path, required: bool = True) -> dict[str, Path] | None:
    """Map x_train/y_train/x_test/y_test to files named like the MNIST originals."""
    if not folder.is_dir():
        return None
    found: dict[str, Path] = {}
    for key, stem in IDX_FILES.items():
        # Some mirrors write "train-images.idx3-ubyte"; accept either separator and .gz.
        alternatives = {stem, stem.replace("-idx", ".idx")}
        for candidate in sorted(folder.iterdir()):
            base = candidate.name[:-3] if candidate.name.endswith(".gz") else candidate.name
            if base in alternatives and candidate.is_file():
                found[key] = candidate
                break
    if len(found) == 4:
        return found
    if required:
        missing = [IDX_FILES[k] for k in IDX_FILES if k not in found]
        raise DatasetError(f"{folder} lacks the IDX file(s) {', '.join(missing)}[.gz].")
    return None


def read_idx(path: Path) -> np.ndarray:
    """Read one IDX file (raw or gzip) as uint8; see yann.lecun.com/exdb/mnist for the format."""
    try:
        opener = gzip.open if path.name.endswith(".gz") else open
        with opener(path, "rb") as f:
            raw = f.read()
    except (OSError, EOFError) as exc:
        raise DatasetError(f"{path.name} cannot be read ({first_line(exc)}).") from None
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0 or raw[2] != 0x08 or not 1 <= raw[3] <= 4:
        raise DatasetError(f"{path.name} is not an IDX file of bytes (wrong magic number).")
    ndim = raw[3]
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise DatasetError(f"{path.name} is truncated (incomplete header).")
    dims = [int.from_bytes(raw[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim)]
    expected = int(np.prod(dims, dtype=np.int64))
    if len(raw) - header != expected:
        raise DatasetError(
            f"{path.name} holds {len(raw) - header:,} data bytes but its header promises {expected:,} "
            "(truncated or corrupt)."
        )
    return np.frombuffer(raw, dtype=np.uint8, offset=header).reshape(dims)


def write_idx(arr: np.ndarray, path: Path) -> None:
    """Write a uint8 array as IDX (gzip if the name ends in .gz)."""
    arr = np.ascontiguousarray(arr, dtype=np.uint8)
    header = bytes([0, 0, 0x08, arr.ndim]) + b"".join(int(d).to_bytes(4, "big") for d in arr.shape)
    opener = gzip.open if str(path).endswith(".gz") else open
    with opener(path, "wb") as f:
        f.write(header + arr.tobytes())


def load_idx_dir(folder: str | Path, name: str | None = None, class_names: list[str] | None = None) -> Dataset:
    """The four standard IDX files; class names from ``class_names.txt`` if present."""
    folder = Path(folder)
    files = find_idx_files(folder)
    arrays = {key: read_idx(path) for key, path in files.items()}
    if class_names is None:
        class_names = _class_names_for_folder(folder)
    return from_arrays(name or folder.name, **arrays, class_names=class_names)


def _class_names_for_folder(folder: Path) -> list[str] | None:
    names_file = folder / "class_names.txt"
    if names_file.is_file():
        names = [line.strip() for line in names_file.read_text(encoding="utf-8").splitlines() if line.strip()]
        return names or None
    # IDX files carry no names; Fashion-MNIST is by far the most common non-digit IDX set.
    return FASHION_NAMES if "fashion" in folder.as_posix().lower() else None
