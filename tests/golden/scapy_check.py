#!/usr/bin/python3
"""Golden cross-check of the dsmip6 wire encoders against scapy.

1. scapy builds every reference packet from layer objects (scapy computes the IPv4, UDP and MH
   checksums itself, the MH one with the HoA of the HAO / RH2 in the pseudo-header); the bytes
   must equal what `golden_dump hex` prints.
2. The scapy bytes are decoded by `golden_dump decode`; what dsmip6 reports must equal what
   scapy's own dissector reports for the same bytes, and dsmip6 must re-encode them identically.

RFC 5555 options have no scapy class (scapy 2.5): they are built as MIP6OptUnknown with the
layout of RFC 5555 cl. 3.1.1, 3.1.2, 3.2.1, 3.2.2, written here independently of the C code.
Exit 77 only when scapy is not installed.
"""
import ipaddress
import socket
import struct
import subprocess
import sys

try:
    from scapy.all import (IP, UDP, IPv6, IPv6ExtHdrDestOpt, IPv6ExtHdrRouting,
                           IPv6ExtHdrFragment, HAO, Pad1, PadN)
    from scapy.layers.inet6 import (MIP6MH_BU, MIP6MH_BA, MIP6MH_BE, MIP6MH_Generic,
                                    MIP6OptAltCoA, MIP6OptBRAdvice, MIP6OptUnknown,
                                    ICMPv6ParamProblem)
    from scapy.packet import bind_layers, Raw
except ImportError:
    print("1..0 # SKIP scapy is not installed")
    sys.exit(77)

bind_layers(UDP, IPv6, dport=4191)

HA6, HOA6, COA6 = '2001:db8:1::1', '2001:db8:100::1', '2001:db8:1::2'
HA4, COA4, HOA4 = '192.0.2.1', '203.0.113.5', '198.51.100.17'
CN6, CN4 = '2001:db8:c0c::1', '198.51.100.1'
L = 3600 // 4
# BU flag bits after the 7 scapy knows (A H L K M R P): F, T, O live in scapy's 9-bit
# "reserved" field (RFC 5555 cl. 3.1.3, RFC 5845, RFC 5648 cl. 4.2).
RES_F, RES_O = 0x100, 0x040


def v4(a):
    return socket.inet_aton(a)


def opt_ipv4_hoa(addr, plen, p=0):          # type 29, Prefix-len(6) P(1) Reserved(9)
    return MIP6OptUnknown(otype=29, odata=struct.pack('!H', (plen << 10) | (p << 9)) + v4(addr))


def opt_ipv4_ack(status, addr, plen):       # type 30, Status(8) Pref-len(6) Res(2)
    return MIP6OptUnknown(otype=30, odata=struct.pack('!BB', status, plen << 2) + v4(addr))


def opt_natd(f, refresh):                   # type 31, F(1) Reserved(15) Refresh(32)
    return MIP6OptUnknown(otype=31, odata=struct.pack('!HI', f << 15, refresh))


def opt_ipv4_coa(addr):                     # type 32, Reserved(16) CoA(32)
    return MIP6OptUnknown(otype=32, odata=b'\0\0' + v4(addr))


def opt_bid(bid, status=0, h=0, coa=None):  # type 35 (RFC 5648 cl. 4.3)
    data = struct.pack('!HBB', bid, status, h << 7)
    if coa:
        data += socket.inet_pton(socket.AF_INET6, coa)
    return MIP6OptUnknown(otype=35, odata=data)


def opt_vendor(vid, sub, data):             # type 19 (RFC 5094 cl. 3)
    return MIP6OptUnknown(otype=19, odata=struct.pack('!IB', vid, sub) + data)


def padn(n):                                # n octets of padding (n >= 2)
    return PadN(optdata=b'\0' * (n - 2))


def ip4(src, dst):
    return IP(src=src, dst=dst, id=0, flags=0, ttl=64)


def udp():
    return UDP(sport=4191, dport=4191)


def br(brtype, code, seq, flags=0, opts=b''):
    return MIP6MH_Generic(mhtype=16, res=0, msg=struct.pack('!BBHH', brtype, code, seq, flags) + opts)


