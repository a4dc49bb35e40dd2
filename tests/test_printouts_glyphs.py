"""Glyph coverage: no character of a printout is ever drawn as a blank (issue 14, item 1).

DroidSansFallbackFull.ttf (with ghostscript, so with CUPS) has CJK glyphs but no digits or Latin letters; as the
only CJK font it used to print every case number, ID number, date and amount as a blank. The fixtures are subsets
(tests/fixtures/fonts/README.md); the real font is used as well where it is installed.
"""

from __future__ import annotations

import io
import re
import shutil
from pathlib import Path
from typing import Any

import pdfplumber
import pytest

from forms.identifiers import mask_id
from printouts import ReceiptData, fonts, render
from printouts.api import print_document
from printouts.fonts import FALLBACK_CID_FONT, FontChoice, clear_font_cache, missing_glyphs, resolve_font
from printouts.glyphs import MissingGlyphError
from printouts.models import local
from printouts.samples import SampleKind, sample_case
from printouts.text import fmt_date, fmt_datetime, fmt_money

FIXTURES = Path(__file__).parent / "fixtures" / "fonts"
DROID_DIR = FIXTURES / "droid"
COMMON = FIXTURES / "common" / "wqy-zenhei-subset.ttf"
SYSTEM_DROID = Path("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf")
RARE = ("𠮷", "䶮", "堃", "犇", "喆", "旸")


def droid_dirs() -> list[Any]:
    reason = f"{SYSTEM_DROID} not installed (fonts-droid-fallback); the subset fixture still runs"
    system = pytest.mark.skipif(not SYSTEM_DROID.is_file(), reason=reason)
    return [
        pytest.param("fixture", id="droid-subset"),
        pytest.param("system", id="droid-installed", marks=system),
    ]


def only_droid(which: str, tmp_path: Path) -> FontChoice:
    """The font search sees one folder holding DroidSansFallbackFull.ttf and nothing else."""
    if which == "fixture":
        return resolve_font(search_dirs=[DROID_DIR], use_fontconfig=False)
    folder = tmp_path / "fonts"
    folder.mkdir()
    shutil.copyfile(SYSTEM_DROID, folder / SYSTEM_DROID.name)
    return resolve_font(search_dirs=[folder], use_fontconfig=False)


def chars(pdf_bytes: bytes) -> list[dict[str, object]]:
    with pdfplumber.open(io.BytesIO(pdf_bytes)) as pdf:
        return [c for page in pdf.pages for c in page.chars]


def flat_text(pdf_bytes: bytes) -> str:
    return "".join(str(c["text"]) for c in chars(pdf_bytes))


def with_name(data: ReceiptData, name: str) -> ReceiptData:
    applicant = data.application.applicant.model_copy(update={"name": name})
    return data.model_copy(update={"application": data.application.model_copy(update={"applicant": applicant})})


def test_droid_alone_is_the_main_font_with_latin_and_symbol_fallbacks() -> None:
    choice = resolve_font(search_dirs=[DROID_DIR], use_fontconfig=False)
    assert choice.embedded and choice.path == DROID_DIR / "DroidSansFallbackFull.ttf" and choice.warning is None
    assert choice.fallbacks[0].name == "Vera.ttf"
    assert missing_glyphs(choice, "QD01-20260930-0001 3702**********1318 600,000.00 元 ■□") == []


def test_a_font_without_digits_is_never_main_when_a_complete_one_exists(tmp_path: Path) -> None:
    # Droid is configured, so it is tried first; a complete CJK font (named like SimHei) is in the system folder.
    shutil.copyfile(COMMON, tmp_path / "simhei.ttf")
    configured = DROID_DIR / "DroidSansFallbackFull.ttf"
    with pytest.warns(UserWarning, match="不含数字和拉丁字母"):
        choice = resolve_font(configured, search_dirs=[tmp_path], use_fontconfig=False)
    assert choice.path == tmp_path / "simhei.ttf"
    assert configured in choice.fallbacks  # still used, for the characters only it has


@pytest.mark.parametrize("which", droid_dirs())
@pytest.mark.parametrize("kind", [SampleKind.NEW_MARRIED, SampleKind.COMBINED])
def test_with_only_droid_every_digit_of_the_receipt_is_in_the_pdf(which: str, kind: SampleKind, tmp_path: Path) -> None:
    choice = only_droid(which, tmp_path)
    data = sample_case(kind).receipt()
    result = render(data, font=choice)
    text = re.sub(r"\s+", "", flat_text(result.pdf))
    app = data.application
    expected = [
        data.case_no,
        data.document_no,
        mask_id(app.applicant.id_number),
        fmt_datetime(local(data.accepted_at)),
        fmt_date(data.promised.due),
        fmt_money(app.fund_loan.amount) if app.fund_loan else "",
        fmt_money(app.bank_loan.amount) if app.bank_loan else "",
        app.property.contract_number if app.property else "",
    ]
    for value in filter(None, expected):
        assert re.sub(r"\s+", "", value) in text, value
    digits = [c for c in chars(result.pdf) if str(c["text"]).isdigit()]
    assert len(digits) > 60
    # Drawn in the Latin fallback, whose glyphs they are (Droid has none): nothing printed as a blank.
    assert {str(c["fontname"]).split("+", 1)[1] for c in digits} == {"BitstreamVeraSans-Roman"}


