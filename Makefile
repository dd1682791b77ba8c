# One-command setup on a fresh Debian/Ubuntu machine with Python >= 3.10.
#   make run    install everything, then start the app with the bundled weights
#               (arguments for it: make run ARGS="--source clip.mp4")
#   make test   install everything, then run ruff and the test suite
# The commands land in .venv/bin: .venv/bin/signcam ..., or `. .venv/bin/activate` first to type signcam ...
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
# The CPU wheel: a bare `pip install torch` (or one pulled in by `pip install -e .`) brings ~5 GB of CUDA.
TORCH  ?= torch==2.13.0
# Qt's xcb platform plugin and a virtual display for the GUI tests and screenshots. python3.X-venv joins them
# when $(PYTHON) cannot make a virtual environment (stock Debian and Ubuntu leave out ensurepip).
APT_PACKAGES := xvfb xauth libxcb-cursor0 libxkbcommon-x11-0 libxcb-icccm4 libxcb-keysyms1 \
	libxcb-image0 libxcb-render-util0 libxcb-shape0 libxcb-xkb1 libgl1 libegl1 libglib2.0-0 \
	libfontconfig1 libxkbcommon0 libdbus-1-3

.PHONY: setup system-deps run test lint bundled-weights clean

setup: system-deps $(VENV)/.installed

system-deps:
	@missing=$$(for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	$(PYTHON) -c 'import ensurepip, venv' 2>/dev/null || \
		missing="$$missing python$$($(PYTHON) -c 'import sys; print("%d.%d" % sys.version_info[:2])')-venv"; \
	if [ -n "$$missing" ] && command -v apt-get >/dev/null; then \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	fi

# setuptools' "Editable installation" notice is a warning, so pip -q does not hide it; it says nothing to act on.
$(VENV)/.installed: pyproject.toml Makefile
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q $(TORCH)
	PYTHONWARNINGS="ignore:Editable installation" $(BIN)/pip install -q -e '.[test]'
	touch $@
	@echo "Installed in $(VENV)/: run $(BIN)/signcam (or . $(BIN)/activate, then signcam); make run ARGS=\"--source clip.mp4\""

ARGS ?=
run: setup
	$(BIN)/signcam $(ARGS)

test: setup
	$(BIN)/ruff check .
	QT_QPA_PLATFORM=offscreen $(BIN)/pytest -q

# Reproduces the bundled models (see README for the figures they give). DATA: the Kaggle CSVs' folder.
DATA ?= ../shared/data
bundled-weights: setup
	$(BIN)/signcam-train --data $(DATA) --out signcam/assets/signnet.safetensors
	$(BIN)/python -m training.landmarks --data $(DATA) --out signcam/assets/landmarks.safetensors

clean:
	rm -rf $(VENV) build *.egg-info
