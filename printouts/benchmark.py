"""Timings for bench/: warm form + receipt, cold first print (font registration included), receipts per second.

Kept in printouts/ so the bench module only has to wrap the numbers in its table (``bench/bench_printouts.py``).
"""

from __future__ import annotations

import subprocess
import sys
import time

from printouts.api import render
from printouts.samples import SampleKind, sample_case

_COLD = (
    "import time; t = time.perf_counter()\n"
    "from printouts.api import render\n"
    "from printouts.samples import sample_case\n"
    "data = sample_case('new_married').receipt()\n"
    "t1 = time.perf_counter(); render(data); t2 = time.perf_counter()\n"
    "print(t2 - t1, t2 - t)\n"
)


def warm_form_and_receipt(repeat: int = 5) -> float:
    """Best seconds to render the form and the receipt of one case in a warm process."""
    sample = sample_case(SampleKind.NEW_MARRIED)
    form, receipt = sample.form(), sample.receipt()
    render(form)
    render(receipt)
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        render(form)
        render(receipt)
        best = min(best, time.perf_counter() - start)
    return best


def cold_first_print() -> tuple[float, float]:
    """(first render incl. font registration, the same plus imports) in a fresh interpreter, seconds."""
    out = subprocess.run([sys.executable, "-c", _COLD], capture_output=True, text=True, check=True, timeout=120)
    first, total = (float(x) for x in out.stdout.split())
    return first, total


def receipts_pages_per_second(count: int = 100) -> float:
    data = sample_case(SampleKind.NEW_MARRIED).receipt()
    render(data)
    pages = 0
    start = time.perf_counter()
    for _ in range(count):
        pages += render(data).pages
    return pages / (time.perf_counter() - start)


def measure() -> dict[str, float]:
    first, total = cold_first_print()
    return {
        "warm_form_receipt_s": warm_form_and_receipt(),
        "cold_first_render_s": first,
        "cold_first_render_with_imports_s": total,
        "receipt_pages_per_s": receipts_pages_per_second(),
    }


if __name__ == "__main__":
    for key, value in measure().items():
        print(f"{key:<36} {value:.4f}")
