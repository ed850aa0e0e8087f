#!/usr/bin/python3
"""Speak the dsmip6 control protocol (one JSON object per line over a UNIX stream socket):
    ctl.py SOCKET CMD ['{"arg": ...}']    print the "result" object as JSON, exit 0 if "ok"
    ctl.py SOCKET CMD ARGS --get PATH     print one member (dotted path, list indexes allowed)
The tests use this instead of dsmip6ctl's human output so that they depend on the protocol only.
"""
import json
import socket
import sys


def call(path, cmd, args=None, timeout=5.0):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(timeout)
    s.connect(path)
    req = {"cmd": cmd}
    if args is not None:
        req["args"] = args
    s.sendall(json.dumps(req).encode() + b"\n")
    buf = b""
    while not buf.endswith(b"\n"):
        chunk = s.recv(65536)
        if not chunk:
            break
        buf += chunk
    s.close()
    return json.loads(buf.decode())


def get(obj, path):
    for part in path.split("."):
        if isinstance(obj, list):
            obj = obj[int(part)]
        else:
            obj = obj[part]
    return obj


def main(argv):
    if len(argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    args = json.loads(argv[3]) if len(argv) > 3 and argv[3] != "--get" else None
    try:
        resp = call(argv[1], argv[2], args)
    except (OSError, ValueError) as e:
        print("ctl: %s" % e, file=sys.stderr)
        return 1
    if not resp.get("ok"):
        print("ctl: %s" % resp.get("error"), file=sys.stderr)
        return 1
    res = resp.get("result", {})
    if "--get" in argv:
        try:
            v = get(res, argv[argv.index("--get") + 1])
        except (KeyError, IndexError, ValueError, TypeError):
            return 1
        if v is None:
            v = ""
        elif isinstance(v, bool):
            v = "true" if v else "false"
        print(v if not isinstance(v, (dict, list)) else json.dumps(v))
    else:
        print(json.dumps(res, indent=1, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
