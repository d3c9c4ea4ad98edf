"""Your handwriting: corrections kept as personal samples, a gallery of them, and "Learn my
handwriting" — a fine-tune of the model in use that becomes a new run."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSize, Qt, QUrl, Signal, Slot
from PySide6.QtGui import QDesktopServices, QIcon, QPixmap
from PySide6.QtWidgets import QGroupBox, QHBoxLayout, QListWidget, QListWidgetItem, QPushButton, QVBoxLayout

from digitapp.core import personal
from digitapp.core.errors import DigitAppError, user_message
from digitapp.gui.stable_label import StableLabel
from digitapp.gui.workers import Jobs

THUMB = 28  # pixels of a sample in the gallery
SHOWN = 300  # newest samples in the gallery (the folder may hold more)


class PersonalPanel(QGroupBox):
    """Samples of the user's own hand for the model in use, and the fine-tune.

    Signals:
        learned(object): a ``TrainedModel`` adapted to the samples (a new run).
        status(str): a line for the status bar.
    """

    learned = Signal(object)
    status = Signal(str)

    def __init__(self, jobs: Jobs, parent=None):
        super().__init__("Your handwriting: wrong or unsure? Click the right bar, or press its key", parent)
        self._jobs = jobs
        self._trained = None
        self._folder: Path | None = None
        self.setToolTip("A click on a class's bar (or its digit key) keeps the image on show as your sample of "
                        "that class: a PNG file in a class sub-folder of the app's data folder, to look at, back "
                        "up or delete like any file.")
        self.gallery = QListWidget()
        self.gallery.setViewMode(QListWidget.IconMode)
        self.gallery.setIconSize(QSize(THUMB, THUMB))
        self.gallery.setFlow(QListWidget.LeftToRight)
        self.gallery.setWrapping(False)
        self.gallery.setFixedHeight(THUMB + 26)
        self.gallery.setSelectionMode(QListWidget.ExtendedSelection)
        # The count, then what the last fine-tune did (two lines; all of it in the tooltip).
        self.count = StableLabel("", lines=2)
        self.delete_button = QPushButton("Delete")
        self.delete_button.setToolTip("Delete the selected samples' files")
        self.folder_button = QPushButton("Folder…")
        self.folder_button.setToolTip("Show the samples' folder: class sub-folders of PNG files")
        self.learn_button = QPushButton("Learn my handwriting")
        self._learning = False
        self._total_shown = 0
        buttons = QHBoxLayout()
        buttons.addWidget(self.count, 1)
        buttons.addWidget(self.delete_button)
        buttons.addWidget(self.folder_button)
        buttons.addWidget(self.learn_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.gallery)
        layout.addLayout(buttons)
        self._result = ""
        self.delete_button.clicked.connect(self.delete_selected)
        self.folder_button.clicked.connect(self._show_folder)
        self.learn_button.clicked.connect(self.learn)
        self.gallery.itemSelectionChanged.connect(self._update_buttons)
        self._refresh()

    def set_model(self, trained) -> None:
        """The model corrections are for: its classes name the sub-folders; digit models share one folder."""
        self._trained = trained
        self._folder = personal.samples_dir(trained.info.class_names, trained.info.dataset)
        self._refresh()

    def folder(self) -> Path | None:
        return self._folder

    def keep(self, image, index: int) -> Path | None:
        """Keep ``image`` (a drawing's array or an opened file's image) as a sample of class ``index``."""
        if self._trained is None:
            return None
        name = self._trained.info.class_names[index]
        try:
            path = personal.save_sample(image, name, self._folder)
        except DigitAppError as exc:
            self.status.emit(str(exc))
            return None
        self._refresh()
        self.status.emit(f"Kept as your sample of {name} ({self._total()} samples; "
                         "Learn my handwriting uses them).")
        return path

    @Slot()
    def delete_selected(self) -> None:
        for item in self.gallery.selectedItems():
            try:
                personal.delete_sample(item.data(Qt.UserRole))
            except DigitAppError as exc:
                self.status.emit(str(exc))
        self._refresh()

    @Slot()
    def learn(self) -> None:
        """Fine-tune the model in use on the samples, off the GUI thread."""
        if not self._can_learn():
            return
        from digitapp.core import workflow

        self._learning = True
        self.learn_button.setEnabled(False)
        self._show_result("learning (about 10–20 s)…")
        self._jobs.call(workflow.finetune_model, self._trained, self._folder, on_done=self._on_learned,
                        on_error=self._on_failed)

    def _on_learned(self, tuned) -> None:
        self._learning = False
        report = tuned.info.metrics["finetune"]
        mine = (f"held back {report['personal_before']:.0%} → {report['personal_after']:.0%}, "
                if report["held_out"] else "")
        self._show_result(f"learnt {report['learnt']}: {mine}test {report['test_before']:.2%} → "
                          f"{report['test_after']:.2%} (a new run, in use)")
        self._update_buttons()
        self.learned.emit(tuned)

    def _on_failed(self, error: Exception) -> None:
        self._learning = False
        self._show_result(user_message(error))
        self.status.emit(user_message(error))  # the whole sentence, where there is room for it
        self._update_buttons()

    @Slot()
    def _show_folder(self) -> None:
        if self._folder is not None:
            self._folder.mkdir(parents=True, exist_ok=True)
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(self._folder)))

    def _total(self) -> int:
        return sum(map(len, personal.list_samples(self._folder).values())) if self._folder else 0

    def _can_learn(self) -> bool:
        # The bundled model's quick copy (no TensorFlow yet) cannot be trained.
        return (not self._learning and self._trained is not None and hasattr(self._trained, "model")
                and self._total() >= personal.MIN_SAMPLES)

    def _refresh(self) -> None:
        self.gallery.clear()
        found = personal.list_samples(self._folder) if self._folder else {}
        files = sorted(((p.stat().st_mtime, name, p) for name, paths in found.items() for p in paths), reverse=True)
        for _, name, path in files[:SHOWN]:
            item = QListWidgetItem(QIcon(QPixmap(str(path)).scaled(THUMB, THUMB, Qt.KeepAspectRatio,
                                                                   Qt.SmoothTransformation)), name)
            item.setData(Qt.UserRole, str(path))
            item.setToolTip(f"{name}: {path.name}")
            self.gallery.addItem(item)
        self._total_shown = len(files)
        self._show_result(self._result)

    def result(self) -> str:
        """What the last fine-tune did, or why it could not (empty before the first)."""
        return self._result

    def _show_result(self, text: str) -> None:
        self._result = text
        total = self._total_shown
        count = f"{total} sample{'s' * (total != 1)}" if total else "No samples yet"
        self.count.setText(f"{count} · {text}" if text else count)
        self._update_buttons()

    @Slot()
    def _update_buttons(self) -> None:
        self.delete_button.setEnabled(bool(self.gallery.selectedItems()))
        self.learn_button.setEnabled(self._can_learn())
        needed = personal.MIN_SAMPLES - self._total()
        self.learn_button.setToolTip(
            f"Keep {needed} more sample{'s' * (needed != 1)} to learn from" if needed > 0 else
            "Fine-tune a copy of the model on your samples (a new run; the model in use stays as it is)")
