"""The audit entry body written by template (local_cache.audit.entry_body) is byte for byte canonical_json's, and
the keyed-once chain hasher (local_cache.suites.keyed_hasher) gives what keying per value gives."""

from __future__ import annotations

import hashlib
import random
from typing import Any

import pytest

from local_cache.audit import canonical_json, entry_body, entry_hash
from local_cache.suites import keyed_hasher, keyed_hex

_TEXTS = [
    "",
    "sync",
    'say "hi"',
    "back\\slash \\u0041 \\\\",
    "ctl \x00\x01\x1f\x7f\t\n\r\b\f",
    "受理 申请人 张三",
    "emoji 😀 \U0001f3e6 and ZWJ 👩\u200d💻",
    "\u2028\u2029 line separators",
    '{"from_status":"in_review","to_status":"approved"}',
    "2026-12-01T14:34:22.738519+00:00",
    "QD01-20260101-0001",
    "0" * 64,
    "</script>&<>'",
]


def _generic(row: dict[str, Any]) -> bytes:
    keys = ("seq", "at", "actor", "action", "case_number", "detail", "prev_hash")
    return canonical_json({k: row[k] for k in keys}).encode()


def _rows() -> list[dict[str, Any]]:
    rng = random.Random(15)
    rows = []
    for seq in [0, 1, 2, 99, 10**12, -5, 2**70]:
        for _ in range(40):
            rows.append(
                {
                    "seq": seq,
                    "at": rng.choice(_TEXTS),
                    "actor": rng.choice(_TEXTS),
                    "action": rng.choice(_TEXTS),
                    "case_number": rng.choice([None, *_TEXTS]),
                    "detail": canonical_json({"k": rng.choice(_TEXTS), "n": seq, "none": None}),
                    "prev_hash": rng.choice(_TEXTS),
                    "hash": "ignored",
                }
            )
    return rows


@pytest.mark.parametrize("row", _rows())
def test_template_body_is_canonical_json(row: dict[str, Any]) -> None:
    assert entry_body(row) == _generic(row)


@pytest.mark.parametrize(
    "odd",
    [
        {"seq": True},
        {"seq": "7"},
        {"seq": 7.0},
        {"case_number": 12},
        {"detail": {"a": 1}},
        {"actor": None},
        {"at": b"bytes"},
    ],
)
def test_other_types_go_through_canonical_json(odd: dict[str, Any]) -> None:
    row = {**_rows()[3], **odd}
    assert entry_body(row) == _generic(row)


class _Str(str):
    pass


def test_str_subclass_is_encoded_as_canonical_json_does() -> None:
    row = {**_rows()[5], "actor": _Str('sub"class'), "case_number": _Str("QD01")}
    assert entry_body(row) == _generic(row)


def test_unencodable_text_fails_as_before() -> None:
    row = {**_rows()[1], "detail": "lone surrogate \ud800"}
    with pytest.raises(UnicodeEncodeError):
        _generic(row)
    with pytest.raises(UnicodeEncodeError):
        entry_body(row)


def test_entry_hash_is_over_the_body() -> None:
    row = _rows()[7]
    assert entry_hash(row) == hashlib.sha256(_generic(row)).hexdigest()


@pytest.mark.parametrize("suite", ["gm", "intl"])
def test_keyed_hasher_matches_keyed_hex(suite: Any) -> None:
    key = bytes(range(32))
    digest = keyed_hasher(suite, key)
    for data in [b"", b"a", "受理".encode(), bytes(range(256)) * 9, *(entry_body(r) for r in _rows()[:50])]:
        assert digest(data) == keyed_hex(suite, key, data)
    # The keyed state is copied, never consumed: the same value hashes the same again.
    assert digest(b"again") == digest(b"again") == keyed_hex(suite, key, b"again")
