"""``digitapp serve MODEL.keras``: the CLI's sub-command for the web service.

Importing this costs neither FastAPI nor TensorFlow (the CLI's help stays fast); both load
when the command runs. Ctrl+C stops the server gracefully and ends the command
with exit code 130, as for every command (with a plain "stopped serving.", not an error).
"""

from __future__ import annotations

import argparse
import sys


def add_serve_parser(subparsers, trust_help: str) -> argparse.ArgumentParser:
    """Add ``serve`` to the CLI's sub-commands; returns its parser.

    ``trust_help``: the CLI's help for ``--trust-code``, worded once for every command.
    """
    from digitapp.web import defaults

    serve = subparsers.add_parser(
        "serve", help="serve a model over HTTP on this computer",
        description="Serve a model over HTTP: a drawing page at /, POST /predict with image files, "
                    "API docs at /docs (all offline). Ctrl+C stops it.")
    serve.add_argument("model", metavar="MODEL.keras")
    serve.add_argument("--host", default=defaults.HOST,
                       help="address to listen on (default: %(default)s, this computer only; 0.0.0.0: every "
                            "network, with a warning)")
    serve.add_argument("--port", type=int, default=defaults.PORT, help="port (default: %(default)s; 0: any free)")
    serve.add_argument("--token", help="require 'Authorization: Bearer TOKEN' on /model and /predict")
    serve.add_argument("--max-upload-mb", type=float, default=defaults.MAX_UPLOAD_MB, metavar="N",
                       help="refuse request bodies over N MB with 413 (default: %(default)s)")
    serve.add_argument("--cors", action="append", metavar="ORIGIN",
                       help="let web pages from ORIGIN (e.g. http://localhost:3000) call the API; repeatable")
    serve.add_argument("--trust-code", action="store_true", help=trust_help)
    return serve


# An interrupted program's exit code (as every digitapp command uses for Ctrl+C).
EXIT_INTERRUPTED = 130


def cmd_serve(args: argparse.Namespace) -> int:
    """Open the model, print the URL, serve until Ctrl+C.

    Raises:
        DigitAppError: bad settings, an unusable model, or an address that cannot be used.
    """
    from digitapp.core.errors import DigitAppError

    if not 0 <= args.port <= 65535:
        raise DigitAppError(f"--port must be between 0 and 65535, not {args.port}.")
    if args.max_upload_mb <= 0:
        raise DigitAppError(f"--max-upload-mb must be more than 0, not {args.max_upload_mb:g}.")

    from digitapp.core import workflow  # TensorFlow loads here
    from digitapp.web import server

    trained = workflow.open_model(args.model, args.trust_code)
    sock = server.bind(args.host, args.port)  # before printing: a busy port is one sentence
    warning = server.exposure_warning(args.host, args.token)
    if warning:
        print(f"digitapp: warning: {warning}", file=sys.stderr)
    service = server.uvicorn_server(trained, args.host, token=args.token, max_upload_mb=args.max_upload_mb,
                                    cors=args.cors)
    url = server.url_of(sock)
    # The page reads the token from the fragment, which browsers never send to a server.
    page = f"{url}#token={args.token}" if args.token else url
    print(f"serving {args.model} at {page} (API docs: {url}docs); Ctrl+C stops", flush=True)
    try:
        service.run(sockets=[sock])
    except KeyboardInterrupt:  # Ctrl+C is how a user stops the service: no error to report
        print("stopped serving.", file=sys.stderr)
        return EXIT_INTERRUPTED
    finally:
        sock.close()
    return 0
