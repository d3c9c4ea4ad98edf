"""The Runs tab: every model of the session in a table, their validation curves overlaid,
and the actions on a run (use it, save it, delete it)."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from digitapp.core.formatting import format_duration
from digitapp.gui.figure_host import FigureHost
from digitapp.gui.session import Run, Session

COLUMNS = ("Run", "Model", "Dataset", "Epochs", "Test accuracy", "Training time", "Trained on", "Finished", "Kept")
CURVES = (("val_accuracy", "Validation accuracy"), ("val_loss", "Validation loss (log scale)"))


class RunsPanel(QWidget):
    """A table of the session's runs (the one in use in bold) and their curves.

    Signals:
        save_requested(object): the user wants this :class:`Run` saved to a file.
    """

    save_requested = Signal(object)

    def __init__(self, session: Session, parent: QWidget | None = None):
        super().__init__(parent)
        self.session = session
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.ExtendedSelection)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.use_button = QPushButton("Use this run")
        self.save_button = QPushButton("Save…")
        self.delete_button = QPushButton("Delete")
        self.hint = QLabel("Every training run of this session is kept here, with the models you open. "
                           "Runs you have not saved are autosaved and offered back after a crash.")
        self.hint.setWordWrap(True)
        self.hint.setStyleSheet("color: gray")
        buttons = QHBoxLayout()
        for button in (self.use_button, self.save_button, self.delete_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        top = QWidget()
        top_layout = QVBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        top_layout.addWidget(self.hint)
        top_layout.addLayout(buttons)
        top_layout.addWidget(self.table, 1)
        # matplotlib (~0.5 s to import) only once the panel is first painted, not at start-up.
        self.curves = FigureHost()
        self._curves_stale = True
        splitter = QSplitter(Qt.Vertical)
        splitter.addWidget(top)
        splitter.addWidget(self.curves)
        splitter.setChildrenCollapsible(False)
        splitter.setSizes([260, 260])
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)
        self.use_button.clicked.connect(self._on_use_clicked)
        self.save_button.clicked.connect(self._on_save_clicked)
        self.delete_button.clicked.connect(self._on_delete_clicked)
        self.table.itemSelectionChanged.connect(self._on_selection_changed)
        self.table.itemDoubleClicked.connect(self._on_row_double_clicked)
        session.runs_changed.connect(self._on_runs_changed)
        session.current_changed.connect(self._on_current_changed)
        self._on_runs_changed()

    # ------------------------------------------------------------ table

    @Slot()
    def _on_runs_changed(self) -> None:
        selected = self.selected_runs()
        self.table.clearContents()  # a fresh table: replacing items in place crashed PySide6 6.12
        self.table.setRowCount(0)
        self.table.setRowCount(len(self.session.runs))
        for row, run in enumerate(self.session.runs):
            for column, text in enumerate(_cells(run)):
                item = QTableWidgetItem(text)
                item.setData(Qt.UserRole, run.number)
                if column in (3, 4, 5):
                    item.setTextAlignment(Qt.AlignRight | Qt.AlignVCenter)
                self.table.setItem(row, column, item)
        self._mark_current()
        for row, run in enumerate(self.session.runs):
            if run in selected:
                self.table.selectRow(row)
        self._draw_curves()
        self._update_buttons()

    @Slot(object)
    def _on_current_changed(self, _run) -> None:
        self._mark_current()
        self._draw_curves()

    def _mark_current(self) -> None:
        for row, run in enumerate(self.session.runs):
            for column in range(self.table.columnCount()):
                item = self.table.item(row, column)
                if item is not None:
                    font = item.font()
                    font.setBold(run is self.session.current)
                    item.setFont(font)

    def selected_runs(self) -> list[Run]:
        rows = sorted({index.row() for index in self.table.selectionModel().selectedRows()})
        return [self.session.runs[r] for r in rows if r < len(self.session.runs)]

    @Slot()
    def _on_selection_changed(self) -> None:
        self._draw_curves()
        self._update_buttons()

    def _update_buttons(self) -> None:
        one = len(self.selected_runs()) == 1
        self.use_button.setEnabled(one)
        self.save_button.setEnabled(one)
        self.delete_button.setEnabled(bool(self.selected_runs()))

    # ------------------------------------------------------------ actions

    @Slot()
    def _on_use_clicked(self) -> None:
        chosen = self.selected_runs()
        if len(chosen) == 1:
            self.session.set_current(chosen[0])

    @Slot(QTableWidgetItem)
    def _on_row_double_clicked(self, _item) -> None:
        self._on_use_clicked()

    @Slot()
    def _on_save_clicked(self) -> None:
        chosen = self.selected_runs()
        if len(chosen) == 1:
            self.save_requested.emit(chosen[0])

    @Slot()
    def _on_delete_clicked(self) -> None:
        chosen = self.selected_runs()
        unsaved = [run.name for run in chosen if run.unsaved]
        if unsaved:
            answer = QMessageBox.question(
                self, "Delete runs",
                f"{', '.join(unsaved)} {'was' if len(unsaved) == 1 else 'were'} never saved; deleting "
                "removes the model for good.", QMessageBox.Discard | QMessageBox.Cancel, QMessageBox.Cancel)
            if answer != QMessageBox.Discard:
                return
        for run in chosen:
            self.session.remove(run)

    # ------------------------------------------------------------ curves

    def _draw_curves(self) -> None:
        """Validation curves of the selected runs (all runs when none is selected), drawn when
        they can be seen: drawing them behind another tab as a run ended held the window up
        for ~0.6 s (bench/gui_stalls.py)."""
        self._curves_stale = True
        if self.curves.isVisible():
            self._redraw_curves()

    def showEvent(self, event) -> None:  # noqa: N802 - Qt override
        super().showEvent(event)
        if self._curves_stale:
            self._redraw_curves()

    def curves_stale(self) -> bool:
        """The curves wait for the panel to be shown to follow the runs."""
        return self._curves_stale

    @property
    def figure(self):
        """The curves' matplotlib figure (made now if it was not yet)."""
        return self.curves.figure

    def _redraw_curves(self) -> None:
        self._curves_stale = False
        self.figure.clear()
        # Constrained: titles and axis labels stay inside whatever height the splitter gives.
        self.figure.set_layout_engine("constrained")
        shown = self.selected_runs() or self.session.runs
        axes = self.figure.subplots(1, 2)
        for ax, (key, title) in zip(axes, CURVES):
            ax.set_title(title, fontsize=9)
            ax.set_xlabel("epoch", fontsize=8)
            ax.tick_params(labelsize=8)
            ax.grid(True, alpha=0.3)
            for run in shown:
                history = run.trained.info.history
                values = history.get(key) or []
                positions = history.get("epoch_position") or range(1, len(values) + 1)
                if values:
                    ax.plot(list(positions)[: len(values)], values, "o-", markersize=3,
                            linewidth=2.5 if run is self.session.current else 1.2, label=run.name)
            if key == "val_loss" and ax.has_data():
                ax.set_yscale("log")
            if not ax.has_data():
                ax.text(0.5, 0.5, "No runs yet", ha="center", va="center", color="gray", transform=ax.transAxes)
                ax.set_xticks([])
                ax.set_yticks([])
            elif key == "val_accuracy":
                ax.legend(fontsize=7, loc="lower right")
        self.curves.canvas.draw_idle()


def _cells(run: Run) -> tuple[str, ...]:
    info = run.trained.info
    metrics = info.metrics
    accuracy = metrics.get("test_accuracy")
    seconds = metrics.get("train_seconds")
    epochs = len(info.history.get("loss") or [])
    if metrics.get("stopped"):
        epochs_text = f"{epochs} (stopped)"
    else:
        epochs_text = str(epochs) if epochs else "—"
    if run.saved_to is not None:
        kept = f"saved: {run.saved_to.name}"
    elif run.autosave is not None:
        kept = "autosaved (not saved yet)"
    else:
        kept = "not saved"
    return (
        run.name + ("" if run.source == "trained" else f" ({run.source})"),
        info.architecture or "—",
        info.dataset or "—",
        epochs_text,
        f"{accuracy:.2%}" if isinstance(accuracy, float) else "—",
        format_duration(seconds) if isinstance(seconds, (int, float)) else "—",
        str(metrics.get("trained_on") or "—"),  # the devices (older sidecars do not say)
        run.when.strftime("%H:%M:%S"),
        kept,
    )
