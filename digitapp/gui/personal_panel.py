"""Your handwriting: corrections kept as personal samples, a gallery of them, and "Learn my
handwriting" — a fine-tune of the model in use that becomes a new run."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSize, Qt, QUrl, Signal, Slot
from PySide6.QtGui import QDesktopServices, QIcon, QPixmap
from PySide6.QtWidgets import QHBoxLayout, QLabel, QListWidget, QListWidgetItem, QPushButton, QVBoxLayout, QWidget

from digitapp.core import personal
from digitapp.core.errors import DigitAppError, user_message
from digitapp.gui.stable_label import StableLabel
from digitapp.gui.workers import Jobs

THUMB = 40  # pixels of a sample in the gallery
SHOWN = 300  # newest samples in the gallery (the folder may hold more)


class PersonalPanel(QWidget):
    """Samples of the user's own hand for the model in use, and the fine-tune.

    Signals:
        learned(object): a ``TrainedModel`` adapted to the samples (a new run).
        status(str): a line for the status bar.
        count_changed(int): how many samples there are now.
    """

    learned = Signal(object)
    status = Signal(str)
    count_changed = Signal(int)

    def __init__(self, jobs: Jobs, parent=None):
        super().__init__(parent)
        self._jobs = jobs
        self._trained = None
        self._folder: Path | None = None
        self.hint = QLabel("Wrong or unsure? Click the right class's bar (or press its key) to keep the drawing or "
                           "image as your sample: a PNG in a class sub-folder of the app's data folder. With five or "
                           "more, Learn my handwriting adapts a copy of the model to them in seconds.")
        self.hint.setWordWrap(True)
        self.gallery = QListWidget()
        self.gallery.setViewMode(QListWidget.IconMode)
        self.gallery.setIconSize(QSize(THUMB, THUMB))
        self.gallery.setResizeMode(QListWidget.Adjust)  # a grid that wraps to the pane's width
        self.gallery.setMovement(QListWidget.Static)
        self.gallery.setSelectionMode(QListWidget.ExtendedSelection)
        # The count, then what the last fine-tune did (two lines; all of it in the tooltip).
        self.count = StableLabel("", lines=2)
        self.delete_button = QPushButton("Delete")
        self.delete_button.setToolTip("Delete the selected samples' files")
        self.folder_button = QPushButton("Folder…")
        self.folder_button.setToolTip("Show the samples' folder: class sub-folders of PNG files")
        self.learn_button = QPushButton("Learn my handwriting")
        self._learning = False
        self._stop = False  # asked to stop learning (the window is closing)
        self._total_shown = 0  # samples in the folder (the gallery shows the newest SHOWN)
        buttons = QHBoxLayout()
        buttons.addWidget(self.count, 1)
        buttons.addWidget(self.delete_button)
        buttons.addWidget(self.folder_button)
        buttons.addWidget(self.learn_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.hint)
        layout.addWidget(self.gallery, 1)
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
        self._folder = personal.samples_dir(trained.info.class_names, getattr(trained.info, "dataset", ""))
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
        self.status.emit(f"Kept as your sample of {name} ({self._total_shown} samples; "
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
        self._learning, self._stop = True, False
        self.learn_button.setEnabled(False)
        self._show_result("learning (about 10 s)…")
        self._jobs.call(self._finetune, self._trained, self._folder, on_done=self._on_learned,
                        on_error=self._on_failed)

    def _finetune(self, trained, folder):
        from digitapp.core import workflow  # loaded already: the model in use is a Keras one

        return workflow.finetune_model(trained, folder, should_stop=self._stopping)

    def _stopping(self) -> bool:
        return self._stop

    def stop_learning(self) -> bool:
        """Ask a running fine-tune to stop after its batch; whether one is still running."""
        self._stop = self._learning
        return self._learning

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
            try:
                self._folder.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                self.status.emit(f"Cannot create {self._folder} ({exc.strerror or type(exc).__name__}).")
                return
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(self._folder)))

    def _samples(self) -> dict[str, list[Path]]:
        """The samples' files by class folder ({} when the folder cannot be read: said on the status bar)."""
        try:
            return personal.list_samples(self._folder) if self._folder else {}
        except OSError as exc:
            self.status.emit(f"Cannot read {self._folder} ({exc.strerror or type(exc).__name__}).")
            return {}

    def _can_learn(self) -> bool:
        # The bundled model's quick copy (no TensorFlow yet) cannot be trained.
        return (not self._learning and self._trained is not None and hasattr(self._trained, "model")
                and self._total_shown >= personal.MIN_SAMPLES)

    def _refresh(self) -> None:
        self.gallery.clear()
        files = sorted(((_modified(p), name, p) for name, paths in self._samples().items() for p in paths),
                       reverse=True)
        for _, name, path in files[:SHOWN]:
            item = QListWidgetItem(QIcon(QPixmap(str(path)).scaled(THUMB, THUMB, Qt.KeepAspectRatio,
                                                                   Qt.SmoothTransformation)), name)
            item.setData(Qt.UserRole, str(path))
            item.setToolTip(f"{name}: {path.name}")
            self.gallery.addItem(item)
        self._total_shown = len(files)
        self._show_result(self._result)
        self.count_changed.emit(len(files))

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
        needed = personal.MIN_SAMPLES - self._total_shown
        self.learn_button.setToolTip(
            f"Keep {needed} more sample{'s' * (needed != 1)} to learn from" if needed > 0 else
            "Fine-tune a copy of the model on your samples (a new run; the model in use stays as it is)")


def _modified(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:  # deleted meanwhile
        return 0.0
