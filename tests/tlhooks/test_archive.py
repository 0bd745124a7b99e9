"""A compacted event's archive (tlhooks/ledger/_archive.py) comes back exactly as written, in
fields Redis keeps in a listpack: ASCII, at most 63 bytes each."""

from __future__ import annotations

import hashlib

import pytest

from tlhooks.ledger._archive import MARK, decode, encode


def noise(size: int) -> str:
    """Text that does not compress: hex of chained SHA-256s."""
    out, block = [], b"seed"
    while len(out) * 64 < size:
        block = hashlib.sha256(block).digest()
        out.append(block.hex())
    return "".join(out)[:size]


@pytest.mark.parametrize("size", [0, 1, 6, 7, 8, 63, 500, 2_000, 40_000])
def test_an_archive_comes_back_as_written(size: int) -> None:
    archive = {"f": {"task": noise(size)}, "h": [["handled", 0.5, "née"]], "o": {}}

    fields = encode(archive)

    assert decode({**fields, "status": "handled"}) == archive
    assert MARK in fields
    if len(fields) > 1:
        assert all(len(value.encode()) <= 63 for value in fields.values())
    assert all(ord(char) < 128 for value in fields.values() for char in value)