FORMS = {
    # IPv6 CoA: BU with HAO + Alternate CoA + IPv4 HoA request (0.0.0.0/32).
    'bu6': IPv6(src=COA6, dst=HA6) / IPv6ExtHdrDestOpt(options=[HAO(hoa=HOA6)]) /
    MIP6MH_BU(seq=1, flags='AHK', mhtime=L, autopad=0,
              options=[padn(2), MIP6OptAltCoA(acoa=COA6), opt_ipv4_hoa('0.0.0.0', 32)]),
    # BA with a Type 2 RH + IPv4 Address Acknowledgement.
    'ba6': IPv6(src=HA6, dst=COA6) / IPv6ExtHdrRouting(type=2, segleft=1, addresses=[HOA6]) /
    MIP6MH_BA(status=0, flags='K', seq=1, mhtime=L, autopad=0,
              options=[opt_ipv4_ack(0, HOA4, 32), padn(4)]),
    # IPv4 CoA: IPv4 / UDP 4191 / IPv6(HoA -> HA) / BU with IPv4 HoA + IPv4 CoA, no HAO.
    'bu4': ip4(COA4, HA4) / udp() / IPv6(src=HOA6, dst=HA6) /
    MIP6MH_BU(seq=2, flags='AHK', mhtime=L, autopad=0,
              options=[opt_ipv4_hoa(HOA4, 32), opt_ipv4_coa(COA4), padn(4)]),
    # BA over IPv4 / UDP with IPv4 Address Ack + NAT Detection (F = 1, refresh 110 s).
    'ba4': ip4(HA4, COA4) / udp() / IPv6(src=HA6, dst=HOA6) /
    MIP6MH_BA(status=0, flags='K', seq=2, mhtime=L, autopad=0,
              options=[opt_ipv4_ack(0, HOA4, 32), opt_natd(1, 110), padn(4)]),
    'bu4_force': ip4(COA4, HA4) / udp() / IPv6(src=HOA6, dst=HA6) /
    MIP6MH_BU(seq=3, flags='AHK', reserved=RES_F, mhtime=L, autopad=0,
              options=[opt_ipv4_coa(COA4), padn(4)]),
    'be6': IPv6(src=HA6, dst=COA6) / MIP6MH_BE(status=2, ha=HOA6),
    'bri6': IPv6(src=HA6, dst=COA6) / IPv6ExtHdrRouting(type=2, segleft=1, addresses=[HOA6]) /
    br(1, 1, 7, 0, bytes(opt_ipv4_hoa(HOA4, 32)) + bytes(padn(4))),
    'bra6': IPv6(src=COA6, dst=HA6) / IPv6ExtHdrDestOpt(options=[HAO(hoa=HOA6)]) /
    br(2, 0, 7, 0, bytes(padn(4))),
    'bu6_mcoa': IPv6(src=COA6, dst=HA6) / IPv6ExtHdrDestOpt(options=[HAO(hoa=HOA6)]) /
    MIP6MH_BU(seq=4, flags='AHK', reserved=RES_O, mhtime=L, autopad=0,
              options=[padn(2), MIP6OptAltCoA(acoa=COA6), padn(2), opt_bid(1, coa=COA6)]),
    'ba6_refresh': IPv6(src=HA6, dst=COA6) / IPv6ExtHdrRouting(type=2, segleft=1, addresses=[HOA6]) /
    MIP6MH_BA(status=0, flags='K', seq=4, mhtime=L, autopad=0,
              options=[MIP6OptBRAdvice(rinter=150), opt_bid(1), padn(2)]),
    'bu6_vendor': IPv6(src=COA6, dst=HA6) / IPv6ExtHdrDestOpt(options=[HAO(hoa=HOA6)]) /
    MIP6MH_BU(seq=5, flags='AHK', mhtime=L, autopad=0,
              options=[padn(2), MIP6OptAltCoA(acoa=COA6), padn(2),
                       opt_vendor(32473, 1, b'dsmip6'), Pad1()]),
}
# Kernel complaint about bu6's HAO: ICMPv6 Parameter Problem code 2, pointer 46 (RFC 4443 cl. 3.4).
FORMS['pp_hao'] = (IPv6(src=HA6, dst=COA6) / ICMPv6ParamProblem(code=2, ptr=46) /
                   bytes(FORMS['bu6']))
# Data plane: IPv6-in-IPv4, IPv4-in-IPv4, and IPv4 / UDP 4191 / IPv4 (RFC 5555 cl. 4.1).
FORMS['data6_in4'] = (ip4(COA4, HA4) / IPv6(src=HOA6, dst=CN6) / UDP(sport=40001, dport=40002) /
                      b'dsmip6')
FORMS['data4_in4'] = ip4(COA4, HA4) / ip4(HOA4, CN4) / UDP(sport=40001, dport=40002) / b'dsmip6'
FORMS['data4_udp'] = (ip4(COA4, HA4) / UDP(sport=40000, dport=4191) / ip4(HOA4, CN4) /
                      UDP(sport=40001, dport=40002) / b'dsmip6')

