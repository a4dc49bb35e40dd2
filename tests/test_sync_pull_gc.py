"""The status pull pauses the cyclic garbage collector only for its bulk write, and restores it as it was."""

from __future__ import annotations

import gc

import pytest

from counter_app.services.sync import _no_cyclic_gc


@pytest.mark.parametrize("enabled", [True, False])
def test_collector_restored_as_it_was(enabled: bool) -> None:
    was = gc.isenabled()
    try:
        (gc.enable if enabled else gc.disable)()
        with _no_cyclic_gc():
            assert not gc.isenabled()
        assert gc.isenabled() is enabled
        with pytest.raises(RuntimeError), _no_cyclic_gc():
            raise RuntimeError("a failed pull")
        assert gc.isenabled() is enabled
    finally:
        (gc.enable if was else gc.disable)()
