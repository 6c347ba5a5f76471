# The two commands of the README, and what stands behind them.
#   make run    open AssetDesk (on the sandbox when no account is saved)
#   make test   every test, under a real Secret Service, then ruff, mypy and the import contracts
.DEFAULT_GOAL := run
SHELL := /bin/bash

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

# Debian packages: Qt's xcb platform and QtMultimedia at run time, a real keyring for the tests.
DEB_RUNTIME := libpulse0 libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-image0 \
	libxcb-randr0 libxcb-render-util0 libxcb-shape0 libxcb-xfixes0 libxcb-xkb1 libxkbcommon-x11-0 \
	libxkbcommon0 libegl1 libgl1 libfontconfig1 libglib2.0-0 libdbus-1-3
DEB_TEST := dbus dbus-x11 gnome-keyring curl shellcheck desktop-file-utils
DEB_BENCH := curl aria2

.PHONY: run test check lint sysdeps sysdeps-test venv clean bench bench-ui bench-library bench-refresh

run: sysdeps $(STAMP)
	$(BIN)/assetdesk $(ARGS)

test: sysdeps sysdeps-test $(STAMP)
	dbus-run-session -- bash tests/run-under-keyring.sh $(BIN) $(PYTEST_ARGS)

# The transfer engine against curl and aria2c on the sandbox (benchmarks/README.md).
bench: sysdeps $(STAMP)
	@$(MAKE) --no-print-directory _deb PKGS="$(DEB_BENCH)"
	$(BIN)/python benchmarks/transfer.py $(ARGS)

# The window's event loop while it uploads, against the engine alone (benchmarks/README.md).
bench-ui: sysdeps $(STAMP)
	$(BIN)/python benchmarks/ui_stall.py $(ARGS)

# The Library pane with 10,000 assets (ARGS="--assets 100000" for issue 17's scale): first
# thumbnails, scrolling, searches, sorts, a refresh, memory (benchmarks/README.md).
bench-library: sysdeps $(STAMP)
	$(BIN)/python benchmarks/library_scale.py $(ARGS)

# The Library's refresh from empty at issue 13's scale, window against the service (benchmarks/README.md).
bench-refresh: sysdeps $(STAMP)
	$(BIN)/python benchmarks/refresh_scale.py $(ARGS)

lint: $(STAMP)
	$(BIN)/ruff check
	$(BIN)/ruff format --check
	$(BIN)/mypy
	$(BIN)/lint-imports --no-cache --no-logo

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "AssetDesk needs Python 3.11 or newer (found $$($(PYTHON) --version))"; exit 1; }
	@$(PYTHON) -m venv --help >/dev/null 2>&1 || $(MAKE) --no-print-directory _deb PKGS=python3-venv
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

sysdeps:
	@$(MAKE) --no-print-directory _deb PKGS="$(DEB_RUNTIME)"

sysdeps-test:
	@$(MAKE) --no-print-directory _deb PKGS="$(DEB_TEST)"

# Installs the missing Debian packages when run as root; otherwise prints the one line to run.
_deb:
	@command -v dpkg-query >/dev/null || exit 0; \
	missing=""; for p in $(PKGS); do \
		dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'install ok installed' || missing="$$missing $$p"; \
	done; \
	[ -z "$$missing" ] && exit 0; \
	if [ "$$(id -u)" = 0 ]; then \
		echo "Installing Debian packages:$$missing"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	else \
		echo "AssetDesk needs these Debian packages. Run:"; \
		echo "  sudo apt-get install -y$$missing"; exit 1; \
	fi

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
