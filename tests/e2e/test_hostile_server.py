"""Server-level limits on the receiver exactly as the Procfile's web: line runs it.

Each test speaks raw HTTP to a real uvicorn on a real Redis: slow or short bodies, huge and
endless headers, idle connections. The receiver answers (408, 400, 401) or closes, keeps
answering everyone else, and stores nothing.
"""

from __future__ import annotations

import contextlib
import os
import shlex
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import redis

from tests.support.processes import BIN, ROOT, Managed, RedisServer
from tlhooks.ledger.keys import LedgerKeys
from tlhooks.processes import RECEIVER_SERVER_OPTIONS, free_port, wait_until
from tlhooks.signing import sign

pytestmark = pytest.mark.e2e

SECRET = "whsec_server"
BODY = (
    b'{"id":"whe_server1","created_at":"2026-08-01T09:14:05.812Z","type":"analyze.task.ready",'
    b'"data":{"id":"68ab41c2e5f1d93a7c2b0e14","custom_id":"cam-a","status":"ready"}}'
)


def web_line() -> str:
    for line in (ROOT / "Procfile").read_text().splitlines():
        if line.startswith("web:"):
            return line.removeprefix("web:").strip()
    raise AssertionError("the Procfile has no web: line")


class ProcfileWeb(Managed):
    """``sh -c '<the web: line>'`` from the repository root, as honcho or a platform runs it."""

    def __init__(self, redis_url: str, log_dir: Path) -> None:
        self.port = free_port()
        env = {
            **os.environ,
            "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
            "PORT": str(self.port),
            "TLHOOKS_REDIS_URL": redis_url,
            "TLHOOKS_WEBHOOK_SECRETS": SECRET,
            "TLHOOKS_BODY_READ_TIMEOUT": "1",
            "TLHOOKS_HEADER_READ_TIMEOUT": "1",
            "TLHOOKS_HANDLERS": "tests.e2e.plugin_handlers",
            "PYTHONPATH": str(ROOT),
        }
        super().__init__("procfile-web", ["sh", "-c", f"exec {web_line()}"], env, log_dir)

    def up(self) -> bool:
        if not self.alive():
            raise AssertionError(f"the web: line exited:\n{self.log}")
        try:
            return httpx.get(f"http://127.0.0.1:{self.port}/healthz", timeout=1).is_success
        except httpx.HTTPError:
            return False

    def rss_kib(self) -> int:
        assert self.process is not None
        status = Path(f"/proc/{self.process.pid}/status").read_text()
        return int(
            next(line for line in status.splitlines() if line.startswith("VmRSS")).split()[1]
        )


@pytest.fixture
def web(
    redis_client: redis.Redis, redis_server: RedisServer, log_dir: Path
) -> Iterator[ProcfileWeb]:
    server = ProcfileWeb(redis_server.url, log_dir)
    server.start()
    try:
        wait_until(server.up, timeout=20)
        yield server
    finally:
        server.stop()


def connect(web: ProcfileWeb) -> socket.socket:
    return socket.create_connection(("127.0.0.1", web.port), timeout=15)


def read_reply(sock: socket.socket) -> bytes:
    """Everything the server sends until it closes the connection (or 15 s pass)."""
    chunks = []
    while chunk := sock.recv(65536):
        chunks.append(chunk)
    return b"".join(chunks)


def head(path: str = "/webhooks/twelvelabs", **headers: str) -> bytes:
    lines = [f"POST {path} HTTP/1.1", "Host: receiver", *(f"{k}: {v}" for k, v in headers.items())]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def refused(reply: bytes) -> bool:
    """uvicorn's h11 answers an oversized head 400 and closes (or closes while we send)."""
    return reply == b"" or reply.startswith((b"HTTP/1.1 400 ", b"HTTP/1.1 431 "))


def test_a_request_head_over_the_receiver_s_own_bound_is_431(web: ProcfileWeb) -> None:
    with connect(web) as sock:
        sock.sendall(head(**{"X-Pad": "p" * 9000, "X-Pad2": "p" * 9000, "Connection": "close"}))
        reply = read_reply(sock)
    assert reply.startswith((b"HTTP/1.1 400 ", b"HTTP/1.1 431 "))


def stored(redis_client: redis.Redis) -> list[bytes]:
    return [key for key in redis_client.keys(LedgerKeys().tag + ":*")]


