"""The app's light facts, in one place that never imports TensorFlow.

The CLI's help, the GUI's pickers and file filters, and core itself read their choices
and defaults from here, so each is spelled once and is available the instant the app
starts (TensorFlow takes seconds to import).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields, replace
from pathlib import Path

from digitapp.core.errors import ConfigError

# ---------------------------------------------------------------- models and recipes


@dataclass(frozen=True)
class ModelSpec:
    """A registered architecture and the training settings it is designed for."""

    name: str
    description: str
    epochs: int
    batch_size: int
    learning_rate: float
    schedule: str


MODELS: dict[str, ModelSpec] = {
    spec.name: spec
    for spec in (
        ModelSpec("fast", "Small BatchNorm CNN tuned for speed (default)", 2, 256, 6e-3, "cosine"),
        ModelSpec("thorough", "Same CNN with a wide head, 8 epochs: best accuracy in a few minutes",
                  8, 256, 6e-3, "cosine"),
        ModelSpec("cnn", "Classic Keras MNIST CNN", 5, 32, 1e-3, "constant"),
        ModelSpec("mlp", "Multi-layer perceptron, one hidden layer", 10, 32, 1e-3, "constant"),
        ModelSpec("deep_cnn", "Three conv layers with dropout", 10, 64, 1e-3, "constant"),
    )
}
DEFAULT_MODEL = "fast"
# What the Training tab offers first: a preset's name → the model it trains, with its recipe.
# Quick is the default; Thorough may take up to six times as long for the last points of accuracy.
PRESETS = {"Quick": DEFAULT_MODEL, "Thorough": "thorough"}

OPTIMIZERS = ("adam", "adamw", "sgd", "rmsprop")
# constant: the rate as given; cosine: linear warm-up, then cosine decay to zero.
SCHEDULES = ("cosine", "constant")

_DEFAULT_SPEC = MODELS[DEFAULT_MODEL]


@dataclass
class TrainConfig:
    """Hyperparameters of one training run (defaults: the default model's recipe)."""

    epochs: int = _DEFAULT_SPEC.epochs
    batch_size: int = _DEFAULT_SPEC.batch_size
    learning_rate: float = _DEFAULT_SPEC.learning_rate
    optimizer: str = OPTIMIZERS[0]
    schedule: str = _DEFAULT_SPEC.schedule
    augment: bool = False
    early_stopping: bool = False
    seed: int = 0
    validation_fraction: float = 0.1

    @classmethod
    def for_model(cls, architecture: str, **overrides) -> TrainConfig:
        """The settings ``architecture`` is designed for; overrides that are None are ignored.

        Raises:
            ConfigError: unknown architecture or setting.
        """
        spec = model_spec(architecture)
        names = {f.name for f in fields(cls)}
        unknown = sorted(set(overrides) - names)
        if unknown:
            raise ConfigError(f"Unknown training setting {unknown[0]!r}.")
        base = cls(epochs=spec.epochs, batch_size=spec.batch_size, learning_rate=spec.learning_rate,
                   schedule=spec.schedule)
        return replace(base, **{k: v for k, v in overrides.items() if v is not None})

    def check(self) -> None:
        """Raise :class:`ConfigError` with one sentence if a value is out of range."""
        if self.epochs < 1:
            raise ConfigError("Epochs must be at least 1.")
        if self.batch_size < 1:
            raise ConfigError("Batch size must be at least 1.")
        if not 0 < self.learning_rate < 10:
            raise ConfigError("Learning rate must be between 0 and 10.")
        if self.optimizer not in OPTIMIZERS:
            raise ConfigError(f"Optimizer must be one of {', '.join(OPTIMIZERS)}.")
        if self.schedule not in SCHEDULES:
            raise ConfigError(f"Schedule must be one of {', '.join(SCHEDULES)}.")
        if not 0 <= self.validation_fraction < 0.9:
            raise ConfigError("Validation fraction must be between 0 and 0.9.")

    def on_devices(self, devices: int) -> TrainConfig:
        """These settings for a run split over ``devices`` (see :mod:`devices`): the batch is per
        device, so the whole batch grows with them, and the learning rate follows it — in
        proportion for SGD (Goyal et al. 2017, "Accurate, large minibatch SGD"), by the square
        root for the adaptive optimizers (Malladi et al. 2022, "On the SDEs and scaling rules for
        adaptive gradient algorithms"). One device: the settings as they are."""
        factor = devices if self.optimizer == "sgd" else math.sqrt(devices)
        return replace(self, batch_size=self.batch_size * devices, learning_rate=self.learning_rate * factor)


def model_spec(name: str) -> ModelSpec:
    """The registered architecture called ``name``.

    Raises:
        ConfigError: no such architecture.
    """
    try:
        return MODELS[name]
    except KeyError:
        raise ConfigError(f"Unknown model {name!r}; choose one of {', '.join(MODELS)}.") from None


# ---------------------------------------------------------------- datasets

DIGIT_NAMES = [str(d) for d in range(10)]
# The extra class every model trained on digits has (see core.rejection): the answer to a
# drawing or file that is not a digit at all.
NOT_A_DIGIT = "not a digit"


def rejects(class_names: list[str]) -> bool:
    """Whether a model with these classes has the "not a digit" class (always its last)."""
    return len(class_names) > 2 and class_names[-1] == NOT_A_DIGIT

FASHION_NAMES = [
    "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
    "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
]
CIFAR10_NAMES = [
    "airplane", "automobile", "bird", "cat", "deer",
    "dog", "frog", "horse", "ship", "truck",
]
# Built-in datasets: key (CLI --dataset, settings) → name shown to users.
BUILTIN_DATASETS = {
    "mnist": "MNIST",
    "fashion_mnist": "Fashion-MNIST",
    "cifar10": "CIFAR-10",
}
# Ships with the app (resources/mnist.npz); the other built-in sets may need a download.
BUNDLED_DATASET = "mnist"
# Built-in sets that may have to be downloaded (keras.datasets), and the download's size in
# MB, so the user can be asked first: Fashion-MNIST's four .gz files, CIFAR-10's tar.gz.
DOWNLOAD_SIZES_MB = {"fashion_mnist": 30, "cifar10": 170}
# Debian's package dataset-fashion-mnist installs the real set here.
SYSTEM_FASHION_DIR = Path("/usr/share/datasets/fashion-mnist")

# ---------------------------------------------------------------- preprocessing

# How user images are brought to what a model saw in training (see core.preprocessing).
RECIPES = ("digit", "gray", "rgb")


def default_recipe(input_shape: tuple[int, ...], class_names: list[str]) -> str:
    """The recipe for data of this shape and these classes: colour photos are resized,
    digits prepared as MNIST was, any other grayscale objects fitted to the frame."""
    if input_shape[-1] == 3:
        return "rgb"
    names = list(class_names)
    return "digit" if names == DIGIT_NAMES[: len(names)] else "gray"


# ---------------------------------------------------------------- files

# Model files: Keras 3's native format first (the default), legacy HDF5 for old tools.
MODEL_SUFFIXES = (".keras", ".h5", ".hdf5")


def model_suffix_text() -> str:
    """``.keras, .h5 or .hdf5``: the model-file endings, for messages."""
    return ", ".join(MODEL_SUFFIXES[:-1]) + f" or {MODEL_SUFFIXES[-1]}"


# ``MODEL.keras`` is described by ``MODEL.keras.json``.
SIDECAR_SUFFIX = ".json"


def sidecar_path(model_path: str | Path) -> Path:
    """``MODEL.keras.json`` for ``MODEL.keras``."""
    model_path = Path(model_path)
    return model_path.with_name(model_path.name + SIDECAR_SUFFIX)


# ---------------------------------------------------------------- export

@dataclass(frozen=True)
class ExportFormat:
    """A format a model leaves the app in: its file ending ("" for a folder), what it is
    for, whether it can be quantized to int8, and its runtime (what the proof loads it in)."""

    name: str
    suffix: str
    description: str
    quantizable: bool
    runtime: str


EXPORT_FORMATS: dict[str, ExportFormat] = {
    f.name: f
    for f in (
        ExportFormat("onnx", ".onnx", "ONNX, for onnxruntime in C#, C++, Java, JavaScript or Python", True,
                     "onnxruntime"),
        ExportFormat("litert", ".tflite", "LiteRT (TensorFlow Lite), for phones and small devices", True,
                     "LiteRT interpreter"),
        ExportFormat("savedmodel", "", "TensorFlow SavedModel (a folder), for TensorFlow Serving", False,
                     "tf.saved_model"),
        ExportFormat("h5", ".h5", "Keras HDF5, the format of the classic scripts' cnn_model.h5", False, "Keras"),
    )
}
# Share of the proof images on which the export must give the Keras model's answer.
EXPORT_MIN_AGREEMENT = 0.999
# An int8 export may lose at most this much test accuracy (in points).
QUANTIZED_MAX_DROP_POINTS = 0.3
EXPORT_PROOF_IMAGES = 1000
MANIFEST_SUFFIX = ".manifest.json"


def export_path(model_path: str | Path, fmt: str) -> Path:
    """Where an export goes by default: beside the model, named after it
    (``digits.onnx``; ``digits_savedmodel`` for the folder format)."""
    model_path = Path(model_path)
    suffix = EXPORT_FORMATS[fmt].suffix
    return model_path.with_name(model_path.stem + (suffix or "_savedmodel"))


def manifest_path(export: str | Path) -> Path:
    """``digits.onnx.manifest.json`` beside ``digits.onnx`` (or the SavedModel folder)."""
    export = Path(export)
    return export.with_name(export.name + MANIFEST_SUFFIX)
# Image files the app reads (everything here is decoded by Pillow).
IMAGE_EXTENSIONS = (
    ".png", ".jpg", ".jpeg", ".bmp", ".gif", ".tif", ".tiff", ".webp", ".ppm", ".pgm", ".pbm",
)
