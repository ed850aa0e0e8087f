#!/usr/bin/env bash
# `make bench` driver: runs every benchmark program built in BUILD_DIR/bench (executables named
# bench_*), then the benchmarks over real sockets in the namespace testbed, and prints every
# figure, the ratios between a figure and its reference measured in the same run, and the
# design targets they are held to.
#
# Contract for bench programs: print one line per figure,
#     bench: <metric> <value> <unit>
# A metric "X.ref" is the reference for "X" (e.g. the same work done by another implementation or
# by the direct path) and the driver prints X / X.ref. Other output is shown as it is.
#
# Usage: bench/run.sh [BUILD_DIR] (default build-bench)
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
build=${1:-build-bench}
[ -d "$build" ] || { echo "bench: no build directory $build" >&2; exit 1; }
. "$root/tests/lib/common.sh"
results=$(mktemp)
ds_install_traps
ds_on_exit "rm -f '$results'"

# Design targets (docs/testbed.md): metric, comparison, bound, what it stands for.
TARGETS=(
	"ha.bu_per_s >= 200000 BU processed in process (ESP verify/decrypt + BA build), one core"
	"ha.bu_per_s.sockets >= 50000 BU over real sockets (dsmip6-ha in the testbed, bench/s2c_load)"
	"attach_per_s.inproc >= 2000 full S2c attaches per second on 2 cores, in process (UE + PDN GW)"
	"attach_per_s >= 2000 full S2c attaches per second over sockets (generator and HA share 2 cores)"
	"attach_per_s/attach_per_s.ref > 1 full S2c attach rate against strongSwan's IKE-only rate"
	"ike_auth_per_s/ike_auth_per_s.ref > 1 like for like: IKE_SA_INIT + EAP-AKA IKE_AUTH, same generator"
	"ike_auth.cpu_us/ike_auth.cpu_us.ref <= 1 responder CPU per IKE attach against strongSwan's"
	"ha.bytes_per_ue <= 2048 HA state per registered UE"
	"tput.tunnel_mbps/tput.tunnel_mbps.ref >= 0.5 tunnelled throughput against the direct veth path"
)

echo "== bench programs in $build/bench"
found=0
for b in "$build"/bench/bench_*; do
	[ -x "$b" ] && [ -f "$b" ] || continue
	found=1
	echo "-- $(basename "$b")"
	"$b" 2>&1 | tee -a "$results" | sed 's/^/   /'
	rc=${PIPESTATUS[0]}
	[ "$rc" -eq 0 ] || echo "   (exit status $rc)"
done
[ "$found" = 1 ] || echo "   none built yet"

echo "== benchmarks over real sockets (namespace testbed)"
if [ "$(id -u)" != 0 ]; then
	echo "   skipped: needs root"
else
	"$here/sockets.sh" "$build" 2>&1 | tee -a "$results" | sed 's/^/   /'
fi

echo "== figures, ratios and targets"
/usr/bin/python3 - "$results" "${TARGETS[@]}" <<'PY'
import re, sys
vals, units = {}, {}
for line in open(sys.argv[1], errors="replace"):
    m = re.match(r"\s*bench:\s+(\S+)\s+([-+0-9.eE]+)\s*(.*)$", line)
    if m:
        vals[m.group(1)] = float(m.group(2))
        units[m.group(1)] = m.group(3).strip()
if not vals:
    print("   no figures")
for k in sorted(vals):
    print("   %-34s %14.1f %s" % (k, vals[k], units[k]))
for k in sorted(vals):
    if k + ".ref" in vals and vals[k + ".ref"]:
        print("   ratio %-28s %14.3f" % (k + " / " + k + ".ref", vals[k] / vals[k + ".ref"]))
met = missed = absent = 0
for t in sys.argv[2:]:
    name, op, bound, *what = t.split()
    if "/" in name:
        a, b = name.split("/")
        v = vals[a] / vals[b] if a in vals and b in vals and vals[b] else None
    else:
        v = vals.get(name)
    bound = float(bound)
    if v is None:
        status, absent = "not measured", absent + 1
    else:
        ok = {">=": v >= bound, "<=": v <= bound, ">": v > bound}[op]
        status = ("met (%.3g)" if ok else "MISSED (%.3g)") % v
        met, missed = met + ok, missed + (not ok)
    print("   target %-44s %-14s %s" % (name + " " + op + " " + "%g" % bound, status, " ".join(what)))
print("   targets: %d met, %d missed, %d not measured" % (met, missed, absent))
PY
