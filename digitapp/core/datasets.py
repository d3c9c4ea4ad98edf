"""Datasets by name (bundled or cached) and importers for local files.

Every loader returns a :class:`Dataset` whose images are uint8 ``(N, H, W, C)`` — kept as
bytes to save memory; training scales them to [0, 1] — with integer labels, class names,
and the preprocessing recipe that user images need to look like the training images.
"""

from __future__ import annotations

import gzip
import os
import pickle
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image

from digitapp.core import preprocessing
from digitapp.core.errors import DatasetError, ImageError
from digitapp.core.resources import resource_path

DIGIT_NAMES = [str(d) for d in range(10)]
FASHION_NAMES = [
    "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
    "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
]
CIFAR10_NAMES = [
    "airplane", "automobile", "bird", "cat", "deer",
    "dog", "frog", "horse", "ship", "truck",
]
BUILTIN = {
    "mnist": "MNIST",
    "fashion_mnist": "Fashion-MNIST",
    "cifar10": "CIFAR-10",
}
# Debian's package dataset-fashion-mnist installs the real set here.
SYSTEM_FASHION_DIR = Path("/usr/share/datasets/fashion-mnist")
IDX_FILES = {
    "x_train": "train-images-idx3-ubyte",
    "y_train": "train-labels-idx1-ubyte",
    "x_test": "t10k-images-idx3-ubyte",
    "y_test": "t10k-labels-idx1-ubyte",
}
# Class-folder imports: images larger than this are reduced so CPU training stays quick.
MAX_FOLDER_IMAGE_SIDE = 64
# Class-folder imports without a train/test split keep this share of each class for testing.
FOLDER_TEST_FRACTION = 0.2


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
    source: str = ""
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


# ---------------------------------------------------------------- entry point


def load_dataset(name_or_path: str | Path) -> Dataset:
    """Load a built-in dataset by name, or import one from a path.

    A path may be a keras-layout ``.npz``, a folder with the four IDX files, a CIFAR
    ``cifar-10-batches-py`` folder, or a folder of class sub-folders of images.
    """
    key = str(name_or_path)
    if key in BUILTIN:
        return load_builtin(key)
    path = Path(name_or_path)
    if not path.exists():
        raise DatasetError(f"{path} does not exist.")
    if path.is_file():
        if path.suffix.lower() == ".npz":
            return load_npz(path)
        raise DatasetError(f"{path.name} is not a dataset: expected an .npz file or a folder.")
    if _find_idx_files(path, required=False):
        return load_idx_dir(path)
    if (path / "data_batch_1").exists() and (path / "test_batch").exists():
        return load_cifar_dir(path)
    return load_image_folder(path)


def load_builtin(name: str) -> Dataset:
    """``mnist`` (bundled), ``fashion_mnist`` or ``cifar10`` (local copies, else download)."""
    if name == "mnist":
        path = resource_path("mnist.npz")
        if not path.exists():
            raise DatasetError(f"The bundled MNIST file is missing ({path}); reinstall the app.")
        ds = load_npz(path, name="MNIST", class_names=DIGIT_NAMES)
        ds.preprocessing = "digit"
        return ds
    if name == "fashion_mnist":
        for folder in (_keras_cache() / "fashion-mnist", SYSTEM_FASHION_DIR):
            if _find_idx_files(folder, required=False):
                return load_idx_dir(folder, name="Fashion-MNIST", class_names=FASHION_NAMES)
        return _download(name)
    if name == "cifar10":
        for folder in (
            _keras_cache() / "cifar-10-batches-py-target" / "cifar-10-batches-py",
            _keras_cache() / "cifar-10-batches-py",
        ):
            if (folder / "test_batch").exists():
                return load_cifar_dir(folder)
        return _download(name)
    raise DatasetError(f"Unknown dataset {name!r}; choose one of {', '.join(BUILTIN)}.")


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
            f"{BUILTIN[name]} is not on this computer and could not be downloaded "
            "(no network?); import it from local files instead."
        ) from None
    names = FASHION_NAMES if name == "fashion_mnist" else CIFAR10_NAMES
    return from_arrays(BUILTIN[name], x_train, y_train, x_test, y_test, names, source="keras.datasets")


# ---------------------------------------------------------------- validation


