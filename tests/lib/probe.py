#!/usr/bin/python3
"""Small network probes for the testbed and the end-to-end tests (run inside a namespace).

  probe.py dns SERVER NAME A|AAAA         print the addresses of NAME, one per line
  probe.py tcp-serve ADDR PORT OUT        accept one connection, write the peer address to OUT,
                                          echo what it reads
  probe.py tcp-connect ADDR PORT [DEV]    connect (through interface DEV), send a token, check it
                                          comes back
  probe.py udp-serve ADDR PORT OUT        like tcp-serve for one UDP datagram (answered)
  probe.py udp-send ADDR PORT [DEV]       send one datagram and wait for its answer
  probe.py stream-recv ADDR PORT OUT      session continuity receiver: accept one TCP stream of
                                          timestamped records, write every gap and the end reason
                                          to OUT (JSON lines)
  probe.py stream-send ADDR PORT SECONDS [STOPFILE]
                                          connect and send a record every 5 ms for SECONDS or
                                          until STOPFILE exists, then close cleanly
  probe.py tput-recv ADDR PORT            accept one TCP connection and discard what it sends
  probe.py tput-send ADDR PORT SECONDS [SRC]
                                          send as fast as possible (from SRC); print "<Mbit/s>" measured
                                          from the first to the last byte acknowledged by close

Exit status 0 means the probe saw what it expected.
"""
import json
import os
import socket
import struct
import sys
import time

TIMEOUT = 5.0
RECORD = struct.Struct("!QQ")  # sequence number, sender time in microseconds
GAP_REPORT_MS = 50.0           # gaps longer than this are reported (records are sent every 5 ms)


def family(addr):
    return socket.AF_INET6 if ":" in addr else socket.AF_INET


def dns(server, name, qtype):
    # scapy only builds and parses the DNS message; the query goes through a plain socket.
    from scapy.layers.dns import DNS, DNSQR
    q = DNS(id=0x5a5a, rd=1, qd=DNSQR(qname=name, qtype=qtype))
    s = socket.socket(family(server), socket.SOCK_DGRAM)
    s.settimeout(TIMEOUT)
    s.sendto(bytes(q), (server, 53))
    ans = DNS(s.recv(4096))
    found = False
    for i in range(ans.ancount):
        rr = ans.an[i]
        if rr.type in (1, 28):
            print(rr.rdata)
            found = True
    return 0 if found and ans.rcode == 0 else 1


def tcp_serve(addr, port, out):
    ls = socket.socket(family(addr), socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((addr, int(port)))
    ls.listen(1)
    ls.settimeout(30)
    c, peer = ls.accept()
    with open(out, "w") as f:
        f.write(peer[0] + "\n")
    c.settimeout(TIMEOUT)
    data = c.recv(64)
    c.sendall(data)
    c.close()
    return 0


def bind_dev(s, dev):
    # SO_BINDTODEVICE: the route lookup is made for that interface only, as ping -I does.
    if dev:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, dev.encode())


def tcp_connect(addr, port, dev=None):
    s = socket.socket(family(addr), socket.SOCK_STREAM)
    s.settimeout(TIMEOUT)
    bind_dev(s, dev)
    s.connect((addr, int(port)))
    token = b"dsmip6-probe-%d" % time.time_ns()
    s.sendall(token)
    got = b""
    while len(got) < len(token):
        chunk = s.recv(64)
        if not chunk:
            break
        got += chunk
    return 0 if got == token else 1


def udp_serve(addr, port, out):
    s = socket.socket(family(addr), socket.SOCK_DGRAM)
    s.bind((addr, int(port)))
    s.settimeout(30)
    data, peer = s.recvfrom(2048)
    with open(out, "w") as f:
        f.write(peer[0] + "\n")
    s.sendto(data, peer)
    return 0


