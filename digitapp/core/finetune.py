"""Fine-tuning: a trained model learns a user's own samples without forgetting everyone else.

The samples (see :mod:`personal`) are mixed with a replay of the model's original training
images — :data:`REPLAY` of them, with the "not a digit" drawings for a model that has that
class — each class of samples repeated to at least half an average class's share, so that a
class with three samples counts as much as one with thirty; for a digit model, as many "not a
digit" drawings again. The copy trains for a few epochs at a small learning rate, augmented only
if the model was; batch-normalisation layers keep their statistics (a few hundred samples must
not re-centre what 60,000 images set). The original model is never changed.

Then the guard: the result is tested on the original test set, and if it lost more than
:data:`MAX_TEST_DROP` of the accuracy it had (or :data:`MAX_CAUGHT_DROP` of the held-out
non-digits it caught) — counted from before its *first* fine-tune, so that fine-tuning a
fine-tuned model again and again cannot lose the allowance each time — its weights are moved back toward the
original's (weight-space interpolation, as in WiSE-FT: Wortsman et al. 2022) until it does not,
or the fine-tune is refused.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from digitapp.core import models, training
from digitapp.core.config import TrainConfig, rejects
from digitapp.core.datasets import Dataset
from digitapp.core.errors import DigitAppError
from digitapp.core.evaluation import Evaluation, evaluate
from digitapp.core.personal import Samples
from digitapp.core.prediction import Predictor
from digitapp.core.tf import TF_LOCK, keras

REPLAY = 3000  # original training images mixed in
SAMPLES_PER_CLASS = 0.5  # a class of samples is repeated to this share of a replay class
EPOCHS = 2
BATCH = 64
LEARNING_RATE = 3e-4
NEGATIVES_PER_SAMPLE = 1.0  # replayed "not a digit" drawings per sample image (digit models)
MAX_TEST_DROP = 0.003  # of test accuracy (0.3 points): the most a fine-tune may cost
MAX_CAUGHT_DROP = 0.02  # of held-out non-digits answered "not a digit" (a digit model's other promise)
# How far toward the fine-tuned weights the result goes, tried in this order (1: all the way).
BLENDS = (1.0, 0.5, 0.25)

Step = Callable[[str], None]


@dataclass(frozen=True)
class Baseline:
    """What a model could do before its first fine-tune, on one test set (``test_set``: its
    name and size): every later fine-tune is held to it. Kept in the report as ``original``."""

    accuracy: float
    caught: float | None
    test_set: str

    @classmethod
    def of(cls, evaluation: Evaluation, data: Dataset) -> Baseline:
        return cls(evaluation.accuracy, evaluation.caught, _test_set(data))

    @classmethod
    def from_report(cls, report: dict) -> Baseline | None:
        """The baseline an earlier fine-tune's report kept (None: the model was not fine-tuned)."""
        original = report.get("original") if isinstance(report, dict) else None
        if not isinstance(original, dict):
            return None
        return cls(float(original["accuracy"]), original.get("caught"), str(original["test_set"]))

    def at_least(self, evaluation: Evaluation, data: Dataset) -> Baseline:
        """The stricter of this baseline and ``evaluation`` (this one only counts on its own test set)."""
        if self.test_set != _test_set(data):
            return Baseline.of(evaluation, data)
        known = [c for c in (self.caught, evaluation.caught) if c is not None]
        return Baseline(max(self.accuracy, evaluation.accuracy), max(known) if known else None, self.test_set)


@dataclass
class FineTuneResult:
    """The adapted model (a copy) and what the fine-tune measured."""

    model: keras.Model
    predictor: Predictor
    evaluation: Evaluation
    result: training.TrainResult
    config: TrainConfig
    report: dict


