"""The font every printout is set in: an embedded TrueType CJK font, or a clearly flagged fallback.

Order: the configured ``font_path``; else the first usable TrueType/TrueType-collection CJK font found in the
usual system folders (Debian wqy-zenhei / wqy-microhei, Windows SimSun / SimHei / Microsoft YaHei, macOS
...); else reportlab's built-in CID font STSong-Light, which is *not* embedded and prints blank or as boxes on
machines without Adobe's Chinese font pack — the result then carries a :class:`FontWarning` message for the app.

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

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont

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
    ("droidsansfallbackfull.ttf", 0),
    ("droidsansfallback.ttf", 0),
    ("Songti.ttc", 0),
    ("STHeiti Light.ttc", 0),
    ("Hiragino Sans GB.ttc", 0),
    ("Arial Unicode.ttf", 0),
)

# A glyph every usable font must have: the font is useless for our documents without it.
_PROBE = "受理回执"


class FontWarning(UserWarning):
    """No embeddable CJK font: documents use STSong-Light, which may print blank elsewhere."""


@dataclass(frozen=True)
class FontChoice:
    """The font documents are set in, and what the app should tell the operator about it."""

    name: str
    path: Path | None
    embedded: bool
    warning: str | None = None


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


def _register_ttf(path: Path, index: int) -> str:
    """Register a TrueType font under a stable name; raises if reportlab cannot use it or it lacks CJK glyphs."""
    stem = re.sub(r"[^A-Za-z0-9]+", "", path.stem) or "Font"
    name = f"CJK-{stem}-{index}"
    if name in pdfmetrics.getRegisteredFontNames():
        return name
    font = TTFont(name, str(path), subfontIndex=index)
    widths = font.face.charToGlyph if hasattr(font.face, "charToGlyph") else {}
    if widths and not all(ord(ch) in widths for ch in _PROBE):
        raise ValueError(f"字体文件 {path} 不含中文字形")
    pdfmetrics.registerFont(font)
    return name


def _fallback(reason: str) -> FontChoice:
    if FALLBACK_CID_FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FALLBACK_CID_FONT))
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


_LOCK = threading.Lock()
_CACHE: dict[tuple[str, tuple[str, ...], bool], FontChoice] = {}


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


def _resolve(font_path: Path | None, dirs: Sequence[Path], use_fontconfig: bool) -> FontChoice:
    problems: list[str] = []
    if font_path is not None:
        index = 0
        # "path.ttc#2" picks another face of a collection.
        raw = str(font_path)
        if "#" in raw and raw.rsplit("#", 1)[1].isdigit():
            raw, number = raw.rsplit("#", 1)
            font_path, index = Path(raw), int(number)
        try:
            name = _register_ttf(font_path, index)
            logger.info("font: %s (face %d), the configured font_path", font_path, index)
            return FontChoice(name=name, path=font_path, embedded=True)
        except Exception as exc:  # reportlab raises TTFError, OSError, struct errors ...
            logger.warning("font: configured font_path %s unusable (%s); searching the system", font_path, exc)
            problems.append(
                f"设置中的字体文件（font_path）“{font_path}”无法使用（{exc}），应为含中文字形的 TrueType 字体；"
            )
    tried: set[Path] = set()
    candidates = _candidates(dirs)
    if use_fontconfig:
        candidates += [(p, 0) for p in _fontconfig_candidates()]
    for path, index in candidates:
        if path in tried:
            continue
        tried.add(path)
        try:
            name = _register_ttf(path, index)
        except Exception as exc:
            # CFF-based OpenType collections (Noto CJK) and broken files: try the next one.
            logger.debug("font: skipped %s (%s)", path, exc)
            continue
        logger.info("font: %s (face %d), the first usable CJK TrueType font found on the system", path, index)
        choice = FontChoice(name=name, path=path, embedded=True)
        if problems:
            message = "".join(problems) + f"已改用系统字体 {path}。"
            warnings.warn(message, FontWarning, stacklevel=3)
            return FontChoice(name=name, path=path, embedded=True, warning=message)
        return choice
    return _fallback("".join(problems) + "未找到可嵌入的中文 TrueType 字体；")


def clear_font_cache() -> None:
    """Forget resolved fonts (tests; a settings change at run time)."""
    with _LOCK:
        _CACHE.clear()
