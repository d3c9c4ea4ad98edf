"""Training: one function over ``keras.Model.fit`` with plain-callable hooks.

The hooks know nothing about Qt: the CLI prints from them, the GUI worker turns them
into signals. ``should_stop`` is polled before every batch, so a stop request ends
training after at most the batch already running, keeping the weights learned so far.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from digitapp.core.config import TrainConfig
from digitapp.core.datasets import Dataset, split_validation
from digitapp.core.devices import of_model
from digitapp.core.errors import ModelMismatchError
from digitapp.core.formatting import shape_text
from digitapp.core.pipeline import augmentation, make_dataset
from digitapp.core.tf import TF_LOCK, keras

BatchHook = Callable[[dict], None]
EpochHook = Callable[[int, dict], None]
StopCheck = Callable[[], bool]

# Batch progress is reported at most this often: each report reads the metrics back
# from TensorFlow, and users cannot see faster updates anyway.
BATCH_REPORT_SECONDS = 0.15
# Cosine schedule: ramp up over this share of all steps, then decay to zero.
WARMUP_FRACTION = 0.1


@dataclass
class TrainResult:
    """What a run produced: per-epoch history (``loss``, ``accuracy``, ``val_loss``,
    ``val_accuracy``, ``seconds``, and ``epoch_position``: where each epoch ended, in
    epochs — short of a whole one for an epoch cut off by Stop), total seconds, and
    whether it was stopped early; and ``placed``: what :func:`train`'s ``on_start`` was told."""

    history: dict[str, list[float]] = field(default_factory=dict)
    train_seconds: float = 0.0
    epochs_completed: int = 0
    stopped: bool = False
    placed: dict = field(default_factory=dict)


class TracingLock(keras.callbacks.Callback):
    """Holds :data:`TF_LOCK` while ``fit`` traces its steps, and only then.

    Keras traces the training step on the first batch and the validation step on the first
    validation pass; the rest of a run only executes traced graphs and may overlap with
    other work (opening, describing or saving a model), so the lock is released in between.
    It is released at the end of the first batch, before the app's own batch hook runs (this
    callback comes first), so no hook is ever called while the lock is held. Batch ends may
    arrive on Keras' dispatch thread: a plain Lock may be released from any thread.
    """

    async_safe = True

    def __init__(self):
        super().__init__()
        self._held = False
        self._traced_test = False
        self._flag = threading.Lock()  # guards _held: batch ends come from another thread

    def on_train_begin(self, logs=None):
        self._acquire()

    def on_train_batch_end(self, batch, logs=None):
        self.release()  # the first call of the training step has returned: it is traced

    def on_test_begin(self, logs=None):
        if not self._traced_test:
            self._traced_test = True
            self._acquire()

    def on_test_batch_end(self, batch, logs=None):
        self.release()

    def on_test_end(self, logs=None):
        self.release()

    def _acquire(self) -> None:
        TF_LOCK.acquire()
        with self._flag:
            self._held = True

    def release(self) -> None:
        """Let go of the lock if held (also called when ``fit`` ends or fails)."""
        with self._flag:
            held, self._held = self._held, False
        if held:
            TF_LOCK.release()


