"""The model names and the settings each is designed for — without importing TensorFlow,
so the CLI's help and the GUI's pickers are available instantly."""

from __future__ import annotations

from dataclasses import dataclass


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
        ModelSpec("cnn", "Classic Keras MNIST CNN", 5, 32, 1e-3, "constant"),
        ModelSpec("mlp", "Multi-layer perceptron, one hidden layer", 10, 32, 1e-3, "constant"),
        ModelSpec("deep_cnn", "Three conv layers with dropout", 10, 64, 1e-3, "constant"),
    )
}
DEFAULT_MODEL = "fast"
