"""File → Serve on this computer: the web service (``digitapp.web``) for the model in use,
started and stopped off the GUI thread, following the model in use, with its address in the
status bar as a link."""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, Signal, Slot
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QLabel

from digitapp.core.errors import user_message
from digitapp.gui.workers import Jobs


class Serving(QObject):
    """Serves the session's model in use on this computer (127.0.0.1 only: the desktop app
    never exposes a model to the network; ``digitapp serve --host`` does, with a warning).
    :attr:`action` is the menu's checkable toggle; :attr:`link` the status bar's address.

    Signals:
        changed(str): the address being served ("" once stopped).
        failed(str): one sentence: the service could not start.
    """

    changed = Signal(str)
    failed = Signal(str)

    def __init__(self, jobs: Jobs, session, parent: QObject | None = None):
        super().__init__(parent)
        self._jobs = jobs
        self._session = session
        self._server = None  # a digitapp.web.server.BackgroundServer while serving
        self._wanted = None  # the TrainedModel to serve, None: stopped
        self._busy = False
        self._closed = False
        self.link = QLabel("")
        self.link.setTextFormat(Qt.RichText)
        self.link.setOpenExternalLinks(True)
        self.link.setToolTip("The model in use, served on this computer: open the page to draw a digit, "
                             "or /docs for the API")
        self.link.hide()
        self.action = QAction("Ser&ve on this computer", self, checkable=True, enabled=False)
        self.action.toggled.connect(self._on_toggled)
        session.current_changed.connect(self._on_current_changed)

    def url(self) -> str:
        return self._server.url if self._server is not None and self._server.url else ""

    def is_serving(self) -> bool:
        return self._wanted is not None

    def busy(self) -> bool:
        return self._busy

    def serve(self, trained) -> None:
        """Serve ``trained`` (restarting if another model is served); None stops."""
        self._wanted = trained
        self._settle()

    def stop(self) -> None:
        self.serve(None)

    def stop_now(self) -> None:
        """Stop at once, in this thread (the window is closing; its jobs have ended). A server
        whose start is still on its way to this thread is stopped when it arrives."""
        self._closed = True
        self._wanted = None
        if self._server is not None:
            self._server.stop()
            self._server = None

    @Slot(bool)
    def _on_toggled(self, on: bool) -> None:
        current = self._session.current
        self.serve(current.trained if on and current is not None else None)

    @Slot(object)
    def _on_current_changed(self, run) -> None:
        self.action.setEnabled(run is not None)
        if self.is_serving():  # the service follows the model in use
            self.serve(run.trained if run is not None else None)

    def _settle(self) -> None:
        """Bring the server in line with what is wanted, one start or stop at a time."""
        if self._busy:
            return  # _on_done settles again
        served = self._server.trained if self._server is not None else None
        if served is self._wanted:
            return
        self._busy = True
        self._jobs.call(_switch, self._server, self._wanted, on_done=self._on_done, on_error=self._on_failed)

    def _on_done(self, server) -> None:
        self._busy = False
        if self._closed and server is not None:
            server.stop()
            return
        self._server = server
        self._show()
        self._settle()

    def _on_failed(self, error: Exception) -> None:
        self._busy = False
        self._server = None
        self._wanted = None
        self.action.setChecked(False)
        self._show()
        self.failed.emit(f"The model could not be served: {user_message(error)}")

    def _show(self) -> None:
        url = self.url()
        self.link.setText(f'Serving at <a href="{url}">{url}</a>' if url else "")
        self.link.setVisible(bool(url))
        self.changed.emit(url)


def _switch(server, trained):
    """Runs in a worker: stop what is served, start serving ``trained`` (if any) on the usual
    port, or any free one when that is taken. Returns the running server or None."""
    from digitapp.core.errors import DigitAppError
    from digitapp.web import defaults
    from digitapp.web.server import BackgroundServer

    if server is not None:
        server.stop()
    if trained is None:
        return None
    try:
        new = BackgroundServer(trained, defaults.HOST, defaults.PORT)
        new.start()
    except DigitAppError:  # the usual port is taken (another app, another DigitApp)
        new = BackgroundServer(trained, defaults.HOST, 0)
        new.start()
    return new
