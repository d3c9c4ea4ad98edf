"""The bundled default model: something to draw on from the first second.

``make default-model`` trains it with the app's own recipe (``digitapp train --dataset mnist``)
into ``resources/default-model.keras`` (its accuracy in the sidecar) and exports it, proven, to
``resources/default-model.onnx``. The window answers drawings with the ONNX copy through
onnxruntime (0.2 s to load) while TensorFlow is still importing (5 s here), then uses the Keras
file (which can also explain its answers) until the user trains or opens another model. On the
command line ``default`` names it: ``digitapp predict default IMAGE…``.

No TensorFlow here.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from digitapp.core.answers import Answering, as_float_images, as_probabilities
from digitapp.core.config import sidecar_path
from digitapp.core.errors import ModelFileError
from digitapp.core.resources import resource_path

NAME = "default"  # what the command line takes in place of a model file
KERAS_FILE = "default-model.keras"
ONNX_FILE = "default-model.onnx"
MISSING = ("The bundled default model is missing or damaged: reinstall DigitApp, or run make default-model "
           "in a source checkout.")


def keras_path() -> Path:
    return resource_path(KERAS_FILE)


def onnx_path() -> Path:
    return resource_path(ONNX_FILE)


def resolve(model: str | Path) -> str | Path:
    """A model argument as a file: ``default`` is the bundled model's Keras file."""
    return keras_path() if str(model) == NAME else model


@dataclass
class ModelFacts:
    """The bundled model's sidecar, as far as the Predict tab needs it."""

    class_names: list[str]
    input_shape: tuple[int, int, int]
    preprocessing: str
    dataset: str = ""
    architecture: str = ""
    metrics: dict = field(default_factory=dict)


@dataclass
class QuickModel:
    """The bundled model answered by onnxruntime: ``predictor`` and ``info`` as a
    ``workflow.TrainedModel`` has them (what the Predict tab uses)."""

    predictor: OnnxPredictor
    info: ModelFacts


class OnnxPredictor(Answering):
    """Answers with an ONNX export in onnxruntime: the same preparation and predictions as the
    Keras predictor, no explanations (they need TensorFlow's gradients)."""

    can_explain = False

    def __init__(self, path: str | Path, input_shape, class_names: list[str], recipe: str):
        import onnxruntime

        self.input_shape = tuple(int(d) for d in input_shape)
        self.class_names = list(class_names)
        self.recipe = recipe
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = 1  # one image at a time: threads cost more than they give
        self._session = onnxruntime.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        self._input = self._session.get_inputs()[0].name

    def probabilities(self, images: np.ndarray) -> np.ndarray:
        images = as_float_images(images)
        if not len(images):
            return np.zeros((0, len(self.class_names)), np.float32)
        return as_probabilities(self._session.run(None, {self._input: images})[0])


def facts() -> ModelFacts:
    """The bundled model's sidecar.

    Raises:
        ModelFileError: the bundled model is missing (a build without it) or unreadable.
    """
    try:
        data = json.loads(sidecar_path(keras_path()).read_text(encoding="utf-8"))
        return ModelFacts(list(data["class_names"]), tuple(data["input_shape"]), data["preprocessing"],
                          data.get("dataset", ""), data.get("architecture", ""), data.get("metrics", {}))
    except (OSError, ValueError, KeyError, TypeError):
        raise ModelFileError(MISSING) from None


def open_quick() -> QuickModel:
    """The bundled model, ready to answer in a fraction of a second, without TensorFlow.

    Raises:
        ModelFileError: it is missing or damaged.
    """
    info = facts()
    if not onnx_path().is_file():
        raise ModelFileError(MISSING)
    predictor = OnnxPredictor(onnx_path(), info.input_shape, info.class_names, info.preprocessing)
    predictor.predict(np.zeros((28, 28), np.uint8))  # the first call sets up buffers: not on the user's time
    return QuickModel(predictor, info)