# Decode-only interop: packets padded by scapy's own autopad, with options in another order than
# dsmip6 writes them. dsmip6 must decode them like scapy does; re-encoding gives dsmip6's
# canonical order, so the bytes may differ ('same' or 'different' is asserted).
DECODE_ONLY = {
    'scapy_autopad_bu6': (IPv6(src=COA6, dst=HA6) / IPv6ExtHdrDestOpt(options=[HAO(hoa=HOA6)]) /
                          MIP6MH_BU(seq=9, flags='AHK', mhtime=L,
                                    options=[opt_ipv4_hoa('0.0.0.0', 32), MIP6OptAltCoA(acoa=COA6)]),
                          'different'),
    'scapy_autopad_ba6': (IPv6(src=HA6, dst=COA6) /
                          IPv6ExtHdrRouting(type=2, segleft=1, addresses=[HOA6]) /
                          MIP6MH_BA(status=129, flags='K', seq=9, mhtime=0,
                                    options=[MIP6OptBRAdvice(rinter=10)]),
                          'same'),
}

# Malformed packets crafted with scapy, and the error dsmip6 must report for each (ds_strerror).
MALFORMED = {
    'mh_bad_checksum': (IPv6(src=HOA6, dst=HA6) / MIP6MH_BU(seq=1, cksum=0x1234),
                        'mh_error=bad checksum'),
    'mh_unknown_type': (IPv6(src=HOA6, dst=HA6) / MIP6MH_Generic(mhtype=42, msg=b'\0' * 10),
                        'mh_error=unknown type'),
    'mh_hdrlen_below_bu': (IPv6(src=HOA6, dst=HA6) / MIP6MH_Generic(mhtype=5, msg=b'\0\0'),
                           'mh_error=bad length'),
    'mh_hdrlen_past_end': (IPv6(src=HOA6, dst=HA6) / MIP6MH_BU(seq=1, len=3),
                           'mh_error=length overruns container'),
    'mh_option_overrun': (IPv6(src=HOA6, dst=HA6) /
                          MIP6MH_BU(seq=1, autopad=0,
                                    options=[MIP6OptUnknown(otype=3, olen=30, odata=b'\0' * 2)]),
                          'mh_error=length overruns container'),
    'mh_altcoa_twice': (IPv6(src=HOA6, dst=HA6) /
                        MIP6MH_BU(seq=1, options=[MIP6OptAltCoA(acoa=COA6),
                                                  MIP6OptAltCoA(acoa=COA6)]),
                        'mh_error=duplicate element'),
    'rh2_segleft_0': (IPv6(src=HA6, dst=COA6) /
                      IPv6ExtHdrRouting(type=2, segleft=0, addresses=[HOA6]) / MIP6MH_BA(seq=1),
                      'ip6_error=reserved value'),
    'hao_twice': (IPv6(src=COA6, dst=HA6) /
                  IPv6ExtHdrDestOpt(options=[HAO(hoa=HOA6), HAO(hoa=HOA6)]) / MIP6MH_BU(seq=1),
                  'ip6_error=duplicate element'),
    'fragment': (IPv6(src=HOA6, dst=HA6) / IPv6ExtHdrFragment(m=1) / MIP6MH_BU(seq=1),
                 'ip6_error=fragmented packet'),
    'ipv4_bad_checksum': (IP(src=COA4, dst=HA4, chksum=1) / udp() / IPv6(src=HOA6, dst=HA6) /
                          MIP6MH_BU(seq=1), 'ip4_error=bad checksum'),
    'udp_length_past_end': (ip4(COA4, HA4) / UDP(sport=4191, dport=4191, len=999) /
                            IPv6(src=HOA6, dst=HA6) / MIP6MH_BU(seq=1),
                            'ip4_error=length overruns container'),
    'udp4191_not_ip': (ip4(COA4, HA4) / udp() / (b'\x50' + b'\0' * 39), 'ip4_error=bad version'),
}


