"""The one door from the front ends (CLI, GUI, self-test) into core's TensorFlow parts.

Train, evaluate, open, save, export, describe and predict, as whole steps: the CLI and the GUI
never assemble models, predictors and sidecars themselves, so they cannot do it
differently. Light facts (settings, names, file suffixes) are in :mod:`config`;
datasets and image files load without TensorFlow through :mod:`datasets` and :mod:`images`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

from digitapp.core import export, finetune, models, persistence, personal, rejection, training
from digitapp.core.config import EXPORT_PROOF_IMAGES, TrainConfig, rejects
from digitapp.core.datasets import Dataset, builtin_key, load_dataset
from digitapp.core.devices import of_model
from digitapp.core.devices import place as place_devices
from digitapp.core.errors import DatasetError, ModelMismatchError
from digitapp.core.evaluation import Evaluation, evaluate
from digitapp.core.export import ExportProof
from digitapp.core.persistence import ModelInfo
from digitapp.core.prediction import Prediction, Predictor
from digitapp.core.tf import keras, tf
from digitapp.core.training import BatchHook, EpochHook, StopCheck, TrainResult

__all__ = [
    "ExportProof", "TrainedModel", "backend_version", "build_model", "describe_model", "evaluate_on",
    "export_model", "finetune_model", "open_model", "save_model", "train_and_evaluate",
]


@dataclass
class TrainedModel:
    """A model with everything needed to show, save and use it: ``dataset`` is the data it was
    trained or evaluated on as the user chose it, ``tested`` what the evaluation ran on (the
    dataset's test set, plus held-out non-digits for a model that can say "not a digit")."""

    model: keras.Model
    info: ModelInfo
    predictor: Predictor
    evaluation: Evaluation | None = None
    result: TrainResult | None = None
    dataset: Dataset | None = None
    tested: Dataset | None = None

    def predict_files(self, paths: list[str | Path]) -> list[Prediction | Exception]:
        """Classify image files; a file that cannot be used gives its error instead."""
        return self.predictor.predict_files(paths)


def backend_version() -> str:
    """The TensorFlow version in use (importing this module is what loads it)."""
    return tf.__version__


def build_model(architecture: str, dataset: Dataset, seed: int | None = None) -> keras.Model:
    """A new, untrained model of a registered architecture, shaped for ``dataset`` (with the
    "not a digit" class when the data is digits, see :mod:`rejection`); ``seed`` fixes its
    starting weights (a run's seed: the same settings then train the same model).

    Raises:
        ConfigError: no architecture of that name.
    """
    return models.build_model(architecture, dataset.input_shape, model_classes(dataset), seed)


def model_classes(dataset: Dataset) -> int:
    """How many classes a new model for ``dataset`` predicts."""
    return dataset.num_classes + rejection.applies(dataset)


def describe_model(architecture: str, dataset: Dataset) -> tuple[int, str]:
    """(parameter count, Keras' summary text) of a new model of an architecture for ``dataset``."""
    return models.describe(architecture, dataset.input_shape, model_classes(dataset))


def train_and_evaluate(
    dataset: Dataset,
    architecture: str,
    config: TrainConfig,
    model: keras.Model | None = None,
    on_batch: BatchHook | None = None,
    on_epoch: EpochHook | None = None,
    should_stop: StopCheck | None = None,
    previous_history: dict | None = None,
    on_evaluate: Callable[[int], None] | None = None,
    devices: int | None = None,
    on_start: Callable[[dict], None] | None = None,
) -> TrainedModel:
    """Build (or continue) a model, train it, evaluate it on the test set.

    Args:
        model: an existing model to continue training (a copy is trained: ``model`` itself,
            an earlier run's, stays as it was); a new ``architecture`` otherwise.
        previous_history: history of earlier runs of ``model``, prepended to the new one.
        on_evaluate: called with the number of test images when training is over and the
            evaluation (a second or more) begins.
        devices: train on the first this many GPUs (or the CPU when there are none); None: all.
        on_start: told where and how training runs as it begins (see :func:`training.train`).

    Raises:
        ConfigError: bad settings, or fewer devices than ``devices``.
        ModelMismatchError: ``model`` does not fit ``dataset``.
    """
    config.check()
    # A model being continued has the class if it has one output more than the data has classes.
    data = rejection.for_model(dataset, model is None or model.output_shape[-1] == dataset.num_classes + 1)
    placement = place_devices(devices)
    # The model's variables live on the devices that train it. One Keras cannot copy (a subclassed
    # model) is trained itself, where it was built.
    with placement.strategy.scope():
        trainee = build_model(architecture, dataset, config.seed) if model is None else models.copy_model(model)
    result = training.train(trainee, data, config, on_batch, on_epoch, should_stop, on_start=on_start)
    # Saving, exporting and predicting use plain variables, whatever the devices were.
    model = models.copy_model(trainee) if of_model(trainee).mirrored else trainee
    if on_evaluate is not None:
        on_evaluate(len(data.x_test))
    predictor = Predictor(model, data.input_shape, data.class_names, data.preprocessing)
    ev = _evaluate(predictor, dataset, data)
    info = ModelInfo(
        input_shape=data.input_shape,
        class_names=data.class_names,
        preprocessing=data.preprocessing,
        dataset=dataset.name,
        architecture=architecture,
        history=merge_histories(previous_history or {}, result.history),
        metrics=_run_metrics(ev, result),
        config=asdict(config),
    )
    return TrainedModel(model, info, predictor, ev, result, dataset, data)


def finetune_model(trained: TrainedModel, samples_folder: str | Path, replay: Dataset | None = None,
                   on_step: finetune.Step | None = None, **hooks) -> TrainedModel:
    """A new model: ``trained`` adapted to the personal samples in ``samples_folder`` (class
    sub-folders of images, see :mod:`personal`), replaying ``replay`` — by default the data it
    was trained on in this session, or the built-in dataset its sidecar names — so that it keeps
    what it knew. ``trained`` is unchanged.
    ``hooks``: on_batch, on_epoch, should_stop as for training.

    Raises:
        DatasetError: the folder is missing or not the model's, there are too few samples, or
            the original training data is not on this computer.
        ModelMismatchError: ``replay`` does not fit the model.
        DigitAppError: the samples could not be learnt without losing test accuracy.
    """
    info = trained.info
    samples = personal.load_samples(samples_folder, info.class_names, info.input_shape, info.preprocessing)
    personal.check_enough(samples, samples_folder)
    if replay is None:  # the data it was trained on in this session, or the built-in set it names
        trained_here = trained.dataset is not None and trained.result is not None
        replay = trained.dataset if trained_here else _original_data(info)
    data = _test_data(info, replay)
    tuned = finetune.finetune(trained.model, trained.predictor, data, len(replay.x_test), samples, on_step,
                              seed=int(info.config.get("seed", 0)), augment=bool(info.config.get("augment")),
                              baseline=finetune.Baseline.from_report(info.metrics.get("finetune")), **hooks)
    ev, result = tuned.evaluation, tuned.result
    metrics = {**_run_metrics(ev, result),
               "finetune": {**tuned.report, "folder": str(samples_folder), "notes": samples.notes}}
    new_info = persistence.ModelInfo(
        info.input_shape, info.class_names, info.preprocessing, info.dataset, info.architecture,
        merge_histories(info.history, result.history), metrics, asdict(tuned.config))
    return TrainedModel(tuned.model, new_info, tuned.predictor, ev, result, replay, data)


def _original_data(info: ModelInfo) -> Dataset:
    """The built-in dataset a model was trained on, from this computer (never downloaded).

    Raises:
        DatasetError: it is not a built-in dataset, or it is not here.
    """
    key = builtin_key(info.dataset)
    if key is None:
        raise DatasetError(
            f"The model was trained on {info.dataset or 'unnamed data'}, not a built-in dataset, so its training "
            "data cannot be found to replay (digitapp finetune --replay-data PATH gives it)."
        )
    return load_dataset(key, download=False)


def _run_metrics(ev: Evaluation, result: TrainResult) -> dict:
    """A run's sidecar metrics: its test results and how its training went."""
    return {
        "test_accuracy": ev.accuracy,
        "test_loss": ev.loss,
        **({} if ev.caught is None else {"non_digits_caught": ev.caught, "digits_rejected": ev.rejected}),
        "train_seconds": result.train_seconds,
        "epochs_completed": result.epochs_completed,
        "stopped": result.stopped,
        # Where and how: the devices, and the batch and learning rate in all (per device × devices).
        "trained_on": result.placed["devices"],
        "replicas": result.placed["replicas"],
        "global_batch_size": result.placed["batch_size"],
        "scaled_learning_rate": result.placed["learning_rate"],
    }


def _evaluate(predictor: Predictor, dataset: Dataset, data: Dataset) -> Evaluation:
    """Evaluate on ``data``: ``dataset`` itself, or with held-out non-digits after its images."""
    return evaluate(predictor, data.x_test, data.y_test, real=len(dataset.x_test),
                    rejects=rejects(data.class_names))


def _test_data(info: ModelInfo, dataset: Dataset) -> Dataset:
    """``dataset`` as a model described by ``info`` is tested on (see :func:`rejection.for_model`).

    Raises:
        ModelMismatchError: the model and the dataset do not fit together.
    """
    extra = rejects(info.class_names)  # "not a digit" is not one of the dataset's classes
    training.check_compatible(info.input_shape, len(info.class_names) - extra, dataset)
    if extra and not rejection.applies(dataset):
        raise ModelMismatchError(f"The model reads handwritten digits but {dataset.name} is not a digit dataset.")
    return rejection.for_model(dataset, extra)


def merge_histories(first: dict, second: dict) -> dict:
    """Concatenate per-epoch lists (continued training appends to the curves); the second
    run's epoch positions count on from the first run's epochs."""
    keys = set(first) | set(second)
    merged = {k: list(first.get(k, [])) + list(second.get(k, [])) for k in keys}
    if "epoch_position" in second:
        before = len(first.get("loss", []))
        merged["epoch_position"] = [*first.get("epoch_position", range(1, before + 1)),
                                    *(before + p for p in second["epoch_position"])]
    return merged


def open_model(path: str | Path, trust_code: bool = False) -> TrainedModel:
    """Load a saved model and its sidecar, ready to predict (no evaluation yet).

    ``trust_code``: load a file with a ``Lambda`` layer (see :func:`persistence.load_model`).

    Raises:
        UnsafeModelError: the file contains code and ``trust_code`` is False.
        ModelFileError: missing, not a model, or unusable.
    """
    model, info = persistence.load_model(path, trust_code)
    return TrainedModel(model, info, Predictor(model, info.input_shape, info.class_names, info.preprocessing))


def save_model(trained: TrainedModel, path: str | Path) -> Path:
    """Atomically write the model and its sidecar; returns the model's path.

    Raises:
        ModelFileError: bad extension, or the folder is missing, read-only or full.
    """
    return persistence.save_model(trained.model, path, trained.info)


def evaluate_on(trained: TrainedModel, dataset: Dataset) -> TrainedModel:
    """Evaluate a (loaded) model on a dataset's test set.

    Raises:
        ModelMismatchError: the model and the dataset do not fit together.
    """
    data = _test_data(trained.info, dataset)
    ev = _evaluate(trained.predictor, dataset, data)
    return TrainedModel(trained.model, trained.info, trained.predictor, ev, trained.result, dataset, data)


def export_model(trained: TrainedModel, fmt: str, out: str | Path, proof: Dataset, quantize: bool = False,
                 on_step=None, images: int = EXPORT_PROOF_IMAGES) -> ExportProof:
    """Write the model as ``fmt`` (see ``config.EXPORT_FORMATS``) with its manifest, and prove
    it in its own runtime on the first ``images`` test images of ``proof``.

    Raises:
        ConfigError: unknown format, or quantizing a format that cannot be.
        ModelMismatchError: the proof dataset does not fit the model.
        WriteError: the export could not be written.
    """
    proof = _test_data(trained.info, proof)
    return export.export_model(trained.model, trained.info, fmt, out, proof.x_test[:images], proof.y_test[:images],
                               quantize=quantize, on_step=on_step)
