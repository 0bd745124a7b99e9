"""`tlhooks dev` serves its receiver with the same hostile-connection limits as the Procfile."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
from pathlib import Path

import pytest

from tests.support.processes import BIN, ROOT, RedisServer, free_port, wait_until

pytestmark = pytest.mark.e2e


def read_until_closed(sock: socket.socket) -> bytes:
    chunks = []
    while chunk := sock.recv(65536):
        chunks.append(chunk)
    return b"".join(chunks)


def test_dev_closes_silent_connections_and_refuses_oversized_heads(
    redis_server: RedisServer, redis_client: object, tmp_path: Path
) -> None:
    log = tmp_path / "dev.out"
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("TLHOOKS_")}
    env.update(TLHOOKS_REDIS_URL=redis_server.url, TLHOOKS_HEADER_READ_TIMEOUT="1")
    argv = [str(BIN / "tlhooks"), "dev", "--port", str(port)]
    argv += ["--emulator-port", str(free_port()), "--state-dir", str(tmp_path / "state")]
    with log.open("wb") as out:
        process = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        wait_until(lambda: "Running. Press Ctrl-C" in log.read_text() or process.poll(), 90)
        with socket.create_connection(("127.0.0.1", port), timeout=15) as silent:
            assert read_until_closed(silent) == b""  # closed by the server, not our timeout
        big = b"GET /healthz HTTP/1.1\r\nHost: r\r\nX-Big: " + b"a" * 65536 + b"\r\n\r\n"
        with socket.create_connection(("127.0.0.1", port), timeout=15) as sock:
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                sock.sendall(big)
            reply = read_until_closed(sock)
        assert reply == b"" or reply.startswith((b"HTTP/1.1 400 ", b"HTTP/1.1 431 "))
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(30)