def udp_send(addr, port, dev=None):
    s = socket.socket(family(addr), socket.SOCK_DGRAM)
    s.settimeout(TIMEOUT)
    bind_dev(s, dev)
    token = b"dsmip6-probe-%d" % time.time_ns()
    s.sendto(token, (addr, int(port)))
    return 0 if s.recv(2048) == token else 1


def stream_recv(addr, port, out):
    ls = socket.socket(family(addr), socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((addr, int(port)))
    ls.listen(1)
    ls.settimeout(60)
    c, peer = ls.accept()
    f = open(out, "w", buffering=1)
    f.write(json.dumps({"event": "start", "peer": peer[0], "t": time.time()}) + "\n")
    buf = b""
    expect = 0
    last = time.monotonic()
    reason = "eof"
    c.settimeout(120)
    try:
        while True:
            chunk = c.recv(65536)
            if not chunk:
                break
            now = time.monotonic()
            gap_ms = (now - last) * 1000.0
            if gap_ms > GAP_REPORT_MS:
                f.write(json.dumps({"event": "gap", "ms": round(gap_ms, 1),
                                    "at": time.time() - gap_ms / 1000.0}) + "\n")
            last = now
            buf += chunk
            while len(buf) >= RECORD.size:
                seq, _ = RECORD.unpack_from(buf)
                buf = buf[RECORD.size:]
                if seq != expect:
                    reason = "sequence error %d != %d" % (seq, expect)
                    raise ValueError(reason)
                expect += 1
    except ConnectionResetError:
        reason = "reset"
    except socket.timeout:
        reason = "timeout"
    except ValueError:
        pass
    f.write(json.dumps({"event": "end", "reason": reason, "records": expect}) + "\n")
    f.close()
    return 0 if reason == "eof" else 1


def stream_send(addr, port, seconds, stopfile=None):
    s = socket.socket(family(addr), socket.SOCK_STREAM)
    s.settimeout(TIMEOUT)
    s.connect((addr, int(port)))
    s.settimeout(None)
    end = time.monotonic() + float(seconds)
    seq = 0
    while time.monotonic() < end and not (stopfile and os.path.exists(stopfile)):
        s.sendall(RECORD.pack(seq, time.time_ns() // 1000))
        seq += 1
        time.sleep(0.005)
    s.shutdown(socket.SHUT_WR)
    s.recv(1)   # wait for the receiver to close: every record was delivered
    s.close()
    return 0


def tput_recv(addr, port):
    ls = socket.socket(family(addr), socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((addr, int(port)))
    ls.listen(1)
    ls.settimeout(30)
    c, _ = ls.accept()
    c.settimeout(60)
    buf = bytearray(1 << 18)
    while c.recv_into(buf):
        pass
    c.close()
    return 0


def tput_send(addr, port, seconds, src=None):
    s = socket.socket(family(addr), socket.SOCK_STREAM)
    s.settimeout(TIMEOUT)
    if src:
        s.bind((src, 0))
    s.connect((addr, int(port)))
    s.settimeout(60)
    block = b"\0" * (1 << 16)
    sent = 0
    start = time.monotonic()
    end = start + float(seconds)
    while time.monotonic() < end:
        s.sendall(block)
        sent += len(block)
    s.shutdown(socket.SHUT_WR)
    s.recv(1)   # the receiver closes after reading everything
    elapsed = time.monotonic() - start
    s.close()
    print("%.1f" % (sent * 8 / elapsed / 1e6))
    return 0


def main(argv):
    cmds = {"dns": dns, "tcp-serve": tcp_serve, "tcp-connect": tcp_connect,
            "udp-serve": udp_serve, "udp-send": udp_send,
            "stream-recv": stream_recv, "stream-send": stream_send,
            "tput-recv": tput_recv, "tput-send": tput_send}
    if len(argv) < 2 or argv[1] not in cmds:
        print(__doc__, file=sys.stderr)
        return 2
    try:
        return cmds[argv[1]](*argv[2:])
    except (OSError, ValueError) as e:
        print("probe %s: %s" % (argv[1], e), file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
