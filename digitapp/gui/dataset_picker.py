"""Choosing the data to train on: a built-in dataset or an imported one, loaded off the GUI
thread, summarised, with a strip of sample images. A built-in set that is not on this
computer is downloaded only after asking; a dataset that fails to load gives way to the last
one that worked (an import that fails is removed from the list)."""

from __future__ import annotations

import functools
import html

import numpy as np
from PySide6.QtCore import QSettings, Qt, Signal, Slot
from PySide6.QtWidgets import QComboBox, QFileDialog, QGroupBox, QLabel, QMessageBox, QVBoxLayout, QWidget

from digitapp.core import config, datasets
from digitapp.core.errors import user_message
from digitapp.gui.image_grid import ImageMosaic
from digitapp.gui.workers import Jobs

IMPORT_NPZ = "import-npz"
IMPORT_FOLDER = "import-folder"
IMPORTED = "path:"  # key prefix of an imported dataset; the rest is its path
SAMPLE_STRIP = 10
SAMPLES_HEIGHT = 62  # pixels: a line of captions over the images
ERROR_STYLE = "color:#b00"


class DatasetPicker(QGroupBox):
    """The Dataset box. Loaded datasets are kept, so switching back to one is instant.

    Choosing Fashion-MNIST or CIFAR-10 when no copy is on this computer asks before
    downloading (or offers the import instead). When a dataset fails to load, the reason is
    shown and the last dataset that loaded (at start-up: MNIST) is chosen again, so a broken
    choice is never remembered as the start-up dataset; a failed import leaves the list.

    Signals:
        dataset_changed(object): the chosen dataset is ready (a core ``Dataset``), or is not
            (None: it is loading or could not be loaded).
        status(str): a one-line message for the status bar (why a dataset failed to load).
        note(str): a remark about a dataset that was just loaded, for the training log.
    """

    dataset_changed = Signal(object)
    status = Signal(str)
    note = Signal(str)

    def __init__(self, jobs: Jobs, parent: QWidget | None = None):
        """Args:
            jobs: where datasets load: the owner's, so that waiting for the owner's jobs at
                shutdown covers these too (a download may still be running).
        """
        super().__init__("Dataset", parent)
        self._jobs = jobs
        self._datasets: dict[str, datasets.Dataset] = {}
        self._error: str | None = None
        self._good_key = config.BUNDLED_DATASET  # the dataset to go back to when one fails
        self._notice: str | None = None  # why the shown dataset is not the one chosen
        self.dataset_combo = QComboBox()
        for key, name in config.BUILTIN_DATASETS.items():
            self.dataset_combo.addItem(f"{name} (bundled)" if key == config.BUNDLED_DATASET else name, key)
        self.dataset_combo.insertSeparator(self.dataset_combo.count())
        self.dataset_combo.addItem("Import .npz file…", IMPORT_NPZ)
        self.dataset_combo.addItem("Import folder (IDX files, class folders, CIFAR batches)…", IMPORT_FOLDER)
        self.dataset_info = QLabel("Loading…")
        self.dataset_info.setTextFormat(Qt.RichText)  # always: names are escaped, errors are red
        self.dataset_info.setWordWrap(True)
        # Painted by Qt (a matplotlib strip cost the window ~0.3 s of importing at start-up).
        self.samples = ImageMosaic(columns=SAMPLE_STRIP, page_size=SAMPLE_STRIP)
        self.samples.setMinimumHeight(SAMPLES_HEIGHT)
        self.samples.setMaximumHeight(SAMPLES_HEIGHT)
        layout = QVBoxLayout(self)
        layout.addWidget(self.dataset_combo)
        layout.addWidget(self.dataset_info)
        layout.addWidget(self.samples)
        self._last_key = self.dataset_key()  # chosen again when an import dialog is cancelled
        self.dataset_combo.activated.connect(self._on_dataset_activated)

    # ------------------------------------------------------------ settings

    def restore(self, settings: QSettings) -> None:
        """Remembered imports and the last choice (see :meth:`save`), then load it."""
        for path in settings.value("imports", [], list) or []:
            self._add_import(str(path), select=False)
        key = settings.value("dataset", self.dataset_key())
        if self._needs_download(key):  # its copy is gone: never download at start-up unasked
            self._notice = f"{config.BUILTIN_DATASETS[key]} is no longer on this computer; choose it to download it."
            key = config.BUNDLED_DATASET
        self._select(key)
        self._load_selected()

    def save(self, settings: QSettings) -> None:
        combo = self.dataset_combo
        settings.setValue("dataset", self.dataset_key())
        settings.setValue("imports", [combo.itemData(i) for i in range(combo.count())
                                      if str(combo.itemData(i)).startswith(IMPORTED)])

    # ------------------------------------------------------------ datasets

    def dataset_key(self) -> str:
        """The chosen dataset: a built-in name, or ``path:`` and the path of an import."""
        return str(self.dataset_combo.currentData())

    def current_dataset(self) -> datasets.Dataset | None:
        """The chosen dataset if it is loaded, else None."""
        return self._datasets.get(self.dataset_key())

    def dataset_error(self) -> str | None:
        """Why the last dataset could not be loaded, or None."""
        return self._error

    def import_dataset(self, path: str) -> None:
        """Add an imported dataset (npz or folder) to the picker, select and load it."""
        self._notice = None
        self._add_import(path, select=True)
        self._load_selected()

    def add_loaded_dataset(self, key: str, dataset: datasets.Dataset) -> None:
        """Offer a dataset that is already in memory (scripts, benchmarks) and select it."""
        self._notice = None
        self._datasets[key] = dataset
        if self.dataset_combo.findData(key) < 0:
            self.dataset_combo.insertItem(len(config.BUILTIN_DATASETS), dataset.name, key)
        self._select(key)
        self._load_selected()

    def set_editable(self, editable: bool) -> None:
        """Lock the choice while a run uses the dataset."""
        self.dataset_combo.setEnabled(editable)

    def _select(self, key) -> None:
        index = self.dataset_combo.findData(key)
        if index >= 0:
            self.dataset_combo.setCurrentIndex(index)

    def _add_import(self, path: str, select: bool) -> None:
        key = path if path.startswith(IMPORTED) else IMPORTED + path
        if self.dataset_combo.findData(key) < 0:
            self.dataset_combo.insertItem(len(config.BUILTIN_DATASETS), f"Imported: {key[len(IMPORTED):]}", key)
        if select:
            self._select(key)

    @Slot(int)
    def _on_dataset_activated(self, index: int) -> None:
        key = self.dataset_combo.itemData(index)
        self._notice = None
        if key == IMPORT_NPZ:
            path, _ = QFileDialog.getOpenFileName(self, "Import dataset", "", "NumPy archive (*.npz)")
            self._finish_import(path)
        elif key == IMPORT_FOLDER:
            self._import_folder()
        elif self._needs_download(key):
            self._offer_download(key)
        else:
            self._load_selected()

    def _import_folder(self) -> None:
        self._finish_import(QFileDialog.getExistingDirectory(self, "Import dataset folder"))

    def _needs_download(self, key) -> bool:
        """True for a built-in set that is neither in memory nor on disk (a look at the disk only)."""
        return key in config.DOWNLOAD_SIZES_MB and key not in self._datasets and datasets.local_copy(key) is None

    def _offer_download(self, key: str) -> None:
        answer = self._ask_download(key)
        if answer == QMessageBox.Ok:
            self._load_selected(download=True)
            return
        self._select(self._last_key)  # Cancel, or import instead: the choice before stays until then
        if answer == QMessageBox.Open:
            self._import_folder()

    def _ask_download(self, key: str) -> QMessageBox.StandardButton:
        """Download (Ok), Import folder… (Open) or Cancel."""
        name = config.BUILTIN_DATASETS[key]
        box = QMessageBox(
            QMessageBox.Question, "Download dataset",
            f"{name} is not on this computer yet. Download it from the internet now "
            f"(about {config.DOWNLOAD_SIZES_MB[key]} MB, once)?",
            QMessageBox.Ok | QMessageBox.Open | QMessageBox.Cancel, self)
        box.setInformativeText(
            f"It is kept in {datasets.builtin.keras_cache()} for next time. If you already have a copy "
            "(IDX files or CIFAR batches in a folder), import that folder instead.")
        box.button(QMessageBox.Ok).setText("Download")
        box.button(QMessageBox.Open).setText("Import folder…")
        box.setDefaultButton(QMessageBox.Ok)
        return QMessageBox.StandardButton(box.exec())

    def _finish_import(self, path: str) -> None:
        if path:
            self.import_dataset(path)
        else:
            self._select(self._last_key)

    def _load_selected(self, download: bool = False) -> None:
        """Show the chosen dataset, loading it first if needed. ``download``: the user agreed
        to download a built-in set that is not on this computer."""
        key = self.dataset_key()
        self._last_key = key
        if key in self._datasets:
            self._show(self._datasets[key])
            return
        loading = (f"Downloading {config.BUILTIN_DATASETS[key]} (about {config.DOWNLOAD_SIZES_MB[key]} MB)…"
                   if download else "Loading…")
        self._set_info(loading)
        self.dataset_changed.emit(None)
        self._jobs.call(_load, key, download, on_done=self._on_loaded,
                        on_error=functools.partial(self._on_load_failed, key))

    def _on_loaded(self, loaded: tuple[str, datasets.Dataset]) -> None:
        key, dataset = loaded
        self._datasets[key] = dataset
        self._error = None
        if key == self.dataset_key():
            self._show(dataset)
        for remark in dataset.notes:
            self.note.emit(f"{dataset.name}: {remark}")

    def _on_load_failed(self, key: str, error: Exception) -> None:
        message = user_message(error)
        self._error = message
        self.status.emit(message)
        chosen = key == self.dataset_key()
        if key.startswith(IMPORTED):  # a moved or broken file: keep it neither listed nor remembered
            self.dataset_combo.removeItem(self.dataset_combo.findData(key))
            message = f"{message} It was removed from the list."
        if not chosen:  # the user has moved on to another dataset meanwhile
            return
        fallback = self._good_key if self._good_key != key else config.BUNDLED_DATASET
        if fallback == key:  # nothing to go back to (the bundled set itself failed)
            self._set_info(message, error=True)
            self._draw_samples(None)
            self.dataset_changed.emit(None)
        else:
            self._notice = message
            self._select(fallback)
            self._load_selected()

    def _set_info(self, text: str, error: bool = False) -> None:
        """The line under the choice, after the notice why another dataset is shown, if any."""
        lines = [f"<span style='{ERROR_STYLE}'>{html.escape(self._notice)}</span>"] if self._notice else []
        lines.append(f"<span style='{ERROR_STYLE}'>{html.escape(text)}</span>" if error else html.escape(text))
        self.dataset_info.setText("<br>".join(lines))

    def _show(self, dataset: datasets.Dataset) -> None:
        self._good_key = self.dataset_key()
        self._set_info(dataset.summary())
        self._draw_samples(dataset)
        self.dataset_changed.emit(dataset)

    def _draw_samples(self, dataset: datasets.Dataset | None) -> None:
        cells = []
        if dataset is not None:
            picks = np.random.default_rng(0).choice(len(dataset.x_train), SAMPLE_STRIP, replace=False)
            cells = [(dataset.x_train[i], dataset.class_names[dataset.y_train[i]], None) for i in picks]
        self.samples.set_cells(cells)

    def sample_captions(self) -> list[str]:
        """The names over the sample images on show."""
        return self.samples.captions()


def _load(key: str, download: bool) -> tuple[str, datasets.Dataset]:
    """Runs in a worker: the dataset with its key, so the result says which choice it is for."""
    return key, datasets.load_dataset(key[len(IMPORTED):] if key.startswith(IMPORTED) else key, download)
