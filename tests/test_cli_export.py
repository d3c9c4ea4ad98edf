"""``digitapp export`` as a user runs it: the export, its proof and manifest, and one clear
sentence (non-zero exit) for every request that cannot be done."""

import json
import os
import shutil
import subprocess
import sys

from digitapp.core import default_model
from tests.helpers import ROOT, one_sentence, run_cli


def _error(proc) -> str:
    lines = [line for line in proc.stderr.splitlines() if line.startswith("digitapp: error: ")]
    assert proc.returncode != 0 and len(lines) == 1, proc.stderr
    return lines[0].removeprefix("digitapp: error: ")


def test_export_writes_a_proven_onnx_file_and_its_manifest(cli_model, tmp_path):
    model = tmp_path / "digits.keras"
    shutil.copy(cli_model[0], model)
    shutil.copy(cli_model[0].with_name("digits.keras.json"), tmp_path / "digits.keras.json")
    proc = run_cli("export", model, "--format", "onnx", "--dataset", "mnist")
    assert proc.returncode == 0, proc.stderr
    out = tmp_path / "digits.onnx"  # beside the model by default
    assert out.exists() and "agreement 100.00% on 1,000 images" in proc.stdout
    assert "ms per image" in proc.stdout and "Traceback" not in proc.stderr and "Warning" not in proc.stderr
    manifest = json.loads((tmp_path / "digits.onnx.manifest.json").read_text(encoding="utf-8"))
    assert manifest["proof"]["passed"] and manifest["format"] == "onnx"


def test_an_h5_export_opens_in_the_app_again(cli_model, tmp_path, mnist_small_npz):
    out = tmp_path / "cnn_model.h5"
    proc = run_cli("export", cli_model[0], "--format", "h5", "--data", mnist_small_npz, "--out", out)
    assert proc.returncode == 0, proc.stderr
    again = run_cli("evaluate", out, "--data", mnist_small_npz)
    assert again.returncode == 0 and "test accuracy" in again.stdout, again.stderr


def test_without_proof_images_it_asks_for_them(cli_model, tmp_path):
    message = _error(run_cli("export", cli_model[0], "--format", "litert", "--out", tmp_path / "m.tflite"))
    assert one_sentence(message) and "--dataset or --data" in message
    assert not (tmp_path / "m.tflite").exists()


def test_impossible_requests_get_one_sentence(cli_model, tmp_path):
    cases = [
        (("--format", "savedmodel", "--quantize"), "onnx or litert only"),
        (("--format", "onnx", "--out", cli_model[0]), "the model itself"),
        (("--format", "onnx", "--out", tmp_path / "no such folder" / "m.onnx"), "does not exist"),
    ]
    for extra, expected in cases:
        message = _error(run_cli("export", cli_model[0], "--dataset", "mnist", *extra))
        assert one_sentence(message) and expected in message, message
    missing = _error(run_cli("export", tmp_path / "nothing.keras", "--format", "onnx", "--dataset", "mnist"))
    assert one_sentence(missing)


def test_exporting_the_bundled_model_writes_to_the_current_folder(tmp_path):
    before = default_model.onnx_path().read_bytes()
    proc = subprocess.run([sys.executable, "-m", "digitapp", "export", "default", "--format", "onnx"],
                          capture_output=True, text=True, timeout=300, cwd=tmp_path,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "default-model.onnx").exists() and default_model.onnx_path().read_bytes() == before
