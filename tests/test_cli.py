"""The CLI end to end (subprocesses, as users run it) and its one-sentence errors."""

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from digitapp import cli
from digitapp.core.errors import DatasetError
from tests.helpers import ROOT, digit_png, run_cli


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
    assert len(data["confusion_matrix"]) == 11 and "not a digit" in data["per_class"]  # digits + "not a digit"
    assert f"{data['non_digits_caught']:.1%} of " in proc.stdout and "of real digits rejected" in proc.stdout
    # Where it trained, said and recorded, with the batch in all: the one asked for, on one device.
    assert f"\ntraining on {data['trained_on']}\n" in proc.stdout and data["replicas"] == 1
    assert data["global_batch_size"] == data["config"]["batch_size"] == 32


def test_more_devices_than_the_computer_has_is_one_sentence(mnist_small_npz, tmp_path, capsys):
    out = tmp_path / "m.keras"
    assert cli.main(["train", "--data", str(mnist_small_npz), "--devices", "64", "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert_one_sentence(err)
    assert "device" in err and "so it cannot train on 64." in err
    assert not out.exists()


@pytest.mark.parametrize("text", ["0", "two", "-1"])
def test_devices_must_be_all_or_a_count(text, tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_:
        cli.main(["train", "--dataset", "mnist", "--devices", text, "--out", str(tmp_path / "m.keras")])
    assert exit_.value.code == 2
    assert f"give all, or a whole number of devices from 1 up, not {text!r}" in capsys.readouterr().err


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
    assert all(set(r) == {"file", "label", "confidence", "unsure", "not_a_digit", "answer", "probabilities"}
               for r in good)
    assert all(r["unsure"] == (r["confidence"] < 0.6 or r["not_a_digit"]) for r in good)
    assert all(r["label"] != "not a digit" and "not a digit" in r["probabilities"] for r in good)
    assert abs(sum(good[0]["probabilities"].values()) - 1) < 1e-3
    assert sum(r["label"] == str(mnist_small.y_test[i]) for i, r in enumerate(good)) >= 3


def test_evaluate(cli_model, mnist_small_npz, tmp_path):
    model, train_metrics, _ = cli_model
    out = tmp_path / "eval.json"
    proc = run_cli("evaluate", model, "--data", mnist_small_npz, "--metrics-json", out)
    assert proc.returncode == 0, proc.stderr
    assert "precision" in proc.stdout
    evaluated, trained = json.loads(out.read_text()), json.loads(train_metrics.read_text())
    for key in ("test_accuracy", "non_digits_caught", "digits_rejected"):  # the same held-out non-digits
        assert evaluated[key] == pytest.approx(trained[key], abs=1e-6)


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


def test_choices_and_defaults_come_from_config(capsys):
    from digitapp.core.config import BUILTIN_DATASETS, DEFAULT_MODEL, MODELS, OPTIMIZERS, TrainConfig

    parser = cli.build_parser()
    args = parser.parse_args(["train", "--dataset", "mnist", "--out", "m.keras"])
    assert (args.model, args.optimizer, args.seed) == (DEFAULT_MODEL, TrainConfig().optimizer, TrainConfig().seed)
    assert args.epochs is None and args.lr is None  # filled in per model by TrainConfig.for_model
    assert args.augment is None  # off unless asked for; --no-augment says so explicitly
    assert parser.parse_args(["train", "--dataset", "mnist", "--no-augment", "--out", "m.keras"]).augment is False
    for model in MODELS:
        assert parser.parse_args(["train", "--dataset", "mnist", "--model", model, "--out", "m.keras"]).model == model
    for dataset in BUILTIN_DATASETS:
        assert parser.parse_args(["evaluate", "m.keras", "--dataset", dataset]).dataset == dataset
    for bad in (["--dataset", "svhn"], ["--dataset", "mnist", "--model", "resnet"],
                ["--dataset", "mnist", "--optimizer", "lbfgs"]):
        with pytest.raises(SystemExit):
            parser.parse_args(["train", *bad, "--out", "m.keras"])
    assert f"{{{','.join(OPTIMIZERS)}}}" in capsys.readouterr().err  # the last refusal names the choices


class _Terminal:
    """A stream that says it is a terminal, as stderr is when a user watches."""

    def __init__(self):
        self.text = ""

    def isatty(self):
        return True

    def write(self, text):
        self.text += text

    def flush(self):
        pass


def test_progress_bar_on_a_terminal_and_a_line_per_epoch(capsys):
    terminal = _Terminal()
    printer = cli._ProgressPrinter(terminal)
    printer.batch({"epoch": 1, "epochs": 2, "batch": 5, "batches": 10, "loss": 0.5, "accuracy": 0.75,
                   "samples_per_second": 1234.0, "eta": 65.0})
    assert "epoch 1/2 " + "█" * 15 + "·" * 15 + " 5/10" in terminal.text
    assert "1,234 img/s" in terminal.text and "ETA 1:05" in terminal.text
    printer.epoch(1, {"loss": 0.5, "accuracy": 0.75, "seconds": 2.0})
    assert capsys.readouterr().out == "epoch 1: loss 0.5000  acc 0.7500  2.0 s\n"
    assert terminal.text.endswith("\r")  # the bar was cleared before the line
    quiet = _Terminal()
    quiet.isatty = lambda: False  # a log file or a pipe: lines only, no bar
    cli._ProgressPrinter(quiet).batch({})
    assert quiet.text == ""


def test_first_ctrl_c_asks_to_stop_the_second_aborts(capsys):
    import signal

    before = signal.getsignal(signal.SIGINT)
    with cli._StopOnInterrupt() as stop:
        assert not stop()
        signal.raise_signal(signal.SIGINT)
        assert stop()
        assert "stopping after this batch" in capsys.readouterr().err
        with pytest.raises(KeyboardInterrupt):
            signal.raise_signal(signal.SIGINT)
    assert signal.getsignal(signal.SIGINT) is before


def test_a_failed_save_keeps_the_work_in_the_temp_folder(monkeypatch, tmp_path, capsys):
    from digitapp.core import workflow
    from digitapp.core.errors import ModelFileError

    saved = []

    def save_model(trained, path):
        if path.parent == tmp_path:
            raise ModelFileError("Could not save m.keras: No space left on device.")
        saved.append(path)
        return path

    monkeypatch.setattr(workflow, "save_model", save_model)
    where = cli._save_keeping_work(object(), tmp_path / "m.keras")
    assert where == saved[0] and where.suffix == ".keras" and where.parent != tmp_path
    assert "No space left on device. Saved to" in capsys.readouterr().err

    def always_fails(trained, path):
        raise ModelFileError(f"Could not save {path.name}: read-only file system.")

    monkeypatch.setattr(workflow, "save_model", always_fails)
    with pytest.raises(ModelFileError, match="Could not save m.keras"):  # the first reason, not the fallback's
        cli._save_keeping_work(object(), tmp_path / "m.keras")


# ---------------------------------------------------------------- clear, true messages


def test_text_files_named_like_data_or_models_get_one_true_sentence(cli_model, mnist_small_npz, tmp_path, capsys):
    """numpy would advise loading a non-archive with allow_pickle; Keras says "File not found"
    for a file that exists."""
    model, _, _ = cli_model
    fake_data, fake_model = tmp_path / "notes.npz", tmp_path / "notes.keras"
    for fake in (fake_data, fake_model):
        fake.write_text("remember the milk\n", encoding="utf-8")
    image = ROOT / "resources" / "sample-digit.png"
    not_data, not_model = "notes.npz is not a NumPy .npz archive.", "notes.keras is not a Keras model file."
    runs = {
        "train": (["train", "--data", str(fake_data), "--out", str(tmp_path / "m.keras")], not_data),
        "evaluate data": (["evaluate", str(model), "--data", str(fake_data)], not_data),
        "predict": (["predict", str(fake_model), str(image)], not_model),
        "evaluate model": (["evaluate", str(fake_model), "--data", str(mnist_small_npz)], not_model),
    }
    for what, (argv, sentence) in runs.items():
        assert cli.main(argv) == 1, what
        assert capsys.readouterr().err == f"digitapp: error: {sentence}\n", what


def test_labels_of_a_single_class_are_refused_before_training(tmp_path, capsys):
    x = np.random.default_rng(0).integers(0, 256, (20, 28, 28), dtype=np.uint8)
    data = tmp_path / "all42.npz"
    np.savez(data, x_train=x, y_train=np.full(20, 42), x_test=x[:5], y_test=np.full(5, 42))
    assert cli.main(["train", "--data", str(data), "--out", str(tmp_path / "m.keras")]) == 1
    assert capsys.readouterr().err == ("digitapp: error: Every training image is labelled '42'; "
                                       "a classifier needs training images of at least two classes.\n")
    assert not (tmp_path / "m.keras").exists()


def test_class_gaps_are_printed_as_notes(cli_model, mnist_small, tmp_path, capsys):
    model, _, _ = cli_model
    data = tmp_path / "no_nines_to_test.npz"
    keep = mnist_small.y_test != 9
    np.savez(data, x_train=mnist_small.x_train, y_train=mnist_small.y_train,
             x_test=mnist_small.x_test[keep], y_test=mnist_small.y_test[keep])
    assert cli.main(["evaluate", str(model), "--data", str(data)]) == 0
    assert capsys.readouterr().err == (
        "note: No test images for 1 of 10 classes ('9'): the test accuracy says nothing about them.\n")


def test_settings_are_checked_before_the_dataset_loads(tmp_path, capsys, monkeypatch):
    """A typo in a setting is reported at once, not after a download or a long import."""
    loaded = []
    monkeypatch.setattr(cli, "load_dataset", loaded.append)
    assert cli.main(["train", "--dataset", "cifar10", "--lr", "-1", "--out", str(tmp_path / "m.keras")]) == 1
    assert capsys.readouterr().err == "digitapp: error: Learning rate must be between 0 and 10.\n"
    assert loaded == []


def test_a_missing_built_in_set_is_announced_before_it_downloads(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))  # nothing cached: CIFAR-10 would be downloaded
    downloads = []

    def no_network(name):
        downloads.append(name)
        raise DatasetError("CIFAR-10 could not be downloaded (test).")

    monkeypatch.setattr("digitapp.core.datasets.builtin.download_builtin", no_network)
    assert cli.main(["train", "--dataset", "cifar10", "--out", str(tmp_path / "m.keras")]) == 1
    assert downloads == ["cifar10"]
    assert capsys.readouterr().err.splitlines() == [
        "downloading CIFAR-10 (about 170 MB, once: it is kept in Keras' cache)…",
        "digitapp: error: CIFAR-10 could not be downloaded (test).",
    ]


@pytest.mark.skipif(os.name != "posix", reason="sends SIGINT to a child process")
def test_ctrl_c_saves_what_was_learned_and_exits_130(mnist_small_npz, tmp_path):
    import signal
    import time

    out = tmp_path / "stopped.keras"
    child = subprocess.Popen(
        [sys.executable, "-m", "digitapp", "train", "--data", str(mnist_small_npz), "--epochs", "500",
         "--batch-size", "32", "--out", str(out)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)})
    deadline = time.monotonic() + 240
    lines = []
    while not any(line.startswith("epoch 1:") for line in lines):  # training is under way
        line = child.stdout.readline()
        assert line and time.monotonic() < deadline, f"training never started: {child.stderr.read()}"
        lines.append(line)
    child.send_signal(signal.SIGINT)
    stdout, stderr = child.communicate(timeout=120)
    assert child.returncode == 130, stderr
    assert "stopping after this batch" in stderr and "Traceback" not in stderr
    assert "stopped during epoch" in stdout and f"saved {out}" in stdout
    assert out.exists() and Path(str(out) + ".json").exists()


def test_predict_with_the_bundled_default_model(mnist, tmp_path):
    scan = digit_png(mnist.x_test[0], tmp_path / "seven.png")
    proc = run_cli("predict", "default", scan, "--json")
    assert proc.returncode == 0, proc.stderr
    (row,) = json.loads(proc.stdout)
    assert row["label"] == "7" and row["confidence"] > 0.9


def test_version_and_verbose_version(capsys):
    from importlib import metadata

    from digitapp import __version__

    assert cli.main(["--version"]) == 0
    assert capsys.readouterr().out == f"digitapp {__version__}\n"
    assert cli.main(["--version", "--verbose"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == f"digitapp {__version__} (from source)" and lines[1].startswith("Python ")
    assert f"tensorflow=={metadata.version('tensorflow')}" in lines
    assert f"onnxruntime=={metadata.version('onnxruntime')}" in lines


def test_a_model_file_alone_opens_the_app_with_it(monkeypatch, tmp_path):
    """What a double-click on a .keras file runs (the installer's association): `DigitApp FILE`."""
    from digitapp.gui import app, display

    opened = []
    monkeypatch.setattr(display, "display_problem", lambda: None)
    monkeypatch.setattr(app, "run", lambda **kwargs: opened.append(kwargs) or 0)
    path = str(tmp_path / "Łukasz's digits.KERAS")
    assert cli.main([path]) == 0
    assert opened == [{"model_path": path}]
