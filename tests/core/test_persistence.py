"""Saving is atomic with a sidecar; loading is safe and accepts the classic .h5."""

import json
import os
import stat
from pathlib import Path

import numpy as np
import pytest

from digitapp.core import persistence
from digitapp.core.errors import ModelFileError, UnsafeModelError
from digitapp.core.prediction import Predictor
from digitapp.core.tf import keras
from tests.helpers import ROOT


def _info(ds, **extra):
    return persistence.ModelInfo(ds.input_shape, ds.class_names, ds.preprocessing, dataset=ds.name,
                                 architecture="fast", **extra)


def test_save_load_gives_identical_predictions(trained, mnist_small, tmp_path):
    model, result = trained
    path = persistence.save_model(model, tmp_path / "m.keras",
                                  _info(mnist_small, history=result.history, metrics={"test_accuracy": 0.9}))
    loaded, info = persistence.load_model(path)
    before = Predictor(model, info.input_shape, info.class_names, "digit").probabilities(mnist_small.x_test)
    after = Predictor(loaded, info.input_shape, info.class_names, "digit").probabilities(mnist_small.x_test)
    np.testing.assert_array_equal(before, after)
    assert info.class_names == mnist_small.class_names and info.preprocessing == "digit"
    assert info.history["val_accuracy"] == result.history["val_accuracy"]
    side = json.loads(persistence.sidecar_path(path).read_text())
    assert {"dataset", "class_names", "input_shape", "preprocessing", "history", "metrics",
            "versions", "saved"} <= set(side)
    assert side["versions"]["keras"].startswith("3.")
    assert not [p for p in tmp_path.iterdir() if ".tmp" in p.name]


def test_failed_save_keeps_the_previous_file(trained, mnist_small, tmp_path, monkeypatch):
    model, _ = trained
    path = persistence.save_model(model, tmp_path / "m.keras", _info(mnist_small))
    original = path.read_bytes()

    def dies_mid_write(self, target, *args, **kwargs):
        with open(target, "wb") as f:
            f.write(b"half a model")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(type(model), "save", dies_mid_write)
    with pytest.raises(ModelFileError, match="No space left on device"):
        persistence.save_model(model, path, _info(mnist_small))
    assert path.read_bytes() == original
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.keras", "m.keras.json"]


def test_classic_h5_without_sidecar(tmp_path):
    model = keras.Sequential([keras.Input((28, 28, 1)), keras.layers.Flatten(),
                              keras.layers.Dense(10, activation="softmax")])
    path = tmp_path / "cnn_model.h5"
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # Keras warns that HDF5 is legacy: that is the point here
        model.save(path)
    loaded, info = persistence.load_model(path)
    assert info.input_shape == (28, 28, 1) and info.class_names == [str(d) for d in range(10)]
    assert info.preprocessing == "digit"


def test_lambda_layer_is_refused_unless_trusted(tmp_path):
    inputs = keras.Input((28, 28, 1))
    outputs = keras.layers.Dense(10)(keras.layers.Flatten()(keras.layers.Lambda(lambda x: x * 2)(inputs)))
    original = keras.Model(inputs, outputs)
    path = tmp_path / "evil.keras"
    original.save(path)
    with pytest.raises(UnsafeModelError, match="contains custom code .* not loaded for safety"):
        persistence.load_model(path)
    # A file the user made themselves can be trusted explicitly; its code then runs.
    model, info = persistence.load_model(path, trust_code=True)
    assert info.input_shape == (28, 28, 1)
    x = np.random.default_rng(0).random((2, 28, 28, 1)).astype(np.float32)
    np.testing.assert_allclose(model(x), original(x), rtol=1e-5)


@pytest.mark.parametrize("name,content", [("junk.keras", b"not a zip"), ("empty.h5", b""),
                                          ("notes.txt", b"hello")])
def test_unreadable_model_files(tmp_path, name, content):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(ModelFileError) as info:
        persistence.load_model(path)
    assert name in str(info.value) and "\n" not in str(info.value)


@pytest.mark.parametrize("name,expected", [
    ("notes.keras", "notes.keras is not a Keras model file."),
    ("notes.h5", "notes.h5 is not a Keras model file (it is not in HDF5 format)."),
])
def test_a_text_file_named_like_a_model_is_not_a_model_file(tmp_path, name, expected):
    """Keras says "File not found" for a file that exists but is not a zip archive."""
    path = tmp_path / name
    path.write_text("remember the milk\n", encoding="utf-8")
    with pytest.raises(ModelFileError) as info:
        persistence.load_model(path)
    assert str(info.value) == expected


def test_a_zip_archive_without_a_model_is_not_a_model_file(mnist_small, tmp_path):
    from digitapp.core.datasets import save_npz

    path = tmp_path / "data.keras"
    save_npz(mnist_small, path.with_suffix(".npz"))
    path.with_suffix(".npz").rename(path)  # a dataset renamed .keras: a real zip archive
    with pytest.raises(ModelFileError, match=r"^data.keras is a zip archive but not a Keras model file\.$"):
        persistence.load_model(path)


@pytest.mark.skipif(os.name != "posix", reason="file modes and umask are POSIX")
def test_saved_files_honour_the_umask_like_any_document(trained, mnist_small, tmp_path):
    model, _ = trained
    previous = os.umask(0o022)
    try:
        path = persistence.save_model(model, tmp_path / "m.keras", _info(mnist_small))
        modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in (path, persistence.sidecar_path(path))}
        os.umask(0o077)
        persistence.save_model(model, path, _info(mnist_small))
        private = stat.S_IMODE(path.stat().st_mode)
    finally:
        os.umask(previous)
    assert modes == {"m.keras": 0o644, "m.keras.json": 0o644}  # mkstemp made them 0600
    assert private == 0o600  # a stricter umask is honoured as well


