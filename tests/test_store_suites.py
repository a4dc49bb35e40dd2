"""Crypto suites (issue 14, item 9): the national algorithms answer their standards' vectors, a new store is gm,
an old one stays intl, and a store is never opened in the other suite."""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
from pathlib import Path

import pytest

from counter_app.services.stores import open_store
from counter_app.settings import Settings
from local_cache import KeyFileError, Store, SuiteMismatchError
from local_cache.audit import entry_hash
from local_cache.crypto import KeyRing
from local_cache.errors import DecryptionError
from local_cache.suites import Aead, sm3
from tests.store_helpers import Clock

FIXTURE = Path(__file__).parent / "fixtures" / "v5_store"
ID_NUMBER = "11010519491231002X"
PERSON = {"applicant": {"name": "国密测试", "id_number": ID_NUMBER, "phone": "13812345678"}}


def _sm4_ecb(key: bytes, block: bytes) -> bytes:
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

    encryptor = Cipher(algorithms.SM4(key), modes.ECB()).encryptor()
    return encryptor.update(block) + encryptor.finalize()


# -- known-answer vectors ---------------------------------------------------------------------------------------


def test_sm3_answers_gb_t_32905() -> None:
    assert sm3(b"abc").hex() == "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
    # GB/T 32905 example 2: "abcd" sixteen times (512 bits, two blocks after padding).
    assert sm3(b"abcd" * 16).hex() == "debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732"


def test_sm4_answers_gb_t_32907() -> None:
    key = bytes.fromhex("0123456789abcdeffedcba9876543210")
    assert _sm4_ecb(key, key).hex() == "681edf34d206965e86b3e94f536e4246"


def test_sm4_gcm_answers_rfc_8998() -> None:
    """RFC 8998 appendix A.1: the SM4-GCM the store seals with is the standard one, tag after ciphertext."""
    aead = Aead("gm", bytes.fromhex("0123456789ABCDEFFEDCBA9876543210"))
    nonce = bytes.fromhex("00001234567800000000ABCD")
    aad = bytes.fromhex("FEEDFACEDEADBEEFFEEDFACEDEADBEEFABADDAD2")
    plain = bytes.fromhex("".join(c * 16 for c in "ABCDEFEA"))
    sealed = aead.seal(nonce, plain, aad)
    assert sealed[:-16].hex().upper() == (
        "17F399F08C67D5EE19D0DC9969C4BB7D5FD46FD3756489069157B282BB200735"
        "D82710CA5C22F0CCFA7CBF93D496AC15A56834CBCF98C397B4024A2691233B8D"
    )
    assert sealed[-16:].hex().upper() == "83DE3541E4C2B58177E065A9BF7B62EC"
    assert aead.open(nonce, sealed, aad) == plain


# -- the key ring -----------------------------------------------------------------------------------------------


def test_the_two_suites_never_read_each_other() -> None:
    master = b"\x07" * 32
    gm, intl = KeyRing(master, "gm"), KeyRing(master, "intl")
    blob = gm.encrypt(b"secret", "cases.payload:x")
    assert blob[:1] == b"\x02" and intl.encrypt(b"secret", "c")[:1] == b"\x01"
    assert gm.decrypt(blob, "cases.payload:x") == b"secret"
    with pytest.raises(DecryptionError, match="混用"):
        intl.decrypt(blob, "cases.payload:x")
    # Same master key, unrelated subkeys: hashes and key check values differ per suite.
    assert gm.id_hash(ID_NUMBER) != intl.id_hash(ID_NUMBER)
    assert gm.check_value() != intl.check_value()
    assert gm.for_suite("intl").id_hash(ID_NUMBER) == intl.id_hash(ID_NUMBER)


# -- stores -----------------------------------------------------------------------------------------------------


def _raw_blobs(path: Path) -> list[bytes]:
    conn = sqlite3.connect(path)
    try:
        return [
            bytes(r[0])
            for sql in (
                "SELECT payload_enc FROM cases",
                "SELECT name_enc FROM case_people",
                "SELECT name_enc FROM operators",
            )
            for r in conn.execute(sql)
            if r[0] is not None
        ]
    finally:
        conn.close()


