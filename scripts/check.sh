#!/usr/bin/env bash
# `make check`: install dependencies, build, and run every test layer. Ends with one summary line
# "N passed, N failed, N skipped" counting every test executable, script and fuzz run.
#   build/       gcc, -Werror: unit, golden, sim, then e2e and interop (root, network namespaces)
#   build-asan/  gcc with AddressSanitizer + UndefinedBehaviorSanitizer (+LeakSanitizer): unit, sim
#   build-fuzz/  clang libFuzzer harnesses, FUZZ_SECONDS (default 10) each
set -uo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
scripts/deps.sh || exit 1

results=$(mktemp)
trap 'rm -f "$results"' EXIT
jobs=$(nproc)

count_meson() { # $1 = build dir: append the results of its last `meson test` run.
	# TAP tests (cmocka) count each test case; other tests count once.
	python3 - "$1/meson-logs/testlog.json" >>"$results" <<'PY'
import json, re, sys
p = f = s = 0
try:
    lines = open(sys.argv[1]).readlines()
except FileNotFoundError:
    lines = []
for line in lines:
    t = json.loads(line)
    r = t.get("result")
    cases = re.findall(r"^(ok|not ok) \d+[^\n]*", t.get("stdout") or "", re.M)
    if cases and r in ("OK", "FAIL"):
        for c in cases:
            if "# SKIP" in c: s += 1
            elif c.startswith("ok"): p += 1
            else: f += 1
        if r == "FAIL" and not any(c.startswith("not ok") for c in cases): f += 1
    elif r in ("OK", "EXPECTEDFAIL"): p += 1
    elif r == "SKIP": s += 1
    else: f += 1
print(p, f, s)
PY
}

setup() { # dir, extra meson args...
	local dir=$1; shift
	if [ ! -f "$dir/build.ninja" ]; then
		meson setup "$dir" "$@" >"$dir.setup.log" 2>&1 || { cat "$dir.setup.log"; return 1; }
		rm -f "$dir.setup.log"
	fi
	ninja -C "$dir" >"$dir.ninja.log" 2>&1 || { tail -50 "$dir.ninja.log"; return 1; }
}

run_suites() { # dir, suites...
	local dir=$1; shift
	local args=()
	for s in "$@"; do args+=(--suite "$s"); done
	rm -f "$dir/meson-logs/testlog.json"
	meson test -C "$dir" --no-rebuild --print-errorlogs --num-processes "$jobs" "${args[@]}" \
		>"$dir.test.log" 2>&1
	grep -E "^ *[0-9]+/[0-9]+ " "$dir.test.log" | sed 's/^/  /'
	grep -q "^Fail: *[1-9]\|^Timeout: *[1-9]" "$dir.test.log" && \
		sed -n '/Summary of Failures/,$p' "$dir.test.log"
	count_meson "$dir"
}

echo "== build (gcc, -Werror)"
if setup build --buildtype=debugoptimized -Dwerror=true; then
	echo "== unit, golden and simulator tests"
	run_suites build unit golden sim
else
	echo "0 1 0" >>"$results"
fi

echo "== sanitizers (ASan + UBSan + LSan): unit and simulator tests"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
if setup build-asan --buildtype=debug -Dwerror=true -Db_sanitize=address,undefined -Db_lundef=false; then
	run_suites build-asan unit sim
else
	echo "0 1 0" >>"$results"
fi

echo "== fuzz smoke runs (${FUZZ_SECONDS:-10} s each)"
if FUZZ_SECONDS=${FUZZ_SECONDS:-10} scripts/fuzz.sh >build-fuzz.log 2>&1; then :; fi
cat build-fuzz.log | grep -E "^(fuzz|FAIL|PASS)" | sed 's/^/  /'
tail -1 build-fuzz.log | grep -E "^[0-9]+ [0-9]+ [0-9]+$" >>"$results" || echo "0 1 0" >>"$results"

echo "== end-to-end and interop tests (network namespaces, real peers)"
if [ -f build/build.ninja ]; then
	run_suites build e2e interop
fi

read -r passed failed skipped < <(awk '{p+=$1; f+=$2; s+=$3} END {print p+0, f+0, s+0}' "$results")
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
