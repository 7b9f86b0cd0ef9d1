"""A small TCP proxy in front of PostgreSQL that a test can cut, to simulate the server going away."""
from __future__ import annotations

import selectors
import socket
import threading
import time


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class TcpProxy:
    """Forwards 127.0.0.1:<port> to the target. `cut()` drops every connection and stops accepting;
    `start()` listens again on the same port. One thread runs everything through a selector, with a
    short timeout, so that it notices `cut()` quickly and stops itself after `max_seconds` at most."""

    def __init__(self, target_port: int = 5432, *, target_host: str = "127.0.0.1", port: int | None = None,
                 max_seconds: float = 120.0) -> None:
        self.target = (target_host, target_port)
        self.port = port or free_port()
        self.max_seconds = max_seconds
        self.accepted = 0
        # Set to bytes the client sends (b"COMMIT\x00"): that message is delivered, the server's reply
        # is awaited and thrown away, and the connection dropped, as a network that fails at the worst
        # moment would. Once only; `dropped_replies` counts how often it happened.
        self.drop_reply_to: bytes | None = None
        self.dropped_replies = 0
        self._clients: set[socket.socket] = set()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def __enter__(self) -> TcpProxy:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.cut()

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> TcpProxy:
        if self.running:
            return self
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        # The same port again straight after a cut, although old connections are in TIME_WAIT.
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(16)
        listener.setblocking(False)
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, args=(listener,), name=f"tcp-proxy-{self.port}",
                                        daemon=True)
        self._thread.start()
        return self

    def cut(self, timeout: float = 5.0) -> None:
        """Close the listener and every open connection, as a server that has gone away would."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            if self._thread.is_alive():
                raise RuntimeError("the proxy did not stop")
        self._thread = None

    def _run(self, listener: socket.socket) -> None:
        deadline = time.monotonic() + self.max_seconds
        selector = selectors.DefaultSelector()
        selector.register(listener, selectors.EVENT_READ, None)
        peers: dict[socket.socket, socket.socket] = {}
        try:
            while not self._stop.is_set() and time.monotonic() < deadline:
                for key, _events in selector.select(timeout=0.05):
                    sock = key.fileobj
                    if sock is listener:
                        self._accept(listener, selector, peers)
                    else:
                        self._pump(sock, selector, peers)  # type: ignore[arg-type]
        finally:
            for sock in [listener, *peers]:
                try:
                    selector.unregister(sock)
                except (KeyError, ValueError):
                    pass
                _close(sock)
            selector.close()

    def _accept(self, listener: socket.socket, selector: selectors.BaseSelector,
                peers: dict[socket.socket, socket.socket]) -> None:
        try:
            client, _address = listener.accept()
        except BlockingIOError:
            return
        try:
            upstream = socket.create_connection(self.target, timeout=5)
        except OSError:
            _close(client)  # the real server is down too: refuse as it would
            return
        self.accepted += 1
        self._clients.add(client)
        for sock in (client, upstream):
            sock.setblocking(False)
            selector.register(sock, selectors.EVENT_READ, None)
        peers[client], peers[upstream] = upstream, client

    def _pump(self, sock: socket.socket, selector: selectors.BaseSelector,
              peers: dict[socket.socket, socket.socket]) -> None:
        other = peers.get(sock)
        try:
            data = sock.recv(65536)
            if data and other is not None and sock in self._clients and self.drop_reply_to \
                    and self.drop_reply_to in data:
                self.drop_reply_to = None
                other.settimeout(5.0)
                other.sendall(data)
                other.recv(65536)  # the server has done it (committed) and answered: the answer is lost
                self.dropped_replies += 1
                data = b""  # fall through: both ends closed
            elif data and other is not None:
                other.settimeout(5.0)  # small messages: a bounded blocking send keeps the order simple
                other.sendall(data)
                other.setblocking(False)
                return
        except OSError:
            pass
        # One side closed (or failed): close both, as a dropped connection would.
        for s in (sock, other):
            if s is not None:
                peers.pop(s, None)
                self._clients.discard(s)
                try:
                    selector.unregister(s)
                except (KeyError, ValueError):
                    pass
                _close(s)


def _close(sock: socket.socket) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    sock.close()
