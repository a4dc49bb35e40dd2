"""scripts/ensure_font.sh waits for a locked apt/dpkg and says clearly when it failed (issue 14, item 1).

apt-get, id and fc-list are fakes on PATH: the script runs as "root" on a machine without CJK fonts, and the fake
apt-get answers as apt does while another installation holds the lock.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "ensure_font.sh"
LOCKED = "E: Could not get lock /var/lib/dpkg/lock-frontend. It is held by process 4242 (apt-get)"


def fake_machine(tmp_path: Path, locked_calls: int) -> dict[str, str]:
    """A PATH with fake apt-get / id / fc-list; apt-get is locked for its first ``locked_calls`` calls."""
    bin_dir, fonts = tmp_path / "bin", tmp_path / "fonts"
    bin_dir.mkdir()
    fonts.mkdir()
    counter = tmp_path / "calls"
    counter.write_text("0")
    scripts = {
        "id": "#!/bin/sh\necho 0\n",
        "fc-list": "#!/bin/sh\nexit 0\n",
        "apt-get": f"""#!/bin/sh
n=$(($(cat {counter}) + 1)); echo $n > {counter}; echo "$*" >> {tmp_path}/apt.log
if [ $n -le {locked_calls} ]; then echo "{LOCKED}" >&2; exit 100; fi
case "$*" in *install*) touch {fonts}/wqy-zenhei.ttc ;; esac
exit 0
""",
    }
    for name, body in scripts.items():
        (bin_dir / name).write_text(body)
        (bin_dir / name).chmod(0o755)
    env = {k: v for k, v in os.environ.items() if k != "COUNTER_FONT_PATH"}
    env |= {
        "PATH": f"{bin_dir}:/usr/bin:/bin",
        "ENSURE_FONT_DIRS": str(fonts),
        "ENSURE_FONT_LOCK_WAIT": "3",
        "ENSURE_FONT_RETRY_EVERY": "1",
    }
    return env


def run(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["sh", str(SCRIPT)], env=env, capture_output=True, text=True, timeout=60, check=False)


def test_it_waits_for_the_apt_lock_and_then_installs(tmp_path: Path) -> None:
    result = run(fake_machine(tmp_path, locked_calls=2))
    assert result.returncode == 0
    assert "locked by another installation; waiting up to 3 s" in result.stderr
    assert "fonts-wqy-zenhei installed" in result.stderr and "FAILED" not in result.stderr
    calls = (tmp_path / "apt.log").read_text().splitlines()
    assert len(calls) == 4 and "DPkg::Lock::Timeout" in calls[0] and "install" in calls[-1]


def test_a_lock_that_is_never_released_is_reported_as_failed(tmp_path: Path) -> None:
    result = run(fake_machine(tmp_path, locked_calls=1000))
    assert result.returncode == 0  # never fails the build ...
    assert "FAILED: apt/dpkg is still locked by another installation after 3 s" in result.stderr  # ... but says so
    assert LOCKED in result.stderr and "COUNTER_FONT_PATH" in result.stderr
    assert not (tmp_path / "fonts" / "wqy-zenhei.ttc").exists()


def test_droid_alone_does_not_count_as_a_font(tmp_path: Path) -> None:
    env = fake_machine(tmp_path, locked_calls=0)
    (tmp_path / "fonts" / "DroidSansFallbackFull.ttf").write_bytes(b"")
    result = run(env)
    assert "installing fonts-wqy-zenhei" in result.stderr and "fonts-wqy-zenhei installed" in result.stderr
