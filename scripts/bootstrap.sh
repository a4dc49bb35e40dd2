#!/bin/sh
# Create the project's virtual environment on a fresh Debian machine that has only Python 3.11 and make.
# Debian splits venv/ensurepip into python3-venv: install it when it is missing and we may (root + apt).
set -eu
venv="${1:-.venv}"
py="${PYTHON:-python3}"

if [ -x "$venv/bin/python" ] && "$venv/bin/python" -m pip --version >/dev/null 2>&1; then
    exit 0
fi
rm -rf "$venv"
if ! "$py" -m venv "$venv" 2>/dev/null; then
    rm -rf "$venv"
    if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
        echo "bootstrap: python venv support missing; installing python3-venv with apt-get" >&2
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null
        "$py" -m venv "$venv"
    else
        echo "bootstrap: '$py -m venv' failed. Install the python3-venv package (sudo apt-get install python3-venv)." >&2
        exit 1
    fi
fi
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip
