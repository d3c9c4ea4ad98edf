"""The web service under load: requests/s and p50/p99 latency of POST /predict (one MNIST
test digit as a PNG per request) at concurrency 1 and 16, and the server's memory (RSS)
before and after 10,000 requests.

Usage: .venv/bin/python bench/serve_load.py [--model MODEL.keras] [--seconds 30] [--requests 10000]
Without --model, a `fast` model is trained on the bundled MNIST for one epoch first (~30 s).
The server runs in its own process on uvicorn (as `digitapp serve` runs it); the clients are
threads with keep-alive connections in this process, so on a small machine they share its
cores with the server. Linux only (RSS from /proc). Writes bench/results/serve_load.json.
"""

from __future__ import annotations

import argparse
import http.client
import io
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
RESULTS = ROOT / "bench" / "results" / "serve_load.json"
WARM_UP_REQUESTS = 200

SERVER = """
import sys
from digitapp.core import workflow
from digitapp.web import server
trained = workflow.open_model(sys.argv[1])
sock = server.bind("127.0.0.1", 0)
print(server.url_of(sock), flush=True)
server.uvicorn_server(trained, "127.0.0.1").run(sockets=[sock])
"""


def digit_bodies(count: int = 50) -> tuple[str, list[bytes]]:
    """(content type, multipart bodies) holding the first ``count`` MNIST test digits."""
    import numpy as np
    from PIL import Image

    with np.load(ROOT / "resources" / "mnist.npz") as data:
        digits = data["x_test"][:count]
    boundary = uuid.uuid4().hex
    bodies = []
    for i, digit in enumerate(digits):
        png = io.BytesIO()
        Image.fromarray(digit).save(png, "PNG")
        bodies.append(f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{i}.png"\r\n'
                      f"Content-Type: image/png\r\n\r\n".encode() + png.getvalue() + f"\r\n--{boundary}--\r\n".encode())
    return f"multipart/form-data; boundary={boundary}", bodies


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def load(host: str, port: int, content_type: str, bodies: list[bytes], workers: int, *,
         seconds: float | None = None, requests: int | None = None) -> dict:
    """Keep ``workers`` connections busy for ``seconds`` or until ``requests`` are answered."""
    latencies: list[float] = []
    errors = []
    lock = threading.Lock()
    deadline = time.perf_counter() + seconds if seconds else None
    remaining = [requests] if requests else None

    def worker(index: int) -> None:
        conn = http.client.HTTPConnection(host, port, timeout=30)
        conn.connect()
        # http.client writes headers and body separately: without this, Nagle's algorithm and the
        # server's delayed ACK add ~40 ms to every request (the client's cost, not the server's).
        conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        n = index
        while True:
            with lock:
                if remaining is not None:
                    if remaining[0] <= 0:
                        break
                    remaining[0] -= 1
            if deadline is not None and time.perf_counter() >= deadline:
                break
            start = time.perf_counter()
            conn.request("POST", "/predict", bodies[n % len(bodies)], {"Content-Type": content_type})
            response = conn.getresponse()
            response.read()
            took = time.perf_counter() - start
            with lock:
                latencies.append(took)
                if response.status != 200:
                    errors.append(response.status)
            n += workers
        conn.close()

    started = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(i,)) for i in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    ordered = sorted(latencies)
    return {
        "concurrency": workers, "seconds": round(elapsed, 2), "requests": len(latencies), "errors": len(errors),
        "requests_per_second": round(len(latencies) / elapsed, 1),
        "p50_ms": round(1000 * statistics.median(ordered), 2),
        "p99_ms": round(1000 * ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))], 2),
    }


def train_model(folder: Path) -> Path:
    out = folder / "mnist-fast.keras"
    subprocess.run([sys.executable, "-m", "digitapp", "train", "--dataset", "mnist", "--model", "fast",
                    "--epochs", "1", "--out", str(out)], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", type=Path, help="a saved model (default: train one on the bundled MNIST)")
    parser.add_argument("--seconds", type=float, default=30, help="per concurrency level (default: %(default)s)")
    parser.add_argument("--requests", type=int, default=10_000, help="for the memory check (default: %(default)s)")
    args = parser.parse_args()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TF_CPP_MIN_LOG_LEVEL": "3"}
    with tempfile.TemporaryDirectory() as folder:
        model = args.model or train_model(Path(folder))
        server = subprocess.Popen([sys.executable, "-c", SERVER, str(model)], cwd=ROOT, env=env,
                                  stdout=subprocess.PIPE, text=True)
        try:
            url = server.stdout.readline().strip()
            host, port = url.removeprefix("http://").rstrip("/").rsplit(":", 1)
            content_type, bodies = digit_bodies()
            load(host, int(port), content_type, bodies, 4, requests=WARM_UP_REQUESTS)
            levels = [load(host, int(port), content_type, bodies, workers, seconds=args.seconds)
                      for workers in (1, 16)]
            before = rss_mb(server.pid)
            memory_run = load(host, int(port), content_type, bodies, 16, requests=args.requests)
            after = rss_mb(server.pid)
        finally:
            server.terminate()
            server.wait(30)
    result = {
        "what": "POST /predict with one 28×28 PNG per request, keep-alive, server on uvicorn in its own process",
        "model": "given" if args.model else "fast, 1 epoch on the bundled MNIST",
        "levels": levels,
        "memory": {"requests": memory_run["requests"], "errors": memory_run["errors"],
                   "rss_before_mb": round(before, 1), "rss_after_mb": round(after, 1),
                   "growth_mb": round(after - before, 1)},
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
    }
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
