#!/usr/bin/python3
"""Cross-check of the dsmip6 wire encoders with tshark (Wireshark's MIPv6 dissector).

golden_dump writes every reference packet into a pcap (LINKTYPE_RAW); tshark decodes it with
UDP port 4191 mapped to IPv6 (RFC 5555 cl. 4.1) and IPv4/UDP checksum verification on; each
expected field value is asserted, and no frame may carry a malformed or expert mark. tshark
does not verify MH checksums: the scapy golden test covers those.
Exit 77 only when tshark is not installed.
"""
import os
import shutil
import struct
import subprocess
import sys
import tempfile

HA6, HOA6, COA6 = '2001:db8:1::1', '2001:db8:100::1', '2001:db8:1::2'
HOA4, COA4 = '198.51.100.17', '203.0.113.5'
CN6 = '2001:db8:c0c::1'
L = '900'

# Expected tshark fields per reference packet (field -> value; '' means absent).
EXPECT = {
    'bu6': {'mip6.mhtype': '5', 'mip6.bu.seqnr': '1', 'mip6.bu.a_flag': '1',
            'mip6.bu.h_flag': '1', 'mip6.bu.k_flag': '1', 'mip6.bu.f_flag': '0',
            'mip6.bu.lifetime': L, 'mip6.acoa.acoa': COA6, 'mip6.ipv4ha.ha': '0.0.0.0',
            'mip6.ipv4ha.preflen': '32', 'mip6.ipv4ha.p_flag': '0',
            'ipv6.opt.mipv6.home_address': HOA6, 'ipv6.src': COA6, 'ipv6.dst': HA6},
    'ba6': {'mip6.mhtype': '6', 'mip6.ba.status': '0', 'mip6.ba.k_flag': '1',
            'mip6.ba.seqnr': '1', 'mip6.ba.lifetime': L, 'mip6.ipv4aa.sts': '0',
            'mip6.ipv4ha.ha': HOA4, 'ipv6.routing.type': '2', 'ipv6.routing.segleft': '1',
            'ipv6.routing.mipv6.home_address': HOA6},
    'bu4': {'ip.src': COA4, 'ip.checksum.status': '1', 'udp.dstport': '4191',
            'udp.checksum.status': '1', 'ipv6.src': HOA6, 'ipv6.dst': HA6,
            'ipv6.opt.mipv6.home_address': '', 'mip6.mhtype': '5', 'mip6.bu.seqnr': '2',
            'mip6.bu.k_flag': '1', 'mip6.ipv4ha.ha': HOA4, 'mip6.ipv4ha.preflen': '32',
            'mip6.ipv4coa.addr': COA4},
    'ba4': {'ip.dst': COA4, 'ip.checksum.status': '1', 'udp.srcport': '4191',
            'udp.checksum.status': '1', 'ipv6.dst': HOA6, 'mip6.mhtype': '6',
            'mip6.ba.seqnr': '2', 'mip6.ipv4aa.sts': '0', 'mip6.ipv4ha.ha': HOA4,
            'mip6.natd.f_flag': '1', 'mip6.natd.refresh_t': '110',
            'ipv6.routing.mipv6.home_address': ''},
    'bu4_force': {'mip6.mhtype': '5', 'mip6.bu.seqnr': '3', 'mip6.bu.f_flag': '1',
                  'mip6.ipv4coa.addr': COA4, 'udp.checksum.status': '1'},
    'be6': {'mip6.mhtype': '7', 'mip6.be.status': '2', 'mip6.be.haddr': HOA6},
    'bri6': {'mip6.mhtype': '16', 'mip6.bri_br.type': '1', 'mip6.bri_r.trigger': '1',
             'mip6.bri_seqnr': '7', 'mip6.bri_ip': '0', 'mip6.bri_iv': '0', 'mip6.bri_ig': '0',
             'mip6.ipv4ha.ha': HOA4, 'ipv6.routing.mipv6.home_address': HOA6},
    'bra6': {'mip6.mhtype': '16', 'mip6.bri_br.type': '2', 'mip6.bri_status': '0',
             'mip6.bri_seqnr': '7', 'ipv6.opt.mipv6.home_address': HOA6},
    # Wireshark 4.0 names BU bit 0x0040 "B" (RFC 6602); RFC 5648 cl. 4.2 calls it O.
    'bu6_mcoa': {'mip6.mhtype': '5', 'mip6.bu.seqnr': '4', 'mip6.bu.b_flag': '1',
                 'mip6.bi.bid': '1', 'mip6.bi.status': '0', 'mip6.bi.h_flag': '0',
                 'mip6.bi.coa_ipv6': COA6, 'mip6.acoa.acoa': COA6},
    'ba6_refresh': {'mip6.mhtype': '6', 'mip6.ba.seqnr': '4', 'mip6.bra.interval': '150',
                    'mip6.bi.bid': '1', 'mip6.bi.coa_ipv6': ''},
    'bu6_vendor': {'mip6.mhtype': '5', 'mip6.bu.seqnr': '5', 'mip6.vsm.vendorId': '32473',
                   'mip6.vsm.subtype': '1'},
    # Kernel complaint about bu6's HAO (RFC 4443 cl. 3.4); tshark verifies the ICMPv6 checksum.
    'pp_hao': {'icmpv6.type': '4', 'icmpv6.code': '2', 'icmpv6.pointer': '46',
               'icmpv6.checksum.status': '1', 'ipv6.src': HA6 + ',' + COA6},
    'data6_in4': {'ip.proto': '41', 'ip.src': COA4, 'ipv6.src': HOA6, 'ipv6.dst': CN6,
                  'udp.dstport': '40002', 'udp.checksum.status': '1', 'ip.checksum.status': '1'},
    'data4_in4': {'ip.proto': '4,17', 'ip.src': COA4 + ',' + HOA4, 'udp.dstport': '40002',
                  'ip.checksum.status': '1,1', 'udp.checksum.status': '1'},
    'data4_udp': {'ip.proto': '17,17', 'ip.src': COA4 + ',' + HOA4, 'udp.dstport': '4191,40002',
                  'ip.checksum.status': '1,1', 'udp.checksum.status': '1,1'},
}
# UDP 4191 carries IPv6 or IPv4 (version nibble, RFC 5555 cl. 4.1); tshark needs to be told which.
DECODE_AS = {'data4_udp': 'ip'}
ALWAYS_EMPTY = ['_ws.malformed', '_ws.expert', 'mip6.opt.len.invalid']

