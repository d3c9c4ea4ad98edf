"""The whole train → evaluate → describe sequence, shared by the CLI and the GUI worker."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from digitapp.core import models, registry, training
from digitapp.core.datasets import Dataset
from digitapp.core.evaluation import Evaluation, evaluate
from digitapp.core.persistence import ModelInfo, load_model
from digitapp.core.prediction import Predictor
from digitapp.core.tf import keras


@dataclass
class TrainedModel:
    """A model with everything needed to show, save and use it."""

    model: keras.Model
    info: ModelInfo
    predictor: Predictor
    evaluation: Evaluation | None = None
    result: training.TrainResult | None = None
    dataset: Dataset | None = None


def default_config(architecture: str, **overrides) -> training.TrainConfig:
    """The settings a registered architecture is designed for, with any overrides."""
    spec = registry.MODELS[architecture]
    base = dict(epochs=spec.epochs, batch_size=spec.batch_size, learning_rate=spec.learning_rate,
                schedule=spec.schedule)
    base.update({k: v for k, v in overrides.items() if v is not None})
    return training.TrainConfig(**base)


def train_and_evaluate(
    dataset: Dataset,
    architecture: str,
    config: training.TrainConfig,
    model: keras.Model | None = None,
    on_batch: training.BatchHook | None = None,
    on_epoch: training.EpochHook | None = None,
    should_stop: training.StopCheck | None = None,
    previous_history: dict | None = None,
) -> TrainedModel:
    """Build (or continue) a model, train it, evaluate it on the test set.

    Args:
        model: an existing model to continue training; a new ``architecture`` otherwise.
        previous_history: history of earlier runs of ``model``, prepended to the new one.
    """
    if model is None:
        model = models.build_model(architecture, dataset.input_shape, dataset.num_classes)
    result = training.train(model, dataset, config, on_batch, on_epoch, should_stop)
    predictor = Predictor(model, dataset.input_shape, dataset.class_names, dataset.preprocessing)
    ev = evaluate(predictor, dataset.x_test, dataset.y_test)
    history = merge_histories(previous_history or {}, result.history)
    info = ModelInfo(
        input_shape=dataset.input_shape,
        class_names=dataset.class_names,
        preprocessing=dataset.preprocessing,
        dataset=dataset.name,
        architecture=architecture,
        history=history,
        metrics={
            "test_accuracy": ev.accuracy,
            "test_loss": ev.loss,
            "train_seconds": result.train_seconds,
            "epochs_completed": result.epochs_completed,
            "stopped": result.stopped,
        },
        config=asdict(config),
    )
    return TrainedModel(model, info, predictor, ev, result, dataset)


def merge_histories(first: dict, second: dict) -> dict:
    """Concatenate per-epoch lists (continued training appends to the curves)."""
    keys = set(first) | set(second)
    return {k: list(first.get(k, [])) + list(second.get(k, [])) for k in keys}


def open_model(path, trust_code: bool = False) -> TrainedModel:
    """Load a saved model and its sidecar, ready to predict (no evaluation yet).

    ``trust_code``: load a file with a ``Lambda`` layer (see :func:`persistence.load_model`).
    """
    model, info = load_model(path, trust_code)
    return TrainedModel(model, info, Predictor(model, info.input_shape, info.class_names, info.preprocessing))


def evaluate_on(trained: TrainedModel, dataset: Dataset) -> TrainedModel:
    """Evaluate a (loaded) model on a dataset's test set.

    Raises:
        ValueError: the model and the dataset do not fit together.
    """
    training.check_compatible(trained.info.input_shape, len(trained.info.class_names), dataset)
    ev = evaluate(trained.predictor, dataset.x_test, dataset.y_test)
    return TrainedModel(trained.model, trained.info, trained.predictor, ev, trained.result, dataset)
