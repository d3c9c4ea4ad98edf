"""The bundled default model (made by ``make default-model``): its ONNX copy answers exactly
as its Keras file, without TensorFlow, and it is as good as its sidecar says."""

import subprocess
import sys

import numpy as np
import pytest

from digitapp.core import default_model
from digitapp.core.config import NOT_A_DIGIT
from digitapp.core.errors import ModelFileError
from tests.helpers import ROOT, digit_png, one_sentence


def test_it_is_bundled_with_its_accuracy(mnist):
    facts = default_model.facts()
    assert facts.class_names == [*mnist.class_names, NOT_A_DIGIT] and facts.input_shape == (28, 28, 1)
    assert facts.preprocessing == "digit" and facts.metrics["test_accuracy"] >= 0.99
    assert facts.metrics["non_digits_caught"] >= 0.9 and facts.metrics["digits_rejected"] <= 0.005
    assert default_model.onnx_path().is_file()
    assert str(default_model.resolve("default")) == str(default_model.keras_path())
    assert default_model.resolve("mine.keras") == "mine.keras"


def test_the_onnx_copy_answers_as_the_keras_file(mnist, tmp_path):
    from digitapp.core import workflow

    quick = default_model.open_quick()
    keras_model = workflow.open_model(default_model.keras_path())
    x = mnist.x_test[:1000]
    fast, full = quick.predictor.probabilities(x), keras_model.predictor.probabilities(x)
    assert np.abs(fast - full).max() < 1e-4 and (fast.argmax(1) == full.argmax(1)).all()
    assert (fast.argmax(1) == mnist.y_test[:1000]).mean() >= 0.98
    scan = digit_png(mnist.x_test[0], tmp_path / "seven.png")
    answer = quick.predictor.predict_files([scan])[0]
    assert answer.name == keras_model.predict_files([scan])[0].name == "7"
    assert not quick.predictor.can_explain and keras_model.predictor.can_explain


def test_it_answers_without_importing_tensorflow():
    code = ("import sys; from digitapp.core import default_model; m = default_model.open_quick(); "
            "import numpy as np; p = m.predictor.probabilities(np.zeros((1, 28, 28, 1), np.float32)); "
            "print(p.shape, 'tensorflow' in sys.modules, 'keras' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "(1, 11) False False"  # ten digits and "not a digit"


def test_a_missing_default_model_is_one_sentence(monkeypatch, tmp_path):
    monkeypatch.setattr(default_model, "resource_path", lambda name: tmp_path / name)
    with pytest.raises(ModelFileError) as error:
        default_model.open_quick()
    assert one_sentence(str(error.value)) and "make default-model" in str(error.value)