class ProgressCallback(keras.callbacks.Callback):
    """Bridges Keras events to plain callables: throttled batch progress, per-epoch
    metrics with seconds and ETA, and a cooperative stop (as ``TerminateOnNaN`` does).

    ``async_safe`` lets Keras keep dispatching batches asynchronously; batch-end logs
    then arrive on a helper thread, so reporting is guarded by a lock.
    """

    async_safe = True

    def __init__(
        self,
        epochs: int,
        batches_per_epoch: int,
        batch_size: int,
        on_batch: BatchHook | None = None,
        on_epoch: EpochHook | None = None,
        should_stop: StopCheck | None = None,
        report_seconds: float = BATCH_REPORT_SECONDS,
    ):
        super().__init__()
        self.epochs = epochs
        self.batches_per_epoch = batches_per_epoch
        self.batch_size = batch_size
        self.on_batch = on_batch
        self.on_epoch = on_epoch
        self.should_stop = should_stop
        self.report_seconds = report_seconds
        self.stopped = False
        self.epoch_seconds: list[float] = []
        self.epoch_positions: list[float] = []
        self._lock = threading.Lock()
        self._epoch = 0
        self._last_report = 0.0
        self._last_step = -1
        self._batches_begun = 0
        self._train_start = 0.0
        self._epoch_start = 0.0

    def on_train_begin(self, logs=None):
        self._train_start = time.perf_counter()

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch
        self._epoch_start = time.perf_counter()
        self._last_step = -1
        self._batches_begun = 0

    def on_train_batch_begin(self, batch, logs=None):
        self._batches_begun = batch + 1
        if self.should_stop is not None and not self.stopped and self.should_stop():
            self.stopped = True
            # Keras checks this after the current batch and ends fit() cleanly.
            self.model.stop_training = True

    def on_train_batch_end(self, batch, logs=None):
        if self.on_batch is None:
            return
        now = time.perf_counter()
        last_of_epoch = batch + 1 >= self.batches_per_epoch
        with self._lock:
            if batch <= self._last_step or (now - self._last_report < self.report_seconds and not last_of_epoch):
                return
            self._last_report, self._last_step = now, batch
        logs = logs or {}
        done = self._epoch * self.batches_per_epoch + batch + 1
        total = self.epochs * self.batches_per_epoch
        elapsed = now - self._train_start
        self.on_batch({
            "epoch": self._epoch + 1,
            "epochs": self.epochs,
            "batch": batch + 1,
            "batches": self.batches_per_epoch,
            "loss": float(logs.get("loss", math.nan)),
            "accuracy": float(logs.get("accuracy", math.nan)),
            "elapsed": elapsed,
            "eta": elapsed / done * (total - done),
            "samples_per_second": done * self.batch_size / elapsed if elapsed > 0 else 0.0,
            "progress": done / total,
        })

    def on_epoch_end(self, epoch, logs=None):
        seconds = time.perf_counter() - self._epoch_start
        self.epoch_seconds.append(seconds)
        # Where the epoch ended, in epochs: short of a whole one when Stop cut it off (the
        # validation that follows describes the model at that point, not at a full epoch).
        position = epoch + min(self._batches_begun, self.batches_per_epoch) / self.batches_per_epoch
        self.epoch_positions.append(position)
        if self.on_epoch is None:
            return
        metrics = {k: float(v) for k, v in (logs or {}).items() if np.isscalar(v) or np.ndim(v) == 0}
        metrics.pop("learning_rate", None)
        elapsed = time.perf_counter() - self._train_start
        metrics["seconds"] = seconds
        metrics["elapsed"] = elapsed
        metrics["epoch_position"] = position
        metrics["eta"] = elapsed / (epoch + 1) * (self.epochs - epoch - 1)
        self.on_epoch(epoch + 1, metrics)


def make_optimizer(config: TrainConfig, total_steps: int) -> keras.optimizers.Optimizer:
    """Optimizer with a constant rate, or linear warm-up then cosine decay to zero."""
    rate: float | keras.optimizers.schedules.LearningRateSchedule = config.learning_rate
    if config.schedule == "cosine":
        warmup = max(1, int(total_steps * WARMUP_FRACTION))
        rate = keras.optimizers.schedules.CosineDecay(
            initial_learning_rate=config.learning_rate / 10,
            decay_steps=max(1, total_steps - warmup),
            warmup_target=config.learning_rate,
            warmup_steps=warmup,
        )
    if config.optimizer == "adam":
        return keras.optimizers.Adam(rate)
    if config.optimizer == "adamw":
        return keras.optimizers.AdamW(rate)
    if config.optimizer == "sgd":
        return keras.optimizers.SGD(rate, momentum=0.9, nesterov=True)
    return keras.optimizers.RMSprop(rate)


def compile_model(model: keras.Model, config: TrainConfig, total_steps: int) -> None:
    """Compile for training where the model was built (its optimizer must be made in the same
    strategy's scope as its variables)."""
    with of_model(model).strategy.scope():
        model.compile(
            optimizer=make_optimizer(config, total_steps),
            loss="sparse_categorical_crossentropy",
            metrics=["accuracy"],
        )