def test_with_only_droid_the_form_keeps_its_tick_boxes_and_dates() -> None:
    choice = resolve_font(search_dirs=[DROID_DIR], use_fontconfig=False)
    text = re.sub(r"\s+", "", flat_text(render(sample_case(SampleKind.NEW_MARRIED).form(), font=choice).pdf))
    # Neither Droid nor Vera has ■ or □: they come from printouts/CounterSymbols.ttf.
    assert "2026年09月30日" in text and "■住房公积金贷款申请" in text and "□不动产转移登记" in text


FONT_SETUPS = ["system", "droid-only", "complete-main-droid-fallback"]


def setup_font(setup: str) -> FontChoice:
    if setup == "system":
        choice = resolve_font()
        if not choice.embedded:
            pytest.skip("no TrueType CJK font on this machine (run scripts/ensure_font.sh)")
        return choice
    if setup == "droid-only":
        return resolve_font(search_dirs=[DROID_DIR], use_fontconfig=False)
    return resolve_font(COMMON, search_dirs=[DROID_DIR], use_fontconfig=False)


@pytest.mark.parametrize("setup", FONT_SETUPS)
@pytest.mark.parametrize("rare", RARE)
def test_a_rare_name_prints_every_character_or_is_refused_by_name(setup: str, rare: str) -> None:
    choice = setup_font(setup)
    name = f"张{rare}"
    data = with_name(sample_case(SampleKind.NEW_MARRIED).receipt(), name)
    try:
        result = render(data, font=choice)
    except MissingGlyphError as exc:
        assert rare in str(exc) and f"U+{ord(rare):04X}" in str(exc) and "font_path" in str(exc)
        assert exc.chars == (rare,)
        assert missing_glyphs(choice, name) == [rare]
        return
    assert name in flat_text(result.pdf)
    assert missing_glyphs(choice, name) == []


@pytest.mark.parametrize("rare", ["䶮", "堃", "犇", "喆", "旸"])
def test_a_rare_character_the_main_font_lacks_comes_from_another_cjk_font(rare: str) -> None:
    choice = resolve_font(COMMON, search_dirs=[DROID_DIR], use_fontconfig=False)
    assert choice.path == COMMON  # complete: it has digits and letters, but none of the rare characters
    result = render(with_name(sample_case(SampleKind.NEW_MARRIED).receipt(), f"张{rare}"), font=choice)
    drawn = [c for c in chars(result.pdf) if c["text"] == rare]
    assert drawn and all("DroidSansFallback" in str(c["fontname"]) for c in drawn)


def test_a_character_no_font_has_refuses_the_print_and_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    choice = resolve_font(search_dirs=[DROID_DIR], use_fontconfig=False)
    data = with_name(sample_case(SampleKind.NEW_MARRIED).receipt(), "吉𠮷")
    with pytest.raises(MissingGlyphError, match=r"“𠮷”（U\+20BB7）.*fonts-wqy-zenhei"):
        render(data, font=choice)
    # The whole print path, on a machine whose only CJK font is Droid: refused, and no PDF in the spool.
    monkeypatch.setattr(fonts, "system_font_dirs", lambda: [DROID_DIR])
    monkeypatch.setattr(fonts, "_fontconfig_candidates", lambda: [])
    clear_font_cache()
    spool = tmp_path / "spool"
    try:
        with pytest.raises(MissingGlyphError, match=r"U\+20BB7"):
            print_document(data, spool_dir=spool, actor="clerk")
    finally:
        clear_font_cache()
    assert not spool.exists() or not list(spool.iterdir())


def test_the_unembedded_cid_fallback_refuses_characters_outside_the_bmp(tmp_path: Path) -> None:
    with pytest.warns(UserWarning, match=FALLBACK_CID_FONT):
        choice = resolve_font(search_dirs=[tmp_path], use_fontconfig=False)
    assert choice.name == FALLBACK_CID_FONT
    with pytest.raises(MissingGlyphError, match="U\\+20BB7"):
        render(with_name(sample_case(SampleKind.NEW_MARRIED).receipt(), "吉𠮷"), font=choice)
