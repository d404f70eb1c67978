# appnet.skupper — build, test and lint targets. Everything installs from nothing:
#   make test      THE test command (README, .ci/run): deps + venv, then every check; see docs/development.md
# Run `make help` for the list.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
MAKEFLAGS += --no-print-directory

ROOT := $(abspath $(dir $(lastword $(MAKEFILE_LIST))))
# The interpreter that creates the virtual environment (Python 3.11 here: ansible-core 2.19).
PYTHON ?= python3
VENV ?= $(ROOT)/.venv
VPY := $(VENV)/bin/python
# Re-installs when a requirements file changes (the stamp is older than either of them).
STAMP := $(VENV)/.requirements.stamp
COLLECTIONS := $(ROOT)/.build/collections
COLLECTION_LINK := $(COLLECTIONS)/ansible_collections/appnet/skupper
# The benchmark's kubernetes.core (make bench): the collections of the `ansible` package, outside the venv.
BENCH_CORE := $(ROOT)/.build/bench-collections
# pytest-xdist workers; suites start their servers on port 0 and use temporary directories.
# --dist loadfile keeps each test module on one worker (module fixtures such as the network
# namespace hosts have fixed names). 2 on the 2-core CI machine: 3 was slower there (the tests are
# mostly CPU-bound playbook runs; docs/development.md).
PYTEST_WORKERS ?= 2
PYTEST_ARGS ?=
PYTEST := $(VPY) -m pytest -n $(PYTEST_WORKERS) --dist loadfile $(PYTEST_ARGS)

# Environment of every tool run below: the venv first on PATH (molecule looks for ansible-config,
# tests run ansible-playbook), the collection importable as ansible_collections.appnet.skupper.
RUN := env PATH="$(VENV)/bin:$$PATH" PYTHONPATH="$(COLLECTIONS)$${PYTHONPATH:+:$$PYTHONPATH}" \
	ANSIBLE_COLLECTIONS_PATH="$(COLLECTIONS)" ANSIBLE_NOCOLOR=1 ANSIBLE_FORCE_COLOR=0 PY_COLORS=0

# Debian packages the tests need: `ip netns` hosts (iproute2) with sshd (openssh-server, ssh client),
# certificates (openssl), process tools (procps), the venv (python3-venv), the sanity copy (git, tar),
# the shellcheck sanity test (shellcheck), the picture of the network (graphviz: dot).
DEBS := iproute2 openssh-server openssh-client openssl procps python3-venv git tar ca-certificates shellcheck graphviz
# The real Skupper router built from source (make router; facts in docs/development.md): its compilers and libraries.
ROUTER_BUILD_DEBS := cmake gcc g++ make pkg-config libssl-dev libsasl2-dev libsasl2-modules uuid-dev \
	libnghttp2-dev libwebsockets-dev libunwind-dev python3-dev curl
DEBS += $(ROUTER_BUILD_DEBS)
# Podman and Docker sites for real (tests/integration/containers), and the router image built locally
# (make router-image: a Debian root filesystem by debootstrap): podman with the runc runtime, docker.io.
CONTAINER_DEBS := podman runc docker.io debootstrap
DEBS += $(CONTAINER_DEBS)
# The documentation site's test opens its pages in a headless browser (tests/integration/test_docs_site.py):
# `chromium --headless --dump-dom`.
DEBS += chromium
# Wanted only for `systemd-analyze verify` of rendered units (PID 1 is not systemd on the CI machine):
# a failed install is reported, not an error.
OPTIONAL_DEBS := systemd

.PHONY: help
help:
	@echo 'make test            every check: deps, venv, the real router (make router), generated docs, pytest (unit,'
	@echo '                     conformance, support, integration, e2e on the real router), sanity, ansible-lint'
	@echo 'make deps            Debian packages the tests need (apt-get, as root, only when missing)'
	@echo 'make router          build the real Skupper router from source into a cache outside the clone (reused)'
	@echo 'make router-image    the router image localhost/appnet-skupper/skupper-router:<version> for podman and docker,'
	@echo '                     built from the router build (no registry needed; reused when present)'
	@echo 'make venv            .venv/ from requirements-dev.txt, and .build/collections/.../appnet/skupper link'
	@echo 'make unit            pytest tests/unit tests/support_tests'
	@echo 'make conformance     pytest tests/conformance (kube API stand-in)'
	@echo 'make integration     pytest tests/integration'
	@echo 'make pytest          pytest over everything under tests/'
	@echo 'make e2e             pytest tests/e2e on the real router (SKUPPER_ROUTER_BIN, else the make router build)'
	@echo 'make molecule        the molecule scenario of the network role (extensions/molecule/network): 3 Linux sites on'
	@echo '                     network-namespace hosts over SSH, the real router; converge, idempotence, verify'
	@echo 'make test-kube-real  the API conformance suite against the cluster of KUBECONFIG (or APPNET_TEST_KUBECONFIG)'
	@echo 'make sanity          ansible-test sanity on a clean copy (.build/sanity)'
	@echo 'make lint            ansible-lint over the collection (hacking/lint.sh, .ansible-lint)'
	@echo 'make render-check    plugins/modules/*.py DOCUMENTATION matches the model'
	@echo 'make build           ansible-galaxy collection build into .build/dist'
	@echo 'make docs            the documentation site (antsibull-docs, sphinx; modules, filters, roles, guides) into'
	@echo '                     .build/docs/html, after antsibull-docs lint-collection-docs; warnings are errors'
	@echo 'make demo            two linked Linux sites on the real router, an HTTP GET through them (state: .build/demo)'
	@echo 'make demo-stop       stop the demo: its routers and its backend HTTP server'
	@echo 'make bench           benchmarks: writes docs/benchmarks.md (vs kubernetes.core from the ansible package)'
	@echo 'make clean           remove .build, tests/output, caches (keeps .venv; make distclean removes it)'

