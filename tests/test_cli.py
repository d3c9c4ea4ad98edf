"""The CLI end to end (subprocesses, as users run it) and its one-sentence errors."""

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from digitapp import cli
from tests.conftest import ROOT, digit_png, run_cli


def assert_one_sentence(stderr: str):
    lines = [line for line in stderr.strip().splitlines() if line.strip()]
    assert lines, "expected an error message"
    assert "Traceback" not in stderr
    assert all(line.startswith("digitapp: error: ") for line in lines[-1:])


def test_train_prints_epochs_saves_and_writes_metrics(cli_model):
    model, metrics, proc = cli_model
    assert "epoch 1:" in proc.stdout and "epoch 3:" in proc.stdout and "val_acc" in proc.stdout
    assert "test accuracy" in proc.stdout
    assert model.exists() and Path(str(model) + ".json").exists()
    data = json.loads(metrics.read_text())
    assert 0.5 < data["test_accuracy"] <= 1 and data["test_loss"] > 0 and data["train_seconds"] > 0
    assert len(data["history"]["val_accuracy"]) == 3
    assert len(data["confusion_matrix"]) == 10


def test_predict_folder_with_a_bad_image(cli_model, mnist_small, tmp_path):
    model, _, _ = cli_model
    for i in range(4):
        digit_png(mnist_small.x_test[i], tmp_path / f"digit{i}.png")
    (tmp_path / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\nnope")
    (tmp_path / "readme.txt").write_text("ignored: not an image")
    proc = run_cli("predict", model, tmp_path, "--json")
    assert proc.returncode == 1  # one file failed
    assert "broken.png" in proc.stderr and "Traceback" not in proc.stderr
    rows = json.loads(proc.stdout)
    good = [r for r in rows if "label" in r]
    assert [Path(r["file"]).name for r in good] == [f"digit{i}.png" for i in range(4)]
    assert all(set(r) == {"file", "label", "confidence", "probabilities"} for r in good)
    assert abs(sum(good[0]["probabilities"].values()) - 1) < 1e-3
    assert sum(r["label"] == str(mnist_small.y_test[i]) for i, r in enumerate(good)) >= 3


def test_evaluate(cli_model, mnist_small_npz, tmp_path):
    model, train_metrics, _ = cli_model
    out = tmp_path / "eval.json"
    proc = run_cli("evaluate", model, "--data", mnist_small_npz, "--metrics-json", out)
    assert proc.returncode == 0, proc.stderr
    assert "precision" in proc.stdout
    assert json.loads(out.read_text())["test_accuracy"] == pytest.approx(
        json.loads(train_metrics.read_text())["test_accuracy"], abs=1e-6)


def test_evaluate_on_mismatched_data(cli_model, tmp_path):
    model, _, _ = cli_model
    rgb = tmp_path / "rgb.npz"
    rng = np.random.default_rng(0)
    np.savez(rgb, x_train=rng.integers(0, 255, (8, 32, 32, 3), dtype=np.uint8), y_train=np.arange(8) % 2,
             x_test=rng.integers(0, 255, (4, 32, 32, 3), dtype=np.uint8), y_test=np.arange(4) % 2)
    assert cli.main(["evaluate", str(model), "--data", str(rgb)]) == 1


def test_corrupt_model(tmp_path, capsys):
    bad = tmp_path / "model.keras"
    bad.write_bytes(b"PK\x03\x04 not really")
    assert cli.main(["predict", str(bad), str(tmp_path)]) == 1
    assert_one_sentence(capsys.readouterr().err)


BAD_TRAIN = {
    "missing dataset": lambda d: ["--data", str(d / "missing.npz")],
    "corrupt npz": lambda d: ["--data", str(_write(d / "c.npz", b"garbage"))],
    "wrong shapes": lambda d: ["--data", str(_npz(d / "s.npz", x=np.zeros((4, 5)), y=np.zeros(4, int)))],
    "labels out of range": lambda d: ["--data", str(_npz(d / "l.npz", y=np.array([0, 1, 2, 99])))],
    "bad epochs": lambda d: ["--dataset", "mnist", "--epochs", "0"],
}


def _write(path, content):
    path.write_bytes(content)
    return path


def _npz(path, x=None, y=None):
    x = np.zeros((4, 28, 28), np.uint8) if x is None else x
    y = np.array([0, 1, 0, 1]) if y is None else y
    np.savez(path, x_train=x, y_train=y, x_test=x, y_test=y,
             class_names=np.array([str(i) for i in range(4)]))
    return path


@pytest.mark.parametrize("case", list(BAD_TRAIN))
def test_bad_training_input(case, tmp_path, capsys):
    code = cli.main(["train", *BAD_TRAIN[case](tmp_path), "--out", str(tmp_path / "m.keras")])
    assert code == 1
    assert_one_sentence(capsys.readouterr().err)
    assert not (tmp_path / "m.keras").exists()


def test_bad_output_path_fails_before_training(tmp_path, capsys):
    assert cli.main(["train", "--dataset", "mnist", "--out", str(tmp_path / "no" / "m.keras")]) == 1
    assert "does not exist" in capsys.readouterr().err
    assert cli.main(["train", "--dataset", "mnist", "--out", str(tmp_path / "m.pkl")]) == 1


def test_predict_missing_image(cli_model, tmp_path, capsys):
    model, _, _ = cli_model
    assert cli.main(["predict", str(model), str(tmp_path / "ghost.png")]) == 1
    err = capsys.readouterr().err
    assert "ghost.png does not exist" in err and "Traceback" not in err


def test_windowed_build_without_std_streams(cli_model, mnist_small_npz, tmp_path):
    """A windowed exe has sys.stdout/stderr = None: training (Keras output, warnings),
    predicting and errors must still work, and exit codes still tell the outcome."""
    model, _, _ = cli_model
    sample = ROOT / "resources" / "sample-digit.png"
    code = (
        "import sys; sys.stdout = None; sys.stderr = None\n"
        "from digitapp.cli import main\n"
        "codes = [main(['predict', sys.argv[1], sys.argv[2]]),\n"
        "         main(['predict', sys.argv[1], sys.argv[3]]),\n"
        "         main(['train', '--data', sys.argv[4], '--epochs', '1', '--out', sys.argv[5]])]\n"
        "open(sys.argv[6], 'w').write(repr(codes))\n"
    )
    result = tmp_path / "codes.txt"
    proc = subprocess.run([sys.executable, "-c", code, model, sample, tmp_path / "missing.png", mnist_small_npz,
                           tmp_path / "again.keras", result], capture_output=True, text=True, timeout=300,
                          cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert proc.returncode == 0, proc.stderr
    assert result.read_text() == "[0, 1, 0]"
    assert (tmp_path / "again.keras").exists()


def test_self_test_passes_without_std_streams(tmp_path):
    """The check the frozen build runs (window, TensorFlow, training, prediction, save and
    reopen), here as a windowed exe runs it: no stdout/stderr. The log tells the story."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "DIGITAPP_HOME": str(tmp_path)}
    code = ("import sys; sys.stdout = None; sys.stderr = None\n"
            "from digitapp.cli import main\nsys.exit(main(['--self-test']))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=600, env=env, cwd=ROOT)
    log = (tmp_path / "digitapp.log").read_text(encoding="utf-8")
    assert proc.returncode == 0, log + proc.stdout + proc.stderr
    assert "self-test passed" in log and "ok    training runs" in log


def test_self_test_fails_with_a_reason(tmp_path):
    """Without its bundled data the self-test must fail, say why, and exit non-zero."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "DIGITAPP_HOME": str(tmp_path),
           "DIGITAPP_RESOURCES": str(tmp_path / "nothing-here")}
    proc = subprocess.run([sys.executable, "-m", "digitapp", "--self-test"], capture_output=True, text=True,
                          timeout=600, env=env, cwd=ROOT)
    assert proc.returncode == 1
    assert "FAILED:" in proc.stdout and "Traceback" not in proc.stdout + proc.stderr


def test_model_with_code_needs_trust_code(tmp_path, capsys, mnist_small):
    from digitapp.core.tf import keras

    inputs = keras.Input((28, 28, 1))
    outputs = keras.layers.Dense(10, activation="softmax")(
        keras.layers.Flatten()(keras.layers.Lambda(lambda x: 1 - x)(inputs)))
    model = tmp_path / "mine.keras"
    keras.Model(inputs, outputs).save(model)
    image = digit_png(mnist_small.x_test[0], tmp_path / "seven.png")
    assert cli.main(["predict", str(model), str(image)]) == 1
    err = capsys.readouterr().err
    assert_one_sentence(err)
    assert "not loaded for safety. If you made it yourself, add --trust-code." in err
    assert cli.main(["predict", str(model), str(image), "--trust-code"]) == 0
    assert "seven.png:" in capsys.readouterr().out