def test_truncated_model_file(trained, mnist_small, tmp_path):
    model, _ = trained
    path = persistence.save_model(model, tmp_path / "m.keras", _info(mnist_small))
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    with pytest.raises(ModelFileError, match="not a readable Keras model"):
        persistence.load_model(path)


def test_save_errors(trained, mnist_small, tmp_path):
    model, _ = trained
    with pytest.raises(ModelFileError, match="must end in .keras"):
        persistence.save_model(model, tmp_path / "m.pt", _info(mnist_small))
    with pytest.raises(ModelFileError, match="does not exist"):
        persistence.save_model(model, tmp_path / "nope" / "m.keras", _info(mnist_small))


def test_the_sidecar_sits_beside_the_model():
    assert persistence.sidecar_path("/models/m.keras") == Path("/models/m.keras.json")


def test_a_broken_sidecar_loses_the_history_not_the_model(trained, mnist_small, tmp_path):
    model, result = trained
    path = persistence.save_model(model, tmp_path / "m.keras", _info(mnist_small, history=result.history))
    side = persistence.sidecar_path(path)
    side.write_text("{not json", encoding="utf-8")
    _, info = persistence.load_model(path)
    assert info.history == {} and info.class_names == mnist_small.class_names and info.preprocessing == "digit"
    side.write_text(json.dumps({"class_names": ["a", "b"], "preprocessing": "sepia", "history": [1, 2],
                                "dataset": "Mine", "architecture": "fast"}), encoding="utf-8")
    _, info = persistence.load_model(path)
    assert info.class_names == [str(d) for d in range(10)]  # two names for ten outputs: not these
    assert (info.preprocessing, info.history, info.dataset) == ("digit", {}, "Mine")
    side.write_text(json.dumps({"class_names": list("abcdefghij"), "preprocessing": "gray"}), encoding="utf-8")
    _, info = persistence.load_model(path)
    assert info.class_names == list("abcdefghij") and info.preprocessing == "gray"


@pytest.mark.parametrize("layers,words", [
    ([keras.Input((10,)), keras.layers.Dense(3, activation="softmax")], "takes input \\(10,\\); expected images"),
    ([keras.Input((8, 8, 1)), keras.layers.Flatten(), keras.layers.Dense(1)], "outputs \\(1,\\); expected one score"),
])
def test_models_that_do_not_classify_images_are_refused(tmp_path, layers, words):
    path = tmp_path / "other.keras"
    keras.Sequential(layers).save(path)
    with pytest.raises(ModelFileError, match=words):
        persistence.load_model(path)


SAVE_FOREVER = """
import sys
from digitapp.core import persistence
model, info = persistence.load_model(sys.argv[1])
for n in range(1, 10**6):
    model.layers[-1].bias.assign(model.layers[-1].bias + 1.0)  # each save differs
    persistence.save_model(model, sys.argv[2], info)
    print(n, flush=True)
"""


@pytest.mark.skipif(not hasattr(__import__("signal"), "SIGKILL"), reason="needs kill -9 (POSIX)")
def test_a_save_killed_mid_write_leaves_the_old_or_the_new_model(trained, mnist_small, tmp_path):
    """kill -9 a process that saves over the same file in a loop, at random moments."""
    import random
    import subprocess
    import sys
    import time

    model, _ = trained
    source = persistence.save_model(model, tmp_path / "source.keras", _info(mnist_small))
    target = tmp_path / "target.keras"
    persistence.save_model(model, target, _info(mnist_small))
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    rng = random.Random(7)
    leftovers = 0
    for _ in range(3):
        child = subprocess.Popen([sys.executable, "-c", SAVE_FOREVER, str(source), str(target)],
                                 stdout=subprocess.PIPE, text=True, env=env)
        assert child.stdout.readline().strip() == "1", "the child never saved"
        time.sleep(rng.uniform(0.05, 0.6))
        child.kill()  # SIGKILL: no cleanup handlers run
        child.wait(timeout=30)
        child.stdout.close()
        loaded, info = persistence.load_model(target)  # never a corrupt file
        assert info.class_names == mnist_small.class_names
        assert loaded.predict(mnist_small.x_test[:4] / 255.0, verbose=0).shape == (4, 10)
        temporary = [p for p in tmp_path.iterdir() if ".tmp" in p.name]
        leftovers += bool(temporary)
        for p in temporary:  # as if the kill had happened two hours ago
            os.utime(p, (time.time() - 7200, time.time() - 7200))
    # The kills landed mid-write (a temporary file was left behind) at least once,
    # so the test exercised what it claims to.
    assert leftovers >= 1
    # The next save clears what killed saves left behind.
    persistence.save_model(model, target, _info(mnist_small))
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["source.keras", "source.keras.json", "target.keras", "target.keras.json"])


def test_a_keras_2_h5_from_the_classic_scripts_opens_and_reads_digits():
    """resources/cnn_model.h5 was written by Keras 2 (tf.keras before TensorFlow 2.16), as the classic
    scripts wrote theirs; Keras 3 reads that layout through a legacy path of its own."""
    import h5py

    from digitapp.core.resources import resource_path
    from digitapp.selftest import CLASSIC_H5, SAMPLE_LABEL

    path = resource_path(CLASSIC_H5)
    with h5py.File(path) as h5:
        assert str(h5.attrs["keras_version"]).startswith("2.")
    model, info = persistence.load_model(path)
    assert info.input_shape == (28, 28, 1) and info.class_names == [str(d) for d in range(10)]
    predictor = Predictor(model, info.input_shape, info.class_names, info.preprocessing)
    assert predictor.predict(resource_path("sample-digit.png")).name == SAMPLE_LABEL
