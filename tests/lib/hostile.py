#!/usr/bin/python3
"""Hostile and malformed input for the HA, crafted with scapy (run inside a namespace, root).

  hostile.py CASE HA_ADDR [options]

Cases (each sends its packets once and prints how many it sent):
  unprotected-bu  SRC HOA      a well-formed BU with HAO, not protected by ESP (RFC 4877 cl. 4.1:
                               the HA must drop it)
  foreign-hoa     SRC HOA      the same, claiming another UE's home address
  bad-mh          SRC HOA      malformed Mobility Headers: bad checksum, header length beyond
                               the packet, payload proto not 59, unknown MH type, truncated BU,
                               an option overrunning the message (RFC 6275 cl. 9.2)
  udp4191-garbage SRC4         RFC 5555 UDP 4191: empty, truncated IPv6 header, not IPv6
  ike-garbage     SRC          UDP 500 and 4500: truncated IKE headers, bad lengths, non-ESP
                               marker mix-ups (RFC 7296 cl. 3.1, RFC 3948 cl. 2.2)
  replay          PCAP SRC     resend, byte for byte, every ESP packet from SRC to HA_ADDR found
                               in PCAP (anti-replay, RFC 4303 cl. 3.4.3)
  esp-foreign-hoa PCAP ESP_SA SRC HOA
                               a BU that is correctly protected with the UE's own ESP SA (keys
                               from its Wireshark esp_sa key log, next sequence number after
                               those in PCAP) but claims HOA, a home address that is not the
                               UE's: the HA must refuse it (RFC 4877 cl. 4.3: the HoA must be
                               the one the SA was created for)
  esp-unknown-mh PCAP ESP_SA SRC HOA
                               a well-formed MH of an unknown type (42), protected with the UE's
                               own SA and from its own HOA: the HA answers a Binding Error status
                               2 (RFC 6275 cl. 9.2) inside the SA
"""
import socket
import struct
import sys

from scapy.all import (IP, UDP, IPv6, IPv6ExtHdrDestOpt, HAO, MIP6MH_BU, MIP6MH_Generic,
                       Raw, conf, rdpcap, send)

conf.verb = 0


