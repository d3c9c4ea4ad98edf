"""The web service for one model: health, model description, predictions, the drawing page
and the OpenAPI docs, all working offline.

Every refusal is ``{"error": "<one sentence>"}`` with a 4xx status, including FastAPI's own
validation errors and unknown paths, and nothing a client sends can make it answer 5xx.
"""

from __future__ import annotations

import logging
import secrets
from pathlib import Path
from typing import Annotated

from fastapi import Depends, FastAPI, File, Request, UploadFile
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import FileResponse, JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from fastapi.staticfiles import StaticFiles
from fastapi_offline import FastAPIOffline
from starlette.exceptions import HTTPException

from digitapp import __version__
from digitapp.core.errors import user_message
from digitapp.core.resources import resource_path
from digitapp.web import defaults, uploads
from digitapp.web.guard import LOOPBACK_NAMES, MEGABYTE, RequestGuard
from digitapp.web.schemas import ErrorBody, Health, ModelDescription, PredictionRow

STATIC = Path(__file__).parent / "static"
# FastAPI's wording when a multipart body cannot be parsed.
_BODY_PARSE_ERROR = "There was an error parsing the body"

log = logging.getLogger(__name__)


def create_app(trained, *, token: str | None = None, max_upload_mb: float = defaults.MAX_UPLOAD_MB,
               cors: list[str] | None = None, allowed_hosts=LOOPBACK_NAMES) -> FastAPI:
    """The ASGI application serving ``trained`` (a ``workflow.TrainedModel``).

    Args:
        token: when given, ``/model`` and ``/predict`` require ``Authorization: Bearer <token>``;
            ``/health``, the page and the docs stay open (they reveal nothing about the model).
        max_upload_mb: larger request bodies are refused with 413 before they are read.
        cors: origins whose web pages may call the API from a browser; none by default.
        allowed_hosts: Host names the service answers to (``"*"``: any). The loopback names
            by default, which keeps web pages from reaching it through DNS rebinding.
    """
    app = FastAPIOffline(
        title="DigitApp",
        version=__version__,
        description="Classify images with a model trained in DigitApp. POST images to /predict; "
                    "every refusal is `{\"error\": \"...\"}` with one sentence.",
        redoc_url=None,
    )
    _install_error_handlers(app)
    guarded = [Depends(_bearer_check(token))] if token else []
    refusals = {status: {"model": ErrorBody, "description": text} for status, text in (
        (400, "The request is not a multipart form, or none of its files could be read."),
        (401, "Missing or wrong bearer token (only when the service was started with a token)."),
        (413, "The upload is larger than the service accepts."),
        (422, "No file field, or none of the files could be classified."),
    )}

    @app.get("/health", response_model=Health, tags=["service"])
    def health() -> dict:
        """Whether the service answers (never needs a token)."""
        return {"status": "ok"}

    @app.get("/model", response_model=ModelDescription, dependencies=guarded, tags=["model"],
             responses={401: refusals[401]})
    def model() -> dict:
        """The model being served: its classes, input shape and test accuracy."""
        info = trained.info
        accuracy = info.metrics.get("test_accuracy")
        return {
            "classes": list(info.class_names), "input_shape": list(info.input_shape),
            "preprocessing": info.preprocessing, "dataset": info.dataset, "architecture": info.architecture,
            "test_accuracy": None if accuracy is None else float(accuracy), "app_version": __version__,
        }

    @app.post("/predict", response_model=list[PredictionRow], response_model_exclude_none=True,
              dependencies=guarded, tags=["model"], responses=refusals)
    def predict(file: Annotated[list[UploadFile], File(description="One or more images.", min_length=1)]) -> list[dict]:
        """Classify uploaded images, one row per file exactly as ``digitapp predict --json``
        prints it (same preprocessing as opening the file in the app). A file that cannot be
        used gets a row with ``error``; when no file can be used the request is refused (422)."""
        rows = uploads.classify_uploads(trained, [(f.filename or "", f.file.read()) for f in file])
        refusal = uploads.refusal(rows)
        if refusal is not None:
            raise HTTPException(422, refusal)
        return rows

    @app.get("/", include_in_schema=False)
    def page() -> FileResponse:
        return FileResponse(STATIC / "index.html")

    @app.get("/favicon.ico", include_in_schema=False)
    def favicon() -> FileResponse:
        return FileResponse(resource_path("icon.png"), media_type="image/png")

    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    if cors:
        app.add_middleware(CORSMiddleware, allow_origins=list(cors), allow_methods=["GET", "POST"],
                           allow_headers=["Authorization"])
    # Added last, so it runs first: nothing reads a body before its size is checked.
    app.add_middleware(RequestGuard, max_body_bytes=int(max_upload_mb * MEGABYTE), allowed_hosts=allowed_hosts)
    return app


def _bearer_check(token: str):
    bearer = HTTPBearer(auto_error=False, description="The token `digitapp serve --token` was started with.")

    # A plain default, not Annotated: the annotation of a nested function cannot name ``bearer``.
    def check(credentials: HTTPAuthorizationCredentials | None = Depends(bearer)) -> None:  # noqa: B008
        given = credentials.credentials if credentials is not None else ""
        # Compared in constant time: the answer's timing must not reveal the token.
        if not secrets.compare_digest(given.encode("utf-8"), token.encode("utf-8")):
            raise HTTPException(401, "This service needs its token: send the header 'Authorization: Bearer "
                                     "<token>'." if not given else "The token is wrong.",
                                headers={"WWW-Authenticate": "Bearer"})

    return check


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> JSONResponse:
        return JSONResponse({"error": _sentence(request, exc)}, exc.status_code, headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        return JSONResponse({"error": _validation_sentence(exc.errors())}, 422)

    @app.exception_handler(Exception)
    async def unexpected_error(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unexpected error answering %s %s", request.method, request.url.path)
        return JSONResponse({"error": _full_stop(user_message(exc))}, 500)


def _sentence(request: Request, exc: HTTPException) -> str:
    """Starlette's short phrases ("Not Found") as sentences that say what to do instead."""
    path = request.url.path
    if exc.status_code == 404:
        return f"There is nothing at {path}; the API is described at /docs."
    if exc.status_code == 405:
        return f"{request.method} is not allowed on {path}."
    if exc.status_code == 400 and exc.detail == _BODY_PARSE_ERROR:
        return "The request body is not a valid multipart form; send images in the form field 'file'."
    return _full_stop(str(exc.detail))


def _full_stop(text: str) -> str:
    text = text.strip()
    return text if text.endswith(".") else f"{text}."


def _validation_sentence(errors) -> str:
    """The first problem FastAPI found, as a sentence about the ``file`` field when it is
    that (the only input the API takes)."""
    first = errors[0] if errors else {}
    loc = [str(part) for part in first.get("loc", ())]
    if loc[-1:] == ["file"] or loc[-2:-1] == ["file"]:
        if first.get("type") == "missing":
            return "No image received: send one or more image files in the multipart form field 'file'."
        return "The form field 'file' must hold uploaded image files, not text."
    where = ".".join(loc) or "request"
    return f"Invalid {where}: {str(first.get('msg', 'not understood')).rstrip('.')}."