def mix(data: Dataset, samples: Samples, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """The images to fine-tune on: a replay of ``data``'s training images and the samples, each
    class of them repeated to :data:`SAMPLES_PER_CLASS` of an average class in the replay."""
    rng = np.random.default_rng(seed)
    replay = rng.choice(len(data.x_train), min(REPLAY, len(data.x_train)), replace=False)
    per_class = max(1, round(len(replay) / data.num_classes * SAMPLES_PER_CLASS))
    xs, ys = [data.x_train[replay]], [data.y_train[replay]]
    for label in np.unique(samples.y):
        members = samples.x[samples.y == label]
        picks = np.resize(np.arange(len(members)), max(per_class, len(members)))
        xs.append(members[picks])
        ys.append(np.full(len(picks), label, data.y_train.dtype))
    if rejects(data.class_names):
        # The samples are pen drawings, as the non-digits are: as many of those again keep the
        # model from learning that a pen's look means "a digit" (without them it caught 70%
        # of the held-out non-digits instead of 98%, measured).
        others = np.flatnonzero(data.y_train == len(data.class_names) - 1)
        count = round(sum(len(x) for x in xs[1:]) * NEGATIVES_PER_SAMPLE)
        if len(others):
            picks = rng.choice(others, count, replace=count > len(others))
            xs.append(data.x_train[picks])
            ys.append(data.y_train[picks])
    return np.concatenate(xs), np.concatenate(ys)


def freeze_statistics(model: keras.Model) -> list[keras.layers.Layer]:
    """Keep every batch-normalisation layer (in nested models too) as it is: frozen in Keras 3,
    it also normalises with its stored statistics while training. Returns the layers it froze
    (to be made trainable again: a saved model keeps the flag, and training it later must not)."""
    frozen = []
    for layer in getattr(model, "layers", []):
        if isinstance(layer, keras.layers.BatchNormalization) and layer.trainable:
            layer.trainable = False
            frozen.append(layer)
        frozen += freeze_statistics(layer)
    return frozen


def accuracy(predictor: Predictor, samples: Samples) -> float | None:
    """Share of ``samples`` answered with their class (None: there are none)."""
    if not len(samples.y):
        return None
    return float(np.mean(predictor.probabilities(samples.x).argmax(axis=1) == samples.y))


def finetune(model: keras.Model, predictor: Predictor, data: Dataset, real: int, samples: Samples,
             on_step: Step | None = None, seed: int = 0, augment: bool = False, baseline: Baseline | None = None,
             **hooks) -> FineTuneResult:
    """Adapt a copy of ``model`` to ``samples`` (split into learnt and held back), replaying
    ``data`` (the model's training data as it was trained on it; its first ``real`` test images
    are the dataset's own). ``augment``: as the model was trained (a model trained without
    augmentation lost its "not a digit" class to augmented samples: it caught 79% of the held-out
    non-digits instead of 98%, measured). ``predictor`` answers for ``model``; ``hooks`` go to
    :func:`training.train` (on_batch, on_epoch, should_stop). ``baseline``: the model was
    fine-tuned before, and this is what it could do before the first time.

    Raises:
        DigitAppError: every blend toward the samples cost more than :data:`MAX_TEST_DROP`.
    """
    step = on_step or (lambda _text: None)
    start = time.perf_counter()
    learn, held = samples.split()
    step(f"Testing the model on {len(data.x_test):,} test images first…")
    before = _evaluate(predictor, data, real)
    held_before = accuracy(predictor, held)
    reference = Baseline.of(before, data) if baseline is None else baseline.at_least(before, data)
    x, y = mix(data, learn, seed)
    tuned = models.copy_model(model)
    if tuned is model:
        raise DigitAppError("This model cannot be copied, so it cannot be fine-tuned without changing it.")
    frozen = freeze_statistics(tuned)
    config = TrainConfig(epochs=EPOCHS, batch_size=BATCH, learning_rate=LEARNING_RATE, schedule="constant",
                         augment=augment, validation_fraction=0.0, seed=seed)
    replayed = min(REPLAY, len(data.x_train))
    step(f"Learning {len(learn.y)} samples beside {replayed:,} of the original training images…")
    result = training.train(tuned, Dataset(data.name, x, y, x[:0], y[:0], data.class_names, data.preprocessing),
                            config, **hooks)
    for layer in frozen:
        layer.trainable = True
    original, adapted = model.get_weights(), tuned.get_weights()
    tuned_predictor = Predictor(tuned, predictor.input_shape, predictor.class_names, predictor.recipe)
    for blend in BLENDS:
        if blend != 1.0:
            with TF_LOCK:
                tuned.set_weights([o + blend * (a - o) for o, a in zip(original, adapted)])
        step("Testing the result on the original test images…")
        after = _evaluate(tuned_predictor, data, real)
        if _kept(reference, after):
            break
    else:
        earlier = baseline is not None and baseline.test_set == reference.test_set
        since = " since before its first fine-tune" if earlier else ""
        raise DigitAppError(
            f"Learning these samples cost the model over {MAX_TEST_DROP:.1%} of its test accuracy (or its knack "
            f"for telling non-digits){since}, however lightly applied, so no new model was made; check the "
            "samples' class folders."
        )
    report = {
        "samples": len(samples.y), "learnt": len(learn.y), "held_out": len(held.y),
        "per_class": samples.counts(len(data.class_names)),
        "personal_before": held_before, "personal_after": accuracy(tuned_predictor, held),
        "test_before": before.accuracy, "test_after": after.accuracy, "blend": blend,
        "replay": replayed,
        "original": {"accuracy": reference.accuracy, "caught": reference.caught, "test_set": reference.test_set},
        "seconds": time.perf_counter() - start,
    }
    return FineTuneResult(tuned, tuned_predictor, after, result, config, report)


def _kept(before: Baseline, after: Evaluation) -> bool:
    """Whether ``after`` kept what the model could do ``before``: its accuracy on the dataset's own
    test images and, for a digit model, the share of held-out non-digits it calls "not a digit"."""
    caught = before.caught is None or after.caught >= before.caught - MAX_CAUGHT_DROP - 1e-9
    return before.accuracy - after.accuracy <= MAX_TEST_DROP + 1e-9 and caught


def _test_set(data: Dataset) -> str:
    return f"{data.name}, {len(data.x_test)} test images"


def _evaluate(predictor: Predictor, data: Dataset, real: int) -> Evaluation:
    return evaluate(predictor, data.x_test, data.y_test, real=real, rejects=rejects(data.class_names))