def bu(src, ha, hoa, seq=100, **kw):
    return (IPv6(src=src, dst=ha) / IPv6ExtHdrDestOpt(options=[HAO(hoa=hoa)]) /
            MIP6MH_BU(seq=seq, flags="AHK", mhtime=600 // 4, **kw))


def raw_mh(src, ha, hoa, mh_bytes):
    # A Destination Options header with the HAO, then the given MH bytes as they are.
    return (IPv6(src=src, dst=ha) / IPv6ExtHdrDestOpt(nh=135, options=[HAO(hoa=hoa)]) /
            Raw(mh_bytes))


def case_unprotected(ha, src, hoa):
    send(bu(src, ha, hoa))
    return 1


def case_bad_mh(ha, src, hoa):
    good = bytes(bu(src, ha, hoa)[MIP6MH_BU])
    pkts = []
    bad_csum = bytearray(good)
    bad_csum[4] ^= 0xff                                 # checksum
    pkts.append(raw_mh(src, ha, hoa, bytes(bad_csum)))
    too_long = bytearray(good)
    too_long[1] = 40                                    # header length beyond the packet
    pkts.append(raw_mh(src, ha, hoa, bytes(too_long)))
    pkts.append(raw_mh(src, ha, hoa, good[:5]))         # truncated inside the MH header
    # A well-formed message of an unknown MH type (6-byte header + 10 bytes: a multiple of 8
    # octets, RFC 6275 cl. 6.1.1), valid checksum, but without ESP: discarded unanswered
    # (RFC 4301 cl. 5.2; a Binding Error, RFC 6275 cl. 9.2, only answers protected messages)
    pkts.append(IPv6(src=src, dst=ha) / IPv6ExtHdrDestOpt(options=[HAO(hoa=hoa)]) /
                MIP6MH_Generic(mhtype=42, msg=b"\0" * 10))
    pp = bytearray(good)
    pp[0] = 6                                           # payload proto must be 59
    pkts.append(raw_mh(src, ha, hoa, bytes(pp)))
    # An option whose length runs past the end of the message.
    opt = bytearray(good + b"\x03\x20" + b"\0" * 4)
    opt[1] = (len(opt) // 8) - 1 if len(opt) % 8 == 0 else opt[1]
    pkts.append(raw_mh(src, ha, hoa, bytes(opt)))
    for p in pkts:
        send(p)
    return len(pkts)


def case_udp4191(ha4, src4):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((src4, 0))
    payloads = [b"", b"\x60\x00", b"\x45" + b"\0" * 30, b"\x60" + b"\xff" * 60]
    for p in payloads:
        s.sendto(p, (ha4, 4191))
    return len(payloads)


def case_ike(ha, src):
    fam = socket.AF_INET6 if ":" in ha else socket.AF_INET
    n = 0
    hdr = struct.pack("!8s8sBBBBII", b"\x11" * 8, b"\0" * 8, 33, 0x20, 34, 0x08, 0, 28)
    for port, payloads in ((500, [b"", hdr[:10], hdr[:24] + struct.pack("!I", 9999),
                                  hdr[:24] + struct.pack("!I", 20)]),
                           (4500, [b"\xff", b"\0\0\0\0", b"\0\0\0\0" + hdr[:12],
                                   b"\0\0\0\x01" + b"\0" * 20])):
        s = socket.socket(fam, socket.SOCK_DGRAM)
        s.bind((src, 0))
        for p in payloads:
            s.sendto(p, (ha, port))
            n += 1
        s.close()
    return n


def case_replay(ha, pcap, src):
    # The UE's own ESP-protected signalling (ESP in IPv6, after the HAO), sent again as it was.
    from scapy.layers.ipsec import ESP
    n = 0
    for p in rdpcap(pcap):
        if p.haslayer(IPv6) and p.haslayer(ESP) and not p.haslayer(UDP):
            ip = p[IPv6]
            if ip.src == src and ip.dst == ha:
                send(IPv6(bytes(ip)))
                n += 1
    return n


def esp_key_for(esp_sa, spi):
    # Wireshark UAT esp_sa lines: "proto","src","dst","spi","encryption","key","auth","auth key"[,...]
    for line in open(esp_sa):
        f = [x.strip().strip('"') for x in line.strip().split('","')]
        if len(f) >= 6 and int(f[3], 16) == spi:
            return f[4], bytes.fromhex(f[5][2:] if f[5].startswith("0x") else f[5])
    return None, None


# Forged packets on the UE's own SA skip ahead of its last sequence number, inside the HA's
# anti-replay window (RFC 4303 cl. 3.4.3, at least 32 packets), so the numbers the UE itself
# uses next are still unseen and its later BUs are not taken for replays.
SEQ_SKIP = {"esp-foreign-hoa": 16, "esp-unknown-mh": 20}


def case_esp_mh(ha, pcap, esp_sa, src, hoa, mh, skip):
    from scapy.layers.ipsec import ESP, SecurityAssociation
    # The UE's MH SA: ESP directly in IPv6 (not UDP 4500, where IKE and the garbage of the
    # other cases travel) after a Destination Options header with the HAO, i.e. its own BUs
    # (RFC 6275 cl. 6.3 / RFC 4877 cl. 4.1).
    spi, seq = None, 0
    pkts = rdpcap(pcap)
    for p in pkts:
        if (p.haslayer(IPv6) and p[IPv6].src == src and p[IPv6].dst == ha and p.haslayer(ESP)
                and p.haslayer(HAO) and not p.haslayer(UDP)):
            spi = p[ESP].spi
    if spi is None:
        print("no ESP-protected BU from %s to %s in %s" % (src, ha, pcap), file=sys.stderr)
        return 0
    for p in pkts:   # the highest sequence number already used on that SA
        if p.haslayer(ESP) and not p.haslayer(UDP) and p[ESP].spi == spi:
            seq = max(seq, p[ESP].seq)
    alg, key = esp_key_for(esp_sa, spi)
    if key is None or "GCM" not in alg:
        print("no AES-GCM key for SPI 0x%08x in %s" % (spi, esp_sa), file=sys.stderr)
        return 0
    # Encrypt the MH alone in transport mode, then put the HAO (which stays outside ESP,
    # RFC 6275 cl. 6.3) in front: the GCM AAD covers SPI and sequence number only.
    sa = SecurityAssociation(ESP, spi=spi, crypt_algo="AES-GCM", crypt_key=key,
                             seq_num=seq + skip)
    inner = IPv6(src=hoa, dst=ha) / mh
    inner = IPv6(bytes(inner))          # checksums computed with the claimed HoA
    enc = sa.encrypt(inner)
    pkt = IPv6(src=src, dst=ha) / IPv6ExtHdrDestOpt(nh=50, options=[HAO(hoa=hoa)]) / Raw(bytes(enc[ESP]))
    send(pkt)
    return 1


def main(argv):
    if len(argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    case, ha, rest = argv[1], argv[2], argv[3:]
    if case in ("unprotected-bu", "foreign-hoa"):
        n = case_unprotected(ha, rest[0], rest[1])
    elif case == "bad-mh":
        n = case_bad_mh(ha, rest[0], rest[1])
    elif case == "udp4191-garbage":
        n = case_udp4191(ha, rest[0])
    elif case == "ike-garbage":
        n = case_ike(ha, rest[0])
    elif case == "esp-foreign-hoa":
        n = case_esp_mh(ha, rest[0], rest[1], rest[2], rest[3],
                        MIP6MH_BU(seq=200, flags="AHK", mhtime=600 // 4), SEQ_SKIP[case])
    elif case == "esp-unknown-mh":
        # well formed (16 octets), type 42: unknown to the HA
        n = case_esp_mh(ha, rest[0], rest[1], rest[2], rest[3],
                        MIP6MH_Generic(mhtype=42, msg=b"\0" * 10), SEQ_SKIP[case])
    elif case == "replay":
        n = case_replay(ha, rest[0], rest[1])
    else:
        print(__doc__, file=sys.stderr)
        return 2
    print(n)
    return 0 if n > 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