# ---------------------------------------------------------------------------------------------
# Setup

.PHONY: deps
deps:
	@missing=""; \
	for p in $(DEBS); do \
	    dpkg-query -W -f='$${db:Status-Status}' "$$p" 2>/dev/null | grep -qx installed || missing="$$missing $$p"; \
	done; \
	optional=""; \
	for p in $(OPTIONAL_DEBS); do \
	    dpkg-query -W -f='$${db:Status-Status}' "$$p" 2>/dev/null | grep -qx installed || optional="$$optional $$p"; \
	done; \
	if [ -z "$$missing$$optional" ]; then echo "deps: Debian packages present"; exit 0; fi; \
	if ! command -v apt-get >/dev/null; then echo "deps: no apt-get; install:$$missing$$optional" >&2; exit 0; fi; \
	if [ "$$(id -u)" != 0 ]; then \
	    echo "deps: not root, not installing:$$missing$$optional (tests that need them skip)" >&2; exit 0; fi; \
	export DEBIAN_FRONTEND=noninteractive; \
	echo "deps: installing:$$missing$$optional"; \
	[ -n "$${APT_UPDATED:-}" ] || apt-get update -qq; \
	if [ -n "$$missing" ]; then apt-get install -y -qq -o Dpkg::Use-Pty=0 --no-install-recommends $$missing; fi; \
	if [ -n "$$optional" ]; then \
	    apt-get install -y -qq -o Dpkg::Use-Pty=0 --no-install-recommends $$optional \
	        || echo "deps: optional$$optional not installed (its checks skip)" >&2; \
	fi

.PHONY: venv
venv: $(STAMP) $(COLLECTION_LINK)

$(STAMP): $(ROOT)/requirements-dev.txt $(ROOT)/requirements.txt
	@test -x $(VPY) || $(PYTHON) -m venv $(VENV)
	@# (the grep drops this machine's notices about absent local index folders; pip's exit code counts)
	$(VPY) -m pip install --quiet --disable-pip-version-check -r $(ROOT)/requirements-dev.txt \
	    2> >(grep -v "^WARNING: Location 'file:" >&2 || true)
	@touch $@

# Relative link, so the checkout can move: .build/collections/ansible_collections/appnet/skupper -> root
$(COLLECTION_LINK):
	@mkdir -p $(dir $@)
	@ln -sfn ../../../.. $@

# The real router (skrouterd, skmanage, skstat) from source, cached outside the clone; see hacking/build_router.sh.
.PHONY: router
router: deps
	@bash $(ROOT)/hacking/build_router.sh

# A container image of that router for podman and docker sites without a registry (hacking/build_router_image.sh):
# imported into each engine that answers; ROUTER_IMAGE_ARGS e.g. '--engine podman'.
.PHONY: router-image
router-image: router
	@bash $(ROOT)/hacking/build_router_image.sh $(ROUTER_IMAGE_ARGS)

# ---------------------------------------------------------------------------------------------
# The test command

# Never a real cluster: whatever KUBECONFIG or APPNET_TEST_KUBECONFIG the caller has set (tests/conftest.py also
# removes KUBECONFIG and the K8S_AUTH_* variables from every pytest run).
.PHONY: test
test: deps venv
	@env -u APPNET_TEST_KUBECONFIG -u KUBECONFIG $(RUN) VENV=$(VENV) PYTEST_WORKERS=$(PYTEST_WORKERS) \
	    PYTEST_ARGS='$(PYTEST_ARGS)' bash $(ROOT)/hacking/test_all.sh

.PHONY: render-check
render-check: venv
	$(RUN) $(VPY) $(ROOT)/hacking/render_modules.py --check

.PHONY: pytest
pytest: venv
	cd $(ROOT) && $(RUN) $(PYTEST) tests

.PHONY: unit
unit: venv
	cd $(ROOT) && $(RUN) $(PYTEST) tests/unit tests/support_tests

.PHONY: conformance
conformance: venv
	cd $(ROOT) && $(RUN) $(PYTEST) tests/conformance

.PHONY: integration
integration: deps venv
	cd $(ROOT) && $(RUN) $(PYTEST) tests/integration

