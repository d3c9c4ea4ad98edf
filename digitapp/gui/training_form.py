"""What to train: the model (with its size and summary) and the training settings."""

from __future__ import annotations

from PySide6.QtCore import QSettings, Qt, Slot
from PySide6.QtGui import QFontDatabase, QFontMetrics, QTextDocument
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from digitapp.core import config
from digitapp.gui.workers import Jobs

# The type to ask a settings file for, per kind of widget: an INI file gives back only text.
_VALUE_TYPES = ((QCheckBox, bool), (QSpinBox, int), (QDoubleSpinBox, float), (QComboBox, str))
# The model list's long descriptions may be cut: they must not widen the window.
MODEL_COMBO_CHARACTERS = 24
SCREEN_SHARE = 0.85  # the summary dialog grows with its text up to this share of the screen


class TrainingForm(QWidget):
    """The Model box (architecture, parameter count, Summary…) and the Training settings
    box; ``config()`` turns them into a core ``TrainConfig``."""

    def __init__(self, jobs: Jobs, parent: QWidget | None = None):
        """Args:
            jobs: where model summaries are built: the owner's, so that waiting for the
                owner's jobs at shutdown covers these too.
        """
        super().__init__(parent)
        self._jobs = jobs
        self._backend_ready = False
        self._dataset = None  # the core Dataset a new model is described for
        self._summary = "Available once TensorFlow has loaded."
        self.model_combo = QComboBox()
        self.model_combo.setSizeAdjustPolicy(QComboBox.AdjustToMinimumContentsLengthWithIcon)
        self.model_combo.setMinimumContentsLength(MODEL_COMBO_CHARACTERS)
        for spec in config.MODELS.values():
            self.model_combo.addItem(f"{spec.name} — {spec.description}", spec.name)
            self.model_combo.setItemData(self.model_combo.count() - 1, spec.description, Qt.ToolTipRole)
        self._summary_dialog: SummaryDialog | None = None
        # The presets pick a model and its recipe; another model in the list checks neither.
        self.presets = QButtonGroup(self)
        preset_row = QHBoxLayout()
        # A button's id is its preset's place in config.PRESETS (its text may gain an accelerator "&").
        for index, (name, model) in enumerate(config.PRESETS.items()):
            button = QRadioButton(name)
            button.setToolTip(config.model_spec(model).description)
            self.presets.addButton(button, index)
            preset_row.addWidget(button)
        preset_row.addStretch(1)
        self.model_info = QLabel("")
        self.summary_button = QPushButton("Summary…")
        model_box = QGroupBox("Model")
        model_layout = QVBoxLayout(model_box)
        model_layout.addLayout(preset_row)
        model_layout.addWidget(self.model_combo)
        row = QHBoxLayout()
        row.addWidget(self.model_info, 1)
        row.addWidget(self.summary_button)
        model_layout.addLayout(row)

        self.epochs = QSpinBox(minimum=1, maximum=1000)
        self.batch_size = QSpinBox(minimum=1, maximum=8192)
        self.learning_rate = QDoubleSpinBox(minimum=0.00001, maximum=1.0, decimals=5, singleStep=0.0005)
        self.optimizer = _combo(config.OPTIMIZERS)
        self.schedule = _combo(config.SCHEDULES)
        self.validation = QDoubleSpinBox(minimum=0.0, maximum=0.5, decimals=2, singleStep=0.05,
                                         value=config.TrainConfig().validation_fraction)
        self.augment = QCheckBox("Augment (random variations of the training images)")
        self.early_stopping = QCheckBox("Stop early when validation loss stops improving")
        self.defaults_button = QPushButton("Model defaults")
        params_box = QGroupBox("Training settings")
        form = QFormLayout(params_box)
        form.addRow("Epochs", self.epochs)
        form.addRow("Batch size", self.batch_size)
        form.addRow("Learning rate", self.learning_rate)
        form.addRow("Optimizer", self.optimizer)
        form.addRow("Schedule", self.schedule)
        form.addRow("Validation share", self.validation)
        form.addRow(self.augment)
        form.addRow(self.early_stopping)
        form.addRow(self.defaults_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(model_box)
        layout.addWidget(params_box)

        # Settings-file key of each setting. The model comes first: choosing one resets the
        # rest to its recipe, which the saved values then override.
        self._settings = (
            ("model", self.model_combo), ("epochs", self.epochs), ("batch_size", self.batch_size),
            ("learning_rate", self.learning_rate), ("optimizer", self.optimizer), ("schedule", self.schedule),
            ("validation", self.validation), ("augment", self.augment), ("early_stopping", self.early_stopping),
        )
        _set_value(self.model_combo, config.DEFAULT_MODEL)
        self.apply_model_defaults()
        self._show_preset()
        self.model_combo.currentIndexChanged.connect(self._on_model_changed)
        self.presets.idClicked.connect(self._on_preset_clicked)
        self.defaults_button.clicked.connect(self._on_defaults_clicked)
        self.summary_button.clicked.connect(self._on_summary_clicked)
        self.summary_button.setEnabled(False)

    # ------------------------------------------------------------ settings

    def restore(self, settings: QSettings) -> None:
        """Read every setting saved by :meth:`save`; missing ones keep their value."""
        for key, widget in self._settings:
            _set_value(widget, settings.value(key, _value(widget), _value_type(widget)))

    def save(self, settings: QSettings) -> None:
        for key, widget in self._settings:
            settings.setValue(key, _value(widget))

    def architecture(self) -> str:
        """The name of the chosen model."""
        return self.model_combo.currentData()

    def config(self) -> config.TrainConfig:
        """The settings as a core ``TrainConfig`` (not yet checked)."""
        return config.TrainConfig(
            epochs=self.epochs.value(), batch_size=self.batch_size.value(),
            learning_rate=self.learning_rate.value(), optimizer=self.optimizer.currentData(),
            schedule=self.schedule.currentData(), augment=self.augment.isChecked(),
            early_stopping=self.early_stopping.isChecked(), validation_fraction=self.validation.value(),
        )

    def apply_model_defaults(self) -> None:
        """Set epochs, batch size, learning rate, optimizer and schedule to the chosen
        model's recipe."""
        recipe = config.TrainConfig.for_model(self.architecture())
        self.epochs.setValue(recipe.epochs)
        self.batch_size.setValue(recipe.batch_size)
        self.learning_rate.setValue(recipe.learning_rate)
        _set_value(self.optimizer, recipe.optimizer)
        _set_value(self.schedule, recipe.schedule)
        self.augment.setChecked(recipe.augment)

    def preset(self) -> str | None:
        """The preset whose model is chosen (None for another model)."""
        index = self.presets.checkedId()
        return None if index < 0 else list(config.PRESETS)[index]

    def _show_preset(self) -> None:
        models = list(config.PRESETS.values())
        if self.architecture() in models:
            self.presets.button(models.index(self.architecture())).setChecked(True)
        elif self.presets.checkedButton() is not None:
            self.presets.setExclusive(False)  # an exclusive group cannot uncheck its last button
            self.presets.checkedButton().setChecked(False)
            self.presets.setExclusive(True)

    def set_editable(self, editable: bool) -> None:
        """Lock the choices while a run uses them (the summary stays available)."""
        for _, widget in self._settings:
            widget.setEnabled(editable)
        for button in self.presets.buttons():
            button.setEnabled(editable)
        self.defaults_button.setEnabled(editable)

    # ------------------------------------------------------------ model info

    def set_backend_ready(self) -> None:
        """TensorFlow is imported: model sizes and summaries become available."""
        self._backend_ready = True
        self.summary_button.setEnabled(True)
        self._update_model_info()

    def set_dataset(self, dataset) -> None:
        """Describe the model for this core ``Dataset``'s images and classes (None: unknown)."""
        self._dataset = dataset
        self._update_model_info()

    def _update_model_info(self) -> None:
        if not self._backend_ready or self._dataset is None:
            self.model_info.setText("Parameters: …")
            return
        self._jobs.call(_describe, self.architecture(), self._dataset, on_done=self._on_described)

    def _on_described(self, described: tuple) -> None:
        name, (params, summary) = described
        if name == self.architecture():
            self.model_info.setText(f"{params:,} parameters")
            self._summary = summary

    @Slot()
    def _on_model_changed(self) -> None:
        self.apply_model_defaults()
        self._show_preset()
        self._update_model_info()

    @Slot(int)
    def _on_preset_clicked(self, index: int) -> None:
        _set_value(self.model_combo, list(config.PRESETS.values())[index])

    @Slot()
    def _on_defaults_clicked(self) -> None:
        self.apply_model_defaults()

    @Slot()
    def _on_summary_clicked(self) -> None:
        if self._summary_dialog is not None:
            self._summary_dialog.close()
        self._summary_dialog = SummaryDialog(f"Model summary: {self.architecture()}", self._summary, self)
        self._summary_dialog.open()

    def summary_dialog(self) -> SummaryDialog | None:
        """The summary dialog last opened (for tests and scripted screenshots)."""
        return self._summary_dialog


class SummaryDialog(QDialog):
    """Keras' model summary in a fixed-width font, as wide as its table (up to most of the
    screen, then scrollable), never wrapped or cut."""

    def __init__(self, title: str, summary: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.text = QPlainTextEdit(readOnly=True)
        self.text.setFont(QFontDatabase.systemFont(QFontDatabase.FixedFont))
        self.text.setLineWrapMode(QPlainTextEdit.NoWrap)
        self.text.setPlainText(summary)
        buttons = QDialogButtonBox(QDialogButtonBox.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.text, 1)
        layout.addWidget(buttons)
        # Laid out as shown (box-drawing characters may come from another font than the rest).
        measure = QTextDocument()
        measure.setDefaultFont(self.text.font())
        measure.setDocumentMargin(self.text.document().documentMargin())
        measure.setPlainText(summary)
        frame = 2 * self.text.frameWidth() + 4
        scrollbar = self.style().pixelMetric(self.style().PixelMetric.PM_ScrollBarExtent)
        width = int(measure.idealWidth()) + frame + scrollbar
        height = int(measure.size().height()) + QFontMetrics(self.text.font()).lineSpacing() + frame + scrollbar
        margins = layout.contentsMargins()
        width += margins.left() + margins.right()
        height += margins.top() + margins.bottom() + layout.spacing() + buttons.sizeHint().height()
        screen = (parent.screen() if parent is not None else self.screen()).availableGeometry()
        self.resize(min(width, int(screen.width() * SCREEN_SHARE)), min(height, int(screen.height() * SCREEN_SHARE)))


def _describe(name: str, dataset) -> tuple[str, tuple[int, str]]:
    """Runs in a worker: the model's name with its (parameter count, summary text)."""
    from digitapp.core import workflow  # TensorFlow: only once it is loaded (see set_backend_ready)

    return name, workflow.describe_model(name, dataset)


def _combo(names) -> QComboBox:
    combo = QComboBox()
    for name in names:
        combo.addItem(name, name)
    return combo


def _value_type(widget) -> type:
    return next(kind for widget_class, kind in _VALUE_TYPES if isinstance(widget, widget_class))


def _value(widget):
    """A settings widget's value: checked, number, or the chosen item's data."""
    if isinstance(widget, QCheckBox):
        return widget.isChecked()
    if isinstance(widget, QComboBox):
        return widget.currentData()
    return widget.value()


def _set_value(widget, value) -> None:
    if isinstance(widget, QCheckBox):
        widget.setChecked(value)
    elif isinstance(widget, QComboBox):
        index = widget.findData(value)
        if index >= 0:  # a saved choice that no longer exists keeps the current one
            widget.setCurrentIndex(index)
    else:
        widget.setValue(value)
