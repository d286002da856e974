#!/usr/bin/env bash
# Side by side on the same split: smartcustoms risk evaluate, then LightGBM from PyPI.
#
# Usage: bench/compare-kcs.sh [TRAIN.csv] [TEST.csv] [VALID.csv]
#
# VALID.csv, when given, is used by both for early stopping only. With VALID_FROM=YYYY-MM-DD
# and no VALID.csv, the rows of TRAIN.csv from that day on become the valid file and the
# earlier ones the train file (the KCS data set ships train.csv and valid.csv only, and
# valid.csv is the test here). PLOT (default: $TMPDIR/precision-at-n.svg) receives the chart of
# precision at 1 … 20 %, .svg or .png. VENV is the Python virtual environment with lightgbm
# (default bench/.venv, created on first use).
set -euo pipefail
train=${1:-../shared/data/customs-declarations/train.csv}
test=${2:-../shared/data/customs-declarations/valid.csv}
valid=${3:-}
here=$(cd "$(dirname "$0")" && pwd)
venv=${VENV:-$here/.venv}
plot=${PLOT:-${TMPDIR:-/tmp}/precision-at-n.svg}
[ -x "$venv/bin/python" ] || { python3 -m venv "$venv" && "$venv/bin/pip" install -q lightgbm numpy pandas; }

if [ -z "$valid" ] && [ -n "${VALID_FROM:-}" ]; then
  split=$(mktemp -d)
  trap 'rm -rf "$split"' EXIT
  # The Date column is found by name; dates YYYY-MM-DD compare as text.
  awk -F, -v from="$VALID_FROM" -v early="$split/train.csv" -v late="$split/valid.csv" '
    NR == 1 { for (i = 1; i <= NF; i++) if ($i == "Date") d = i; print > early; print > late; next }
    { if ($d < from) print > early; else print > late }' "$train"
  train=$split/train.csv
  valid=$split/valid.csv
fi

ours=(--train "$train" --test "$test" --plot "$plot")
theirs=(--train "$train" --test "$test")
if [ -n "$valid" ]; then
  ours+=(--valid "$valid")
  theirs+=(--valid "$valid")
fi
cargo run --release -q -p smartcustoms -- risk evaluate "${ours[@]}"
"$venv/bin/python" "$here/lightgbm_kcs.py" "${theirs[@]}"
echo "chart: $plot" >&2
