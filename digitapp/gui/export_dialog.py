"""File → Export model…: choose a format (and int8), where to write it, then watch the
export being written and proven in its own runtime; the proof's numbers stay on screen."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLayout,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from digitapp.core.config import EXPORT_FORMATS, EXPORT_PROOF_IMAGES, export_path, manifest_path
from digitapp.core.errors import user_message
from digitapp.gui.workers import Jobs

DIALOG_WIDTH = 620  # pixels: the format descriptions and a path fit without wrapping


class _Steps(QObject):
    """Carries the export's progress lines from the worker thread to the dialog."""

    step = Signal(str)


class ExportDialog(QDialog):
    """Exports one run's model.

    Signals:
        exported(object): the export was written and proven (its core ``ExportProof``).
        ended(): the export finished, passed or not, or failed.
    """

    exported = Signal(object)
    ended = Signal()

    def __init__(self, parent: QWidget, run, proof_dataset, jobs: Jobs, folder: str):
        """``proof_dataset``: the core ``Dataset`` whose test images prove the export (the
        run's own, or the one chosen in the Training tab); None leaves Export disabled."""
        super().__init__(parent)
        self.setWindowTitle(f"Export {run.name}")
        self._run = run
        self._dataset = proof_dataset
        self._jobs = jobs
        self._busy = False
        self._steps = _Steps(self)
        self._steps.step.connect(self._on_step)
        self.format_combo = QComboBox()
        for spec in EXPORT_FORMATS.values():
            self.format_combo.addItem(f"{spec.name} — {spec.description}", spec.name)
        self.quantize = QCheckBox("int8 (smaller, often faster; the accuracy drop is measured)")
        stem = Path(folder) / _stem(run)
        self._stem = stem
        self.path_edit = QLineEdit(str(export_path(stem.with_suffix(".keras"), "onnx")))
        browse = QPushButton("Browse…")
        where = QHBoxLayout()
        where.addWidget(self.path_edit, 1)
        where.addWidget(browse)
        form = QFormLayout()
        form.addRow("Format", self.format_combo)
        form.addRow("", self.quantize)
        form.addRow("Save as", where)
        source = proof_dataset.name if proof_dataset is not None else "no dataset loaded"
        self.proof_note = QLabel(f"Proof: the export and the model answer the first {EXPORT_PROOF_IMAGES:,} "
                                 f"test images of {source}; it must agree with the model.")
        self.proof_note.setWordWrap(True)
        self.progress = QProgressBar()
        self.progress.setRange(0, 0)  # busy: the steps have no known length
        self.progress.hide()
        self.result = QLabel("")
        self.result.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.Close)
        self.export_button = self.buttons.addButton("Export", QDialogButtonBox.AcceptRole)
        self.export_button.setEnabled(proof_dataset is not None)
        layout = QVBoxLayout(self)
        layout.setSizeConstraint(QLayout.SetMinimumSize)  # grows with the proof's lines, never cuts them
        layout.addLayout(form)
        layout.addWidget(self.proof_note)
        layout.addWidget(self.progress)
        layout.addWidget(self.result)
        layout.addWidget(self.buttons)
        self.format_combo.currentIndexChanged.connect(self._on_format_changed)
        browse.clicked.connect(self._on_browse)
        self.export_button.clicked.connect(self.start)
        self.buttons.rejected.connect(self.reject)
        self.setMinimumWidth(DIALOG_WIDTH)
        self.adjustSize()

    def choose(self, fmt: str, path: str | None = None, quantize: bool = False) -> None:
        """Set the form (as a user would): a format, where to write it, int8 or not."""
        self.format_combo.setCurrentIndex(list(EXPORT_FORMATS).index(fmt))
        if path is not None:
            self.path_edit.setText(path)
        self.quantize.setChecked(quantize)

    def fmt(self) -> str:
        return self.format_combo.currentData()

    def is_busy(self) -> bool:
        return self._busy

    @Slot()
    def start(self) -> None:
        """Write and prove the export off the GUI thread."""
        from digitapp.core import workflow

        if self._busy or self._dataset is None:
            return
        out = self.path_edit.text().strip()
        if not out:
            self._say("Choose where to save the export.")
            return
        kept = [p for p in (getattr(self._run, "saved_to", None), getattr(self._run, "autosave", None)) if p]
        if any(Path(out).resolve() == Path(p).resolve() for p in kept):
            self._say(f"Not exported: {Path(out).name} is the model's own file; choose another name.")
            return
        quantize = self.quantize.isChecked() and self.quantize.isEnabled()  # before busy disables it
        self._set_busy(True)
        self.result.setText("")
        self._jobs.call(workflow.export_model, self._run.trained, self.fmt(), out, self._dataset, quantize,
                        self._steps.step.emit, on_done=self._on_done, on_error=self._on_error)

    def reject(self) -> None:
        if not self._busy:  # the export runs to its end: a half-written file helps nobody
            super().reject()

    @Slot(int)
    def _on_format_changed(self, _index: int) -> None:
        spec = EXPORT_FORMATS[self.fmt()]
        self.quantize.setEnabled(spec.quantizable)
        current = Path(self.path_edit.text().strip() or str(self._stem))
        base = current.parent / _without_export_suffix(current.name)
        self.path_edit.setText(str(export_path(base.with_suffix(".keras"), self.fmt())))

    @Slot()
    def _on_browse(self) -> None:
        spec = EXPORT_FORMATS[self.fmt()]
        if spec.suffix:
            path, _ = QFileDialog.getSaveFileName(self, "Export as", self.path_edit.text(),
                                                  f"{spec.name} (*{spec.suffix})")
            if path and not path.endswith(spec.suffix):
                path += spec.suffix
        else:
            path = QFileDialog.getExistingDirectory(self, "Folder to hold the SavedModel", str(self._stem.parent))
            path = str(Path(path) / export_path(self._stem.with_suffix(".keras"), "savedmodel").name) if path else ""
        if path:
            self.path_edit.setText(path)

    def _say(self, text: str) -> None:
        """The result lines; the dialog grows to show them whole (wrapped labels do not make
        a layout's minimum size grow by themselves)."""
        self.result.setText(text)
        self.adjustSize()

    @Slot(str)
    def _on_step(self, text: str) -> None:
        self.progress.setFormat(text)
        self._say(text)

    def _on_done(self, proof) -> None:
        self._set_busy(False)
        verdict = "Proven equal to the model." if proof.passed else f"Not trusted: {proof.failure()}"
        self._say(f"{verdict}\n{proof.summary()}\nWritten: {proof.path} (and {manifest_path(proof.path).name})")
        if proof.passed:
            self.exported.emit(proof)
        self.ended.emit()

    def _on_error(self, error: Exception) -> None:
        self._set_busy(False)
        self._say(f"Not exported: {user_message(error)}")
        self.ended.emit()

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.progress.setVisible(busy)
        for widget in (self.export_button, self.format_combo, self.path_edit):
            widget.setEnabled(not busy)
        self.quantize.setEnabled(not busy and EXPORT_FORMATS[self.fmt()].quantizable)
        self.buttons.button(QDialogButtonBox.Close).setEnabled(not busy)


def _stem(run) -> str:
    saved = getattr(run, "saved_to", None)
    return Path(saved).stem if saved else run.name.lower().replace(" ", "-")


def _without_export_suffix(name: str) -> str:
    for spec in EXPORT_FORMATS.values():
        if spec.suffix and name.endswith(spec.suffix):
            return name[: -len(spec.suffix)]
    return name.removesuffix("_savedmodel")
