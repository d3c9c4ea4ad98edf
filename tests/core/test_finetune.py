"""Fine-tuning on personal samples with real TensorFlow: a model trained through the CLI on a few
hundred MNIST images learns MNIST test digits it got wrong (as a user's corrections), keeps its
test accuracy within the limit, and leaves the original model as it was."""

import numpy as np
import pytest

from digitapp.core import finetune, personal, rejection, workflow
from digitapp.core.datasets import Dataset
from digitapp.core.errors import DatasetError, DigitAppError
from digitapp.core.tf import keras
from tests.helpers import one_sentence

PER_CLASS = 6


@pytest.fixture(scope="module")
def model(cli_model):
    return workflow.open_model(cli_model[0])


@pytest.fixture(scope="module")
def corrections(model, mnist, tmp_path_factory):
    """Up to PER_CLASS test digits per class the model answers wrongly (beyond the small test
    set), kept as personal samples, topped up with right ones to PER_CLASS."""
    folder = tmp_path_factory.mktemp("personal")
    x, y = mnist.x_test[1000:3000], mnist.y_test[1000:3000]
    wrong = model.predictor.probabilities(x).argmax(axis=1) != y
    for label in range(10):
        mine = np.flatnonzero(y == label)
        picks = np.concatenate([mine[wrong[mine]], mine[~wrong[mine]]])[:PER_CLASS]
        for i in picks:
            personal.save_sample(x[i, ..., 0], str(label), folder)
    return folder


def test_the_mix_replays_the_original_data_and_weighs_every_class_of_samples_alike(mnist_small):
    data = rejection.for_model(mnist_small)
    x = np.stack([data.x_train[0]] * 7)
    samples = personal.Samples(x, np.array([3, 3, 3, 3, 3, 3, 5], np.int32), [None] * 7)
    mx, my = finetune.mix(data, samples)
    replay = min(finetune.REPLAY, len(data.x_train))
    per_class = round(replay / data.num_classes * finetune.SAMPLES_PER_CLASS)
    assert len(mx) == len(my) == replay + 2 * per_class + 2 * per_class  # + as many non-digits
    added = np.bincount(my[replay:], minlength=data.num_classes)
    assert added[3] == added[5] == per_class  # six samples weigh as much as one
    assert added[10] == 2 * per_class  # the non-digits kept in step with the pen-drawn samples


def test_batch_normalisation_keeps_its_statistics_in_nested_models_too():
    inner = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3), keras.layers.BatchNormalization()])
    outer = keras.Sequential([keras.Input((4,)), inner, keras.layers.BatchNormalization(), keras.layers.Dense(2)])
    finetune.freeze_statistics(outer)
    frozen = [layer.trainable for layer in [*inner.layers, *outer.layers[1:]]]
    assert frozen == [True, False, False, True]


def test_a_finetune_learns_the_samples_keeps_the_test_accuracy_and_changes_nothing_else(
        model, corrections, mnist_small):
    weights = [w.copy() for w in model.model.get_weights()]
    steps = []
    tuned = workflow.finetune_model(model, corrections, replay=mnist_small, on_step=steps.append)
    report = tuned.info.metrics["finetune"]
    assert report["samples"] == 10 * PER_CLASS and report["held_out"] == 10  # every fifth of six
    assert report["test_after"] >= report["test_before"] - finetune.MAX_TEST_DROP
    assert tuned.info.metrics["test_accuracy"] == report["test_after"] == tuned.evaluation.accuracy
    samples = personal.load_samples(corrections, model.info.class_names, model.info.input_shape, "digit")
    before = finetune.accuracy(model.predictor, samples)
    after = finetune.accuracy(tuned.predictor, samples)
    assert before < 0.7 and after > before + 0.2, (before, after)  # the corrections were learnt
    assert all(np.array_equal(a, b) for a, b in zip(weights, model.model.get_weights()))
    assert tuned.model is not model.model and steps and tuned.tested.num_classes == 11
    assert len(tuned.info.history["loss"]) == len(model.info.history["loss"]) + finetune.EPOCHS
    norms = [layer for layer in tuned.model.layers if isinstance(layer, keras.layers.BatchNormalization)]
    assert norms and all(layer.trainable for layer in norms)  # frozen while fine-tuning only


def test_a_finetune_that_would_let_non_digits_through_is_refused(model, corrections, mnist_small, monkeypatch):
    monkeypatch.setattr(finetune, "MAX_CAUGHT_DROP", -1.0)  # it would have to catch more than all of them
    with pytest.raises(DigitAppError):
        workflow.finetune_model(model, corrections, replay=mnist_small)


def test_a_finetune_that_would_cost_test_accuracy_is_refused(model, corrections, mnist_small, monkeypatch):
    monkeypatch.setattr(finetune, "MAX_TEST_DROP", -1.0)  # any result would lose too much
    with pytest.raises(DigitAppError) as err:
        workflow.finetune_model(model, corrections, replay=mnist_small)
    assert one_sentence(str(err.value)) and "no new model was made" in str(err.value)


def test_fine_tuning_again_is_held_to_the_model_before_its_first_fine_tune(model, corrections, mnist_small):
    first = workflow.finetune_model(model, corrections, replay=mnist_small)
    original = first.info.metrics["finetune"]["original"]
    assert original["accuracy"] == first.info.metrics["finetune"]["test_before"]
    second = workflow.finetune_model(first, corrections, replay=mnist_small)
    assert second.info.metrics["finetune"]["original"]["accuracy"] == max(
        original["accuracy"], second.info.metrics["finetune"]["test_before"])  # not reset by the first
    assert second.evaluation.accuracy >= original["accuracy"] - finetune.MAX_TEST_DROP - 1e-9

    # Had the first fine-tune already spent the allowance, the next is refused, however light.
    original["accuracy"] = first.evaluation.accuracy + finetune.MAX_TEST_DROP + 0.05
    with pytest.raises(DigitAppError) as err:
        workflow.finetune_model(first, corrections, replay=mnist_small)
    assert one_sentence(str(err.value)) and "since before its first fine-tune" in str(err.value)
    # A baseline from another test set does not count.
    original["test_set"] = "another dataset, 12 test images"
    assert workflow.finetune_model(first, corrections, replay=mnist_small).info.metrics["finetune"]["original"][
        "test_set"] != "another dataset, 12 test images"


def test_a_model_of_other_data_needs_its_data_given(model, corrections):
    # The CLI model was trained on an .npz of its own: there is no built-in set to replay.
    with pytest.raises(DatasetError) as err:
        workflow.finetune_model(model, corrections)
    assert one_sentence(str(err.value)) and "replay" in str(err.value)


def test_too_few_samples_say_so(model, tmp_path, mnist, mnist_small):
    personal.save_sample(mnist.x_test[0, ..., 0], "7", tmp_path)
    with pytest.raises(DatasetError) as err:
        workflow.finetune_model(model, tmp_path, replay=mnist_small)
    assert "Too few personal samples" in str(err.value)


def test_replay_data_that_does_not_fit_the_model_is_refused(model, corrections, mnist_small):
    other = Dataset("three classes", mnist_small.x_train, mnist_small.y_train % 3, mnist_small.x_test,
                    mnist_small.y_test % 3, ["a", "b", "c"], "gray")
    with pytest.raises(DigitAppError) as err:
        workflow.finetune_model(model, corrections, replay=other)
    assert one_sentence(str(err.value))
