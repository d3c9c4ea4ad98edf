"""The model and training settings form: recipes from the model catalogue, one settings
table saved and restored through a real settings file, the core ``TrainConfig``."""

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QWidget

from digitapp.core import config
from digitapp.gui.training_form import TrainingForm
from digitapp.gui.workers import Jobs


@pytest.fixture
def owner(qtbot):
    widget = QWidget()
    qtbot.addWidget(widget)
    jobs = Jobs(widget)
    yield widget, jobs
    jobs.wait_all()


@pytest.fixture
def form(owner):
    widget, jobs = owner
    return TrainingForm(jobs, widget)


def _settings(tmp_path) -> QSettings:
    return QSettings(str(tmp_path / "settings.ini"), QSettings.IniFormat)


def test_starts_with_the_default_models_recipe(form):
    spec = config.MODELS[config.DEFAULT_MODEL]
    assert form.architecture() == config.DEFAULT_MODEL
    assert form.model_combo.count() == len(config.MODELS)
    assert (form.epochs.value(), form.batch_size.value()) == (spec.epochs, spec.batch_size)
    assert form.learning_rate.value() == pytest.approx(spec.learning_rate)
    assert form.schedule.currentText() == spec.schedule
    assert form.optimizer.currentText() == config.TrainConfig().optimizer
    assert form.validation.value() == pytest.approx(config.TrainConfig().validation_fraction)
    assert [form.optimizer.itemText(i) for i in range(form.optimizer.count())] == list(config.OPTIMIZERS)


def test_choosing_a_model_applies_its_recipe_and_defaults_restore_it(form):
    other = next(name for name in config.MODELS if name != config.DEFAULT_MODEL)
    spec = config.MODELS[other]
    form.model_combo.setCurrentIndex(form.model_combo.findData(other))
    assert (form.epochs.value(), form.batch_size.value(), form.schedule.currentText()) == (
        spec.epochs, spec.batch_size, spec.schedule)
    form.epochs.setValue(spec.epochs + 7)
    form.optimizer.setCurrentText("sgd")
    form.defaults_button.click()
    assert form.epochs.value() == spec.epochs
    assert form.optimizer.currentText() == config.TrainConfig().optimizer


def test_presets_pick_their_model_and_recipe_and_follow_the_model_list(form):
    quick, thorough = form.presets.buttons()
    assert (quick.text(), thorough.text()) == tuple(config.PRESETS)
    assert quick.isChecked() and form.preset() == "Quick"
    thorough.click()
    spec = config.MODELS[config.PRESETS["Thorough"]]
    assert form.architecture() == spec.name and form.preset() == "Thorough"
    assert (form.epochs.value(), form.batch_size.value()) == (spec.epochs, spec.batch_size)
    form.augment.setChecked(True)
    form.model_combo.setCurrentIndex(form.model_combo.findData("cnn"))  # not a preset: neither is checked
    assert form.preset() is None and not quick.isChecked() and not thorough.isChecked()
    assert not form.augment.isChecked()  # back to the recipe, which does not augment
    form.model_combo.setCurrentIndex(form.model_combo.findData(config.DEFAULT_MODEL))
    assert form.preset() == "Quick"
    form.set_editable(False)
    assert not quick.isEnabled() and not thorough.isEnabled()


def test_settings_round_trip_through_a_settings_file(owner, form, tmp_path):
    form.model_combo.setCurrentIndex(form.model_combo.findData("cnn"))
    form.epochs.setValue(17)  # differs from every recipe: restoring must not reset it
    form.batch_size.setValue(48)
    form.learning_rate.setValue(0.0042)
    form.optimizer.setCurrentText("rmsprop")
    form.schedule.setCurrentText("cosine")
    form.validation.setValue(0.25)
    form.augment.setChecked(True)
    form.early_stopping.setChecked(True)
    saved = form.config()
    settings = _settings(tmp_path)
    form.save(settings)
    settings.sync()

    again = TrainingForm(owner[1], owner[0])
    again.restore(_settings(tmp_path))  # read back from the file, as strings
    assert again.architecture() == "cnn"
    assert again.config() == saved
    assert sorted(_settings(tmp_path).allKeys()) == sorted(
        ["model", "epochs", "batch_size", "learning_rate", "optimizer", "schedule", "validation", "augment",
         "early_stopping"])


def test_missing_or_unknown_settings_keep_the_current_values(form, tmp_path):
    settings = _settings(tmp_path)
    settings.setValue("optimizer", "no-such-optimizer")
    settings.setValue("batch_size", 99)
    form.restore(settings)
    assert form.optimizer.currentText() == config.TrainConfig().optimizer
    assert form.batch_size.value() == 99
    assert form.epochs.value() == config.MODELS[config.DEFAULT_MODEL].epochs


def test_config_is_a_checked_core_train_config(form):
    form.epochs.setValue(3)
    form.augment.setChecked(True)
    train_config = form.config()
    assert isinstance(train_config, config.TrainConfig)
    assert (train_config.epochs, train_config.augment) == (3, True)
    train_config.check()  # every value the form allows is valid


def test_locked_while_training_except_the_summary(form):
    form.set_backend_ready()
    form.set_editable(False)
    assert not any(w.isEnabled() for w in (form.model_combo, form.epochs, form.learning_rate, form.optimizer,
                                           form.validation, form.early_stopping, form.defaults_button))
    assert form.summary_button.isEnabled()
    form.set_editable(True)
    assert form.epochs.isEnabled() and form.model_combo.isEnabled()


def test_parameter_count_once_tensorflow_and_data_are_there(qtbot, form, mnist_small):
    from digitapp.core import workflow

    assert not form.summary_button.isEnabled()
    form.set_dataset(mnist_small)
    assert form.model_info.text() == "Parameters: …"  # TensorFlow not loaded yet
    form.set_backend_ready()
    params, _ = workflow.describe_model(form.architecture(), mnist_small)
    qtbot.waitUntil(lambda: form.model_info.text() == f"{params:,} parameters", timeout=60_000)
    assert form.summary_button.isEnabled()


def test_the_summary_shows_every_column_in_a_fixed_width_font(qtbot, form, mnist_small):
    from PySide6.QtGui import QFontMetrics, QTextDocument

    form.set_dataset(mnist_small)
    form.set_backend_ready()
    qtbot.waitUntil(lambda: form.model_info.text().endswith("parameters"), timeout=60_000)
    form.summary_button.click()
    dialog = form.summary_dialog()
    qtbot.waitExposed(dialog)
    metrics = QFontMetrics(dialog.text.font())
    assert metrics.horizontalAdvance("iiii") == metrics.horizontalAdvance("MMMM")  # a fixed-width font
    text = dialog.text.toPlainText()
    assert "Param #" in text and "Total params" in text
    # As wide as its widest line: the whole table is in view, nothing cut or wrapped.
    measure = QTextDocument()
    measure.setDefaultFont(dialog.text.font())
    measure.setPlainText(text)
    assert dialog.text.viewport().width() >= measure.idealWidth()
    assert not dialog.text.horizontalScrollBar().isVisible()
    dialog.close()
