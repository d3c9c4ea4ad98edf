"""Fast prediction matches Keras, handles bad files in a batch, and normalises logits."""

import numpy as np

from digitapp.core.prediction import UNSURE_BELOW, Predictor
from digitapp.core.tf import keras
from tests.helpers import digit_png


def test_same_answers_as_model_predict(trained, mnist_small):
    model, _ = trained
    predictor = Predictor(model, mnist_small.input_shape, mnist_small.class_names, "digit")
    x = mnist_small.x_test[:50]
    expected = model.predict(x.astype(np.float32) / 255, verbose=0)
    np.testing.assert_allclose(predictor.probabilities(x), expected, atol=1e-5)


def test_files_with_one_bad_one(trained, mnist_small, tmp_path):
    model, _ = trained
    predictor = Predictor(model, mnist_small.input_shape, mnist_small.class_names, "digit")
    good = [digit_png(mnist_small.x_test[i], tmp_path / f"{i}.png") for i in range(5)]
    bad = tmp_path / "bad.png"
    bad.write_bytes(b"garbage")
    results = predictor.predict_files([good[0], bad, *good[1:]])
    assert isinstance(results[1], Exception) and "bad.png" in str(results[1])
    answers = [r.label for r in results if not isinstance(r, Exception)]
    expected = predictor.probabilities(mnist_small.x_test[:5]).argmax(1).tolist()
    assert sum(a == e for a, e in zip(answers, expected)) >= 4  # same digits after the round trip
    first = results[0]
    assert first.model_input.shape == (28, 28, 1)
    assert first.source_image.size == (28, 28)  # the file as decoded, to show beside the answer
    np.testing.assert_array_equal(np.asarray(first.source_image), mnist_small.x_test[0, ..., 0])
    assert first.probabilities.sum() == np.float32(first.probabilities.sum())
    assert abs(float(first.probabilities.sum()) - 1) < 1e-5
    assert first.top(3)[0] == (first.name, first.confidence)


def test_one_image_and_what_the_answer_says(trained, mnist_small):
    model, _ = trained
    predictor = Predictor(model, mnist_small.input_shape, mnist_small.class_names, "digit")
    answer = predictor.predict(mnist_small.x_test[0])
    assert answer.source_image is None  # not from a file
    assert answer.name == "7" == answer.class_names[answer.label]
    np.testing.assert_allclose(answer.model_input, predictor.prepare(mnist_small.x_test[0]))
    top = answer.top(10)
    assert [p for _, p in top] == sorted(answer.probabilities.tolist(), reverse=True)
    assert answer.unsure == (answer.confidence < UNSURE_BELOW)
    blank = predictor.predict_prepared(np.zeros((28, 28, 1), np.float32))
    assert blank.probabilities.shape == (10,) and not blank.model_input.any()


def test_no_images_no_answers(trained, mnist_small):
    model, _ = trained
    predictor = Predictor(model, mnist_small.input_shape, mnist_small.class_names, "digit")
    assert predictor.probabilities(np.zeros((0, 28, 28, 1), np.float32)).shape == (0, 10)
    assert predictor.predict_files([]) == []


def test_logit_models_and_channel_less_inputs_are_handled():
    model = keras.Sequential([keras.Input((28, 28)), keras.layers.Flatten(), keras.layers.Dense(10)])
    predictor = Predictor(model, (28, 28, 1), [str(i) for i in range(10)], "digit")
    probs = predictor.probabilities(np.random.default_rng(0).random((3, 28, 28, 1), dtype=np.float32))
    assert probs.shape == (3, 10) and (probs >= 0).all()
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, rtol=1e-5)


def test_explanation_is_integrated_gradients(trained, mnist_small):
    """Completeness: the map sums to p(input) − p(black); zero where the input is zero;
    and the pixels it credits really carry the model's evidence."""
    model, _ = trained
    predictor = Predictor(model, mnist_small.input_shape, mnist_small.class_names, "digit")
    x = mnist_small.x_test[:8].astype(np.float32) / 255
    probs = predictor.probabilities(x)
    black = predictor.probabilities(np.zeros_like(x[:1]))[0]
    top_drops, random_drops = [], []
    for image, p in zip(x, probs):
        label = int(p.argmax())
        attributions = predictor.explain(image, label)
        assert attributions.shape == (28, 28) and attributions.dtype == np.float32
        assert np.all(attributions[image[..., 0] == 0] == 0)
        assert abs(attributions.sum() - (p[label] - black[label])) < 0.15
        # Faithful: erasing the 15 pixels it credits most costs the class more
        # probability than erasing 15 random inked pixels.
        rng = np.random.default_rng(0)
        top = np.argsort(attributions.ravel())[::-1][:15]
        inked = np.flatnonzero(image[..., 0].ravel() > 0)
        drops = []
        for pixels in (top, rng.choice(inked, size=15, replace=False)):
            erased = image.copy().reshape(-1)
            erased[pixels] = 0
            drops.append(p[label] - predictor.probabilities(erased.reshape(1, 28, 28, 1))[0, label])
        top_drops.append(drops[0])
        random_drops.append(drops[1])
    assert np.mean(top_drops) > np.mean(random_drops) + 0.05
    # Explaining another class gives another map.
    other = predictor.explain(x[0], (int(probs[0].argmax()) + 1) % 10)
    assert not np.allclose(other, predictor.explain(x[0], int(probs[0].argmax())))


def test_explaining_a_logit_model_without_channels():
    model = keras.Sequential([keras.Input((28, 28)), keras.layers.Flatten(), keras.layers.Dense(10)])
    predictor = Predictor(model, (28, 28, 1), [str(i) for i in range(10)], "digit")
    image = np.random.default_rng(1).random((28, 28, 1), dtype=np.float32)
    probs = predictor.probabilities(image[None])[0]
    black = predictor.probabilities(np.zeros((1, 28, 28, 1), np.float32))[0]
    attributions = predictor.explain(image, 3)
    assert attributions.shape == (28, 28)
    assert abs(attributions.sum() - (probs[3] - black[3])) < 0.05
