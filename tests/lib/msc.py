#!/usr/bin/python3
"""Draw a message sequence chart of the S2c signalling in a capture, as decoded by tshark.

  msc.py CAPTURE OUT_BASENAME [--conf WIRESHARK_CONFIG_DIR] [--name ADDR=ENTITY ...]

Writes OUT_BASENAME.msc (mscgen source), OUT_BASENAME.png (picture, when mscgen is installed)
and OUT_BASENAME.txt (one line per message). Messages: IKEv2 exchanges (isakmp), Mobility Header
messages (mip6, also inside ESP when the keys decrypt it and inside RFC 5555 UDP 4191), and ESP
packets that could not be decrypted. ICMP errors quoting such packets are left out. Addresses not named with --name are shown as they are.
"""
import os
import shutil
import subprocess
import sys

# RFC 6275 cl. 6.1; RFC 5846 cl. 6.1: type 16 is Binding Revocation, B.R. Type 1 BRI, 2 BRA
MH_TYPES = {0: "BRR", 1: "HoTI", 2: "CoTI", 3: "HoT", 4: "CoT", 5: "BU", 6: "BA", 7: "BE",
            16: "Binding Revocation"}
BR_TYPES = {1: "BRI", 2: "BRA"}
IKE_EXCH = {34: "IKE_SA_INIT", 35: "IKE_AUTH", 36: "CREATE_CHILD_SA", 37: "INFORMATIONAL"}
FIELDS = ["frame.number", "frame.time_relative", "ipv6.src", "ip.src", "ipv6.dst", "ip.dst",
          "mip6.mhtype", "mip6.bu.seqnr", "mip6.ba.seqnr", "mip6.ba.status", "isakmp.exchangetype",
          "isakmp.flag_r", "esp.spi", "udp.dstport", "udp.srcport", "frame.protocols",
          "ipv6.opt.mipv6.home_address", "ipv6.routing.mipv6.home_address", "mip6.bri_br.type",
          "mip6.bu.lifetime"]


def tshark(capture, conf):
    env = dict(os.environ)
    if conf:
        env["WIRESHARK_CONFIG_DIR"] = conf
    cmd = ["tshark", "-n", "-r", capture, "-d", "udp.port==4191,ipv6",
           "-Y", "(isakmp or mipv6 or esp) and not icmp and not icmpv6", "-T", "fields", "-E", "separator=|",
           "-E", "occurrence=a", "-E", "aggregator=,"]
    for f in FIELDS:
        cmd += ["-e", f]
    out = subprocess.run(cmd, env=env, capture_output=True, text=True, check=True).stdout
    for line in out.splitlines():
        yield dict(zip(FIELDS, line.split("|")))


def first(v):
    return v.split(",")[0] if v else ""


def outer(v):
    # The outermost header comes first in an aggregated field.
    return first(v)


def describe(p):
    if p["mip6.mhtype"]:
        types = [int(t) for t in p["mip6.mhtype"].split(",") if t]
        t = types[-1]
        name = MH_TYPES.get(t, "MH type %d" % t)
        if t == 16 and p["mip6.bri_br.type"]:
            br = int(first(p["mip6.bri_br.type"]))
            name = BR_TYPES.get(br, "Binding Revocation type %d" % br)
        if t == 5 and p["mip6.bu.seqnr"]:
            name += " seq=%s" % first(p["mip6.bu.seqnr"])
            if first(p["mip6.bu.lifetime"]) == "0":
                name += " lifetime=0"   # de-registration (RFC 6275 cl. 11.5.4, Annex A.5)
        if t == 6 and p["mip6.ba.seqnr"]:
            name += " seq=%s status=%s" % (first(p["mip6.ba.seqnr"]), first(p["mip6.ba.status"]))
        if "4191" in (p["udp.dstport"], p["udp.srcport"]):
            name += " (UDP 4191)"
        elif p["esp.spi"]:
            name += " (ESP)"
        return name
    if p["isakmp.exchangetype"]:
        ex = int(first(p["isakmp.exchangetype"]))
        name = IKE_EXCH.get(ex, "IKE exchange %d" % ex)
        name += " response" if first(p["isakmp.flag_r"]) in ("1", "True") else " request"
        return name
    if p["esp.spi"]:
        # Not decrypted (no keys): say what the headers in clear show.
        shape = ""
        if p["ipv6.opt.mipv6.home_address"]:
            shape = " after HAO (BU/BRA)"
        elif p["ipv6.routing.mipv6.home_address"]:
            shape = " after Type 2 RH (BA/BRI)"
        if "4191" in (p["udp.dstport"], p["udp.srcport"]):
            shape += " in UDP 4191"
        return "ESP spi=%s%s" % (first(p["esp.spi"]), shape)
    return "?"


def main(argv):
    if len(argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    capture, base = argv[1], argv[2]
    conf = None
    names = {}
    i = 3
    while i < len(argv):
        if argv[i] == "--conf":
            conf = argv[i + 1]
            i += 2
        elif argv[i] == "--name":
            addr, ent = argv[i + 1].split("=", 1)
            names[addr] = ent
            i += 2
        else:
            i += 1
    msgs = []
    for p in tshark(capture, conf):
        # The outer header is whichever of IPv4 / IPv6 the frame carries first.
        protos = p["frame.protocols"].split(":")
        v4_outer = "ip" in protos and ("ipv6" not in protos or protos.index("ip") < protos.index("ipv6"))
        if v4_outer:
            src, dst = outer(p["ip.src"]), outer(p["ip.dst"])
        else:
            src, dst = outer(p["ipv6.src"]), outer(p["ipv6.dst"])
        msgs.append((float(p["frame.time_relative"] or 0), names.get(src, src),
                     names.get(dst, dst), describe(p)))
    # dumpcap merges several interfaces; order by capture time.
    msgs.sort(key=lambda m: m[0])
    entities = []
    for _, s, d, _ in msgs:
        for e in (s, d):
            if e not in entities:
                entities.append(e)
    # The UE's addresses on the left, the network entities (named "HA..." or "PDN GW...") on
    # the right, each group in order of first appearance.
    entities.sort(key=lambda e: e.startswith(("HA", "PDN GW")))
    with open(base + ".txt", "w") as f:
        for t, s, d, what in msgs:
            f.write("%9.3f  %-16s -> %-16s %s\n" % (t, s, d, what))
    with open(base + ".msc", "w") as f:
        f.write("msc {\n  hscale = \"1.5\";\n")
        f.write("  " + ", ".join('"%s"' % e for e in entities) + ";\n")
        for t, s, d, what in msgs:
            f.write('  "%s" => "%s" [label="%s", textcolour="#000000"];\n'
                    % (s, d, "%.3f %s" % (t, what)))
        f.write("}\n")
    if shutil.which("mscgen") and msgs:
        subprocess.run(["mscgen", "-T", "png", "-i", base + ".msc", "-o", base + ".png"],
                       check=True, capture_output=True)
    print("%d messages" % len(msgs))
    return 0 if msgs else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
