# shellcheck shell=bash
# Shared shell helpers for the testbed, the end-to-end tests and the interop tests.
# Source this file; it defines functions only (no side effects) except strict mode helpers.
#
# Conventions: every namespace, process and file a run creates is named from DS_TB_PREFIX, so two
# runs with different prefixes never collide; cleanup is registered with ds_on_exit and runs from
# one EXIT trap in reverse order of registration.

# Exit codes understood by meson's test runner.
DS_SKIP=77

ds_log() { printf '%s %s\n' "$(date -u +%H:%M:%S.%3N)" "$*" >&2; }
ds_die() { ds_log "FATAL: $*"; exit 1; }
ds_skip() { ds_log "SKIP: $*"; exit "$DS_SKIP"; }

# Test assertions: count failures but keep going, so one run reports every broken property.
DS_FAILS=0
DS_PASSES=0
ds_pass() { DS_PASSES=$((DS_PASSES + 1)); printf 'ok   - %s\n' "$*"; }
ds_fail() { DS_FAILS=$((DS_FAILS + 1)); printf 'FAIL - %s\n' "$*"; }
# ds_check "description" command...: passes when the command succeeds.
ds_check() {
	local what=$1; shift
	if "$@" >/dev/null 2>&1; then ds_pass "$what"; else ds_fail "$what"; fi
}
# ds_check_not "description" command...: passes when the command fails (a must-not-work path).
ds_check_not() {
	local what=$1; shift
	if "$@" >/dev/null 2>&1; then ds_fail "$what"; else ds_pass "$what"; fi
}
ds_summary() {
	printf '%d passed, %d failed\n' "$DS_PASSES" "$DS_FAILS"
	[ "$DS_FAILS" -eq 0 ]
}

# Cleanup stack: ds_on_exit "shell command"; run in reverse order by ds_run_exit_hooks.
DS_EXIT_HOOKS=()
ds_on_exit() { DS_EXIT_HOOKS+=("$1"); }
ds_run_exit_hooks() {
	local rc=$? i
	trap - EXIT INT TERM
	for ((i = ${#DS_EXIT_HOOKS[@]} - 1; i >= 0; i--)); do
		eval "${DS_EXIT_HOOKS[$i]}" || true
	done
	exit "$rc"
}
ds_install_traps() {
	trap ds_run_exit_hooks EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
}

ds_need_root() { [ "$(id -u)" = 0 ] || ds_skip "needs root (network namespaces)"; }
ds_need_cmd() {
	local c
	for c in "$@"; do command -v "$c" >/dev/null 2>&1 || ds_skip "missing tool: $c"; done
}

# ds_wait_for TIMEOUT_S command...: poll every 50 ms until the command succeeds.
ds_wait_for() {
	local timeout=$1; shift
	local deadline=$(($(date +%s%N) / 1000000 + timeout * 1000))
	while ! "$@" >/dev/null 2>&1; do
		[ $(($(date +%s%N) / 1000000)) -lt "$deadline" ] || return 1
		sleep 0.05
	done
}

# ds_has_output CMD...: true when CMD succeeds and prints something. For listings that exit 0
# with nothing to list (ss, ip): "wait until a socket listens" must not pass on an empty list.
ds_has_output() { local o; o=$("$@" 2>/dev/null) && [ -n "$o" ]; }

# Milliseconds since the epoch (for timelines).
ds_now_ms() { echo $(($(date +%s%N) / 1000000)); }

# Root of the source tree and of a build tree (meson sets these for registered tests).
ds_source_root() { echo "${DSMIP6_SOURCE_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"; }
ds_build_root() { echo "${DSMIP6_BUILD_ROOT:-$(ds_source_root)/build}"; }

# True while a process runs (a zombie waiting for its reaper does not count).
ds_pid_alive() {
	local st
	kill -0 "$1" 2>/dev/null || return 1
	st=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) || return 1
	[ "$st" != Z ] && [ "$st" != X ]
}
