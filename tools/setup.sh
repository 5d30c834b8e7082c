#!/usr/bin/env bash
# Set up (or bring up to date) the virtual environment the README's commands use, then get out of the way.
#
#   tools/setup.sh          # .venv (REFNN_VENV=dir to choose another)
#
# First run: creates the venv and `pip install -e ".[test,report]"` (builds every kernel, a few minutes).
# Later runs: reinstall only when pyproject.toml or setup.py changed, and rebuild just the kernels whose
# sources changed (`setup.py build_ext --inplace`, seconds when nothing did).  The browser test of the report
# needs Chromium: installed from Debian's packages when missing and this user may run apt-get.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=${REFNN_VENV:-.venv}
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
py="$venv/bin/python"
stamp="$venv/.refnn-install"
key=$(cat pyproject.toml setup.py | sha256sum | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null || true)" != "$key" ]; then
    # build against the venv's own Cython and numpy (no isolated build environment), so that later
    # `build_ext --inplace` runs find the generated sources up to date and rebuild nothing
    "$py" -m pip install -q --upgrade pip
    "$py" -m pip install -q "Cython>=3.0" "setuptools>=77" "numpy>=1.24" wheel
    "$py" -m pip install -q --no-build-isolation -e ".[test,report]"
    echo "$key" > "$stamp"
fi
# the kernels in place, through the same command every run, so a later run finds them up to date
# (the editable install's own build is not recognised as up to date by build_ext)
"$py" setup.py -q build_ext --inplace >/dev/null
if ! command -v chromium >/dev/null 2>&1 && ! command -v chromium-browser >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        apt-get install -y -q chromium >/dev/null 2>&1 || { apt-get update -q >/dev/null && apt-get install -y -q chromium >/dev/null; }
    else
        echo "note: the report's browser test needs Chromium (Debian: apt-get install chromium)" >&2
    fi
fi
