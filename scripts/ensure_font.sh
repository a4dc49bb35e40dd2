#!/bin/sh
# Make sure printouts have an embeddable TrueType CJK font with digits and Latin letters (docs/printouts.md, "Fonts").
# Order: a font is already there (COUNTER_FONT_PATH, or fc-list / the usual folders know a .ttf/.ttc CJK font)
# -> nothing to do; else, when root with apt-get, install fonts-wqy-zenhei; else explain and carry on.
# DroidSansFallback does not count: it has no digits or Latin letters (the printouts then take those from Vera,
# but a complete font prints better).
# apt/dpkg may be locked by another install (unattended-upgrades, a CUPS install): we wait for the lock for up to
# ENSURE_FONT_LOCK_WAIT seconds (120) and say so; any failure is reported as FAILED with apt's last words.
# Never fails the build (exit 0): without a font the printouts fall back to STSong-Light and the app warns.
set -u

LOCK_WAIT="${ENSURE_FONT_LOCK_WAIT:-120}"
RETRY_EVERY="${ENSURE_FONT_RETRY_EVERY:-5}"
FONT_DIRS="${ENSURE_FONT_DIRS:-/usr/share/fonts /usr/local/share/fonts ${HOME:-/nonexistent}/.fonts ${HOME:-/nonexistent}/.local/share/fonts}"

have_font() {
    if [ -n "${COUNTER_FONT_PATH:-}" ] && [ -r "${COUNTER_FONT_PATH%#*}" ]; then
        return 0
    fi
    if command -v fc-list >/dev/null 2>&1; then
        # reportlab needs TrueType outlines: .ttf or .ttc (Noto CJK .otf/.ttc are CFF and do not count,
        # so wqy / SimSun / YaHei style names are what we look for first).
        if fc-list :lang=zh file 2>/dev/null | grep -Eiq '(wqy|simsun|simhei|msyh|uming|ukai)[^/]*\.tt[fc]'; then
            return 0
        fi
    fi
    for dir in $FONT_DIRS; do
        if [ -d "$dir" ] && find "$dir" -type f \( -iname 'wqy-*.tt[cf]' -o -iname 'simsun.tt[cf]' -o -iname 'simhei.ttf' \
            -o -iname 'msyh.tt[cf]' -o -iname 'uming.ttc' -o -iname 'ukai.ttc' \) 2>/dev/null | grep -q .; then
            return 0
        fi
    done
    return 1
}

LOG="$(mktemp "${TMPDIR:-/tmp}/ensure_font.XXXXXX")"
trap 'rm -f "$LOG"' EXIT

# Run apt-get, retrying while another process holds the apt/dpkg lock, for at most LOCK_WAIT seconds in all.
# apt's own DPkg::Lock::Timeout covers the dpkg lock; the loop also covers the lists lock of 'apt-get update'.
apt_locked_run() {
    waited=0
    while :; do
        if apt-get -o DPkg::Lock::Timeout="$RETRY_EVERY" "$@" >"$LOG" 2>&1; then
            return 0
        fi
        if ! grep -Eiq 'could not get lock|unable to acquire|lock-frontend|is another process using it' "$LOG"; then
            return 1
        fi
        if [ "$waited" -ge "$LOCK_WAIT" ]; then
            echo "ensure_font: FAILED: apt/dpkg is still locked by another installation after ${LOCK_WAIT} s" >&2
            return 2
        fi
        if [ "$waited" = 0 ]; then
            echo "ensure_font: apt/dpkg is locked by another installation; waiting up to ${LOCK_WAIT} s" >&2
        fi
        sleep "$RETRY_EVERY"
        waited=$((waited + RETRY_EVERY))
    done
}

if have_font; then
    echo "ensure_font: a TrueType CJK font is available" >&2
    exit 0
fi

if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
    echo "ensure_font: no TrueType CJK font with digits found; installing fonts-wqy-zenhei with apt-get" >&2
    export DEBIAN_FRONTEND=noninteractive
    if apt_locked_run update -qq && apt_locked_run install -y -qq fonts-wqy-zenhei; then
        if have_font; then
            echo "ensure_font: fonts-wqy-zenhei installed" >&2
            exit 0
        fi
        echo "ensure_font: FAILED: apt-get reported success but no CJK TrueType font is visible (fc-list, $FONT_DIRS)" >&2
    else
        echo "ensure_font: FAILED: installing fonts-wqy-zenhei did not work; apt-get said:" >&2
        tail -n 5 "$LOG" | sed 's/^/ensure_font:   /' >&2
    fi
    echo "ensure_font: printouts will use STSong-Light (not embedded) unless another font is found;" \
        "retry with 'sudo apt-get install fonts-wqy-zenhei' or set COUNTER_FONT_PATH to a .ttf/.ttc" >&2
    exit 0
fi

echo "ensure_font: WARNING: no TrueType CJK font found and apt-get is unavailable (or not root)." >&2
echo "ensure_font: printouts will use STSong-Light, which is not embedded and may print blank elsewhere." >&2
echo "ensure_font: install one, e.g. 'sudo apt-get install fonts-wqy-zenhei', or set COUNTER_FONT_PATH to a .ttf/.ttc." >&2
exit 0