def from_arrays(
    name: str,
    x_train: np.ndarray,
    y_train: np.ndarray,
    x_test: np.ndarray,
    y_test: np.ndarray,
    class_names: list[str] | None = None,
    source: str = "",
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
    recipe = preprocessing_recipe or _default_recipe(x_train.shape[1:], class_names)
    return Dataset(name, x_train, y_train, x_test, y_test, list(class_names), recipe, source)


def _default_recipe(shape: tuple[int, ...], class_names: list[str]) -> str:
    if shape[-1] == 3:
        return "rgb"
    return "digit" if list(class_names) == DIGIT_NAMES[: len(class_names)] else "gray"


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
    if y.size and not np.issubdtype(y.dtype, np.integer):
        if not np.issubdtype(y.dtype, np.floating) or not np.all(np.isfinite(y)) or np.any(y != np.round(y)):
            raise DatasetError(f"{key} must hold whole-number class labels, not {y.dtype} values.")
    if y.size and y.min() < 0:
        raise DatasetError(f"{key} contains negative labels; classes are numbered from 0.")
    if y.size and y.max() > 10_000:
        raise DatasetError(f"{key} contains label {int(y.max())}; at most 10,000 classes are supported.")
    return y.astype(np.int32)


# ---------------------------------------------------------------- .npz


def load_npz(path: str | Path, name: str | None = None, class_names: list[str] | None = None) -> Dataset:
    """Keras layout: ``x_train, y_train, x_test, y_test`` (and optionally ``class_names``)."""
    path = Path(path)
    try:
        # allow_pickle=False: an .npz from the internet must not be able to run code.
        # Opening the file ourselves closes it even when numpy rejects a broken archive.
        with open(path, "rb") as f, np.load(f, allow_pickle=False) as data:
            if not hasattr(data, "files"):
                raise DatasetError(f"{path.name} holds a single array; expected an .npz archive.")
            missing = [k for k in IDX_FILES if k not in data.files]
            if missing:
                raise DatasetError(
                    f"{path.name} lacks {', '.join(missing)}; expected x_train, y_train, x_test, y_test."
                )
            arrays = {k: data[k] for k in IDX_FILES}
            if class_names is None and "class_names" in data.files:
                class_names = [str(c) for c in data["class_names"].tolist()]
    except DatasetError:
        raise
    except FileNotFoundError:
        raise DatasetError(f"{path} does not exist.") from None
    except Exception as exc:
        raise DatasetError(f"{path.name} is not a readable .npz file ({_first_line(exc)}).") from None
    return from_arrays(name or path.stem, **arrays, class_names=class_names, source=str(path))


def save_npz(ds: Dataset, path: str | Path) -> None:
    """Write a dataset in the keras layout that :func:`load_npz` reads."""
    np.savez_compressed(
        path, x_train=ds.x_train, y_train=ds.y_train, x_test=ds.x_test, y_test=ds.y_test,
        class_names=np.array(ds.class_names),
    )


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


# ---------------------------------------------------------------- IDX


def _find_idx_files(folder: Path, required: bool = True) -> dict[str, Path] | None:
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
        raise DatasetError(f"{path.name} cannot be read ({_first_line(exc)}).") from None
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
    """Write a uint8 array as IDX (gzip if the name ends in .gz); used by tests and exports."""
    arr = np.ascontiguousarray(arr, dtype=np.uint8)
    header = bytes([0, 0, 0x08, arr.ndim]) + b"".join(int(d).to_bytes(4, "big") for d in arr.shape)
    opener = gzip.open if str(path).endswith(".gz") else open
    with opener(path, "wb") as f:
        f.write(header + arr.tobytes())


def load_idx_dir(folder: str | Path, name: str | None = None, class_names: list[str] | None = None) -> Dataset:
    """The four standard IDX files; class names from ``class_names.txt`` if present."""
    folder = Path(folder)
    files = _find_idx_files(folder)
    arrays = {key: read_idx(path) for key, path in files.items()}
    if class_names is None:
        class_names = _class_names_for_folder(folder)
    return from_arrays(name or folder.name, **arrays, class_names=class_names, source=str(folder))


def _class_names_for_folder(folder: Path) -> list[str] | None:
    names_file = folder / "class_names.txt"
    if names_file.is_file():
        names = [line.strip() for line in names_file.read_text(encoding="utf-8").splitlines() if line.strip()]
        return names or None
    # IDX files carry no names; Fashion-MNIST is by far the most common non-digit IDX set.
    return FASHION_NAMES if "fashion" in folder.as_posix().lower() else None


# ---------------------------------------------------------------- CIFAR batches


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
        raise DatasetError(f"{path.name} is not a readable CIFAR batch ({_first_line(exc)}).") from None


def load_cifar_dir(folder: str | Path) -> Dataset:
    """The ``cifar-10-batches-py`` layout: ``data_batch_1…5`` and ``test_batch``."""
    folder = Path(folder)
    parts = [_read_cifar_batch(p) for p in sorted(folder.glob("data_batch_*"))]
    x_test, y_test = _read_cifar_batch(folder / "test_batch")
    x_train = np.concatenate([p[0] for p in parts])
    y_train = np.concatenate([p[1] for p in parts])
    return from_arrays("CIFAR-10", x_train, y_train, x_test, y_test, CIFAR10_NAMES, source=str(folder))


# ---------------------------------------------------------------- class folders


def load_image_folder(folder: str | Path, image_size: int | None = None, seed: int = 0) -> Dataset:
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
        train_items, test_items = _stratified_split(items, len(class_names), seed)
    images: dict[Path, Image.Image] = {}
    for path, _ in train_items + test_items:
        try:
            images[path] = preprocessing.open_image(path)
        except ImageError as exc:
            notes.append(f"skipped {exc}")
    if not images:
        raise DatasetError(f"No readable images in {folder}.")
    shape = _folder_shape(list(images.values()), image_size)
    x_train, y_train = _stack(train_items, images, shape)
    x_test, y_test = _stack(test_items, images, shape)
    for i, cls in enumerate(class_names):
        if not (y_train == i).any():
            raise DatasetError(f"Class folder {cls!r} has no readable training images.")
    ds = from_arrays(folder.name, x_train, y_train, x_test, y_test, class_names, source=str(folder))
    ds.notes = notes
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
            if p.is_file() and p.suffix.lower() in preprocessing.IMAGE_EXTENSIONS
        ) if cls_dir.is_dir() else []
        if not files:
            raise DatasetError(f"Class folder {cls_dir} contains no images.")
        items.extend((p, label) for p in files)
    return items


def _stratified_split(items: list[tuple[Path, int]], num_classes: int, seed: int):
    rng = np.random.default_rng(seed)
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


def _folder_shape(images: list, image_size: int | None) -> tuple[int, int, int]:
    channels = 1 if all(img.mode == "L" for img in images) else 3
    if image_size:
        return image_size, image_size, channels
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
