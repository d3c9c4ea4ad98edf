"""``digitapp finetune`` as a user runs it: a model learns a folder of personal samples and is
saved as a new file, and every folder or file that cannot be used gets one clear sentence."""

import json
import shutil

import pytest

from digitapp.core import personal
from tests.helpers import one_sentence, run_cli


def _error(proc) -> str:
    lines = [line for line in proc.stderr.splitlines() if line.startswith("digitapp: error: ")]
    assert proc.returncode != 0 and len(lines) == 1 and "Traceback" not in proc.stderr, proc.stderr
    return lines[0].removeprefix("digitapp: error: ")


@pytest.fixture(scope="module")
def samples(mnist, tmp_path_factory):
    """Six real MNIST test digits per class (beyond the small test set) as personal samples."""
    folder = tmp_path_factory.mktemp("mine")
    for label in range(10):
        for i in [i for i in range(1000, 3000) if mnist.y_test[i] == label][:6]:
            personal.save_sample(mnist.x_test[i, ..., 0], str(label), folder)
    return folder


def test_finetune_saves_a_new_model_and_reports_before_and_after(cli_model, samples, mnist_small_npz, tmp_path):
    out = tmp_path / "mine.keras"
    proc = run_cli("finetune", cli_model[0], "--data", samples, "--out", out, "--replay-data", mnist_small_npz)
    assert proc.returncode == 0, proc.stderr
    assert "learnt from 50 of 60 personal samples" in proc.stdout
    assert "your held-back samples:" in proc.stdout and "(10 images)" in proc.stdout
    assert "test accuracy" in proc.stdout and f"saved {out}" in proc.stdout
    sidecar = json.loads(out.with_name("mine.keras.json").read_text(encoding="utf-8"))
    assert sidecar["metrics"]["finetune"]["samples"] == 60
    again = run_cli("predict", out, samples / "7" / sorted(p.name for p in (samples / "7").iterdir())[0])
    assert again.returncode == 0 and "7" in again.stdout, again.stderr


def test_finetune_never_replaces_a_model(cli_model, samples, tmp_path):
    out = tmp_path / "taken.keras"
    shutil.copy(cli_model[0], out)
    message = _error(run_cli("finetune", cli_model[0], "--data", samples, "--out", out))
    assert one_sentence(message) and "already exists" in message


@pytest.mark.parametrize("case", ["missing", "a file", "strangers", "too few"])
def test_a_folder_that_cannot_be_learnt_from_gets_one_sentence(case, cli_model, mnist, mnist_small_npz, tmp_path):
    folder = tmp_path / "samples"
    if case == "a file":
        folder.write_text("not a folder")
    if case == "strangers":
        (folder / "cats").mkdir(parents=True)
        personal.save_sample(mnist.x_test[0, ..., 0], "7", folder)
    if case == "too few":
        personal.save_sample(mnist.x_test[0, ..., 0], "7", folder)
    message = _error(run_cli("finetune", cli_model[0], "--data", folder, "--out", tmp_path / "new.keras",
                             "--replay-data", mnist_small_npz))
    assert one_sentence(message), message
    expected = {"missing": "does not exist", "a file": "is not a folder", "strangers": "cats",
                "too few": "Too few personal samples"}[case]
    assert expected in message and not (tmp_path / "new.keras").exists()


def test_a_model_of_unknown_data_asks_for_it_to_replay(cli_model, samples, tmp_path):
    message = _error(run_cli("finetune", cli_model[0], "--data", samples, "--out", tmp_path / "new.keras"))
    assert one_sentence(message) and "replay" in message
