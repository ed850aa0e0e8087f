#!/usr/bin/env bash
# Build the libFuzzer harnesses with clang (ASan + UBSan) in build-fuzz/ and run each for
# FUZZ_SECONDS seconds, starting from its seed corpus tests/fuzz/corpus/<name>/ (seeds come
# from the golden tests). Prints executions per second per harness; the last line is
# "passed failed skipped" for scripts/check.sh.
set -uo pipefail
cd "$(dirname "$0")/.."
secs=${FUZZ_SECONDS:-10}
if [ ! -f build-fuzz/build.ninja ]; then
	CC=clang meson setup build-fuzz --buildtype=debugoptimized -Dwerror=true -Dfuzz=true \
		-Db_sanitize=address,undefined -Db_lundef=false -Dc_args=-fsanitize=fuzzer-no-link \
		>build-fuzz.setup.log 2>&1 || { cat build-fuzz.setup.log; echo "0 1 0"; exit 1; }
fi
ninja -C build-fuzz >build-fuzz.ninja.log 2>&1 || { tail -40 build-fuzz.ninja.log; echo "0 1 0"; exit 1; }
pass=0 fail=0
export ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
mapfile -t harnesses < <(find build-fuzz/tests/fuzz -maxdepth 2 -type f -name 'fuzz_*' -perm -u+x | sort)
for h in "${harnesses[@]}"; do
	name=$(basename "$h"); name=${name#fuzz_}
	work=$(mktemp -d)
	[ -d "tests/fuzz/corpus/$name" ] && cp -r "tests/fuzz/corpus/$name/." "$work/" 2>/dev/null
	log=build-fuzz/fuzz_$name.log
	if "$h" -max_total_time="$secs" -print_final_stats=1 -rss_limit_mb=2048 \
		-artifact_prefix=build-fuzz/crash-$name- "$work" >"$log" 2>&1; then
		runs=$(grep -m1 stat::number_of_executed_units "$log" | awk '{print $2}')
		echo "PASS fuzz $name: ${runs:-0} executions in ${secs} s ($(( ${runs:-0} / secs )) exec/s)"
		pass=$((pass + 1))
	else
		echo "FAIL fuzz $name: see $log"
		grep -m5 -E "ERROR|SUMMARY" "$log"
		fail=$((fail + 1))
	fi
	rm -rf "$work"
done
echo "$pass $fail 0"
[ "$fail" -eq 0 ]
