"""A loopback TCP proxy that adds a network delay in each direction and counts round trips.

    .venv/bin/python benchmarks/delay_proxy.py --port 6543 --delay-ms 20   # 127.0.0.1:6543 -> :5432

It stands for a shared PostgreSQL server on a council WAN or a VPN: every byte the client sends
reaches the server `delay` later, and every byte of the reply comes back `delay` later again, so one
round trip costs 2 x delay however little it carries. Bandwidth is not limited.

Round trips are counted on the wire, per connection: each time the client sends after the server
last answered is one round trip (the first message of a connection is one too). That sees
everything the driver really waits for, the start-up and authentication, BEGIN, COMMIT and every
statement, which counting statements in SQLAlchemy would miss (BEGIN and COMMIT are not cursor
executions) or overcount (a batch of statements sent together waits once). Several messages the
client sends before any reply are one round trip, as they cost one delay.

Loopback only: it listens on 127.0.0.1 and forwards to 127.0.0.1. It runs in its own process
(`DelayProxy.start()`), so that the benchmark's own Python work cannot hold up the forwarding, and
it stops itself after `max_seconds` at most.
"""
from __future__ import annotations

import argparse
import multiprocessing as mp
import queue
import socket
import sys
import threading
import time
from typing import Any

LOOPBACK = "127.0.0.1"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((LOOPBACK, 0))
        return int(probe.getsockname()[1])


class _Connection:
    """One client connection and its upstream: two readers and two delayed writers."""

    def __init__(self, client: socket.socket, upstream: socket.socket, delay: Any, counter: Any,
                 stop: threading.Event) -> None:
        self.client, self.upstream = client, upstream
        self.delay, self.counter, self.stop = delay, counter, stop
        self.answered = True  # the first message of a connection is a round trip too
        self.lock = threading.Lock()
        self.closed = threading.Event()

    def run(self) -> None:
        to_server: queue.Queue[tuple[float, bytes]] = queue.Queue()
        to_client: queue.Queue[tuple[float, bytes]] = queue.Queue()
        threads = [threading.Thread(target=self._read, args=(self.client, to_server, True), daemon=True),
                   threading.Thread(target=self._read, args=(self.upstream, to_client, False), daemon=True),
                   threading.Thread(target=self._write, args=(to_server, self.upstream), daemon=True),
                   threading.Thread(target=self._write, args=(to_client, self.client), daemon=True)]
        for t in threads:
            t.start()

    def _read(self, sock: socket.socket, out: queue.Queue[tuple[float, bytes]], from_client: bool) -> None:
        while not self.stop.is_set() and not self.closed.is_set():
            try:
                data = sock.recv(65536)
            except OSError:
                data = b""
            if not data:
                out.put((0.0, b""))
                return
            with self.lock:
                if from_client:
                    if self.answered:
                        with self.counter.get_lock():
                            self.counter.value += 1
                        self.answered = False
                else:
                    self.answered = True
            out.put((time.monotonic() + self.delay.value, data))

    def _write(self, source: queue.Queue[tuple[float, bytes]], sock: socket.socket) -> None:
        while not self.stop.is_set():
            try:
                due, data = source.get(timeout=0.2)
            except queue.Empty:
                if self.closed.is_set():
                    return
                continue
            if not data:
                self._close()
                return
            wait = due - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            try:
                sock.sendall(data)
            except OSError:
                self._close()
                return

    def _close(self) -> None:
        self.closed.set()
        for s in (self.client, self.upstream):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            s.close()


def _serve(port: int, target_port: int, delay: Any, counter: Any, ready: Any, stop_flag: Any,
           max_seconds: float) -> None:
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind((LOOPBACK, port))
    listener.listen(64)
    listener.settimeout(0.1)
    stop = threading.Event()
    ready.set()
    deadline = time.monotonic() + max_seconds
    try:
        while not stop_flag.is_set() and time.monotonic() < deadline:
            try:
                client, _ = listener.accept()
            except socket.timeout:
                continue
            try:
                upstream = socket.create_connection((LOOPBACK, target_port), timeout=5)
            except OSError:
                client.close()
                continue
            for s in (client, upstream):
                s.settimeout(None)
                s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            _Connection(client, upstream, delay, counter, stop).run()
    finally:
        stop.set()
        listener.close()


class DelayProxy:
    """127.0.0.1:`port` -> 127.0.0.1:`target_port`, `delay_ms` added each way, in a child process.

    `round_trips` is the count so far (read it before and after an action); `delay_ms` can be changed
    while it runs (0 for the same path with no delay)."""

    def __init__(self, target_port: int = 5432, *, delay_ms: float = 20.0, port: int | None = None,
                 max_seconds: float = 3600.0) -> None:
        self.target_port = target_port
        self.port = port or free_port()
        self.max_seconds = max_seconds
        context = mp.get_context("spawn")
        self._delay = context.Value("d", delay_ms / 1000.0)
        self._counter = context.Value("q", 0)
        self._ready = context.Event()
        self._stop = context.Event()
        self._process = context.Process(target=_serve, name="delay-proxy", daemon=True,
                                        args=(self.port, target_port, self._delay, self._counter, self._ready,
                                              self._stop, max_seconds))

    @property
    def round_trips(self) -> int:
        with self._counter.get_lock():
            return int(self._counter.value)

    @property
    def delay_ms(self) -> float:
        return float(self._delay.value) * 1000.0

    @delay_ms.setter
    def delay_ms(self, value: float) -> None:
        self._delay.value = value / 1000.0

    def start(self) -> DelayProxy:
        self._process.start()
        if not self._ready.wait(10):
            raise RuntimeError("the delay proxy did not start")
        return self

    def stop(self) -> None:
        self._stop.set()
        self._process.join(5)
        if self._process.is_alive():
            self._process.terminate()
            self._process.join(5)

    def __enter__(self) -> DelayProxy:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=6543, help="port to listen on at 127.0.0.1")
    parser.add_argument("--target-port", type=int, default=5432, help="PostgreSQL's port at 127.0.0.1")
    parser.add_argument("--delay-ms", type=float, default=20.0, help="added in each direction")
    parser.add_argument("--max-seconds", type=float, default=3600.0, help="stops by itself after this")
    args = parser.parse_args(argv)
    proxy = DelayProxy(args.target_port, delay_ms=args.delay_ms, port=args.port, max_seconds=args.max_seconds)
    proxy.start()
    print(f"127.0.0.1:{proxy.port} -> 127.0.0.1:{args.target_port}, {args.delay_ms:g} ms each way "
          f"(stops after {args.max_seconds:g} s; Ctrl+C to stop sooner)", file=sys.stderr)
    try:
        last = -1
        while proxy._process.is_alive():
            time.sleep(5)
            if proxy.round_trips != last:
                last = proxy.round_trips
                print(f"round trips so far: {last}", file=sys.stderr)
    except KeyboardInterrupt:
        pass
    finally:
        proxy.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
