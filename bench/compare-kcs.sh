#!/usr/bin/env bash
# Side by side on the same split: smartcustoms risk evaluate, then LightGBM from PyPI.
# Usage: bench/compare-kcs.sh TRAIN.csv TEST.csv
set -euo pipefail
train=${1:-../shared/data/customs-declarations/train.csv}
test=${2:-../shared/data/customs-declarations/valid.csv}
here=$(cd "$(dirname "$0")" && pwd)
venv=${VENV:-$here/.venv}
[ -x "$venv/bin/python" ] || { python3 -m venv "$venv" && "$venv/bin/pip" install -q lightgbm numpy pandas; }
cargo run --release -q -p smartcustoms -- risk evaluate --train "$train" --test "$test"
"$venv/bin/python" "$here/lightgbm_kcs.py" --train "$train" --test "$test"