def test_the_web_line_runs_the_receiver_with_the_chosen_server_options() -> None:
    assert " ".join(RECEIVER_SERVER_OPTIONS) in web_line()
    assert shlex.split(web_line())[0] == "uvicorn"


def test_a_body_shorter_than_its_content_length_is_answered_408_and_closed(
    web: ProcfileWeb, redis_client: redis.Redis
) -> None:
    with connect(web) as sock:
        sock.sendall(
            head(
                **{
                    "Content-Type": "application/json",
                    "Content-Length": "5000",
                    "TL-Signature": sign(SECRET, BODY),
                }
            )
            + BODY
        )
        reply = read_reply(sock)  # returns only because the server closes the connection
    assert reply.startswith(b"HTTP/1.1 408 ")
    assert stored(redis_client) == []


def test_a_header_of_8_mib_is_refused_and_the_receiver_keeps_answering(
    web: ProcfileWeb, redis_client: redis.Redis
) -> None:
    with connect(web) as sock:
        # The server may close the connection while we are still sending.
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            sock.sendall(head(**{"Content-Type": "application/json", "X-Big": "a" * 8 * 2**20}))
        reply = read_reply(sock)
    assert refused(reply)
    assert web.up()
    assert stored(redis_client) == []


def test_thousands_of_small_headers_are_refused_even_when_they_arrive_at_once(
    web: ProcfileWeb,
) -> None:
    many = {f"X-H{n}": "1" for n in range(5000)}
    with connect(web) as sock:
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            sock.sendall(head(**many, Connection="close"))
        reply = read_reply(sock)
    # h11 checks its bound only while a head is incomplete, so one read of up to 256 KiB can
    # slip past it; the receiver's own middleware counts the headers.
    assert refused(reply)


def test_a_never_ending_header_does_not_grow_the_receiver(web: ProcfileWeb) -> None:
    before = web.rss_kib()
    with connect(web) as sock:
        sock.sendall(b"POST /webhooks/twelvelabs HTTP/1.1\r\nHost: r\r\nX-Endless: ")
        sent = 0
        try:
            while sent < 64 * 2**20:
                sock.sendall(b"a" * 65536)
                sent += 65536
        except (BrokenPipeError, ConnectionResetError):
            pass
        read_reply(sock)
    assert sent < 64 * 2**20, "the server read 64 MiB of one header without closing"
    assert web.rss_kib() - before < 20 * 1024
    assert web.up()


def test_a_non_ascii_digit_timestamp_is_401_not_500(
    web: ProcfileWeb, redis_client: redis.Redis
) -> None:
    for t in ("²³", "9" * 400):
        value = sign(SECRET, BODY).replace("t=", f"t={t}", 1).split(",", 1)
        signature = f"t={t},{value[1]}"
        with connect(web) as sock:
            sock.sendall(
                head(
                    **{
                        "Content-Type": "application/json",
                        "Content-Length": str(len(BODY)),
                        "TL-Signature": signature,
                        "Connection": "close",
                    }
                )
                + BODY
            )
            reply = read_reply(sock)
        assert reply.startswith(b"HTTP/1.1 401 "), reply[:200]
    assert stored(redis_client) == []


def test_an_idle_keep_alive_connection_is_closed(web: ProcfileWeb) -> None:
    with connect(web) as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: r\r\n\r\n")
        first = b""
        while not first.endswith(b"}"):
            first += sock.recv(65536)
        started = time.monotonic()
        rest = read_reply(sock)
    assert first.startswith(b"HTTP/1.1 200 ")
    assert rest == b""
    assert time.monotonic() - started < 14  # closed by the server, not by our 15 s timeout


def test_a_connection_that_sends_nothing_is_closed(web: ProcfileWeb) -> None:
    with connect(web) as sock:
        assert read_reply(sock) == b""  # returns because the server closes, within 15 s


def test_a_request_head_dripped_a_byte_at_a_time_is_closed(web: ProcfileWeb) -> None:
    with connect(web) as sock:
        sent = 0
        try:
            for byte in head(path="/healthz", **{"X-Slow": "s" * 200}):
                sock.sendall(bytes([byte]))
                sent += 1
                time.sleep(0.05)
        except (BrokenPipeError, ConnectionResetError):
            pass
        reply = read_reply(sock) if sent < 250 else b"(sent it all)"
    assert reply == b""
    assert web.up()
