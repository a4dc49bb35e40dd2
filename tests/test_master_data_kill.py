"""A kill during a master-data apply leaves one whole version in force (issue 15, item 2).

A child process applies versions 2, 3, 4 … of the qingdao pack one after another (each: bundle file written and
renamed, then the pointer renamed); the parent SIGKILLs it at a seeded random instant, a few rounds. After each kill
a fresh reader finds the pointer whole and the version it names verified and loadable: never a half-written
pointer, never a version whose bundle is missing, never a fallback to the packaged pack.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from counter_app.services.master_data import SANDBOX_PUBLIC_KEY, MasterData
from counter_app.services.sandbox.master import MasterPublisher
from forms.master_data import listing_of

ROOT = Path(__file__).resolve().parents[1]
CHILD = """
import base64, sys
from pathlib import Path
from counter_app.services.master_data import MasterData, SANDBOX_PUBLIC_KEY
from counter_app.services.sandbox.master import MasterPublisher
from forms.master_data import listing_of
publisher = MasterPublisher()
bundles = [publisher.publish("policy", "qingdao", v) for v in range(2, 400)]
master = MasterData(Path(sys.argv[1]), SANDBOX_PUBLIC_KEY, "qingdao", [])
print("ready", flush=True)
for b in bundles:
    master.apply(b.data, listing_of(b.entry()))
print("done", flush=True)
"""


def test_sigkill_during_apply_leaves_a_whole_version_in_force(tmp_path: Path) -> None:
    rng = random.Random(20260930)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    seen: set[int] = set()
    for round_no in range(6):
        root = tmp_path / f"round{round_no}" / "master"
        first = MasterPublisher().bundles[("policy", "qingdao", 1)]
        MasterData(root, SANDBOX_PUBLIC_KEY, "qingdao", []).apply(first.data, listing_of(first.entry()))
        child = subprocess.Popen(
            [sys.executable, "-c", CHILD, str(root)], env=env, stdout=subprocess.PIPE, text=True, cwd=ROOT
        )
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "ready"
        time.sleep(rng.uniform(0.0, 0.25))  # while versions are being applied, at a random instant
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
        child.stdout.close()

        reader = MasterData(root, SANDBOX_PUBLIC_KEY, "qingdao", [])
        in_force = reader.in_force("policy", "qingdao")
        assert in_force.version >= 1
        pack = reader.policy()
        assert pack.meta.version == in_force.version, "the version in force must verify and load"
        seen.add(in_force.version)
    # The kills landed at different points of the sequence, none after it ended (398 versions take seconds).
    assert len(seen) > 2 and max(seen) < 399, seen
