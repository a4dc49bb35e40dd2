"""Run every benchmark and print one table of figures and ratios: ``python -m bench [NAME ...]``."""

from __future__ import annotations

import importlib
import pkgutil
import sys
from pathlib import Path

from bench.common import Figure


def main(argv: list[str]) -> int:
    folder = Path(__file__).parent
    names = sorted(m.name for m in pkgutil.iter_modules([str(folder)]) if m.name.startswith("bench_"))
    if argv:
        names = [n for n in names if any(a in n for a in argv)]
    figures: list[Figure] = []
    for name in names:
        module = importlib.import_module(f"bench.{name}")
        print(f"running {name} ...", file=sys.stderr, flush=True)
        figures.extend(module.run())
    header = f"{'benchmark':<44} {'figure':>14} {'unit':<10} {'baseline':<34} {'ratio':>8}  target"
    print(header)
    print("-" * len(header))
    for f in figures:
        print(
            f"{f.name:<44} {f.value:>14.4g} {f.unit:<10} {f.baseline_name + ' ' + format(f.baseline_value, '.4g'):<34}"
            f" {f.ratio:>8.2f}  {f.target}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
