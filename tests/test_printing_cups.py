"""Printing through a real CUPS queue (issue 14, item 7): a private cupsd with a cups-pdf printer. A receipt prints
(the PDF appears in cups-pdf's output folder, the print log says completed, the spooled PDF is deleted); with the
printer stopped (cupsdisable) the job is reported to the clerk as 打印机未完成 and the PDF is kept.

Skipped only where CUPS is not installed (``apt-get install cups cups-pdf``) or cupsd cannot start here (it runs
as root: cups-pdf's backend and lpadmin need it)."""

from __future__ import annotations

import asyncio
import os
import pwd
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from app_driver import open_counter, store_of

from counter_app.settings import Settings
from printouts import DocKind
from tests.test_followup import agent_case, take_paper

CUPS_PDF_PPD = Path("/usr/share/ppd/cups-pdf/CUPS-PDF_noopt.ppd")
QUEUE = "testpdf"


def _cups_pdf_out() -> Path:
    """cups-pdf's output folder for this user (``Out`` in /etc/cups/cups-pdf.conf, default ${HOME}/PDF)."""
    out = "${HOME}/PDF"
    conf = Path("/etc/cups/cups-pdf.conf")
    if conf.exists():
        for line in conf.read_text(encoding="utf-8", errors="replace").splitlines():
            if line.strip().startswith("Out "):
                out = line.split(None, 1)[1].strip()
    user = pwd.getpwuid(os.getuid())
    return Path(out.replace("${HOME}", user.pw_dir).replace("${USER}", user.pw_name))


@pytest.fixture(scope="module")
def cups(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    missing = [p for p in ("cupsd", "lpadmin", "lp", "lpstat", "cupsdisable") if shutil.which(p) is None]
    if missing or not Path("/usr/lib/cups/backend/cups-pdf").exists() or not CUPS_PDF_PPD.exists():
        pytest.skip(f"CUPS or cups-pdf not installed (missing: {', '.join(missing) or 'cups-pdf'})")
    if os.geteuid() != 0:
        pytest.skip("a private cupsd with cups-pdf needs root")
    # A short path: the socket path must fit sockaddr_un.
    root = Path(tempfile.mkdtemp(prefix="cups"))
    for name in ("spool", "cache", "state", "log", "ppd"):
        (root / name).mkdir()
    (root / "tmp").mkdir(mode=0o1777)
    (root / "tmp").chmod(0o1777)  # filters run as lp and write here
    sock = root / "cups.sock"
    (root / "cupsd.conf").write_text(
        f"Listen {sock}\nLogLevel warn\nWebInterface No\nBrowsing Off\nDefaultAuthType None\n"
        "<Location />\n  Order allow,deny\n  Allow all\n</Location>\n"
        "<Policy default>\n  <Limit All>\n    Order deny,allow\n  </Limit>\n</Policy>\n"
    )
    (root / "cups-files.conf").write_text(
        f"ServerRoot {root}\nRequestRoot {root}/spool\nTempDir {root}/tmp\nCacheDir {root}/cache\n"
        f"StateDir {root}/state\nAccessLog {root}/log/access_log\nErrorLog {root}/log/error_log\n"
        f"PageLog {root}/log/page_log\nServerBin /usr/lib/cups\nDataDir /usr/share/cups\n"
    )
    daemon = subprocess.Popen(
        ["cupsd", "-f", "-c", str(root / "cupsd.conf"), "-s", str(root / "cups-files.conf")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    env = {**os.environ, "CUPS_SERVER": str(sock), "LC_ALL": "C"}
    try:
        for _ in range(50):
            if subprocess.run(["lpstat", "-r"], env=env, capture_output=True, text=True).stdout.startswith(
                "scheduler is running"
            ):
                break
            time.sleep(0.1)
        else:
            pytest.skip(f"cupsd did not start here (see {root}/log/error_log)")
        added = subprocess.run(
            ["lpadmin", "-p", QUEUE, "-E", "-v", "cups-pdf:/", "-P", str(CUPS_PDF_PPD)],
            env=env,
            capture_output=True,
            text=True,
        )
        if added.returncode != 0:
            pytest.skip(f"lpadmin could not add the cups-pdf printer: {added.stderr.strip()}")
        yield env
    finally:
        daemon.terminate()
        daemon.wait(timeout=10)
        shutil.rmtree(root, ignore_errors=True)


def test_a_receipt_prints_then_a_stopped_printer_is_reported(
    cups: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CUPS_SERVER", cups["CUPS_SERVER"])
    out = _cups_pdf_out()
    # cups-pdf names its file after the job title, so a rerun overwrites: what is new is what was written since.
    start = time.time() - 1

    def written() -> set[Path]:
        return {p for p in out.glob("*.pdf") if p.stat().st_mtime >= start} if out.exists() else set()

    settings = Settings(data_dir=tmp_path, printer=QUEUE, print_follow_seconds=30)
    ws = open_counter(settings, clock=lambda: datetime(2026, 9, 30, 2, 0, tzinfo=UTC))
    store_of(ws).operators.add("sun", "孙帮办", "agent", "long-enough-1")
    case = asyncio.run(agent_case(ws, ws.login("sun", "long-enough-1")))
    take_paper(case)
    accepted = ws.open_case(case.case_id, ws.login("demo", "demo1234"))
    accepted.accept()

    record = accepted.print(DocKind.RECEIPT)
    assert record.sent and record.job_id and record.job_id.startswith(f"{QUEUE}-") and record.job_state == "queued"
    assert store_of(ws).prints.prints(case.case_id)[-1].printer_state == "queued"
    record = accepted.follow_print(record)
    accepted.note_print(record)
    assert record.printed, record.printer_message
    # Printed: the receipt reprints from the case's frozen data, so the spooled copy with personal data is gone.
    assert not record.kept and not record.path.exists()
    new = written()
    assert len(new) == 1 and next(iter(new)).read_bytes().startswith(b"%PDF")
    logged = store_of(ws).prints.prints(case.case_id)[-1]
    assert (logged.document, logged.job_id, logged.printer_state) == ("receipt", record.job_id, "completed")

    subprocess.run(["cupsdisable", "-r", "缺纸 out of paper", QUEUE], env=cups, check=True)
    try:
        stuck = accepted.follow_print(accepted.print(DocKind.FORM))
        accepted.note_print(stuck)
    finally:
        subprocess.run(["cancel", "-a", QUEUE], env=cups, check=False)
        subprocess.run(["cupsenable", QUEUE], env=cups, check=False)
    assert stuck.job_state == "stopped" and not stuck.printed
    assert stuck.printer_message and stuck.printer_message.startswith("打印机未完成：打印机已停止")
    assert "out of paper" in stuck.printer_message and f"文件已保存在 {stuck.path}" in stuck.printer_message
    assert stuck.kept and stuck.path.exists()
    logged = store_of(ws).prints.prints(case.case_id)[-1]
    assert (logged.document, logged.printer_state) == ("form", "stopped")
    assert logged.printer_message == stuck.printer_message
    assert written() == new  # nothing came out of the stopped printer
