# The two commands of this repository:
#   make demo   the main job (from the shim issue on: a container through our shim)
#   make test   installs what is missing, builds, runs every suite
# and the helpers they use.

SWIFT ?= swift
# Release executables are fully static (Swift runtime, glibc, libmount and
# libblkid linked in), non-PIE and stripped: a few hundred kB of private
# memory per process (docs/ARCHITECTURE.md, "Build settings"); the shim runs once per
# container. Debian ships libmount only shared, so scripts/build-static-libmount
# builds it from Debian's util-linux source first; scripts/release-build has
# the flags.

.PHONY: deps build test test-vm lint docs release bench clean demo fuzz install dist examples

# Where `make install` puts the shim: a directory on the PATH containerd searches.
PREFIX ?= /usr/local

deps:
	./scripts/install-deps

build: deps
	$(SWIFT) build --build-tests

# The end-to-end shim suites under every containerd in use, with the shim
# containerd would use there (runc.v2 everywhere; runc.v1 also on 1.7).
# bookworm (1.6) with runc.v1 is the default run of `swift test`.
SHIM_MATRIX ?= bookworm:v2 trixie:v1 trixie:v2 sid:v2
E2E_SUITES = ShimEndToEndTests|ShimFailureTests|ShimTaskServiceTests|tenContainersOneShim

test: deps
	$(SWIFT) build --build-tests
	# Under a watchdog: the suite hangs now and then (scripts/test-watchdog says
	# where); a hung run is stopped after 10 minutes, its stacks printed, and run
	# once more.
	./scripts/test-watchdog 600 $(SWIFT) test --skip-build --skip PodTests
	# Pods through containerd's CRI (1.6, 1.7, 2.x; ours and the Go shim),
	# on their own: each case runs a containerd with CRI and CNI.
	$(SWIFT) test --skip-build --filter PodTests
	.build/debug/ttrpc-fuzz Fuzz/Corpus/ttrpc/*
	for cell in $(SHIM_MATRIX); do \
	  echo "== shim suites under $${cell%%:*} as runc.$${cell##*:}"; \
	  SHIM_CONTAINERD=$${cell%%:*} SHIM_FLAVOR=$${cell##*:} $(SWIFT) test --skip-build --filter '$(E2E_SUITES)' || exit 1; \
	done
	$(MAKE) examples
	$(MAKE) release
	# The shim suites again, on the static release binaries that ship (the
	# runc.v2 binary is found beside the v1 one).
	SHIM_UNDER_TEST=$(CURDIR)/.build/release/containerd-shim-runc-v1 $(SWIFT) test --skip-build \
	  --filter 'ShimTests\.|PodLifecycleTests'

# The suites that need cgroup v2 or a working CRIU, inside a QEMU guest
# running Debian 12's 6.1 kernel (cgroup v2 only): scripts/vm/. The guest is
# built from Debian's packages on first use and cached in .build-vm/.
test-vm: deps
	$(SWIFT) build --build-tests
	cd Examples/oci-run && $(SWIFT) build --build-tests
	cd Examples/ttrpc-call && $(SWIFT) build --build-tests
	./scripts/vm/test-in-guest

# libFuzzer over the TTRPC frame decoder and request checks, bounded in time.
FUZZ_SECONDS ?= 60
fuzz: deps
	./scripts/fuzz-ttrpc $(FUZZ_SECONDS)

# The example tools (Examples/): each is a package of its own that depends
# on this one's products, built and tested on its own. ttrpc-call's test
# drives Debian's Go shim, then ours.
examples: deps
	$(SWIFT) build --product containerd-shim-runc-v2
	cd Examples/ttrpc-call && $(SWIFT) build --build-tests && $(SWIFT) test --skip-build
	cd Examples/ttrpc-call && TTRPC_CALL_SHIM=$(CURDIR)/.build/debug/containerd-shim-runc-v2 $(SWIFT) test --skip-build
	cd Examples/oci-run && $(SWIFT) build --build-tests && $(SWIFT) test --skip-build

# The API reference: one DocC catalog per library product, built into one
# static site (.build-docs/site) with warnings as errors; every public
# symbol must have a documentation comment (scripts/check-doc-coverage.py).
docs: deps
	./scripts/build-docs

lint:
	$(SWIFT) format lint --strict -r Package.swift Packages Apps Tests bench Fuzz \
	  Examples/*/Package.swift Examples/*/Sources Examples/*/Tests

release: deps
	./scripts/release-build
	@./scripts/check-release .build/release/oci-spec .build/release/containerd-shim-runc-v1 .build/release/containerd-shim-runc-v2

# The shim under both names containerd looks for: the runc.v2 binary, and
# the same binary as runc.v1 (it serves the contract its name says).
install: release
	install -d $(DESTDIR)$(PREFIX)/bin
	install -m 0755 .build/release/containerd-shim-runc-v2 $(DESTDIR)$(PREFIX)/bin/containerd-shim-runc-v2
	ln -f $(DESTDIR)$(PREFIX)/bin/containerd-shim-runc-v2 $(DESTDIR)$(PREFIX)/bin/containerd-shim-runc-v1

# The release tarball: static binaries, SHA256SUMS, the operator docs (dist/).
dist: release
	./scripts/dist

bench: deps release
	./bench/run

clean:
	rm -rf .build .build-*

# The main job: a container through our shim on a private containerd.
demo: deps
	./scripts/demo
