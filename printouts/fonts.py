"""The fonts every printout is set in: an embedded TrueType CJK font with per-character fallbacks.

Main font: the configured ``font_path``; else the first usable TrueType/TrueType-collection CJK font found in the
usual system folders (Debian wqy-zenhei / wqy-microhei, Windows SimSun / SimHei / Microsoft YaHei, macOS
...) that also has digits and Latin letters; a CJK font without them (DroidSansFallbackFull.ttf, which comes with
ghostscript and so with CUPS) is the main font only when it is the only one. Fallbacks, per character
(:mod:`printouts.glyphs`): reportlab's Vera for digits and Latin letters, then the other CJK fonts for rare
characters (生僻字). A character no font has refuses the print (:class:`~printouts.glyphs.MissingGlyphError`).

Without any TrueType CJK font: reportlab's built-in CID font STSong-Light, which is *not* embedded and prints blank
or as boxes on machines without Adobe's Chinese font pack — the result then carries a :class:`FontWarning` message.

reportlab cannot load CFF-flavoured OpenType (Noto/Source Han ``.otf`` and their ``.ttc``); such files are tried,
rejected by reportlab, and skipped.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import subprocess
import sys
import threading
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import reportlab
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from printouts.glyphs import CheckedCIDFont, FallbackTTFont, LazyFont

logger = logging.getLogger(__name__)

FALLBACK_CID_FONT = "STSong-Light"

# File names of known-good TrueType CJK fonts, best first: (file name, index inside a .ttc).
PREFERRED_FONTS: tuple[tuple[str, int], ...] = (
    ("wqy-zenhei.ttc", 0),
    ("wqy-microhei.ttc", 0),
    ("simsun.ttc", 0),
    ("simhei.ttf", 0),
    ("msyh.ttc", 0),
    ("msyh.ttf", 0),
    ("simkai.ttf", 0),
    ("simfang.ttf", 0),
    ("ukai.ttc", 0),
    ("uming.ttc", 0),
    ("arphic-uming.ttc", 0),
    # CJK glyphs but no digits or Latin letters: chosen as the main font only when nothing better is found.
    ("droidsansfallbackfull.ttf", 0),
    ("droidsansfallback.ttf", 0),
    ("Songti.ttc", 0),
    ("STHeiti Light.ttc", 0),
    ("Hiragino Sans GB.ttc", 0),
    ("Arial Unicode.ttf", 0),
)

# Fonts looked in only for characters no other font has: CJK Extension B and beyond (𠮷) and symbols.
RARE_CHARACTER_FONTS: tuple[str, ...] = (
    "simsunb.ttf",  # Windows SimSun-ExtB
    "HanaMinA.ttf",  # fonts-hanazono
    "HanaMinB.ttf",
    "DejaVuSans.ttf",
)

# Digits and Latin letters: reportlab ships Bitstream Vera, so this fallback exists wherever printing does.
LATIN_FALLBACK = Path(reportlab.__file__).parent / "fonts" / "Vera.ttf"
# Tick boxes and section marks (■ □ ☑ ☐ ✓), which neither Vera nor DroidSansFallback has; our own outlines
# (scripts/make_symbol_font.py).
SYMBOL_FALLBACK = Path(__file__).resolve().parent / "CounterSymbols.ttf"

# Glyphs every usable font must have: the font is useless for our documents without them.
_PROBE = "受理回执"
# What a main font must have as well: every case number, ID number, date and amount is made of these.
LATIN_PROBE = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


class FontWarning(UserWarning):
    """No embeddable CJK font: documents use STSong-Light, which may print blank elsewhere."""


@dataclass(frozen=True)
class FontChoice:
    """The font documents are set in, and what the app should tell the operator about it."""

    name: str
    path: Path | None
    embedded: bool
    warning: str | None = None
    # Fonts drawing what the main one lacks, best first (the Latin fallback, then CJK-only fonts); more are
    # loaded when a character needs them.
    fallbacks: tuple[Path, ...] = ()


def system_font_dirs() -> list[Path]:
    """Folders searched for fonts on Linux, Windows and macOS (only those that exist are walked)."""
    home = Path.home()
    dirs = [
        Path("/usr/share/fonts"),
        Path("/usr/local/share/fonts"),
        home / ".local" / "share" / "fonts",
        home / ".fonts",
        Path("/Library/Fonts"),
        Path("/System/Library/Fonts"),
        home / "Library" / "Fonts",
    ]
    windir = os.environ.get("WINDIR") or os.environ.get("SYSTEMROOT")
    if windir:
        dirs.append(Path(windir) / "Fonts")
    elif sys.platform == "win32":
        dirs.append(Path("C:/Windows/Fonts"))
    local = os.environ.get("LOCALAPPDATA")
    if local:
        dirs.append(Path(local) / "Microsoft" / "Windows" / "Fonts")
    return dirs


def _index_fonts(dirs: Iterable[Path]) -> dict[str, Path]:
    """Lower-case file name -> first path found."""
    found: dict[str, Path] = {}
    for root in dirs:
        if not root.is_dir():
            continue
        for dirpath, _dirnames, filenames in os.walk(root):
            for filename in filenames:
                if filename.lower().endswith((".ttf", ".ttc")):
                    found.setdefault(filename.lower(), Path(dirpath) / filename)
    return found


def _fontconfig_candidates() -> list[Path]:
    """Chinese-capable TrueType files fontconfig knows, for systems with unusual font names."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return []
    try:
        out = subprocess.run(
            [fc_list, ":lang=zh", "file"], capture_output=True, text=True, timeout=5, check=False
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    paths = {line.split(":", 1)[0].strip() for line in out.splitlines()}
    return sorted(Path(p) for p in paths if p.lower().endswith((".ttf", ".ttc")))


def _font_key(path: Path, index: int) -> tuple[str, int]:
    return (str(path), index)


def _load(path: Path, index: int) -> TTFont:
    """A parsed TrueType face (cached: parsing a CJK font costs ~0.2 s); raises if reportlab cannot use it."""
    key = _font_key(path, index)
    font = _FACES.get(key)
    if font is None:
        stem = re.sub(r"[^A-Za-z0-9]+", "", path.stem) or "Font"
        # The name only keys the font inside one PDF; two files with one stem must not share it.
        font = TTFont(f"TT-{stem}-{index}-{len(_FACES)}", str(path), subfontIndex=index)
        _FACES[key] = font
    return font


def _has(font: TTFont, chars: str) -> bool:
    return all(ord(ch) in font.face.charToGlyph for ch in chars)


def _load_cjk(path: Path, index: int) -> TTFont:
    font = _load(path, index)
    if not _has(font, _PROBE):
        raise ValueError(f"字体文件 {path} 不含中文字形")
    return font


def latin_font() -> TTFont:
    """reportlab's own Bitstream Vera Sans: always there, so digits and Latin letters always have a glyph."""
    return _load(LATIN_FALLBACK, 0)


def _lazy(path: Path, index: int) -> LazyFont:
    def load() -> TTFont | None:
        try:
            return _load(path, index)
        except Exception as exc:  # an unreadable fallback only means one place fewer to look
            logger.debug("font: fallback %s unusable (%s)", path, exc)
            return None

    return load


def _compose(main: tuple[Path, int], fallbacks: Sequence[tuple[Path, int]], lazy: Sequence[tuple[Path, int]]) -> str:
    """Register the main font with its fallbacks as one reportlab font; the same set gets the same name."""
    config = (_font_key(*main), tuple(_font_key(*f) for f in fallbacks), tuple(_font_key(*f) for f in lazy))
    name = _COMPOSED.get(config)
    if name is not None:
        return name
    path, index = main
    stem = re.sub(r"[^A-Za-z0-9]+", "", path.stem) or "Font"
    name = f"CJK-{stem}-{index}"
    taken = set(_COMPOSED.values()) | set(pdfmetrics.getRegisteredFontNames())
    number = 1
    while name in taken:
        number += 1
        name = f"CJK-{stem}-{index}-v{number}"
    loaded = [_load(*f) for f in fallbacks]
    font = FallbackTTFont(name, _load(*main), loaded, [_lazy(*f) for f in lazy])
    pdfmetrics.registerFont(font)
    # reportlab hands out the first font registered for a face under every later name of that face; another set
    # of fallbacks for the same main font (or a copy of the file) must stay its own font.
    pdfmetrics._fonts[name] = font
    _COMPOSED[config] = name
    return name


def _fallback(reason: str) -> FontChoice:
    if FALLBACK_CID_FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(CheckedCIDFont(FALLBACK_CID_FONT))
    message = (
        f"{reason}打印件改用内置字体 {FALLBACK_CID_FONT}（未嵌入 PDF），在未安装 Adobe 中文字体支持的电脑或打印机上"
        "可能显示为空白或方框。请安装 TrueType 中文字体（如 Debian 的 fonts-wqy-zenhei），"
        "或在设置 font_path（COUNTER_FONT_PATH）中指定 .ttf/.ttc 字体文件。"
    )
    warnings.warn(message, FontWarning, stacklevel=3)
    logger.warning(
        "font: no embeddable CJK TrueType font, falling back to %s (not embedded): %s", FALLBACK_CID_FONT, reason
    )
    return FontChoice(name=FALLBACK_CID_FONT, path=None, embedded=False, warning=message)


def _candidates(dirs: Sequence[Path]) -> list[tuple[Path, int]]:
    index = _index_fonts(dirs)
    ordered = [(index[name.lower()], sub) for name, sub in PREFERRED_FONTS if name.lower() in index]
    return ordered


def _extras(dirs: Sequence[Path]) -> list[tuple[Path, int]]:
    index = _index_fonts(dirs)
    return [(index[name.lower()], 0) for name in RARE_CHARACTER_FONTS if name.lower() in index]


_LOCK = threading.Lock()
_CACHE: dict[tuple[str, tuple[str, ...], bool], FontChoice] = {}
_FACES: dict[tuple[str, int], TTFont] = {}
_COMPOSED: dict[tuple[object, ...], str] = {}


def resolve_font(
    font_path: Path | str | None = None,
    *,
    search_dirs: Sequence[Path] | None = None,
    use_fontconfig: bool = True,
) -> FontChoice:
    """The font to use, registered with reportlab; cached per arguments (registration costs ~0.2 s)."""
    dirs = tuple(search_dirs) if search_dirs is not None else tuple(system_font_dirs())
    key = (str(font_path or ""), tuple(str(d) for d in dirs), use_fontconfig)
    with _LOCK:
        cached = _CACHE.get(key)
        if cached is not None:
            return cached
        choice = _resolve(Path(font_path) if font_path else None, dirs, use_fontconfig)
        _CACHE[key] = choice
        return choice


def _configured(font_path: Path) -> tuple[Path, int]:
    # "path.ttc#2" picks another face of a collection.
    raw = str(font_path)
    if "#" in raw and raw.rsplit("#", 1)[1].isdigit():
        raw, number = raw.rsplit("#", 1)
        return Path(raw), int(number)
    return font_path, 0


def _resolve(font_path: Path | None, dirs: Sequence[Path], use_fontconfig: bool) -> FontChoice:
    problems: list[str] = []
    configured = _configured(font_path) if font_path is not None else None
    candidates = [configured] if configured else []
    candidates += _candidates(dirs)
    if use_fontconfig:
        candidates += [(p, 0) for p in _fontconfig_candidates()]
    unique = list(dict.fromkeys((path, index) for path, index in candidates))
    main: tuple[Path, int] | None = None
    cjk_only: list[tuple[Path, int]] = []
    rest: list[tuple[Path, int]] = []
    for position, (path, index) in enumerate(unique):
        try:
            font = _load_cjk(path, index)
        except Exception as exc:  # reportlab raises TTFError, OSError, struct errors ...
            # CFF-based OpenType collections (Noto CJK) and broken files: try the next one.
            logger.debug("font: skipped %s (%s)", path, exc)
            if (path, index) == configured:
                logger.warning("font: configured font_path %s unusable (%s); searching the system", path, exc)
                problems.append(
                    f"设置中的字体文件（font_path）“{path}”无法使用（{exc}），应为含中文字形的 TrueType 字体；"
                )
            continue
        if _has(font, LATIN_PROBE):
            main, rest = (path, index), unique[position + 1 :]
            break
        # DroidSansFallback and the like: CJK glyphs but no digits or Latin letters. Never the main font when a
        # complete one exists (every number would come from another font); kept for the characters it does have.
        logger.info("font: %s (face %d) has no digits or Latin letters; kept as a fallback only", path, index)
        cjk_only.append((path, index))
        if (path, index) == configured:
            problems.append(f"设置中的字体文件（font_path）“{path}”不含数字和拉丁字母（仅用于补充缺字）；")
    if main is None and cjk_only:
        # The only CJK fonts lack digits and letters: the Latin fallback draws those, character by character.
        main, cjk_only = cjk_only[0], cjk_only[1:]
        problems = [p for p in problems if "不含数字和拉丁字母" not in p]
        logger.info("font: %s lacks digits and Latin letters; they are drawn in %s", main[0], LATIN_FALLBACK.name)
    if main is None:
        return _fallback("".join(problems) + "未找到可嵌入的中文 TrueType 字体；")
    path, index = main
    lazy = [f for f in [*rest, *_extras(dirs)] if f not in cjk_only and f != main]
    name = _compose(main, [(LATIN_FALLBACK, 0), *cjk_only, (SYMBOL_FALLBACK, 0)], list(dict.fromkeys(lazy)))
    fallback_paths = (LATIN_FALLBACK, *(p for p, _ in cjk_only), SYMBOL_FALLBACK)
    logger.info("font: %s (face %d); fallbacks %s", path, index, ", ".join(str(p) for p in fallback_paths))
    if problems:
        message = "".join(problems) + f"已改用系统字体 {path}。"
        warnings.warn(message, FontWarning, stacklevel=3)
        return FontChoice(name=name, path=path, embedded=True, warning=message, fallbacks=fallback_paths)
    return FontChoice(name=name, path=path, embedded=True, fallbacks=fallback_paths)


def missing_glyphs(font: FontChoice, text: str) -> list[str]:
    """The characters of ``text`` that neither the font nor any of its fallbacks can draw (spaces aside)."""
    registered = pdfmetrics.getFont(font.name)
    if isinstance(registered, FallbackTTFont):
        return list(dict.fromkeys(c for c in text if not c.isspace() and not registered.covers(c)))
    return list(dict.fromkeys(c for c in text if ord(c) > 0xFFFF))


def clear_font_cache() -> None:
    """Forget resolved fonts (tests; a settings change at run time); parsed faces stay cached."""
    with _LOCK:
        _CACHE.clear()