def describe_opts(options):
    """Option description from scapy's dissection (same format as golden_dump decode)."""
    out, unknown = [], 0
    d = {}
    for o in options:
        t = o.otype
        raw = bytes(o)
        data = raw[2:]
        if t in (0, 1):
            continue
        if t == 2:
            d['refresh'] = 'opt.refresh=%d' % o.rinter
        elif t == 3:
            d['alt_coa'] = 'opt.alt_coa=%s' % o.acoa
        elif t == 29:
            w, = struct.unpack('!H', data[:2])
            d['ipv4_hoa'] = 'opt.ipv4_hoa=%s/%d/p%d' % (socket.inet_ntoa(data[2:6]), w >> 10,
                                                       (w >> 9) & 1)
        elif t == 30:
            d['ipv4_ack'] = 'opt.ipv4_ack=%d/%s/%d' % (data[0], socket.inet_ntoa(data[2:6]),
                                                       data[1] >> 2)
        elif t == 31:
            w, r = struct.unpack('!HI', data[:6])
            d['nat'] = 'opt.nat=f%d/%d' % (w >> 15, r)
        elif t == 32:
            d['ipv4_coa'] = 'opt.ipv4_coa=%s' % socket.inet_ntoa(data[2:6])
        elif t == 35:
            bid, st, h = struct.unpack('!HBB', data[:4])
            coa = '-'
            if len(data) == 20:
                coa = str(ipaddress.IPv6Address(data[4:20]))
            elif len(data) == 8:
                coa = socket.inet_ntoa(data[4:8])
            d.setdefault('bid', []).append('opt.bid=%d/%d/h%d/%s' % (bid, st, h >> 7, coa))
        elif t == 19:
            vid, sub = struct.unpack('!IB', data[:5])
            d.setdefault('vendor', []).append('opt.vendor=%d/%d/%s' % (vid, sub, data[5:].hex()))
        else:
            unknown += 1
    for k in ('refresh', 'alt_coa', 'nonce', 'ipv4_hoa', 'ipv4_ack', 'nat', 'ipv4_coa', 'bid',
              'vendor'):
        if k in d:
            out += d[k] if isinstance(d[k], list) else [d[k]]
    out.append('unknown=%d misaligned=0' % unknown)
    return out


def describe_br(msg):
    """Binding Revocation (RFC 5846 cl. 5.1/5.2) from the raw message body."""
    brtype, code, seq, flags = struct.unpack('!BBHH', msg[:6])
    out = ['br.type=%d br.code=%d br.seq=%d br.flags=0x%04x' % (brtype, code, seq, flags)]
    # scapy has no Binding Revocation class: split the options as TLVs (Pad1 has no length).
    options, body, i = [], msg[6:], 0
    while i < len(body):
        if body[i] == 0:
            i += 1
            continue
        n = body[i + 1]
        options.append(MIP6OptUnknown(body[i:i + 2 + n]))
        i += 2 + n
    return out + describe_opts(options)


def describe(pkt, reencode='same'):
    """What scapy sees in pkt (re-dissected from bytes), in golden_dump's format."""
    words = []
    if pkt.haslayer(IP):
        ip = pkt[IP]
        words.append('ip4.src=%s ip4.dst=%s ip4.proto=%d' % (ip.src, ip.dst, ip.proto))
        inner = bytes(ip.payload)
        if ip.proto == 17:
            u = ip[UDP]
            words.append('udp=%d/%d' % (u.sport, u.dport))
            inner = bytes(u.payload) if 4191 in (u.sport, u.dport) else b''
        if inner and inner[0] >> 4 == 4:        # inner IPv4 (protocol 4 or UDP 4191)
            i4 = IP(inner)
            words.append('inner4.src=%s inner4.dst=%s inner4.proto=%d' % (i4.src, i4.dst, i4.proto))
            if i4.haslayer(UDP):
                words.append('udp=%d/%d' % (i4[UDP].sport, i4[UDP].dport))
            return ' '.join(words)
        pkt = IPv6(inner)
    ip6 = pkt[IPv6]
    words.append('ip6.src=%s ip6.dst=%s' % (ip6.src, ip6.dst))
    if pkt.haslayer(ICMPv6ParamProblem):
        pp = pkt[ICMPv6ParamProblem]
        inv = bytes(pp.payload)
        # RFC 6275 / RFC 4443: pointer at the HAO type octet (201) of a Destination Options
        # header, or at the Routing Type (offset 42) of a Type 2 RH.
        hao = int(inv[6] == 60 and pp.ptr < len(inv) and inv[pp.ptr] == 201)
        rh2 = int(inv[6] == 43 and pp.ptr == 42 and inv[42] == 2)
        words.append('proto=58 icmp6.type=%d icmp6.code=%d icmp6.pointer=%d about_hao=%d '
                     'about_rh2=%d invoking=%d' % (pp.type, pp.code, pp.ptr, hao, rh2, len(inv)))
        return ' '.join(words)
    # (after the ICMPv6 case: the invoking packet inside it has its own HAO)
    if pkt.haslayer(HAO):
        words.append('hao=%s' % pkt[HAO].hoa)
    if pkt.haslayer(IPv6ExtHdrRouting):
        words.append('rh2=%s' % pkt[IPv6ExtHdrRouting].addresses[0])
    if pkt.haslayer(UDP) and ip6.nh == 17:
        u = pkt[UDP]
        words.append('proto=17 udp6=%d/%d/%d' % (u.sport, u.dport, u.len))
        return ' '.join(words)
    words.append('proto=135')
    if pkt.haslayer(MIP6MH_BU):
        m = pkt[MIP6MH_BU]
        flags = 0
        for bit, name in ((0x8000, 'A'), (0x4000, 'H'), (0x2000, 'L'), (0x1000, 'K'),
                          (0x0800, 'M'), (0x0400, 'R'), (0x0200, 'P')):
            if name in str(m.flags):
                flags |= bit
        flags |= m.reserved & 0x1c0
        words.append('mh=5 bu.seq=%d bu.flags=0x%04x bu.lifetime=%d' % (m.seq, flags, m.mhtime))
        words += describe_opts(m.options)
    elif pkt.haslayer(MIP6MH_BA):
        m = pkt[MIP6MH_BA]
        flags = (0x80 if 'K' in str(m.flags) else 0) | (0x40 if 'R' in str(m.flags) else 0)
        words.append('mh=6 ba.status=%d ba.flags=0x%02x ba.seq=%d ba.lifetime=%d' %
                     (m.status, flags, m.seq, m.mhtime))
        words += describe_opts(m.options)
    elif pkt.haslayer(MIP6MH_BE):
        m = pkt[MIP6MH_BE]
        words.append('mh=7 be.status=%d be.hoa=%s' % (m.status, m.ha))
        words += describe_opts(m.options)
    elif pkt.haslayer(MIP6MH_Generic) and pkt[MIP6MH_Generic].mhtype == 16:
        words.append('mh=16')
        # scapy 2.5 sizes the Generic message as 8*len-6 octets and leaves the rest as Raw:
        # take the MH bytes after the 6-octet common header instead.
        words += describe_br(bytes(pkt[MIP6MH_Generic])[6:])
    words.append('reencode=' + reencode)
    return ' '.join(words)


