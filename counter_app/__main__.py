"""``python -m counter_app`` is the ``counter`` command."""

from __future__ import annotations

from counter_app.cli import main

raise SystemExit(main())
