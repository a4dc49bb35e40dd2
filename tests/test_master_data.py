"""Master data (issue 15, item 2): policy packs and calendars pulled from the platform, verified, applied atomically.

Through the sandbox on loopback (real HTTP): pull + verify + apply, a tampered bundle and one signed with another
key refused, an older version refused (``counter master pull`` exits 3 and says why); through the embedded sandbox:
a new case takes the new version while an open draft keeps its own until re-assessed, and the home status line,
the form and the receipt name the version.
"""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from pathlib import Path

import pdfplumber
from app_driver import T01, FrozenClock, login_fast, make_settings, make_workstation, prepare_case, sandbox_of
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from loopback_helpers import Loopback

from counter_app.app import make_app
from counter_app.compose import open_workstation
from counter_app.services.intake import OperatorRef
from counter_app.services.master_data import SANDBOX_PUBLIC_KEY
from counter_app.services.sandbox.app import Sandbox
from counter_app.services.sandbox.master import public_key_text, shipped_files
from counter_app.services.stores import open_store
from counter_app.services.workstation import Workstation
from forms.case import CaseFile
from printouts import DocKind, render

ROOT = Path(__file__).resolve().parents[1]
CLERK = OperatorRef(id=1, login="demo", name="演示", role="clerk")


def pack_with_days(days: int) -> dict[str, str]:
    """qingdao's pack.toml with another promised working-day count: a visible difference between versions."""
    text = shipped_files("policy", "qingdao")["pack.toml"]
    changed = re.sub(r"(\[promised_working_days\]\nvalue = )\d+", rf"\g<1>{days}", text)
    assert changed != text
    return {"pack.toml": changed}


def loopback_workstation(tmp_path: Path, url: str) -> Workstation:
    settings = make_settings(tmp_path, platform_url=url, master_data_key=SANDBOX_PUBLIC_KEY)
    return open_workstation(settings, clock=FrozenClock(), store=open_store(settings, demo_clerk=True))


def test_the_shipped_default_key_is_the_sandboxs() -> None:
    assert public_key_text() == SANDBOX_PUBLIC_KEY


async def test_pull_verify_apply_and_refusals_over_loopback(tmp_path: Path) -> None:
    sandbox = Sandbox()
    server = Loopback(sandbox.app)
    server.start()
    try:
        ws = loopback_workstation(tmp_path, server.url)
        try:
            assert ws.policy.meta.version == 0  # packaged, before any pull
            first = await ws.pull_master_data()
            assert first.applied == ["节假日日历 cn 第1版", "政策包 qingdao 第1版"]
            assert ws.policy.meta.version == 1
            assert (tmp_path / "master" / "policy" / "qingdao" / "1.bundle").exists()

            sandbox.master.publish("policy", "qingdao", 2, pack_with_days(9), tamper=True)
            tampered = await ws.pull_master_data()
            assert tampered.applied == [] and "散列" in tampered.refused[0] and "篡改" in tampered.refused[0]
            assert ws.policy.meta.version == 1

            sandbox.master.publish("policy", "qingdao", 2, pack_with_days(9), key=Ed25519PrivateKey.generate())
            forged = await ws.pull_master_data()
            assert forged.applied == [] and "签名校验失败" in forged.refused[0]
            assert ws.policy.meta.version == 1

            sandbox.master.publish("policy", "qingdao", 3, pack_with_days(9))
            newer = await ws.pull_master_data()
            assert newer.applied == ["政策包 qingdao 第3版"] and newer.refused == []
            assert ws.policy.meta.version == 3 and ws.policy.promised_working_days.value == 9
        finally:
            await ws.aclose()
    finally:
        server.stop()

    # Another platform offering only version 1 (a replayed old edition): refused, version 3 stays in force.
    old = Loopback(Sandbox().app)
    old.start()
    try:
        env = {
            **os.environ,
            "COUNTER_CONFIG": os.devnull,
            "COUNTER_DATA_DIR": str(tmp_path),
            "COUNTER_PLATFORM_URL": old.url,
            "COUNTER_MASTER_DATA_KEY": SANDBOX_PUBLIC_KEY,
        }
        cli = [sys.executable, "-m", "counter_app", "master", "pull"]
        done = subprocess.run(cli, env=env, capture_output=True, text=True, timeout=60, cwd=ROOT)
        assert done.returncode == 3, done.stderr
        assert "政策包 qingdao 第1版 比本机在用的第3版旧，已拒绝" in done.stdout
        log = (tmp_path / "logs" / "counter.log").read_text(encoding="utf-8")
        assert "master data refused" in log and "比本机在用的第3版旧" in log
        show = subprocess.run([*cli[:-1], "show"], env=env, capture_output=True, text=True, timeout=60, cwd=ROOT)
        assert show.returncode == 0 and "政策包 qingdao 第3版" in show.stdout.split("平台发布")[0]
    finally:
        old.stop()