def main():
    tool = sys.argv[1]
    ours = {}
    for line in subprocess.run([tool, 'hex'], check=True, capture_output=True,
                               text=True).stdout.split('\n'):
        if line:
            name, hexs = line.split()
            ours[name] = hexs
    missing = set(ours) ^ set(FORMS)
    results = []
    theirs = {name: bytes(p) for name, p in FORMS.items()}
    reenc = {name: 'same' for name in FORMS}
    for name, (p, r) in DECODE_ONLY.items():
        theirs[name] = bytes(p)
        reenc[name] = r
    for name in sorted(FORMS):
        ok = name in ours and ours[name] == theirs[name].hex()
        detail = '' if ok else '\n#  dsmip6 %s\n#  scapy  %s' % (ours.get(name), theirs[name].hex())
        results.append((ok, 'bytes %s identical to scapy%s' % (name, detail)))
    dec = subprocess.run([tool, 'decode'], input=''.join('%s %s\n' % (n, b.hex())
                                                        for n, b in sorted(theirs.items())),
                         capture_output=True, text=True)
    got = {}
    for line in dec.stdout.split('\n'):
        if line:
            name, rest = line.split(' ', 1)
            got[name] = rest
    for name in sorted(theirs):
        raw = theirs[name]
        again = (IP(raw) if raw[0] >> 4 == 4 else IPv6(raw))
        want = describe(again, reenc[name])
        ok = got.get(name) == want
        detail = '' if ok else '\n#  dsmip6 %s\n#  scapy  %s' % (got.get(name), want)
        results.append((ok, 'decode %s matches scapy dissection%s' % (name, detail)))
    results.append((not missing, 'same set of forms on both sides %s' % sorted(missing)))
    bad = {name: bytes(p) for name, (p, _) in MALFORMED.items()}
    dec = subprocess.run([tool, 'decode'], input=''.join('%s %s\n' % (n, b.hex())
                                                        for n, b in sorted(bad.items())),
                         capture_output=True, text=True)
    got = dict(line.split(' ', 1) for line in dec.stdout.split('\n') if line)
    for name, (_, err) in sorted(MALFORMED.items()):
        ok = (' ' + got.get(name, '')).endswith(' ' + err)
        results.append((ok, 'malformed %s refused with %s%s' %
                        (name, err, '' if ok else ' (got %r)' % got.get(name))))
    print('1..%d' % len(results))
    for i, (ok, text) in enumerate(results, 1):
        print('%s %d - %s' % ('ok' if ok else 'not ok', i, text))
    return 0 if all(ok for ok, _ in results) else 1


if __name__ == '__main__':
    sys.exit(main())
