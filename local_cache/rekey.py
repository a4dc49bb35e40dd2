"""``counter store rekey --suite gm``: move a whole store to another cryptographic suite, atomically.

One SQLite write transaction does everything, so a kill at any instant leaves the store wholly in the old suite or
wholly in the new one (WAL, ``synchronous=FULL``); the master key file is not touched (both suites derive their
subkeys from it), so there is never a moment where the key and the database disagree.

In that transaction:

- every encrypted column is decrypted under the old suite and encrypted under the new one, with the same
  associated data (:data:`ENCRYPTED` names each column and its context; a ``*_enc`` column it does not know
  stops the rekey before anything is written, so a column added later cannot be left behind in the old suite);
- the search hashes (``case_people.name_hash``/``id_hash``) are recomputed from the decrypted values;
- keyed hashes whose input is not kept cannot be recomputed: the verification cache (a 4-hour cache keyed by the
  subject hash) is emptied, and ``verifications.subject_hash`` is cleared (the row stays linked to its audit entry
  by request id). Audit entries and the case's own lookup records keep the hash they were made with: they are a
  record of that moment, and the chain forbids rewriting them;
- ``meta``: the new key check value and ``crypto_suite``;
- the audit chain is re-anchored, not recomputed (local_cache/audit_chain.py): a ``store_rekeyed`` entry hashed
  under the new suite follows the old suite's last entry, and ``meta.audit_suites`` records where the new segment
  starts. The rekey is itself an audited event: suites, counts, the previous head and whether the chain verified
  before.

The :class:`Store` given is spent afterwards (its keys are the old suite's; its writes are refused): close it and
open the store again.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from local_cache.audit import Action, AuditLog
from local_cache.audit_chain import SEGMENTS_KEY, AuditChain, read_segments, segments_json
from local_cache.errors import ValidationError
from local_cache.store import KEY_CHECK, SUITE_KEY, Store
from local_cache.suites import Suite

Row = Mapping[str, Any]

#: (table, column) -> the associated data each value was encrypted with (the repositories' contexts).
ENCRYPTED: dict[tuple[str, str], Callable[[Row], str]] = {
    ("operators", "name_enc"): lambda r: f"operators.name:{r['login']}",
    ("cases", "payload_enc"): lambda r: f"cases.payload:{r['id']}",
    ("case_people", "name_enc"): lambda r: f"case_people.name:{r['case_id']}",
    ("case_people", "id_number_enc"): lambda r: f"case_people.id:{r['case_id']}",
    ("case_people", "phone_enc"): lambda r: f"case_people.phone:{r['case_id']}",
    ("verifications", "data_enc"): lambda r: f"verifications.data:{r['request_id']}",
    ("outbox", "payload_enc"): lambda r: f"outbox.payload:{r['case_id']}:{r['version']}",
    ("pending_lookups", "request_enc"): lambda r: f"pending_lookups.request:{r['request_id']}",
}
#: Columns named ``*_hash`` and what a rekey does with them; an unknown one stops the rekey (see ENCRYPTED).
HASH_COLUMNS: dict[tuple[str, str], str] = {
    ("operators", "password_hash"): "scrypt, no suite",
    ("case_people", "name_hash"): "recomputed",
    ("case_people", "id_hash"): "recomputed",
    ("verifications", "subject_hash"): "cleared",
    ("verification_cache", "subject_hash"): "table emptied",
    ("audit_log", "prev_hash"): "kept (chain re-anchored)",
}


@dataclass(frozen=True)
class RekeyReport:
    """What ``counter store rekey`` did (or that there was nothing to do)."""

    from_suite: Suite
    to_suite: Suite
    values: int = 0
    hashes: int = 0
    cache_dropped: int = 0
    anchored_at: int | None = None  # the seq of the store_rekeyed entry

    @property
    def changed(self) -> bool:
        return self.anchored_at is not None

    def render(self) -> str:
        if not self.changed:
            return f"数据库已使用 {self.to_suite} 算法套件，无需迁移。"
        return (
            f"已将数据库从 {self.from_suite} 迁移到 {self.to_suite}：重新加密 {self.values} 个字段，重算 {self.hashes}"
            f" 个检索哈希，清空核验缓存 {self.cache_dropped} 条；审计链在第 {self.anchored_at} 条重新锚定"
            "（store_rekeyed），此前的条目保持原算法。"
        )


def _columns(conn: Any) -> dict[str, list[str]]:
    tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    return {t: [str(c[1]) for c in conn.execute(f"PRAGMA table_info({t})")] for t in tables}


def _unknown_columns(columns: dict[str, list[str]]) -> list[str]:
    unknown = []
    for table, names in columns.items():
        for name in names:
            if name.endswith("_enc") and (table, name) not in ENCRYPTED:
                unknown.append(f"{table}.{name}")
            if name.endswith("_hash") and (table, name) not in HASH_COLUMNS:
                unknown.append(f"{table}.{name}")
    return unknown


def rekey_store(store: Store, suite: Suite, *, actor: str = "admin") -> RekeyReport:
    """Move ``store`` to ``suite`` in one transaction; the store object is spent afterwards (see the module doc)."""
    old_keys = store.keys
    if store.suite == suite:
        return RekeyReport(store.suite, suite)
    new_keys = old_keys.for_suite(suite)
    with store.db.write() as db:
        conn = db.conn
        columns = _columns(conn)
        unknown = _unknown_columns(columns)
        if unknown:
            raise ValidationError(f"数据库中有本程序不认识的加密或哈希列（{'、'.join(unknown)}），未作迁移。")
        chain_ok = store.audit.verify().ok
        values = hashes = 0
        by_table: dict[str, list[str]] = {}
        for table, column in ENCRYPTED:
            if column in columns.get(table, []):
                by_table.setdefault(table, []).append(column)
        for table, enc_columns in by_table.items():
            names = columns[table]
            ids = [int(r[0]) for r in conn.execute(f"SELECT rowid FROM {table} ORDER BY rowid")]
            for rowid in ids:
                values_row = conn.execute(f"SELECT * FROM {table} WHERE rowid = ?", [rowid]).fetchone()
                row = dict(zip(names, values_row, strict=True))
                update: dict[str, Any] = {}
                for column in enc_columns:
                    if row[column] is None:
                        continue
                    context = ENCRYPTED[(table, column)](row)
                    clear = old_keys.decrypt(row[column], context)
                    update[column] = new_keys.encrypt(clear, context)
                    values += 1
                    if table == "case_people" and column == "name_enc":
                        update["name_hash"] = new_keys.name_hash(clear.decode())
                        hashes += 1
                    if table == "case_people" and column == "id_number_enc":
                        update["id_hash"] = new_keys.id_hash(clear.decode())
                        hashes += 1
                if update:
                    assignments = ", ".join(f"{c} = ?" for c in update)
                    conn.execute(f"UPDATE {table} SET {assignments} WHERE rowid = ?", [*update.values(), rowid])
        dropped = 0
        if "verification_cache" in columns:
            dropped = conn.execute("DELETE FROM verification_cache").rowcount
        if "verifications" in columns:
            conn.execute("UPDATE verifications SET subject_hash = NULL WHERE subject_hash IS NOT NULL")
        upsert = "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value"
        conn.execute(upsert, [KEY_CHECK, new_keys.check_value()])
        conn.execute(upsert, [SUITE_KEY, suite])
        last = conn.execute("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1").fetchone()
        head_seq, head_hash = (0, "") if last is None else (int(last[0]), str(last[1]))
        # Segments so far (a store from before suites has none recorded: one segment of its own suite from 1).
        segments = read_segments(conn) or [(1, store.suite)]
        segments = [*segments, (head_seq + 1, suite)]
        conn.execute(upsert, [SEGMENTS_KEY, segments_json(segments)])
        new_log = AuditLog(store.db, store.clock, AuditChain(new_keys, segments).hash_entry)
        entry = new_log.append(
            Action.STORE_REKEYED,
            actor=actor,
            from_suite=store.suite,
            to_suite=suite,
            values=values,
            hashes=hashes,
            cache_dropped=dropped,
            previous_seq=head_seq,
            previous_hash=head_hash,
            chain_ok_before=chain_ok,
        )
    return RekeyReport(store.suite, suite, values, hashes, dropped, entry.seq)
