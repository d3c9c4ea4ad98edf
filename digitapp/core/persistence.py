"""Save and load models with a JSON sidecar describing how to use them.

Saving is atomic: the model is written to a temporary file in the target folder,
flushed to disk, then renamed over the old file, so an interrupted save (crash, power
loss, full disk) leaves the previous model intact. ``MODEL.keras`` gets the sidecar
``MODEL.keras.json`` with the dataset, class names, input shape, preprocessing recipe,
history, test metrics, versions and date.
"""

from __future__ import annotations

import datetime as _dt
import errno
import glob
import json
import os
import platform
import secrets
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from digitapp import __version__
from digitapp.core.config import DIGIT_NAMES, MODEL_SUFFIXES, RECIPES, default_recipe, model_suffix_text, sidecar_path
from digitapp.core.errors import ModelFileError, UnsafeModelError
from digitapp.core.tf import TF_LOCK, keras, tf


@dataclass
class ModelInfo:
    """What the app knows about a model beyond its weights (the sidecar's content)."""

    input_shape: tuple[int, int, int]
    class_names: list[str]
    preprocessing: str
    dataset: str = ""
    architecture: str = ""
    history: dict = field(default_factory=dict)
    metrics: dict = field(default_factory=dict)
    config: dict = field(default_factory=dict)

    def to_json(self) -> dict:
        return {
            "format": "digitapp-model/1",
            "dataset": self.dataset,
            "architecture": self.architecture,
            "class_names": self.class_names,
            "input_shape": list(self.input_shape),
            "input_scale": "float32 on [0, 1]",
            "preprocessing": self.preprocessing,
            "history": self.history,
            "metrics": self.metrics,
            "config": self.config,
            "versions": {
                "digitapp": __version__,
                "tensorflow": tf.__version__,
                "keras": keras.__version__,
                "python": platform.python_version(),
            },
            "saved": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
        }


def save_model(model: keras.Model, path: str | Path, info: ModelInfo) -> Path:
    """Atomically write ``model`` and its sidecar; returns the model path.

    Raises:
        ModelFileError: bad extension, or the folder is missing, read-only or full.
    """
    path = Path(path)
    if path.suffix.lower() not in MODEL_SUFFIXES:
        raise ModelFileError(f"{path.name}: model files must end in {model_suffix_text()}.")
    if not path.parent.is_dir():
        raise ModelFileError(f"Cannot save {path.name}: the folder {path.parent} does not exist.")
    sidecar = json.dumps(info.to_json(), indent=2)
    try:
        _atomic_write(path, lambda tmp: model.save(tmp))
        _atomic_write(sidecar_path(path), lambda tmp: Path(tmp).write_text(sidecar, encoding="utf-8"))
    except OSError as exc:
        raise ModelFileError(f"Could not save {path.name}: {exc.strerror or exc}.") from None
    return path


# A temporary file this old next to the model is left over from a save that was killed
# (power loss, kill -9); a younger one may belong to a save still running elsewhere.
STALE_TEMP_SECONDS = 3600
TEMP_NAME_ATTEMPTS = 100


def _atomic_write(path: Path, write) -> None:
    for old in path.parent.glob(f".{glob.escape(path.stem)}.*.tmp{glob.escape(path.suffix)}"):
        try:
            if time.time() - old.stat().st_mtime > STALE_TEMP_SECONDS:
                old.unlink()
        except OSError:
            pass  # not ours to worry about: the save itself decides success
    tmp = _new_temp_file(path)
    try:
        write(tmp)
        with open(tmp, "rb+") as f:
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _new_temp_file(path: Path) -> Path:
    """An empty new file beside ``path``, created as any document is: with the permissions
    the umask allows (``tempfile.mkstemp`` would make it private to the user, 0600)."""
    for _ in range(TEMP_NAME_ATTEMPTS):
        # The temporary name keeps the real suffix: Keras picks the format from it.
        tmp = path.with_name(f".{path.stem}.{secrets.token_hex(4)}.tmp{path.suffix}")
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
        except FileExistsError:
            continue
        os.close(fd)
        return tmp
    raise FileExistsError(errno.EEXIST, f"no free temporary name beside {path.name}")