def train(
    model: keras.Model,
    dataset: Dataset,
    config: TrainConfig,
    on_batch: BatchHook | None = None,
    on_epoch: EpochHook | None = None,
    should_stop: StopCheck | None = None,
    extra_callbacks: list[keras.callbacks.Callback] | None = None,
    on_start: Callable[[dict], None] | None = None,
) -> TrainResult:
    """Fit ``model`` on ``dataset``'s training images, validating on a held-out share.

    ``extra_callbacks`` are passed to ``fit`` after the app's own (benchmarks use this to
    record test accuracy along the way).

    The model trains on the devices it was built for (see :mod:`devices`: build it in a
    placement's strategy scope to spread it over several); ``config``'s batch is per device
    (:meth:`TrainConfig.on_devices`). ``on_start`` is told, as ``fit`` begins, where and how:
    ``devices`` ("CPU", "2 × NVIDIA …"), ``replicas``, and the ``batch_size`` and
    ``learning_rate`` in all.

    The model is (re)compiled with a fresh optimizer, so a loaded model can continue
    training with new settings. Returns the history; the model keeps its weights even
    if stopped.

    Raises:
        ConfigError: the config is invalid.
        ModelMismatchError: the model does not fit the dataset.
    """
    config.check()
    check_compatible(tuple(model.input_shape[1:]), model.output_shape[-1], dataset)
    placement = of_model(model)
    config = config.on_devices(placement.replicas)  # the batch is per device
    placed = {"devices": placement.description, "replicas": placement.replicas,
              "batch_size": config.batch_size, "learning_rate": config.learning_rate}
    x_train, y_train, x_val, y_val = split_validation(
        dataset.x_train, dataset.y_train, config.validation_fraction, config.seed
    )
    batches = math.ceil(len(x_train) / config.batch_size)
    progress = ProgressCallback(config.epochs, batches, config.batch_size, on_batch, on_epoch, should_stop)
    tracing = TracingLock()
    callbacks: list[keras.callbacks.Callback] = [tracing, progress, *(extra_callbacks or [])]
    with TF_LOCK:
        keras.utils.set_random_seed(config.seed)
        train_ds = make_dataset(
            x_train, y_train, config.batch_size, shuffle_seed=config.seed,
            augment=augmentation(dataset) if config.augment else None,
        )
        val_ds = make_dataset(x_val, y_val, 1024) if len(x_val) else None
        compile_model(model, config, batches * config.epochs)
        if config.early_stopping and val_ds is not None:
            callbacks.append(keras.callbacks.EarlyStopping(
                monitor="val_loss", patience=2, restore_best_weights=True
            ))
    if on_start is not None:
        on_start(dict(placed))
    start = time.perf_counter()
    try:
        # shuffle=False: the tf.data pipeline already reshuffles every epoch.
        fit = model.fit(train_ds, validation_data=val_ds, epochs=config.epochs, callbacks=callbacks,
                        verbose=0, shuffle=False)
    finally:
        tracing.release()
    seconds = time.perf_counter() - start
    history = {k: [float(v) for v in vals] for k, vals in fit.history.items() if k != "learning_rate"}
    epochs = len(history.get("loss", []))
    history["seconds"] = list(progress.epoch_seconds[:epochs])
    history["epoch_position"] = list(progress.epoch_positions[:epochs])
    return TrainResult(history, seconds, len(history.get("loss", [])), progress.stopped, placed)


def check_compatible(input_shape: tuple, num_classes: int, dataset: Dataset) -> None:
    """Raise :class:`ModelMismatchError` if a model's input shape or class count does not
    match the dataset."""
    if tuple(input_shape) != dataset.input_shape:
        raise ModelMismatchError(
            f"The model expects {shape_text(input_shape)} images but {dataset.name} has "
            f"{shape_text(dataset.input_shape)}."
        )
    if num_classes != dataset.num_classes:
        raise ModelMismatchError(
            f"The model predicts {num_classes} classes but {dataset.name} has {dataset.num_classes}."
        )
