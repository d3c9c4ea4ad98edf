"""The export dialog with a real model: it writes and proves an export in a worker (the
window stays responsive), shows the proof's numbers, and says in one sentence why an export
could not be made."""

import pytest
from PySide6.QtWidgets import QWidget

from digitapp.core import workflow
from digitapp.gui.export_dialog import ExportDialog
from digitapp.gui.session import Run
from digitapp.gui.workers import Jobs
from tests.helpers import one_sentence


@pytest.fixture
def dialog(qtbot, cli_model, mnist_small):
    # Not handed to qtbot.addWidget: the export's job must end before its owner is deleted.
    owner = QWidget()
    jobs = Jobs(owner)
    run = Run(1, workflow.open_model(cli_model[0]), "opened")
    dialog = ExportDialog(owner, run, mnist_small, jobs, str(cli_model[0].parent))
    yield dialog
    qtbot.waitUntil(lambda: not jobs.busy(), timeout=60_000)
    owner.deleteLater()


def test_an_export_is_written_proven_and_its_numbers_shown(qtbot, dialog, tmp_path):
    out = tmp_path / "digits.tflite"
    dialog.choose("litert", str(out))
    steps = []
    dialog._steps.step.connect(steps.append)
    with qtbot.waitSignal(dialog.exported, timeout=120_000) as exported:
        dialog.export_button.click()
        assert dialog.is_busy() and not dialog.export_button.isEnabled()
    proof = exported.args[0]
    assert out.exists() and proof.passed and proof.format == "litert"
    assert "Proven equal" in dialog.result.text() and "agreement 100.00%" in dialog.result.text()
    assert len(steps) == 3 and not dialog.is_busy() and dialog.export_button.isEnabled()


def test_the_format_sets_the_file_name_and_what_can_be_quantized(dialog):
    dialog.choose("onnx")
    assert dialog.path_edit.text().endswith(".onnx") and dialog.quantize.isEnabled()
    dialog.choose("savedmodel")
    assert dialog.path_edit.text().endswith("_savedmodel") and not dialog.quantize.isEnabled()
    dialog.choose("h5")
    assert dialog.path_edit.text().endswith(".h5") and not dialog.path_edit.text().endswith("_savedmodel.h5")


def test_an_export_that_cannot_be_written_says_why(qtbot, dialog, tmp_path):
    dialog.choose("onnx", str(tmp_path / "no such folder" / "m.onnx"))
    with qtbot.waitSignal(dialog.ended, timeout=60_000):
        dialog.export_button.click()
    message = dialog.result.text().removeprefix("Not exported: ")
    assert dialog.result.text().startswith("Not exported: ") and one_sentence(message)
    assert not dialog.is_busy()


def test_without_a_dataset_there_is_nothing_to_prove_on(qtbot, cli_model):
    owner = QWidget()
    qtbot.addWidget(owner)
    run = Run(1, workflow.open_model(cli_model[0]), "opened")
    dialog = ExportDialog(owner, run, None, Jobs(owner), ".")
    assert not dialog.export_button.isEnabled() and "no dataset loaded" in dialog.proof_note.text()


def test_int8_is_exported_when_asked(qtbot, dialog, tmp_path):
    dialog.choose("onnx", str(tmp_path / "small.onnx"), quantize=True)
    with qtbot.waitSignal(dialog.ended, timeout=120_000):
        dialog.export_button.click()
    assert "onnx int8:" in dialog.result.text()


def test_the_models_own_file_is_never_exported_over(qtbot, dialog, tmp_path):
    own = tmp_path / "cnn_model.h5"
    own.write_bytes(b"the user's classic model")
    dialog._run.saved_to = own
    dialog.choose("h5", str(own))
    dialog.export_button.click()
    assert "is the model's own file" in dialog.result.text() and not dialog.is_busy()
    assert own.read_bytes() == b"the user's classic model"
