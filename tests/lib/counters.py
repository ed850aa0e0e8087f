#!/usr/bin/python3
"""Compare two JSON counter snapshots (dsmip6 control socket "counters" results).

  counters.py BEFORE.json AFTER.json [MIN_TOTAL] [--ignore PREFIX ...] [--only PREFIX ...]
Prints every numeric counter that changed ("path: before -> after") and exits 0 when the
changes add up to at least MIN_TOTAL (default 1), so a test proves the daemon counted a case
without depending on the exact counter names. Counters under an --ignore prefix (e.g. the
socket receive counters, which count every packet) are shown but not added up; with --only,
only counters under one of those prefixes are added up.
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
    args, ignore, only = [], [], []
    it = iter(argv[1:])
    for x in it:
        if x == "--ignore":
            ignore.append(next(it))
        elif x == "--only":
            only.append(next(it))
        else:
            args.append(x)
    a = flat(json.load(open(args[0])))
    b = flat(json.load(open(args[1])))
    need = float(args[2]) if len(args) > 2 else 1
    total = 0
    for k in sorted(b):
        if b[k] != a.get(k, 0):
            counted = (not any(k.startswith(p) for p in ignore) and
                       (not only or any(k.startswith(p) for p in only)))
            print("  %s: %s -> %s%s" % (k, a.get(k, 0), b[k], "" if counted else " (not counted)"))
            if counted:
                total += b[k] - a.get(k, 0)
    return 0 if total >= need else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
