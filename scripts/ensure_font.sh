#!/bin/sh
# Make sure printouts have an embeddable TrueType CJK font (docs/printouts.md, "Fonts").
# Order: a font is already there (COUNTER_FONT_PATH, or fc-list / the usual folders know a .ttf/.ttc CJK font)
# -> nothing to do; else, when root with apt-get, install fonts-wqy-zenhei; else explain and carry on.
# Never fails the build: without a font the printouts fall back to STSong-Light and the app shows a warning.
set -u

have_font() {
    if [ -n "${COUNTER_FONT_PATH:-}" ] && [ -r "${COUNTER_FONT_PATH%#*}" ]; then
        return 0
    fi
    if command -v fc-list >/dev/null 2>&1; then
        # reportlab needs TrueType outlines: .ttf or .ttc (Noto CJK .otf/.ttc are CFF and do not count,
        # so wqy / SimSun / YaHei style names are what we look for first).
        if fc-list :lang=zh file 2>/dev/null | grep -Eiq '(wqy|simsun|simhei|msyh|uming|ukai|droidsansfallback)[^/]*\.tt[fc]'; then
            return 0
        fi
    fi
    for dir in /usr/share/fonts /usr/local/share/fonts "${HOME:-/nonexistent}/.fonts" "${HOME:-/nonexistent}/.local/share/fonts"; do
        if [ -d "$dir" ] && find "$dir" -type f \( -iname 'wqy-*.tt[cf]' -o -iname 'simsun.tt[cf]' -o -iname 'simhei.ttf' \
            -o -iname 'msyh.tt[cf]' -o -iname 'uming.ttc' -o -iname 'ukai.ttc' -o -iname 'DroidSansFallback*.ttf' \) \
            2>/dev/null | grep -q .; then
            return 0
        fi
    done
    return 1
}

if have_font; then
    echo "ensure_font: a TrueType CJK font is available" >&2
    exit 0
fi

if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
    echo "ensure_font: no TrueType CJK font found; installing fonts-wqy-zenhei with apt-get" >&2
    if { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-wqy-zenhei; } >/dev/null 2>&1; then
        if have_font; then
            echo "ensure_font: fonts-wqy-zenhei installed" >&2
            exit 0
        fi
    fi
    echo "ensure_font: WARNING: installing fonts-wqy-zenhei failed; printouts will use STSong-Light (not embedded)" >&2
    exit 0
fi

echo "ensure_font: WARNING: no TrueType CJK font found and apt-get is unavailable (or not root)." >&2
echo "ensure_font: printouts will use STSong-Light, which is not embedded and may print blank elsewhere." >&2
echo "ensure_font: install one, e.g. 'sudo apt-get install fonts-wqy-zenhei', or set COUNTER_FONT_PATH to a .ttf/.ttc." >&2
exit 0
