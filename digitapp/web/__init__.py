"""The local web service (``digitapp serve``): FastAPI on uvicorn, Qt-free.

It reaches TensorFlow only through :mod:`digitapp.core.workflow` objects it is handed (a
``TrainedModel``), so importing it costs no TensorFlow. The front ends use:

* :func:`digitapp.web.app.create_app` — the ASGI application for one model;
* :class:`digitapp.web.server.BackgroundServer` — that application on uvicorn in a daemon
  thread (the GUI's "Serve on this computer");
* :func:`digitapp.web.command.add_serve_parser` and :func:`digitapp.web.command.cmd_serve` —
  the ``serve`` sub-command of the CLI.
"""
