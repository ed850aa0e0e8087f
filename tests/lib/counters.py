#!/usr/bin/python3
"""Compare two JSON counter snapshots (dsmip6 control socket "counters" results).

  counters.py BEFORE.json AFTER.json [MIN_TOTAL]
Prints every numeric counter that changed ("path: before -> after") and exits 0 when the
changes add up to at least MIN_TOTAL (default 1), so a test proves the daemon counted a case
without depending on the exact counter names.
"""
import json
import sys


def flat(obj, prefix=""):
    out = {}
    if isinstance(obj, dict):
        for k, v in obj.items():
            out.update(flat(v, prefix + k + "."))
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            out.update(flat(v, prefix + str(i) + "."))
    elif isinstance(obj, (int, float)) and not isinstance(obj, bool):
        out[prefix[:-1]] = obj
    return out


def main(argv):
    a = flat(json.load(open(argv[1])))
    b = flat(json.load(open(argv[2])))
    need = float(argv[3]) if len(argv) > 3 else 1
    total = 0
    for k in sorted(b):
        if b[k] != a.get(k, 0):
            print("  %s: %s -> %s" % (k, a.get(k, 0), b[k]))
            total += b[k] - a.get(k, 0)
    return 0 if total >= need else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
