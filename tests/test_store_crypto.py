"""Local store: the key file, wrong or missing keys, and no personal data in clear on disk."""

from __future__ import annotations

import os
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from forms.vocabulary import VerificationKind, VerificationOutcome
from local_cache import KeyFileError, Store
from local_cache.crypto import KeyRing, create_key_file, read_key_file
from local_cache.errors import DecryptionError

T0 = datetime(2026, 11, 22, 1, 30, tzinfo=UTC)
NAME = "欧阳明珠"
ID_NUMBER = "11010519491231002X"
PHONE = "13912345678"
CARD = "6222021234567890123"


def _open(tmp_path: Path, key: str = "store.key", **kw: object) -> Store:
    return Store.open(
        tmp_path / "counter.db", tmp_path / key, workstation_id="QD01", clock=lambda: T0, scrypt_n=2**10, **kw
    )  # type: ignore[arg-type]


def test_key_file_created_owner_only(tmp_path: Path) -> None:
    _open(tmp_path).close()
    key = tmp_path / "store.key"
    assert key.exists()
    if os.name == "posix":
        assert (key.stat().st_mode & 0o777) == 0o600


def test_key_file_never_overwritten(tmp_path: Path) -> None:
    key = tmp_path / "store.key"
    master = create_key_file(key)
    before = key.read_bytes()
    with pytest.raises(KeyFileError):
        create_key_file(key)
    assert key.read_bytes() == before
    assert read_key_file(key) == master


@pytest.mark.skipif(os.name != "posix", reason="mode bits are POSIX only")
def test_world_readable_key_file_is_refused(tmp_path: Path) -> None:
    _open(tmp_path).close()
    key = tmp_path / "store.key"
    key.chmod(0o644)
    with pytest.raises(KeyFileError) as info:
        _open(tmp_path)
    assert "chmod 600" in str(info.value) and str(key) in str(info.value)


def test_wrong_key_is_refused_and_nothing_changes(tmp_path: Path) -> None:
    with _open(tmp_path) as s:
        s.cases.create(actor="t", payload={"applicant": {"name": NAME}})
    create_key_file(tmp_path / "other.key")
    db_before = (tmp_path / "counter.db").read_bytes()
    with pytest.raises(KeyFileError) as info:
        _open(tmp_path, key="other.key")
    assert "不匹配" in str(info.value)
    assert (tmp_path / "counter.db").read_bytes() == db_before


def test_missing_key_with_existing_data_is_refused_and_no_new_key(tmp_path: Path) -> None:
    with _open(tmp_path) as s:
        s.cases.create(actor="t")
    (tmp_path / "store.key").unlink()
    with pytest.raises(KeyFileError) as info:
        _open(tmp_path)
    assert "不会生成新密钥" in str(info.value)
    assert not (tmp_path / "store.key").exists()


def test_missing_key_without_create_is_refused(tmp_path: Path) -> None:
    with pytest.raises(KeyFileError) as info:
        _open(tmp_path, create_key=False)
    assert "不存在" in str(info.value)
    assert not (tmp_path / "store.key").exists()


def test_garbage_key_file_is_refused(tmp_path: Path) -> None:
    key = tmp_path / "store.key"
    key.write_text("hello\n")
    key.chmod(0o600)
    with pytest.raises(KeyFileError) as info:
        _open(tmp_path)
    assert "格式" in str(info.value)
    assert key.read_text() == "hello\n"


def test_ciphertext_is_bound_to_its_column_and_detects_tampering() -> None:
    ring = KeyRing(os.urandom(32))
    blob = ring.encrypt(b"secret", "cases.payload:a")
    assert ring.decrypt(blob, "cases.payload:a") == b"secret"
    with pytest.raises(DecryptionError):
        ring.decrypt(blob, "cases.payload:b")
    tampered = blob[:-1] + bytes([blob[-1] ^ 1])
    with pytest.raises(DecryptionError):
        ring.decrypt(tampered, "cases.payload:a")
    other = KeyRing(os.urandom(32))
    with pytest.raises(DecryptionError):
        other.decrypt(blob, "cases.payload:a")


def test_search_hashes_normalise_but_do_not_leak() -> None:
    ring = KeyRing(b"\x01" * 32)
    assert ring.id_hash("11010519491231002x") == ring.id_hash(" 11010519491231002X ")
    assert ring.name_hash("欧阳 明珠") == ring.name_hash("欧阳明珠")
    assert ring.name_hash("欧阳明珠") != ring.id_hash("欧阳明珠")
    assert KeyRing(b"\x02" * 32).id_hash(ID_NUMBER) != ring.id_hash(ID_NUMBER)


def test_no_personal_data_in_clear_in_any_file(tmp_path: Path) -> None:
    """Raw bytes of the database, WAL and key directory hold no name, ID, phone or card number."""
    with _open(tmp_path) as s:
        op = s.operators.add("clerk1", "柜员甲乙", "clerk", "password1")
        payload = {
            "applicant": {"name": NAME, "id_number": ID_NUMBER, "phone": PHONE},
            "repayment_account": {"card_number": CARD},
        }
        case = s.cases.create(actor="clerk1", operator_id=op.id, payload=payload)
        s.cases.autosave(case.id, payload, ui_state={"screen": "applicants", "focus": "applicant.name"})
        s.records.record_verification(
            case.id,
            VerificationKind.IDENTITY,
            VerificationOutcome.MATCH,
            data={"name": NAME, "id_number": ID_NUMBER},
            source="公安",
            checked_at=T0,
            request_id="req-1",
            actor="clerk1",
            subject={"name": NAME, "id_number": ID_NUMBER},
        )
        s.outbox.enqueue(case.id, 1, payload, actor="clerk1")
        s.operators.authenticate("clerk1", "password1")
        # search still works through the keyed hashes
        assert [c.case_number for c in s.cases.find_by_id_number(ID_NUMBER.lower())] == [case.case_number]
        assert [c.case_number for c in s.cases.find_by_name(NAME)] == [case.case_number]
        # while it is open, WAL content is on disk too: check it as well
        raw_open = b"".join(p.read_bytes() for p in tmp_path.iterdir() if p.is_file())
    raw_closed = b"".join(p.read_bytes() for p in tmp_path.iterdir() if p.is_file())
    for raw in (raw_open, raw_closed):
        for secret in (NAME, ID_NUMBER, ID_NUMBER.lower(), PHONE, CARD, "柜员甲乙"):
            for encoding in ("utf-8", "utf-16-le"):
                assert secret.encode(encoding) not in raw, secret
    # sanity: the database really holds the case (the search above would otherwise pass vacuously)
    conn = sqlite3.connect(tmp_path / "counter.db")
    assert conn.execute("SELECT count(*) FROM case_people").fetchone()[0] == 1
    conn.close()