# Negative controls, to show the oracle would notice: the bu6 packet with (offset, new value)
# patched. 79 is the Alternate CoA Length (IPv6 40 + DO 24 + MH offset 15), 97 the IPv4 HoA
# option Length. tshark must flag each, and dsmip6 must refuse each with the given error.
BROKEN = [('altcoa_overrun', 79, 30, 'mh_error=length overruns container'),
          ('ipv4_hoa_len5', 97, 5, 'mh_error=bad length')]


def write_pcap(path, packets):
    """pcap (LINKTYPE_RAW) written independently of golden_dump's writer."""
    with open(path, 'wb') as f:
        f.write(struct.pack('<IHHiIII', 0xa1b2c3d4, 2, 4, 0, 0, 65535, 101))
        for p in packets:
            f.write(struct.pack('<IIII', 0, 0, len(p), len(p)))
            f.write(p)


def fix_mh_checksum(pkt):
    """Recompute the bu6 MH checksum (RFC 6275 cl. 6.1.1: the HoA of the HAO as source)."""
    mh = bytearray(pkt[64:])
    mh[4:6] = b'\0\0'
    data = pkt[48:64] + pkt[24:40] + struct.pack('!I3xB', len(mh), 135) + bytes(mh)
    total = sum(struct.unpack('!%dH' % (len(data) // 2), data))
    while total >> 16:
        total = (total & 0xffff) + (total >> 16)
    mh[4:6] = struct.pack('!H', ~total & 0xffff)
    return pkt[:64] + bytes(mh)


def negative_controls(tool, tshark, tmp, bu6):
    results = [(fix_mh_checksum(bu6) == bu6, 'the checksum helper reproduces bu6')]
    broken = []
    for name, off, val, _ in BROKEN:
        b = bytearray(bu6)
        results.append((b[off] in (16, 6), 'control %s patches a Length octet' % name))
        b[off] = val
        broken.append(fix_mh_checksum(bytes(b)))
    pcap = os.path.join(tmp, 'broken.pcap')
    write_pcap(pcap, broken)
    out = subprocess.run([tshark, '-n', '-r', pcap, '-T', 'fields', '-E', 'separator=\t',
                          '-e', '_ws.expert', '-e', '_ws.malformed'],
                         check=True, capture_output=True, text=True).stdout.splitlines()
    dec = subprocess.run([tool, 'decode'], capture_output=True, text=True,
                         input=''.join('%s %s\n' % (n, b.hex())
                                       for (n, _, _, _), b in zip(BROKEN, broken))).stdout
    dec = dict(line.split(' ', 1) for line in dec.splitlines() if line)
    for i, (name, _, _, err) in enumerate(BROKEN):
        flagged = i < len(out) and out[i].strip() != ''
        results.append((flagged, 'tshark flags control %s' % name))
        results.append((err in dec.get(name, ''), 'dsmip6 refuses control %s (%s)' % (name, err)))
    return results


def main():
    tool = sys.argv[1]
    tshark = shutil.which('tshark')
    if not tshark:
        print('1..0 # SKIP tshark is not installed')
        return 77
    forms = [line.split() for line in subprocess.run(
        [tool, 'hex'], check=True, capture_output=True, text=True).stdout.splitlines() if line]
    names = [n for n, _ in forms]
    bu6 = bytes.fromhex(dict(forms)['bu6'])
    fields = sorted({f for e in EXPECT.values() for f in e} | set(ALWAYS_EMPTY))
    with tempfile.TemporaryDirectory() as tmp:
        pcap = os.path.join(tmp, 'dsmip6.pcap')
        subprocess.run([tool, 'pcap', pcap], check=True)
        rows_as = {}
        for inner in ('ipv6', 'ip'):
            cmd = [tshark, '-n', '-r', pcap, '-d', 'udp.port==4191,' + inner,
                   '-o', 'ip.check_checksum:TRUE', '-o', 'udp.check_checksum:TRUE',
                   '-T', 'fields', '-E', 'separator=\t', '-E', 'occurrence=a',
                   '-E', 'aggregator=,']
            for f in fields:
                cmd += ['-e', f]
            rows_as[inner] = subprocess.run(cmd, check=True, capture_output=True,
                                            text=True).stdout.splitlines()
        controls = negative_controls(tool, tshark, tmp, bu6)
    rows = [rows_as[DECODE_AS.get(n, 'ipv6')][i] if i < len(rows_as['ipv6']) and
            i < len(rows_as['ip']) else '' for i, n in enumerate(names)]
    rows = [r for r in rows if r]
    results = [(len(rows) == len(names), 'tshark decoded %d of %d frames' % (len(rows), len(names)))]
    results += controls
    for name, row in zip(names, rows):
        got = dict(zip(fields, row.split('\t')))
        want = dict(EXPECT.get(name, {}))
        results.append((name in EXPECT, '%s has expectations' % name))
        for f in ALWAYS_EMPTY:
            want[f] = ''
        for f, v in sorted(want.items()):
            ok = got.get(f, '') == v
            results.append((ok, '%s %s == %r%s' % (name, f, v, '' if ok else ' (got %r)' % got.get(f))))
    print('1..%d' % len(results))
    for i, (ok, text) in enumerate(results, 1):
        print('%s %d - %s' % ('ok' if ok else 'not ok', i, text))
    return 0 if all(ok for ok, _ in results) else 1


if __name__ == '__main__':
    sys.exit(main())
