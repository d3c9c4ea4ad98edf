"""Every kind of bad or unusual image file gives a correct prediction or one clear
sentence — through the core and the CLI (the corpus is written by tests/helpers.py; the
GUI's turn is in tests/gui/test_robustness.py)."""

import json

import numpy as np
import pytest

from digitapp.core import preprocessing
from digitapp.core.errors import ImageError
from digitapp.core.prediction import Prediction, Predictor
from tests.helpers import DIGIT, EITHER, ERROR, one_sentence, run_cli

SHAPE = (28, 28, 1)


@pytest.fixture(scope="module")
def predictor(trained, mnist_small):
    model, _ = trained
    return Predictor(model, SHAPE, mnist_small.class_names, "digit")


def check(case, result, reference: np.ndarray, reference_label: str) -> str | None:
    """Why ``result`` is wrong for ``case``, or None."""
    if case.expect == ERROR:
        if not isinstance(result, ImageError):
            return f"expected a clear error, got {result!r}"
    elif case.expect == DIGIT:
        if not isinstance(result, Prediction):
            return f"expected a prediction, got {result!r}"
        similarity = np.corrcoef(result.model_input.ravel(), reference.ravel())[0, 1]
        if similarity < 0.6:
            return f"model input differs from the plain PNG's (correlation {similarity:.2f})"
        if result.name != reference_label:
            return f"predicted {result.name}, the plain PNG gives {reference_label}"
    elif not isinstance(result, (Prediction, ImageError)):
        return f"expected a prediction or a clear error, got {result!r}"
    if isinstance(result, Exception) and not one_sentence(str(result)):
        return f"not one clear sentence: {str(result)!r}"
    return None


def test_the_corpus_has_at_least_40_kinds(corpus):
    kinds = {case.kind for case in corpus}
    assert len(kinds) >= 40
    assert {c.expect for c in corpus} == {DIGIT, EITHER, ERROR}


def test_every_kind_through_the_core(corpus, predictor):
    plain = next(c for c in corpus if c.kind.startswith("plain PNG"))
    reference = preprocessing.prepare(plain.path, SHAPE, "digit")
    reference_label = predictor.predict(plain.path).name
    assert reference_label == "7"
    results = predictor.predict_files([c.path for c in corpus])
    problems = {c.kind: why for c, r in zip(corpus, results) if (why := check(c, r, reference, reference_label))}
    assert not problems


def test_blank_files_say_so_but_a_blank_drawing_is_just_empty(tmp_path):
    from PIL import Image

    Image.new("L", (50, 50), 255).save(tmp_path / "white.png")
    with pytest.raises(ImageError, match="white.png looks blank"):
        preprocessing.prepare(tmp_path / "white.png", SHAPE, "digit")
    assert not preprocessing.prepare(np.zeros((280, 280), np.uint8), SHAPE, "digit").any()


def test_every_kind_through_the_cli(corpus, cli_model):
    model, _, _ = cli_model
    files = [c for c in corpus if not c.path.is_dir()]  # a folder argument means "its images"
    proc = run_cli("predict", model, *[c.path for c in files], "--json")
    assert proc.returncode == 1  # some files failed
    assert "Traceback" not in proc.stderr
    rows = json.loads(proc.stdout)
    assert len(rows) == len(files)
    errors = [line for line in proc.stderr.splitlines() if line.startswith("digitapp: error: ")]
    for case, row in zip(files, rows):
        if case.expect == ERROR:
            assert "error" in row and one_sentence(row["error"]), case.kind
        elif case.expect == DIGIT:
            assert "label" in row, (case.kind, row)
    assert len(errors) == sum("error" in r for r in rows)
    # A folder named like an image is treated as a folder: a warning, not a crash.
    folder = next(c for c in corpus if c.path.is_dir())
    proc = run_cli("predict", model, folder.path)
    assert "contains no image files" in proc.stderr and "Traceback" not in proc.stderr
