"""Many rows in one SQL statement: the rows travel as one JSON array and SQLite unpacks them (``json_each``).

Why not ``executemany``: the ``sqlite3`` module releases the GIL around every row's step, and the sync engine
writes in a worker thread while its event loop drives HTTP. Every release is a chance for the two threads to hand
the GIL back and forth; hundreds per commit made each request of a drain measurably dearer. One statement is
one step: the whole batch is written in C, with a single release. Also cheaper per row than ``executemany``.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from typing import Any

# Above this many rows, executemany (see insert_rows).
JSON_MAX_ROWS = 1000


def _select(columns: int) -> str:
    return ", ".join(f"json_extract(value, '$[{i}]')" for i in range(columns))


def insert_rows(
    raw: sqlite3.Connection,
    table: str,
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    verb: str = "INSERT",
    on_conflict: str = "",
) -> int:
    """``verb INTO table (columns) SELECT ... FROM json_each(rows) [on_conflict]``; returns the rows changed.

    Values must be JSON types (text, numbers, None; booleans arrive as 1/0). ``on_conflict`` is an upsert clause
    (``ON CONFLICT (...) DO UPDATE SET ...``)."""
    if not rows:
        return 0
    if len(rows) > JSON_MAX_ROWS:
        # A pull's thousands of rows: its event loop waits on this very write (nothing to contend with), and
        # json_extract re-reads each row's JSON once per column, so executemany is the cheaper of the two here.
        marks = ", ".join("?" for _ in columns)
        before = raw.total_changes
        raw.executemany(f"{verb} INTO {table} ({', '.join(columns)}) VALUES ({marks}) {on_conflict}", rows)
        return raw.total_changes - before
    # WHERE true: SQLite's parser needs it between a SELECT and an upsert clause.
    sql = (
        f"{verb} INTO {table} ({', '.join(columns)}) SELECT {_select(len(columns))} FROM json_each(?) "
        f"WHERE true {on_conflict}"
    )
    before = raw.total_changes
    raw.execute(sql, [json.dumps([list(r) for r in rows], ensure_ascii=False)])
    return raw.total_changes - before


def id_list(values: Sequence[Any]) -> str:
    """A JSON array for ``... IN (SELECT value FROM json_each(?))``: one parameter, however many ids."""
    return json.dumps(list(values), ensure_ascii=False)