async def test_a_new_case_takes_the_new_version_an_open_draft_keeps_its_own(tmp_path: Path) -> None:
    ws = make_workstation(make_settings(tmp_path), FrozenClock())
    try:
        await ws.pull_master_data()  # the embedded sandbox's version 1 (its key is trusted beside it)
        draft = ws.new_case(CLERK)
        assert not draft.set_field("applicant.name", "张三")  # stored, under version 1
        assert draft.file.policy_version == 1

        sandbox_of(ws).master.publish("policy", "qingdao", 2, pack_with_days(9))
        assert (await ws.pull_master_data()).applied == ["政策包 qingdao 第2版"]

        fresh = ws.new_case(CLERK)
        assert fresh.policy.meta.version == 2 and fresh.policy.promised_working_days.value == 9
        kept = ws.open_case(draft.case_id, CLERK)
        assert kept.policy.meta.version == 1 and kept.policy.promised_working_days.value == 6

        moved = ws.reassess(kept, CLERK)
        assert moved.policy.meta.version == 2 and moved.file.policy_version == 2
        assert ws.open_case(draft.case_id, CLERK).policy.promised_working_days.value == 9
    finally:
        await ws.aclose()


async def test_home_status_line_and_printouts_name_the_version(tmp_path: Path) -> None:
    clock = FrozenClock()
    ws = make_workstation(make_settings(tmp_path), clock)
    sandbox_of(ws).master.publish("policy", "qingdao", 2, pack_with_days(9))
    await ws.pull_master_data()
    await ws.aclose()
    case_id = await prepare_case(tmp_path, T01, clock=clock, decide="accept")

    ws = make_workstation(make_settings(tmp_path), clock)
    case = ws.open_case(case_id, CLERK)
    for kind in (DocKind.RECEIPT, DocKind.FORM):
        data = case.document_data(kind)
        with pdfplumber.open(io.BytesIO(render(data).pdf)) as pdf:
            text = re.sub(r"\s+", "", "".join(page.extract_text() or "" for page in pdf.pages))
        assert "qingdao第2版" in text, kind

    app = make_app(make_settings(tmp_path), clock=clock, workstation=ws)
    async with app.run_test(size=(160, 36)) as pilot:
        await login_fast(pilot)
        line = str(app.screen.query_one("#status-line").render())
        assert "qingdao 第2版" in line and "日历：第1版" in line


async def test_a_case_from_before_master_data_is_assessed_under_the_packaged_pack(tmp_path: Path) -> None:
    ws = make_workstation(make_settings(tmp_path), FrozenClock())
    try:
        await ws.pull_master_data()
        file = CaseFile.model_validate({"schema_version": 2})  # saved before policy_version existed
        assert file.policy_version == 0
        assert ws.policy_of(file).meta.version == 0 and ws.policy.meta.version == 1
    finally:
        await ws.aclose()
