"""Save and load models with a JSON sidecar describing how to use them.

Saving is atomic: the model is written to a temporary file in the target folder,
flushed to disk, then renamed over the old file, so an interrupted save (crash, power
loss, full disk) leaves the previous model intact. ``MODEL.keras`` gets the sidecar
``MODEL.keras.json`` with the dataset, class names, input shape, preprocessing recipe,
history, test metrics, versions and date.
"""

from __future__ import annotations

import datetime as _dt
import glob
import json
import os
import platform
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from digitapp import __version__
from digitapp.core.config import DIGIT_NAMES, MODEL_SUFFIXES, RECIPES, SIDECAR_SUFFIX, default_recipe, model_suffix_text
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


def sidecar_path(model_path: str | Path) -> Path:
    """``MODEL.keras.json`` for ``MODEL.keras``."""
    model_path = Path(model_path)
    return model_path.with_name(model_path.name + SIDECAR_SUFFIX)


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


def _atomic_write(path: Path, write) -> None:
    for old in path.parent.glob(f".{glob.escape(path.stem)}.*.tmp{glob.escape(path.suffix)}"):
        try:
            if time.time() - old.stat().st_mtime > STALE_TEMP_SECONDS:
                old.unlink()
        except OSError:
            pass  # not ours to worry about: the save itself decides success
    # The temporary name keeps the real suffix: Keras picks the format from it.
    fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=f".tmp{path.suffix}", dir=path.parent)
    os.close(fd)
    try:
        write(tmp)
        with open(tmp, "rb+") as f:
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


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
