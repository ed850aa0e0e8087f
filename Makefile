# dsmip6 top-level driver: thin wrapper over Meson/Ninja and the test scripts.
#   make          build everything (build/)
#   make check    install dependencies, build, run unit + sanitizer + fuzz-smoke + sim + e2e + interop tests
#   make demo     build, set up the namespace testbed, run the whole mobility story (root)
#   make fuzz     run every fuzzer longer (FUZZ_SECONDS, default 300 each)
#   make bench    benchmarks with figures and ratios against references measured in the same run
.PHONY: all deps check demo fuzz bench clean install

BUILD ?= build

all: $(BUILD)/build.ninja
	ninja -C $(BUILD)

$(BUILD)/build.ninja:
	meson setup $(BUILD) --buildtype=debugoptimized -Dwerror=true

deps:
	scripts/deps.sh

check:
	scripts/check.sh

demo:
	scripts/deps.sh
	$(MAKE) all
	testbed/demo.sh

fuzz:
	scripts/deps.sh
	FUZZ_SECONDS=$${FUZZ_SECONDS:-300} scripts/fuzz.sh

bench:
	scripts/deps.sh
	meson setup build-bench --buildtype=release -Dwerror=true >/dev/null 2>&1 || true
	ninja -C build-bench
	bench/run.sh build-bench

install: all
	meson install -C $(BUILD)

clean:
	rm -rf build build-asan build-fuzz build-bench demo-out