# The real Skupper router: the one of SKUPPER_ROUTER_BIN, else the build of `make router` (built when missing).
.PHONY: e2e
e2e: deps venv
	@bin="$${SKUPPER_ROUTER_BIN:-$$(bash $(ROOT)/hacking/build_router.sh --print-bin)/skrouterd}"; \
	echo "e2e: real router $$bin, version $$("$$bin" --version)"; \
	cd $(ROOT) && $(RUN) SKUPPER_ROUTER_BIN="$$bin" $(VPY) -m pytest -rs $(PYTEST_ARGS) tests/e2e

# The molecule scenario of the network role (hacking/molecule.sh): the real router (built when missing), network-
# namespace hosts with sshd (root); state in a temporary folder. MOLECULE_ARGS go to `molecule test`.
.PHONY: molecule
molecule: deps venv
	@cd $(ROOT) && $(RUN) VENV=$(VENV) bash $(ROOT)/hacking/molecule.sh $(MOLECULE_ARGS)

# A real cluster: KUBECONFIG=~/.kube/config make test-kube-real (APPNET_TEST_KUBECONFIG, when set, wins: an alias
# kept from before). The only target that reaches a real cluster, and only its conformance suite.
.PHONY: test-kube-real
test-kube-real: venv
	@kubeconfig="$${APPNET_TEST_KUBECONFIG:-$${KUBECONFIG:-}}"; \
	test -n "$$kubeconfig" || { echo 'test-kube-real: set KUBECONFIG to the kubeconfig of a cluster with the Skupper CRDs installed' >&2; exit 2; }; \
	cd $(ROOT) && $(RUN) APPNET_TEST_KUBECONFIG="$$kubeconfig" $(VPY) -m pytest -rs $(PYTEST_ARGS) tests/conformance

.PHONY: sanity
sanity: venv
	$(RUN) VENV=$(VENV) bash $(ROOT)/hacking/run_sanity.sh $(SANITY_ARGS)

.PHONY: lint
lint: venv
	$(RUN) VENV=$(VENV) bash $(ROOT)/hacking/lint.sh $(LINT_ARGS)

# ---------------------------------------------------------------------------------------------
# Build, demo, clean

.PHONY: build
build: venv
	@mkdir -p $(ROOT)/.build/dist
	cd $(ROOT) && $(RUN) $(VENV)/bin/ansible-galaxy collection build --force --output-path $(ROOT)/.build/dist .

# The collection's documentation site (hacking/docs.sh): antsibull-docs lint-collection-docs, then the pages of antsibull-docs
# and the guides of docs/*.md built by sphinx with warnings as errors, nothing read from the network. Open
# .build/docs/html/index.html (DOCS_OUT=<folder> writes elsewhere).
.PHONY: docs
docs: venv
	@cd $(ROOT) && $(RUN) VENV=$(VENV) bash $(ROOT)/hacking/docs.sh

# The demo on the real router (hacking/demo.sh: skrouterd on PATH, else the cached build, else it builds it; the
# router stand-in only with DEMO_ROUTER=stand-in); state in .build/demo, free ports. demo-stop stops all it started.
.PHONY: demo
demo: deps venv
	@cd $(ROOT) && $(RUN) VENV=$(VENV) DEMO_ARGS='$(DEMO_ARGS)' bash $(ROOT)/hacking/demo.sh start

.PHONY: demo-stop
demo-stop: venv
	@cd $(ROOT) && $(RUN) VENV=$(VENV) DEMO_ARGS='$(DEMO_ARGS)' bash $(ROOT)/hacking/demo.sh stop

.PHONY: bench
bench: venv $(BENCH_CORE)/ansible_collections/kubernetes/core/MANIFEST.json
	cd $(ROOT) && $(RUN) PYTHONPATH="$(ROOT):$(COLLECTIONS)" $(VPY) hacking/benchmark.py \
	    --core-collections $(BENCH_CORE) $(BENCH_ARGS)

# kubernetes.core for the benchmark's comparison: the `ansible` 12 package from PyPI, installed into its own folder
# (only its collections are used; the venv keeps requirements-dev.txt's ansible-core).
$(BENCH_CORE)/ansible_collections/kubernetes/core/MANIFEST.json:
	rm -rf $(BENCH_CORE)
	$(VPY) -m pip install --quiet --disable-pip-version-check --no-deps --target $(BENCH_CORE) 'ansible>=12,<13' \
	    2> >(grep -v "^WARNING: Location 'file:" >&2 || true)
	test -f $@

.PHONY: clean
clean:
	rm -rf $(ROOT)/.build/sanity $(ROOT)/.build/dist $(ROOT)/.build/test-results $(ROOT)/tests/output \
	    $(ROOT)/.pytest_cache $(ROOT)/*.tar.gz
	find $(ROOT) -path $(VENV) -prune -o -name __pycache__ -type d -prune -exec rm -rf {} +

.PHONY: distclean
distclean: clean
	rm -rf $(ROOT)/.build $(VENV)
