"""Which suite hashes which audit entry: the chain's segments across ``counter store rekey``.

A rekey never rewrites the entries already in the chain: they were hashed under the old suite, and recomputing
them would erase exactly what the chain is for (a rewrite is what verification must catch, and the platform holds
anchors of the old hashes). Instead the chain is *re-anchored*: the rekey appends one ``store_rekeyed`` entry,
hashed under the new suite, whose ``prev_hash`` is the old suite's last hash. From there on entries use the new
suite. ``meta.audit_suites`` records the segments as JSON ``[[first_seq, suite], ...]`` in the same transaction.

The last segment always takes the store's own suite (the suite bound to the key by the key check value), whatever
``meta.audit_suites`` says: under gm the newest entries are HMAC-SM3 and need the key, and every older entry is
chained to them, so editing ``meta.audit_suites`` to pass off a rewritten chain as intl does not verify. A store
without the key (an intl store from before suites) is one segment of its own suite.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping, Sequence
from typing import Any

from local_cache.audit import entry_hash
from local_cache.crypto import KeyRing
from local_cache.suites import Suite, check_suite

SEGMENTS_KEY = "audit_suites"

Segments = list[tuple[int, Suite]]


def read_segments(conn: sqlite3.Connection) -> Segments:
    """The recorded segments, oldest first; empty when none are recorded or the value is not readable."""
    try:
        row = conn.execute("SELECT value FROM meta WHERE key = ?", [SEGMENTS_KEY]).fetchone()
        if row is None:
            return []
        value = json.loads(row[0])
        segments = [(int(start), check_suite(str(suite))) for start, suite in value]
    except (sqlite3.Error, ValueError, TypeError):
        return []  # unreadable: the store's own suite for every entry, and verification says where that fails
    return sorted(segments)


def segments_json(segments: Sequence[tuple[int, Suite]]) -> str:
    return json.dumps([[start, suite] for start, suite in segments])


class AuditChain:
    """Hashes an entry with the suite of its segment; hand ``hash_entry`` to ``AuditLog``."""

    def __init__(self, keys: KeyRing, segments: Sequence[tuple[int, Suite]] = ()) -> None:
        self._keys = keys
        self._segments: Segments = sorted(segments) or [(1, keys.suite)]
        # The rings of the other suite are derived once: verification hashes every entry.
        self._rings: dict[Suite, KeyRing] = {keys.suite: keys}

    @property
    def segments(self) -> Segments:
        return list(self._segments)

    def suite_for(self, seq: int) -> Suite:
        last_start = self._segments[-1][0]
        if seq >= last_start:
            return self._keys.suite
        suite = self._segments[0][1]
        for start, segment_suite in self._segments:
            if seq >= start:
                suite = segment_suite
        return suite

    def _ring(self, suite: Suite) -> KeyRing:
        if suite not in self._rings:
            self._rings[suite] = self._keys.for_suite(suite)
        return self._rings[suite]

    def hash_entry(self, row: Mapping[str, Any]) -> str:
        seq = row["seq"]
        # The newest segment (every entry appended now) without the segment walk: a pull hashes thousands.
        if type(seq) is int and seq >= self._segments[-1][0]:
            return entry_hash(row, self._keys.chain_digest)
        return entry_hash(row, self._ring(self.suite_for(int(seq))).chain_digest)
