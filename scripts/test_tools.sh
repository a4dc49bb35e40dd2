#!/bin/sh
# Tools some tests use beyond Python: pdftoppm (poppler-utils) to look at printed pages, tmux for the real-terminal
# test. Installed with apt when missing and we may (root + apt-get); otherwise those tests say why they skip.
set -u
missing=""
command -v pdftoppm >/dev/null 2>&1 || missing="$missing poppler-utils"
command -v tmux >/dev/null 2>&1 || missing="$missing tmux"
[ -z "$missing" ] && exit 0
if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
    echo "test_tools: installing$missing with apt-get" >&2
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing; } >/dev/null 2>&1 ||
        echo "test_tools: WARNING: could not install$missing; the tests that need them will skip" >&2
else
    echo "test_tools: note:$missing not installed; the tests that need them will skip" >&2
fi
exit 0
