"""Printouts fonts: configured path, system search, and the flagged STSong-Light fallback."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pdfplumber
import pytest

from printouts import FontWarning, render
from printouts.fonts import FALLBACK_CID_FONT, clear_font_cache, resolve_font
from printouts.samples import SampleKind, sample_case


def system_font() -> Path:
    choice = resolve_font()
    if choice.path is None:
        pytest.skip("no TrueType CJK font on this machine (run scripts/ensure_font.sh)")
    return choice.path


def test_the_system_search_finds_an_embeddable_font() -> None:
    choice = resolve_font()
    assert choice.embedded and choice.warning is None and choice.path is not None
    assert choice.path.suffix.lower() in {".ttf", ".ttc"}


def test_a_configured_font_path_is_used(tmp_path: Path) -> None:
    copy = tmp_path / "MyCJK.ttc"
    shutil.copyfile(system_font(), copy)
    choice = resolve_font(copy, search_dirs=[])
    assert choice.path == copy and choice.embedded and choice.name == "CJK-MyCJK-0"


def test_a_broken_configured_font_falls_back_to_the_system_with_a_warning(tmp_path: Path) -> None:
    system_font()
    broken = tmp_path / "broken.ttf"
    broken.write_bytes(b"not a font at all")
    with pytest.warns(FontWarning):
        choice = resolve_font(broken)
    assert choice.embedded and choice.path != broken
    assert choice.warning and "font_path" in choice.warning and str(broken) in choice.warning


def test_no_font_anywhere_uses_stsong_and_says_so(tmp_path: Path) -> None:
    clear_font_cache()
    with pytest.warns(FontWarning, match="STSong-Light"):
        choice = resolve_font(search_dirs=[tmp_path], use_fontconfig=False)
    assert choice.name == FALLBACK_CID_FONT and not choice.embedded and choice.path is None
    result = render(sample_case(SampleKind.NEW_MARRIED).receipt(), font=choice)
    assert result.warnings and "fonts-wqy-zenhei" in result.warnings[0]
    with pdfplumber.open(io.BytesIO(result.pdf)) as pdf:
        # reportlab writes STSong-Light's PostScript name, STSongStd-Light; nothing is embedded.
        assert {c["fontname"] for c in pdf.pages[0].chars} == {"STSongStd-Light"}
        assert b"/FontFile2" not in result.pdf
    clear_font_cache()
