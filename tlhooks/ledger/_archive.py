"""The archive of a compacted event (``compaction.py``): JSON, zlib with a preset dictionary,
7 bits a character, cut into fields short enough for Redis to keep the hash a listpack."""

from __future__ import annotations

import json
import zlib
from typing import Any

MARK = "z0"  # the archive's first field: a record that has it is compacted
CHUNK_PREFIX = "z"
CHUNK = 63  # Redis's default hash-max-listpack-value is 64; 63 takes a 1-byte length
MAX_CHUNKS = 48  # more would pass hash-max-listpack-entries (128) with the other fields

# What most archives hold, so even a small one compresses well (zlib's preset dictionary).
# Changing it makes older archives unreadable: a new dictionary needs a new chunk prefix.
_ZDICT = json.dumps(
    {
        "dropped": ["body", "headers.tl-signature"],
        "f": {
            "headers": '{"content-type":"application/json","content-length":"199",'
            '"user-agent":"TwelveLabs-Webhooks/1.0"}',
            "validation": '{"mode":"segments","valid":true,"truncated":false,"errors":[],'
            '"warnings":[],"omitted_errors":0,"omitted_warnings":0,"salvaged":null,'
            '"partial":false}',
            "result_digest": '{"status":"ready","bytes":0,"sha256":"","finish_reason":"stop",'
            '"generation_id":"gen_"}',
            "notification_created_at": "2026-12-05T00:00:00.000000+00:00",
        },
        "h": [
            ["received", 0.0, ""],
            ["queued", 0.0, "published"],
            ["fetching", 0.0, ""],
            ["handling", 0.0, "task retrieved"],
            ["handled", 0.0, ""],
        ],
        "o": {"myapp.hooks.": [1, 0.0, 0.0, None, None]},
        "d": [[0.0, "", True]],
    },
    separators=(",", ":"),
).encode()


def is_chunk(name: str) -> bool:
    return name[:1] == CHUNK_PREFIX and name[1:].isdigit()


def encode(archive: dict[str, Any]) -> dict[str, str]:
    """The archive as hash fields ``z0``, ``z1``... of at most 63 ASCII characters each (all in
    ``z0`` when that would make too many)."""
    packer = zlib.compressobj(9, zlib.DEFLATED, -15, 9, zlib.Z_DEFAULT_STRATEGY, _ZDICT)
    raw = json.dumps(archive, separators=(",", ":")).encode()
    text = _to_ascii(packer.compress(raw) + packer.flush())
    if len(text) > CHUNK * MAX_CHUNKS:
        return {MARK: text}
    return {
        f"{CHUNK_PREFIX}{n}": text[start : start + CHUNK]
        for n, start in enumerate(range(0, len(text), CHUNK))
    }


def decode(fields: dict[str, str]) -> dict[str, Any]:
    """The archive held in a record's ``z<n>`` fields (the others are ignored)."""
    chunks = sorted((int(name[1:]), value) for name, value in fields.items() if is_chunk(name))
    text = "".join(value for _, value in chunks)
    unpacker = zlib.decompressobj(-15, _ZDICT)
    raw = unpacker.decompress(_from_ascii(text)) + unpacker.flush()
    archive: dict[str, Any] = json.loads(raw)
    return archive


def _to_ascii(data: bytes) -> str:
    """7 bits a character (every code below 128 is one byte of UTF-8, which the ledger's
    client decodes): each 7 bytes become 8 characters, a last k bytes k + 1."""
    out = []
    for start in range(0, len(data), 7):
        block = data[start : start + 7]
        digits = len(block) + 1
        value = int.from_bytes(block, "big") << (digits * 7 - len(block) * 8)
        out.append("".join(chr((value >> (7 * n)) & 0x7F) for n in reversed(range(digits))))
    return "".join(out)


def _from_ascii(text: str) -> bytes:
    out = bytearray()
    for start in range(0, len(text), 8):
        group = text[start : start + 8]
        value = 0
        for char in group:
            value = (value << 7) | ord(char)
        size = len(group) - 1
        out += (value >> (len(group) * 7 - size * 8)).to_bytes(size, "big")
    return bytes(out)
