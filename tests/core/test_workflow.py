"""The facade the CLI, the GUI and the self-test use: train and evaluate, save and open,
evaluate on other data, predict files — as whole steps, on small real MNIST."""

import numpy as np
import pytest

from digitapp.core import config, workflow
from digitapp.core.config import TrainConfig
from digitapp.core.datasets import from_arrays
from digitapp.core.errors import ConfigError, ImageError, ModelFileError, ModelMismatchError
from digitapp.core.prediction import Prediction
from digitapp.core.tf import tf
from tests.helpers import digit_png, one_sentence

EPOCHS = 3


@pytest.fixture(scope="module")
def run(mnist_small):
    """The ``mlp`` trained for a few epochs through the facade, with the epochs it reported."""
    epochs = []
    config = TrainConfig.for_model("mlp", epochs=EPOCHS, batch_size=32, learning_rate=3e-3, seed=0)
    trained = workflow.train_and_evaluate(mnist_small, "mlp", config, on_epoch=lambda e, m: epochs.append(e))
    return trained, epochs


def test_train_and_evaluate_gives_a_model_ready_to_use(run, mnist_small):
    trained, epochs = run
    assert epochs == list(range(1, EPOCHS + 1))
    assert trained.dataset is mnist_small and trained.result.epochs_completed == EPOCHS
    assert trained.evaluation.accuracy > 0.75  # 540 images, 3 epochs: far above the 10% of guessing
    # Digits: the model has an 11th class, "not a digit", tested on held-out non-digits too.
    evaluation, tested = trained.evaluation, trained.tested
    assert tested.class_names == [*mnist_small.class_names, config.NOT_A_DIGIT]
    assert evaluation.real == len(mnist_small.x_test) and evaluation.non_digits == len(tested.x_test) - evaluation.real
    assert evaluation.confusion.sum() == len(tested.x_test) and evaluation.confusion[-1].sum() == evaluation.non_digits
    assert evaluation.caught > 0.3 and evaluation.rejected < 0.2  # a tiny model, but it learned the class
    info = trained.info
    assert (info.dataset, info.architecture, info.preprocessing) == ("MNIST-small", "mlp", "digit")
    assert info.input_shape == (28, 28, 1) and info.class_names == tested.class_names
    assert trained.model.output_shape[-1] == 11
    assert info.metrics["test_accuracy"] == evaluation.accuracy
    assert (info.metrics["non_digits_caught"], info.metrics["digits_rejected"]) == (evaluation.caught,
                                                                                    evaluation.rejected)
    assert info.metrics["epochs_completed"] == EPOCHS and info.metrics["stopped"] is False
    assert info.config["epochs"] == EPOCHS and info.config["optimizer"] == "adam"
    assert len(info.history["val_accuracy"]) == EPOCHS
    probabilities = trained.predictor.probabilities(tested.x_test)
    assert (probabilities.argmax(1) == trained.evaluation.predicted).all()


def test_continued_training_extends_the_curves_and_leaves_the_first_run_as_it_was(run, mnist_small):
    first, _ = run
    weights = [w.copy() for w in first.model.get_weights()]
    before = first.predictor.probabilities(mnist_small.x_test[:5])
    more = workflow.train_and_evaluate(mnist_small, "mlp", TrainConfig(epochs=1, batch_size=32), model=first.model,
                                       previous_history=first.info.history)
    assert more.model is not first.model  # a copy was trained
    assert all(np.array_equal(a, b) for a, b in zip(first.model.get_weights(), weights))
    assert np.allclose(first.predictor.probabilities(mnist_small.x_test[:5]), before)
    assert len(more.info.history["loss"]) == EPOCHS + 1
    assert more.info.history["loss"][:EPOCHS] == first.info.history["loss"]
    assert not np.allclose(more.predictor.probabilities(mnist_small.x_test[:5]), before)


def test_bad_settings_are_refused_before_any_work(mnist_small):
    epochs = []
    with pytest.raises(ConfigError, match="Epochs must be at least 1."):
        workflow.train_and_evaluate(mnist_small, "mlp", TrainConfig(epochs=0), on_epoch=lambda e, m: epochs.append(e))
    assert epochs == []
    with pytest.raises(ConfigError, match="Unknown model"):
        workflow.train_and_evaluate(mnist_small, "transformer", TrainConfig(epochs=1))