def test_a_new_store_is_gm_through_and_through(tmp_path: Path, clock: Clock) -> None:
    with Store.open(tmp_path / "c.db", tmp_path / "k.key", workstation_id="QD01", clock=clock, scrypt_n=2**4) as s:
        assert s.suite == "gm"
        s.operators.add("wang", "王小柜", "clerk", "long-enough-1", actor="admin")
        case = s.cases.create(actor="wang", payload=PERSON)
        assert [c.id for c in s.cases.find_by_id_number(ID_NUMBER)] == [case.id]
        assert [c.id for c in s.cases.find_by_name("国密测试")] == [case.id]
        assert s.audit.verify().ok
        first = s.audit.entries()[0]
        row = {**first.__dict__, "detail": s.db.conn.conn.execute("SELECT detail FROM audit_log").fetchone()[0]}
        # The chain is HMAC-SM3 under the store key: not the plain SHA-256 an intl chain uses.
        assert first.hash != entry_hash(row) and first.hash == s.audit.hash_entry(row)
    blobs = _raw_blobs(tmp_path / "c.db")
    assert blobs and all(b[:1] == b"\x02" for b in blobs)
    conn = sqlite3.connect(tmp_path / "c.db")
    assert conn.execute("SELECT value FROM meta WHERE key = 'crypto_suite'").fetchone() == ("gm",)
    conn.close()


def test_an_intl_store_keeps_the_algorithms_of_before(tmp_path: Path, clock: Clock) -> None:
    with Store.open(tmp_path / "c.db", tmp_path / "k.key", workstation_id="QD01", clock=clock, suite="intl") as s:
        s.cases.create(actor="t", payload=PERSON)
        entry = s.audit.entries()[0]
        detail = s.db.conn.conn.execute("SELECT detail FROM audit_log").fetchone()[0]
        assert entry.hash == entry_hash({**entry.__dict__, "detail": detail})  # plain SHA-256
        assert s.cases.find_by_name("国密测试")
    assert all(b[:1] == b"\x01" for b in _raw_blobs(tmp_path / "c.db"))


def _v5_copy(tmp_path: Path) -> tuple[Path, Path]:
    db, key = tmp_path / "counter.db", tmp_path / "counter.key"
    shutil.copy(FIXTURE / "counter.db", db)
    shutil.copy(FIXTURE / "counter.key", key)
    key.chmod(0o600)
    return db, key


def test_the_v5_fixture_opens_as_intl_and_refuses_gm(tmp_path: Path) -> None:
    db, key = _v5_copy(tmp_path)
    before = db.read_bytes()
    with pytest.raises(SuiteMismatchError, match="rekey --suite gm") as refused:
        Store.open(db, key, workstation_id="QD01", suite="gm")
    assert (refused.value.written, refused.value.asked) == ("intl", "gm")
    assert db.read_bytes() == before  # refused before any write: not even the WAL switch reached the file
    with Store.open(db, key, workstation_id="QD01") as s:
        assert s.suite == "intl" and s.audit.verify().ok
    with Store.open(db, key, workstation_id="QD01", suite="intl") as s:
        assert s.suite == "intl"


def test_a_gm_store_is_refused_under_intl_settings(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    assert settings.crypto_suite == "auto" and settings.signature_method == "HMAC-SM3"
    with open_store(settings) as s:
        assert s.suite == "gm"
        s.cases.create(actor="t", payload=PERSON)
    intl = Settings(data_dir=tmp_path, crypto_suite="intl")
    assert intl.signature_method == "HMAC-SHA256"
    with pytest.raises(SuiteMismatchError, match="两种算法不能混用"):
        open_store(intl)
    with open_store(intl, any_suite=True) as s:
        assert s.suite == "gm"


def test_flipping_the_recorded_suite_is_refused_not_read_as_garbage(tmp_path: Path) -> None:
    """The key check value is suite-specific: a store whose meta says intl but whose data is gm does not open."""
    db, key = tmp_path / "c.db", tmp_path / "k.key"
    with Store.open(db, key, workstation_id="QD01") as s:
        s.cases.create(actor="t", payload=PERSON)
    conn = sqlite3.connect(db)
    conn.execute("UPDATE meta SET value = 'intl' WHERE key = 'crypto_suite'")
    conn.commit()
    conn.close()
    with pytest.raises(KeyFileError):
        Store.open(db, key, workstation_id="QD01")


def test_key_derivation_of_intl_is_unchanged() -> None:
    """Stores written before suites must still open: intl derives exactly as before (HKDF-SHA256, v1 labels)."""
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF

    master = bytes(range(32))
    check = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"counter-store/check/v1").derive(master)
    import hmac

    assert KeyRing(master, "intl").check_value() == hmac.new(check, b"key-check", hashlib.sha256).hexdigest()
