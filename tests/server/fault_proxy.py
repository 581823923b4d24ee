"""A loopback HTTP proxy that misbehaves on purpose: drops, delays, truncates and duplicates requests and answers.

One request per connection (it forces `Connection: close` upstream). Faults are drawn from a seeded random source,
so a failing run can be replayed with the same seed. Reusable by the device-client tests: point the client at
`proxy.url` instead of the server.
"""

from __future__ import annotations

import random
import socket
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

FAULTS = ("drop_request", "truncate_request", "delay", "drop_response", "truncate_response", "duplicate")


@dataclass
class FaultRates:
    """Probability of each fault per request; whatever is left over passes through untouched."""

    drop_request: float = 0.05
    truncate_request: float = 0.05
    delay: float = 0.1
    drop_response: float = 0.08
    truncate_response: float = 0.05
    duplicate: float = 0.08
    max_delay_s: float = 0.05

    def choose(self, rng: random.Random) -> str:
        roll, edge = rng.random(), 0.0
        for name in FAULTS:
            edge += getattr(self, name)
            if roll < edge:
                return name
        return "pass"


def _read_request(sock: socket.socket) -> bytes | None:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            return None
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    while len(body) < length:
        chunk = sock.recv(65536)
        if not chunk:
            return None
        body += chunk
    lines = [line for line in head.split(b"\r\n") if not line.lower().startswith(b"connection:")]
    return b"\r\n".join(lines) + b"\r\nConnection: close\r\n\r\n" + body


@dataclass
class FaultProxy:
    upstream_port: int
    rates: FaultRates = field(default_factory=FaultRates)
    seed: int = 0
    counts: Counter = field(default_factory=Counter)
    # An attacker in the middle: given (request, genuine response), the response to hand back instead.
    rewrite: Callable[[bytes, bytes], bytes] | None = None

    def __post_init__(self) -> None:
        self._rng = random.Random(self.seed)
        self._lock = threading.Lock()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self._stopping = threading.Event()
        self._threads: list[threading.Thread] = []
        self.enabled = True

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> FaultProxy:
        thread = threading.Thread(target=self._accept_loop, name="fault-proxy", daemon=True)
        thread.start()
        self._threads.append(thread)
        return self

    def stop(self) -> None:
        self._stopping.set()
        try:  # wake the blocking accept() so the loop sees the stop flag
            socket.create_connection(("127.0.0.1", self.port), timeout=5).close()
        except OSError:
            pass
        self._listener.close()
        for thread in list(self._threads):
            thread.join(timeout=30)

    def __enter__(self) -> FaultProxy:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def _accept_loop(self) -> None:
        while not self._stopping.is_set():
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            if self._stopping.is_set():
                client.close()
                return
            worker = threading.Thread(target=self._serve, args=(client,), daemon=True)
            worker.start()
            self._threads = [t for t in self._threads if t.is_alive()] + [worker]

    def _decide(self) -> tuple[str, float, float]:
        with self._lock:
            fault = self.rates.choose(self._rng) if self.enabled else "pass"
            self.counts[fault] += 1
            return fault, self._rng.random(), self._rng.uniform(0, self.rates.max_delay_s)

    def _forward(self, request: bytes) -> bytes:
        with socket.create_connection(("127.0.0.1", self.upstream_port), timeout=60) as upstream:
            upstream.sendall(request)
            chunks = []
            while chunk := upstream.recv(65536):
                chunks.append(chunk)
            return b"".join(chunks)

    def _forward_quietly(self, request: bytes) -> None:
        try:
            self._forward(request)
        except OSError:
            pass  # the duplicate's answer is thrown away anyway

    def _serve(self, client: socket.socket) -> None:
        with client:
            try:
                client.settimeout(60)
                request = _read_request(client)
                if request is None:
                    return
                fault, cut, delay = self._decide()
                if fault == "drop_request":
                    return
                if fault == "truncate_request":
                    with socket.create_connection(("127.0.0.1", self.upstream_port), timeout=60) as upstream:
                        upstream.sendall(request[: max(1, int(len(request) * cut))])
                    return
                if fault == "delay":
                    time.sleep(delay)
                if fault == "duplicate":  # the same request twice at once: the server sees a concurrent replay
                    twin = threading.Thread(target=self._forward_quietly, args=(request,))
                    twin.start()
                    response = self._forward(request)
                    twin.join()
                else:
                    response = self._forward(request)
                if fault == "drop_response":
                    return
                if fault == "truncate_response":
                    response = response[: max(1, int(len(response) * cut))]
                if self.rewrite is not None:
                    response = self.rewrite(request, response)
                client.sendall(response)
            except OSError:
                return  # the server was killed mid-request: the client sees a broken connection, as in the field
