"""Local store: operator accounts, scrypt hashes, lockout, password change, demo clerk, admin functions."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from forms.vocabulary import Role
from local_cache import AuthenticationError, LockedOutError, Store, ValidationError
from local_cache.admin import add_operator, ensure_demo_clerk, list_operators, render_operators, reset_password
from local_cache.operators import DEMO_LOGIN, DEMO_NAME, DEMO_PASSWORD, check_password, hash_password
from tests.store_helpers import Clock


@pytest.fixture
def store_options() -> dict[str, Any]:
    """The shared ``store`` fixture (conftest.py) with a ten-minute lockout."""
    return {"lockout": timedelta(minutes=10)}


def test_scrypt_hash_is_salted_and_checks() -> None:
    a, b = hash_password("correct horse"), hash_password("correct horse")
    assert a != b and a.startswith("scrypt$16384$8$1$")
    assert check_password("correct horse", a) and check_password("correct horse", b)
    assert not check_password("Correct horse", a)
    assert not check_password("x", "garbage")


def test_add_and_login(store: Store) -> None:
    msg = add_operator(store, "Alice", "张三", "supervisor", "s3cret-pass")
    assert "alice" in msg and "负责人" in msg
    op = store.operators.authenticate("alice", "s3cret-pass")
    assert op.role is Role.SUPERVISOR and op.name == "张三"
    actions = [e.action for e in store.audit.entries()]
    assert actions == ["operator_added", "login"]


@pytest.mark.parametrize(
    ("login", "role", "password", "needle"),
    [("a", "clerk", "longenough", "登录名"), ("bob", "boss", "longenough", "角色"), ("bob", "clerk", "short", "太短")],
)
def test_bad_input_is_refused(store: Store, login: str, role: str, password: str, needle: str) -> None:
    with pytest.raises(ValidationError) as info:
        store.operators.add(login, "某人", role, password)
    assert needle in str(info.value)
    assert store.operators.count() == 0


def test_duplicate_login_refused(store: Store) -> None:
    store.operators.add("bob", "李四", "clerk", "password1")
    with pytest.raises(ValidationError):
        store.operators.add("BOB", "李四", "clerk", "password1")


def test_lockout_after_five_failures_then_expires(store: Store, clock: Clock) -> None:
    store.operators.add("bob", "李四", "clerk", "password1")
    for remaining in (4, 3, 2, 1):
        with pytest.raises(AuthenticationError) as info:
            store.operators.authenticate("bob", "wrong")
        assert info.value.remaining == remaining
    with pytest.raises(LockedOutError):
        store.operators.authenticate("bob", "wrong")
    # even the right password is refused while locked
    with pytest.raises(LockedOutError) as locked:
        store.operators.authenticate("bob", "password1")
    assert locked.value.until == clock.now + timedelta(minutes=10)
    assert "已锁定" in list_operators(store)[0].state
    clock.now += timedelta(minutes=11)
    assert store.operators.authenticate("bob", "password1").login == "bob"
    actions = [e.action for e in store.audit.entries()]
    assert actions.count("login_failed") == 5 and actions.count("lockout") == 1 and actions[-1] == "login"


def test_failure_count_survives_reopen(tmp_path: Path, clock: Clock) -> None:
    def open_() -> Store:
        return Store.open(tmp_path / "c.db", tmp_path / "k.key", workstation_id="QD01", clock=clock, scrypt_n=2**10)

    with open_() as s:
        s.operators.add("bob", "李四", "clerk", "password1")
        for _ in range(4):
            with pytest.raises(AuthenticationError):
                s.operators.authenticate("bob", "wrong")
    with open_() as s, pytest.raises(LockedOutError):
        s.operators.authenticate("bob", "wrong")


def test_unknown_login_is_same_error_and_logged_by_hash(store: Store) -> None:
    with pytest.raises(AuthenticationError) as info:
        store.operators.authenticate("13812345678", "x")
    assert str(info.value) == "登录名或密码错误。"
    entry = store.audit.entries()[-1]
    assert entry.action == "login_failed" and "13812345678" not in str(entry.detail)


def test_change_and_reset_password(store: Store) -> None:
    store.operators.add("bob", "李四", "clerk", "password1")
    store.operators.change_password("bob", "password1", "password2")
    with pytest.raises(AuthenticationError):
        store.operators.authenticate("bob", "password1")
    assert store.operators.authenticate("bob", "password2").must_change_password is False
    with pytest.raises(ValidationError):
        store.operators.change_password("bob", "password2", "password2")
    for _ in range(5):
        with pytest.raises((AuthenticationError, LockedOutError)):
            store.operators.authenticate("bob", "nope")
    assert "解除锁定" in reset_password(store, "bob", "temporary9")
    op = store.operators.authenticate("bob", "temporary9")
    assert op.must_change_password is True


def test_demo_clerk_only_on_first_run(store: Store) -> None:
    demo = ensure_demo_clerk(store)
    assert demo is not None
    assert (demo.login, demo.name, demo.role, demo.is_demo) == (DEMO_LOGIN, DEMO_NAME, Role.CLERK, True)
    assert store.operators.authenticate(DEMO_LOGIN, DEMO_PASSWORD).is_demo
    assert ensure_demo_clerk(store) is None
    assert "[演示账号]" in render_operators(list_operators(store))


def test_demo_clerk_not_created_when_operators_exist(store: Store) -> None:
    store.operators.add("bob", "李四", "clerk", "password1")
    assert ensure_demo_clerk(store) is None
    assert [o.login for o in store.operators.list()] == ["bob"]


def test_empty_list_renders_a_hint(store: Store) -> None:
    assert "counter operators add" in render_operators(list_operators(store))
