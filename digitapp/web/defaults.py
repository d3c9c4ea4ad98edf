"""The service's defaults, in a module light enough for the CLI's help (no FastAPI)."""

# This computer only: other computers need an explicit --host.
HOST = "127.0.0.1"
PORT = 8000
# Request bodies above this many MB are refused with 413 before they are read.
MAX_UPLOAD_MB = 10
