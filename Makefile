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

.PHONY: deps build test lint release bench clean demo fuzz

deps:
	./scripts/install-deps

build: deps
	$(SWIFT) build --build-tests

test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test
	.build/debug/ttrpc-fuzz Fuzz/Corpus/ttrpc/*
	$(MAKE) release
	# The shim suites again, on the static release binaries that ship (the
	# runc.v2 binary is found beside the v1 one).
	SHIM_UNDER_TEST=$(CURDIR)/.build/release/containerd-shim-runc-v1 $(SWIFT) test --skip-build \
	  --filter 'ShimTests\.'

# libFuzzer over the TTRPC frame decoder and request checks, bounded in time.
FUZZ_SECONDS ?= 60
fuzz: deps
	./scripts/fuzz-ttrpc $(FUZZ_SECONDS)

lint:
	$(SWIFT) format lint --strict -r Package.swift Packages Apps Tests bench Fuzz

release: deps
	./scripts/release-build
	@./scripts/check-release .build/release/oci-spec .build/release/containerd-shim-runc-v1 .build/release/containerd-shim-runc-v2

bench: deps release
	./bench/run

clean:
	rm -rf .build .build-*

# The main job: a container through our shim on a private containerd.
demo: deps
	./scripts/demo