def test_a_model_that_does_not_fit_the_data(run):
    trained, _ = run
    rgb = _random_set("photos", (32, 32, 3), classes=10)
    with pytest.raises(ModelMismatchError, match="expects 28×28×1 images but photos has 32×32×3"):
        workflow.train_and_evaluate(rgb, "mlp", TrainConfig(epochs=1), model=trained.model)


def test_merge_histories():
    merged = workflow.merge_histories({"loss": [3, 2], "seconds": [1, 1]}, {"loss": [1], "val_loss": [4]})
    assert merged == {"loss": [3, 2, 1], "seconds": [1, 1], "val_loss": [4]}
    assert workflow.merge_histories({}, {"loss": (1.0,)}) == {"loss": [1.0]}


def test_build_and_describe(mnist_small):
    model = workflow.build_model("cnn", mnist_small)
    assert model.input_shape == (None, 28, 28, 1) and model.output_shape == (None, 11)  # + "not a digit"
    count, text = workflow.describe_model("cnn", mnist_small)
    assert count == model.count_params() == 225_163 and "225,163" in text
    clothes = from_arrays("clothes", mnist_small.x_train, mnist_small.y_train, mnist_small.x_test,
                          mnist_small.y_test, config.FASHION_NAMES)
    assert workflow.build_model("cnn", clothes).output_shape == (None, 10)  # not digits: no such class
    assert workflow.backend_version() == tf.__version__


def test_save_and_open_round_trip(run, mnist_small, tmp_path):
    trained, _ = run
    path = workflow.save_model(trained, tmp_path / "digits.keras")
    assert path == tmp_path / "digits.keras" and config.sidecar_path(path).is_file()
    opened = workflow.open_model(path)
    assert opened.evaluation is None and opened.result is None and opened.dataset is None
    for field in ("input_shape", "class_names", "preprocessing", "dataset", "architecture", "history", "metrics",
                  "config"):
        assert getattr(opened.info, field) == getattr(trained.info, field), field
    np.testing.assert_allclose(opened.predictor.probabilities(mnist_small.x_test),
                               trained.predictor.probabilities(mnist_small.x_test), atol=1e-6)
    evaluated = workflow.evaluate_on(opened, mnist_small)
    assert evaluated.model is opened.model and evaluated.dataset is mnist_small
    assert evaluated.evaluation.accuracy == pytest.approx(trained.evaluation.accuracy)


def test_save_and_open_errors(run, tmp_path):
    trained, _ = run
    with pytest.raises(ModelFileError, match="must end in .keras, .h5 or .hdf5"):
        workflow.save_model(trained, tmp_path / "digits.pt")
    with pytest.raises(ModelFileError, match="ghost.keras does not exist"):
        workflow.open_model(tmp_path / "ghost.keras")


def _random_set(name, shape, classes):
    rng = np.random.default_rng(0)
    x = rng.integers(0, 256, (classes * 2, *shape), dtype=np.uint8)
    y = np.arange(classes * 2) % classes
    return from_arrays(name, x, y, x, y)


@pytest.mark.parametrize("shape,classes,words", [
    ((32, 32, 3), 10, "The model expects 28×28×1 images but other has 32×32×3."),
    ((28, 28, 1), 5, "The model predicts 10 classes but other has 5."),
])
def test_evaluate_on_data_that_does_not_fit(run, shape, classes, words):
    trained, _ = run
    with pytest.raises(ModelMismatchError) as info:
        workflow.evaluate_on(trained, _random_set("other", shape, classes))
    assert str(info.value) == words and one_sentence(words)


def test_predict_files_with_a_bad_file(run, mnist_small, tmp_path):
    trained, _ = run
    good = [digit_png(mnist_small.x_test[i], tmp_path / f"{i}.png") for i in range(4)]
    bad = tmp_path / "scan.png"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n but then nothing")
    results = trained.predict_files([good[0], bad, *good[1:]])
    assert len(results) == 5
    assert isinstance(results[1], ImageError) and "scan.png" in str(results[1]) and one_sentence(str(results[1]))
    answers = [r for r in results if not isinstance(r, Exception)]
    assert all(isinstance(r, Prediction) and r.source_image is not None for r in answers)
    expected = trained.predictor.probabilities(mnist_small.x_test[:4]).argmax(1).tolist()
    assert [r.label for r in answers] == expected
