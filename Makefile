# Two commands do all the set-up on a fresh machine:
#   make demo   - install, then run the whole pipeline offline on the embedded example (synth demo)
#   make test   - install, then run the test suite (what CI runs)
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
export HF_HUB_OFFLINE=1 HF_DATASETS_OFFLINE=1 TRANSFORMERS_OFFLINE=1 HF_UPDATE_DOWNLOAD_COUNTS=0
export TOKENIZERS_PARALLELISM=false

.PHONY: install demo test wheel-check bench clean

$(BIN)/synth: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	# torch first, pinned: a CPU wheel here; an open range would pull a multi-GB CUDA build
	$(BIN)/python -m pip install -q torch==2.13.0
	$(BIN)/python -m pip install -q -e ".[replicate,ray,cpu-model,dev]"
	touch $(BIN)/synth

install: $(BIN)/synth

demo: install
	$(BIN)/synth demo

test: install
	$(BIN)/python -m pytest tests

wheel-check:
	PYTHON=$(PYTHON) .ci/wheel_check.sh

bench: install
	$(BIN)/python bench/run_all.py

clean:
	rm -rf $(VENV) .synth-cache demo-out .pytest_cache
