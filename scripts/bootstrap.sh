#!/usr/bin/env bash
# Create .venv with a Python >= 3.12 and install the package. Idempotent and quiet when done.
# Finds an interpreter on PATH (python3.13, python3.12, python3) or under pyenv, without hand steps.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=.venv
ok() { "$1" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' 2>/dev/null; }
if [ -x "$VENV/bin/python" ] && ok "$VENV/bin/python" && [ -f "$VENV/.installed" ] \
   && [ "$VENV/.installed" -nt pyproject.toml ]; then
  exit 0
fi
PY=""
for cand in "${PYTHON:-}" python3.13 python3.12 python3; do
  [ -n "$cand" ] || continue
  if command -v "$cand" >/dev/null 2>&1 && ok "$(command -v "$cand")"; then PY=$(command -v "$cand"); break; fi
done
if [ -z "$PY" ]; then
  for root in "${PYENV_ROOT:-}" "$HOME/.pyenv" /root/.pyenv /opt/pyenv /usr/local/pyenv; do
    [ -n "$root" ] && [ -d "$root/versions" ] || continue
    for v in $(ls -1 "$root/versions" | grep -E '^3\.(1[2-9])(\.[0-9]+)?$' | sort -V -r); do
      if ok "$root/versions/$v/bin/python3"; then PY="$root/versions/$v/bin/python3"; break 2; fi
    done
  done
fi
if [ -z "$PY" ]; then
  echo "error: no Python >= 3.12 found (tried python3.13, python3.12, python3 and pyenv versions)." >&2
  echo "Install one (e.g. 'pyenv install 3.12') or set PYTHON=/path/to/python3.12." >&2
  exit 1
fi
echo "Using $PY ($("$PY" --version))" >&2
rm -rf "$VENV"
"$PY" -m venv "$VENV"
"$VENV/bin/python" -m pip install -q --upgrade pip >&2
"$VENV/bin/python" -m pip install -q -e ".[dev]" >&2
touch "$VENV/.installed"
