"""local_cache: the SQLite store (cases and drafts, operators, audit chain, personal data encrypted at rest).

Open it with :meth:`local_cache.store.Store.open`; nothing connects at import time. See docs/store.md.
"""

from __future__ import annotations

from local_cache.audit import Action, AuditReport
from local_cache.cases import CaseRecord, CaseSummary, Person
from local_cache.errors import (
    AuthenticationError,
    KeyFileError,
    LockedOutError,
    NotFoundError,
    SchemaTooNewError,
    StoreError,
    StoreOpenError,
    SuiteMismatchError,
    ValidationError,
)
from local_cache.operators import Operator
from local_cache.store import Store

__all__ = [
    "Action",
    "AuditReport",
    "AuthenticationError",
    "CaseRecord",
    "CaseSummary",
    "KeyFileError",
    "LockedOutError",
    "NotFoundError",
    "Operator",
    "Person",
    "SchemaTooNewError",
    "Store",
    "StoreError",
    "StoreOpenError",
    "SuiteMismatchError",
    "ValidationError",
]