def load_model(path: str | Path, trust_code: bool = False) -> tuple[keras.Model, ModelInfo]:
    """Load a ``.keras`` (safe mode: no arbitrary code) or legacy ``.h5`` model.

    ``trust_code`` turns Keras' safe mode off, so a ``Lambda`` layer's Python code is
    loaded and will run: only for files the user made themselves.

    Without a sidecar (e.g. ``cnn_model.h5`` from the classic scripts) the input shape
    and class count come from the model itself.

    Raises:
        UnsafeModelError: it contains code and ``trust_code`` is False.
        ModelFileError: missing, not a model, or unusable.
    """
    path = Path(path)
    if not path.exists():
        raise ModelFileError(f"{path} does not exist.")
    if path.is_dir() or path.suffix.lower() not in MODEL_SUFFIXES:
        raise ModelFileError(f"{path.name} is not a Keras model file ({model_suffix_text()}).")
    _check_container(path)
    try:
        with TF_LOCK:  # loading builds the model's layers
            model = keras.saving.load_model(path, compile=False, safe_mode=not trust_code)
    except Exception as exc:
        text = str(exc)
        if not trust_code and ("safe_mode" in text or "Lambda" in text):
            raise UnsafeModelError(
                f"{path.name} contains custom code (a Lambda layer) and was not loaded for safety.", str(path)
            ) from None
        first = text.strip().splitlines()[0] if text.strip() else type(exc).__name__
        raise ModelFileError(f"{path.name} is not a readable Keras model ({first[:200]}).") from None
    info = _read_info(path, model)
    return model, info


# Every HDF5 file starts with this signature, at byte 0 or (after a user block) at 512, 1024, …
HDF5_SIGNATURE = b"\x89HDF\r\n\x1a\n"
ZIP_SIGNATURE = b"PK\x03\x04"


def _check_container(path: Path) -> None:
    """A ``.keras`` file is a zip archive holding ``config.json``; an ``.h5`` file is HDF5.
    Checked first because Keras answers "File not found" for a file that is neither."""
    try:
        if path.suffix.lower() == ".keras":
            if not zipfile.is_zipfile(path):
                with open(path, "rb") as f:
                    if f.read(len(ZIP_SIGNATURE)) == ZIP_SIGNATURE:  # a zip cut short: a copy or save broke off
                        raise ModelFileError(f"{path.name} is not a readable Keras model (the file is incomplete).")
                raise ModelFileError(f"{path.name} is not a Keras model file.")
            with zipfile.ZipFile(path) as archive:
                if "config.json" not in archive.namelist():
                    raise ModelFileError(f"{path.name} is a zip archive but not a Keras model file.")
        elif not _has_hdf5_signature(path):
            raise ModelFileError(f"{path.name} is not a Keras model file (it is not in HDF5 format).")
    except (OSError, zipfile.BadZipFile) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise ModelFileError(f"{path.name} cannot be read: {reason}.") from None


def _has_hdf5_signature(path: Path) -> bool:
    size = path.stat().st_size
    with open(path, "rb") as f:
        offset = 0
        while offset + len(HDF5_SIGNATURE) <= size:
            f.seek(offset)
            if f.read(len(HDF5_SIGNATURE)) == HDF5_SIGNATURE:
                return True
            offset = 512 if offset == 0 else offset * 2
    return False


def _model_shapes(path: Path, model: keras.Model) -> tuple[tuple[int, int, int], int]:
    try:
        in_shape = tuple(model.input_shape[1:])
        out_shape = tuple(model.output_shape[1:])
    except (AttributeError, ValueError):
        raise ModelFileError(f"{path.name} does not have a single image input and output.") from None
    if len(in_shape) == 2:
        in_shape = (*in_shape, 1)  # (28, 28) models from scripts that Flatten first
    if len(in_shape) != 3 or None in in_shape or in_shape[-1] not in (1, 3):
        raise ModelFileError(f"{path.name} takes input {in_shape}; expected images (height, width, 1 or 3).")
    if len(out_shape) != 1 or not out_shape[0] or out_shape[0] < 2:
        raise ModelFileError(f"{path.name} outputs {out_shape}; expected one score per class.")
    return tuple(int(d) for d in in_shape), int(out_shape[0])


def _read_info(path: Path, model: keras.Model) -> ModelInfo:
    input_shape, num_classes = _model_shapes(path, model)
    data: dict = {}
    side = sidecar_path(path)
    if side.exists():
        try:
            data = json.loads(side.read_text(encoding="utf-8"))
            if not isinstance(data, dict):
                raise ValueError("not an object")
        except (OSError, ValueError):
            data = {}  # a broken sidecar loses the history, not the model
    names = data.get("class_names")
    if not (isinstance(names, list) and len(names) == num_classes):
        names = DIGIT_NAMES if num_classes == 10 else [str(i) for i in range(num_classes)]
    recipe = data.get("preprocessing")
    if recipe not in RECIPES:
        recipe = default_recipe(input_shape, names)
    return ModelInfo(
        input_shape=input_shape,
        class_names=[str(n) for n in names],
        preprocessing=recipe,
        dataset=str(data.get("dataset", "")),
        architecture=str(data.get("architecture", model.name)),
        history=data.get("history") if isinstance(data.get("history"), dict) else {},
        metrics=data.get("metrics") if isinstance(data.get("metrics"), dict) else {},
        config=data.get("config") if isinstance(data.get("config"), dict) else {},
    )
