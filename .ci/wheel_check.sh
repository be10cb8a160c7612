#!/usr/bin/env bash
# What a user gets: build the wheel, install it into a fresh venv OUTSIDE the checkout, and run `synth demo` and
# `synth report` from a folder that holds no project files. Fails if the wheel misses a module, template, task,
# experiment or fixture.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
python="${PYTHON:-python3}"
work="$(mktemp -d /tmp/synth-wheel-check.XXXXXX)"
trap 'rm -rf "$work"' EXIT
export HF_HUB_OFFLINE=1 HF_DATASETS_OFFLINE=1 TRANSFORMERS_OFFLINE=1 HF_UPDATE_DOWNLOAD_COUNTS=0
export TOKENIZERS_PARALLELISM=false

"$python" -m pip wheel -q --no-deps -w "$work/dist" "$root"
wheel="$(ls "$work"/dist/synth-*.whl)"
"$python" -m venv "$work/venv"
"$work/venv/bin/python" -m pip install -q --upgrade pip
"$work/venv/bin/python" -m pip install -q torch==2.13.0   # the CPU wheel; an open range pulls a CUDA build
"$work/venv/bin/python" -m pip install -q "${wheel}[replicate]"
mkdir "$work/user" && cd "$work/user"
"$work/venv/bin/python" - <<'PY'
import synth, synth.replicate, synth.templates
for mod in (synth, synth.replicate, synth.templates):
    assert "site-packages" in (mod.__file__ or ""), f"{mod.__name__} imported from {mod.__file__}, not the wheel"
PY
"$work/venv/bin/synth" --quiet demo --out demo-out
test -s demo-out/reports/demo-report.md
SYNTH_HOME=demo-out/library SYNTH_CLAIMS=demo-out/claims.yaml SYNTH_RUNS=demo-out/runs \
  "$work/venv/bin/synth" report --out again
test -s again/*.md
echo "wheel check: $(basename "$wheel") installed outside the checkout ran synth demo and synth report"
