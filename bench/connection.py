"""HttpConnection: one keep-alive HTTP/1.1 connection, just enough protocol to POST a webhook.

A general client such as httpx spends several times the receiver's own CPU per request; on a
two-core machine one load process must outpace one server process, so the load generator
speaks the few lines of HTTP/1.1 it needs itself.
"""

from __future__ import annotations

import asyncio


class ProtocolError(Exception):
    """The server's answer was not a plain HTTP/1.1 response with a Content-Length."""


class HttpConnection:
    """POSTs over one reused connection; reconnects after a close or an error."""

    def __init__(self, host: str, port: int) -> None:
        self.host = host
        self.port = port
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None

    async def post(self, path: str, body: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
        if self._writer is None:
            self._reader, self._writer = await asyncio.open_connection(self.host, self.port)
        assert self._reader is not None
        lines = [f"POST {path} HTTP/1.1", f"Host: {self.host}:{self.port}"]
        lines += [f"{name}: {value}" for name, value in headers.items()]
        lines.append(f"Content-Length: {len(body)}")
        self._writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
        status, length, closing = parse_head(await self._reader.readuntil(b"\r\n\r\n"))
        answer = await self._reader.readexactly(length) if length else b""
        if closing:
            self.close()
        return status, answer

    def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
        self._reader = self._writer = None


def parse_head(raw: bytes) -> tuple[int, int, bool]:
    """Status, Content-Length and whether the server closes the connection."""
    status_line, *header_lines = raw.rstrip(b"\r\n").split(b"\r\n")
    parts = status_line.split(b" ", 2)
    if len(parts) < 2 or not parts[1].isdigit():
        raise ProtocolError(f"bad status line {status_line!r}")
    length: int | None = None
    closing = False
    for line in header_lines:
        name, _, value = line.partition(b":")
        name = name.strip().lower()
        if name == b"content-length":
            length = int(value)
        elif name == b"connection":
            closing = value.strip().lower() == b"close"
        elif name == b"transfer-encoding":
            raise ProtocolError("chunked answers are not supported by the bench client")
    return int(parts[1]), length or 0, closing
