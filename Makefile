# The two commands of this repository:
#   make demo   the main job (from the shim issue on: a container through our shim)
#   make test   installs what is missing, builds, runs every suite
# and the helpers they use.

SWIFT ?= swift
# Static Swift stdlib, non-PIE, stripped: a few hundred kB of private memory
# per process (../shared/notes/footprint.md); the shim runs once per
# container. Not -static-executable: Debian ships no libmount.a, and Mount
# links libmount, so glibc and libmount stay shared libraries.
RELEASE_FLAGS = -c release --static-swift-stdlib -Xswiftc -Xclang-linker -Xswiftc -no-pie -Xlinker -s

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

# libFuzzer over the TTRPC frame decoder and request checks, bounded in time.
FUZZ_SECONDS ?= 60
fuzz: deps
	./scripts/fuzz-ttrpc $(FUZZ_SECONDS)

lint:
	$(SWIFT) format lint --strict -r Package.swift Packages Apps Tests bench Fuzz

release: deps
	$(SWIFT) build $(RELEASE_FLAGS)
	@./scripts/check-release .build/release/oci-spec .build/release/containerd-shim-runc-v1

bench: deps release
	./bench/run

clean:
	rm -rf .build .build-*

# The main job: a container through our shim on a private containerd.
demo: deps
	./scripts/demo
