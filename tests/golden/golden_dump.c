/* Golden-test driver over the dsmip6 wire codecs.
 *   golden_dump hex          print "<name> <hex>" for every reference packet
 *   golden_dump decode       read "<name> <hex>" lines, print what the decoders find
 *   golden_dump pcap FILE    write every reference packet to a pcap file (LINKTYPE_RAW)
 *   golden_dump corpus DIR   write fuzzing seeds to DIR/{mh,ip6,ipv4,icmp6}/<name>
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/err.h"
#include "core/pkt.h"
#include "golden_forms.h"
#include "wire/icmp6.h"
#include "wire/ip6.h"
#include "wire/ipv4.h"
#include "wire/mh.h"

static const char *a6(const uint8_t *a, char *buf)
{
	return inet_ntop(AF_INET6, a, buf, INET6_ADDRSTRLEN);
}

static const char *a4(const uint8_t *a, char *buf)
{
	return inet_ntop(AF_INET, a, buf, INET_ADDRSTRLEN);
}

static void print_opts(const ds_mob_opts *o)
{
	char b[INET6_ADDRSTRLEN];
	if (o->present & DS_MOPT_REFRESH)
		printf(" opt.refresh=%u", o->refresh);
	if (o->present & DS_MOPT_ALT_COA)
		printf(" opt.alt_coa=%s", a6(o->alt_coa, b));
	if (o->present & DS_MOPT_NONCE)
		printf(" opt.nonce=%u/%u", o->nonce_home, o->nonce_coa);
	if (o->present & DS_MOPT_IPV4_HOA)
		printf(" opt.ipv4_hoa=%s/%u/p%d", a4(o->ipv4_hoa.addr, b), o->ipv4_hoa.plen,
		       o->ipv4_hoa.p);
	if (o->present & DS_MOPT_IPV4_ACK)
		printf(" opt.ipv4_ack=%u/%s/%u", o->ipv4_ack.status, a4(o->ipv4_ack.addr, b),
		       o->ipv4_ack.plen);
	if (o->present & DS_MOPT_NAT_DET)
		printf(" opt.nat=f%d/%u", o->nat.f, o->nat.refresh);
	if (o->present & DS_MOPT_IPV4_COA)
		printf(" opt.ipv4_coa=%s", a4(o->ipv4_coa, b));
	for (unsigned i = 0; (o->present & DS_MOPT_BID) && i < o->n_bid; i++) {
		const ds_mob_bid *d = &o->bid[i];
		printf(" opt.bid=%u/%u/h%d/%s", d->bid, d->status, d->h,
		       d->coa_family == 6 ? a6(d->coa, b) : d->coa_family == 4 ? a4(d->coa, b) : "-");
	}
	for (unsigned i = 0; (o->present & DS_MOPT_VENDOR) && i < o->n_vendor; i++) {
		printf(" opt.vendor=%u/%u/", o->vendor[i].vendor_id, o->vendor[i].subtype);
		for (unsigned j = 0; j < o->vendor[i].len; j++)
			printf("%02x", o->vendor[i].data[j]);
	}
	printf(" unknown=%u misaligned=%u", o->unknown, o->misaligned);
}

static void print_msg(const ds_mob_msg *m)
{
	char b[INET6_ADDRSTRLEN];
	printf(" mh=%u", m->type);
	switch (m->type) {
	case DS_MOB_BU:
		printf(" bu.seq=%u bu.flags=0x%04x bu.lifetime=%u", m->bu.seq, m->bu.flags,
		       m->bu.lifetime);
		break;
	case DS_MOB_BA:
		printf(" ba.status=%u ba.flags=0x%02x ba.seq=%u ba.lifetime=%u", m->ba.status,
		       m->ba.flags, m->ba.seq, m->ba.lifetime);
		break;
	case DS_MOB_BE:
		printf(" be.status=%u be.hoa=%s", m->be.status, a6(m->be.hoa, b));
		break;
	case DS_MOB_BR:
		printf(" br.type=%u br.code=%u br.seq=%u br.flags=0x%04x", m->br.type, m->br.code,
		       m->br.seq, m->br.flags);
		break;
	default:
		break;
	}
	print_opts(&m->opt);
}

/* Walk an IPv6 packet down to its MH, check the checksum, decode, re-encode, compare. */
static int describe6(const uint8_t *p, size_t len)
{
	char b1[INET6_ADDRSTRLEN], b2[INET6_ADDRSTRLEN];
	ds_ipv6_pkt k;
	int rc = ds_ipv6_walk(p, len, &k);
	if (rc) {
		printf(" ip6_error=%s", ds_strerror(rc));
		return rc;
	}
	printf(" ip6.src=%s ip6.dst=%s", a6(k.ip.src, b1), a6(k.ip.dst, b2));
	if (k.has_hao)
		printf(" hao=%s", a6(k.hao, b1));
	if (k.has_rh2)
		printf(" rh2=%s", a6(k.rh2_hoa, b1));
	printf(" proto=%u", k.proto);
	if (k.proto == DS_NH_ICMPV6) {
		ds_icmp6_pp pp;
		rc = ds_icmp6_pp_decode(p + k.off, k.len, k.ip.src, k.ip.dst, &pp);
		if (rc) {
			printf(" icmp6_error=%s", ds_strerror(rc));
			return rc;
		}
		printf(" icmp6.type=%u icmp6.code=%u icmp6.pointer=%u about_hao=%d about_rh2=%d"
		       " invoking=%zu", pp.type, pp.code, pp.pointer, pp.about_hao, pp.about_rh2,
		       pp.invoking_len);
		return DS_OK;
	}
	if (k.proto == DS_NH_UDP) {
		ds_udp_hdr u;
		rc = ds_udp6_decode(p + k.off, k.len, k.ip.src, k.ip.dst, &u);
		if (rc) {
			printf(" udp_error=%s", ds_strerror(rc));
			return rc;
		}
		printf(" udp6=%u/%u/%u", u.sport, u.dport, u.len);
		return DS_OK;
	}
	if (k.proto != DS_NH_MH)
		return DS_OK;
	ds_mob_msg m;
	rc = ds_mob_decode_csum(p + k.off, k.len, ds_ipv6_pseudo_src(&k), ds_ipv6_pseudo_dst(&k),
				&m);
	if (rc) {
		printf(" mh_error=%s", ds_strerror(rc));
		return rc;
	}
	print_msg(&m);
	uint8_t again[DS_MOB_MAX_LEN];
	size_t alen;
	rc = ds_mob_encode_csum(&m, ds_ipv6_pseudo_src(&k), ds_ipv6_pseudo_dst(&k), again,
				sizeof again, &alen);
	printf(" reencode=%s", rc == DS_OK && alen == k.len && !memcmp(again, p + k.off, alen) ?
	       "same" : "different");
	return DS_OK;
}

static int describe(const uint8_t *p, size_t len)
{
	if (len && p[0] >> 4 == 4) {
		char b1[INET_ADDRSTRLEN], b2[INET_ADDRSTRLEN];
		ds_ipv4_pkt k;
		int rc = ds_ipv4_walk(p, len, &k);
		if (rc) {
			printf(" ip4_error=%s", ds_strerror(rc));
			return rc;
		}
		printf(" ip4.src=%s ip4.dst=%s ip4.proto=%u", a4(k.ip.src, b1), a4(k.ip.dst, b2),
		       k.proto);
		if (k.udp)
			printf(" udp=%u/%u", k.uh.sport, k.uh.dport);
		if (k.inner_ver == 6)
			return describe6(p + k.inner_off, k.inner_len);
		if (k.inner_ver == 4) {
			ds_ipv4_pkt in;
			rc = ds_ipv4_walk(p + k.inner_off, k.inner_len, &in);
			if (rc) {
				printf(" inner4_error=%s", ds_strerror(rc));
				return rc;
			}
			printf(" inner4.src=%s inner4.dst=%s inner4.proto=%u", a4(in.ip.src, b1),
			       a4(in.ip.dst, b2), in.proto);
			if (in.udp)
				printf(" udp=%u/%u", in.uh.sport, in.uh.dport);
		}
		return DS_OK;
	}
	return describe6(p, len);
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static int cmd_decode(void)
{
	static char line[4 * DS_PKT_MAX];
	static uint8_t pkt[DS_PKT_MAX];
	int bad = 0;
	while (fgets(line, sizeof line, stdin)) {
		char *sp = strchr(line, ' ');
		if (!sp)
			continue;
		*sp = '\0';
		size_t n = 0;
		for (const char *h = sp + 1; hexval(h[0]) >= 0 && hexval(h[1]) >= 0 && n < sizeof pkt;
		     h += 2)
			pkt[n++] = (uint8_t)(hexval(h[0]) << 4 | hexval(h[1]));
		printf("%s", line);
		if (describe(pkt, n))
			bad++;
		printf("\n");
	}
	return bad ? 1 : 0;
}

static int cmd_hex(void)
{
	static uint8_t pkt[DS_PKT_MAX];
	for (size_t i = 0; i < golden_n_forms; i++) {
		size_t len;
		int rc = golden_forms[i].build(pkt, sizeof pkt, &len);
		if (rc) {
			fprintf(stderr, "%s: %s\n", golden_forms[i].name, ds_strerror(rc));
			return 1;
		}
		printf("%s ", golden_forms[i].name);
		for (size_t j = 0; j < len; j++)
			printf("%02x", pkt[j]);
		printf("\n");
	}
	return 0;
}

static void put32le(FILE *f, uint32_t v)
{
	uint8_t b[4] = { (uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24) };
	fwrite(b, 1, 4, f);
}

static void put16le(FILE *f, uint16_t v)
{
	uint8_t b[2] = { (uint8_t)v, (uint8_t)(v >> 8) };
	fwrite(b, 1, 2, f);
}

/* pcap file format: 24-octet global header, then per packet a 16-octet record header. */
static int cmd_pcap(const char *path)
{
	static uint8_t pkt[DS_PKT_MAX];
	FILE *f = fopen(path, "wb");
	if (!f) {
		perror(path);
		return 1;
	}
	put32le(f, 0xa1b2c3d4);   /* magic, microsecond timestamps */
	put16le(f, 2);            /* version 2.4 */
	put16le(f, 4);
	put32le(f, 0);            /* thiszone */
	put32le(f, 0);            /* sigfigs */
	put32le(f, 65535);        /* snaplen */
	put32le(f, 101);          /* LINKTYPE_RAW: packets start with the IP header */
	for (size_t i = 0; i < golden_n_forms; i++) {
		size_t len;
		if (golden_forms[i].build(pkt, sizeof pkt, &len)) {
			fclose(f);
			return 1;
		}
		put32le(f, (uint32_t)(1700000000 + i));
		put32le(f, 0);
		put32le(f, (uint32_t)len);
		put32le(f, (uint32_t)len);
		fwrite(pkt, 1, len, f);
	}
	return fclose(f) == 0 ? 0 : 1;
}

static int write_file(const char *dir, const char *sub, const char *name, const uint8_t *p,
		      size_t len)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/%s", dir, sub);
	if (mkdir(path, 0755) && errno != EEXIST)
		return 1;
	snprintf(path, sizeof path, "%s/%s/%s", dir, sub, name);
	FILE *f = fopen(path, "wb");
	if (!f)
		return 1;
	fwrite(p, 1, len, f);
	return fclose(f) == 0 ? 0 : 1;
}

static int cmd_corpus(const char *dir)
{
	static uint8_t pkt[DS_PKT_MAX], icmp[DS_PKT_MAX];
	int bad = 0;
	for (size_t i = 0; i < golden_n_forms; i++) {
		const char *name = golden_forms[i].name;
		size_t len;
		if (golden_forms[i].build(pkt, sizeof pkt, &len))
			return 1;
		const uint8_t *p6 = pkt;
		size_t l6 = len;
		if (pkt[0] >> 4 == 4) {
			ds_ipv4_pkt k4;
			if (ds_ipv4_walk(pkt, len, &k4))
				return 1;
			bad |= write_file(dir, "ipv4", name, pkt, len);
			if (k4.inner_ver != 6)
				continue;
			p6 = pkt + k4.inner_off;
			l6 = k4.inner_len;
		}
		bad |= write_file(dir, "ip6", name, p6, l6);
		if (pkt[0] >> 4 == 6) {
			/* The same packet in IPv6-in-IPv4 (protocol 41). */
			static const uint8_t a[4] = { 203, 0, 113, 5 }, b[4] = { 192, 0, 2, 1 };
			static uint8_t o4[DS_PKT_MAX];
			size_t o4len;
			char n2[64];
			if (ds_ipv4_encap_build(a, b, 0, p6, l6, o4, sizeof o4, &o4len))
				return 1;
			snprintf(n2, sizeof n2, "%s_41", name);
			bad |= write_file(dir, "ipv4", n2, o4, o4len);
		}
		ds_ipv6_pkt k;
		if (ds_ipv6_walk(p6, l6, &k))
			return 1;
		if (k.proto == DS_NH_ICMPV6) {
			bad |= write_file(dir, "icmp6", name, p6 + k.off, k.len);
			continue;
		}
		if (k.proto != DS_NH_MH)
			continue;
		bad |= write_file(dir, "mh", name, p6 + k.off, k.len);
		/* What a kernel without Mobile IPv6 answers: Parameter Problem about the HAO
		 * (code 2) or the Type 2 RH (code 0). */
		if (k.has_hao || k.has_rh2) {
			size_t ilen;
			uint8_t code = k.has_hao ? DS_ICMP6_PP_OPTION : DS_ICMP6_PP_HEADER;
			uint32_t ptr = k.has_hao ? k.hao_off : k.rh2_off;
			if (ds_icmp6_pp_encode(code, ptr, p6, l6, k.ip.dst, k.ip.src, icmp,
					       sizeof icmp, &ilen))
				return 1;
			bad |= write_file(dir, "icmp6", name, icmp, ilen);
		}
	}
	return bad;
}

int main(int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], "hex"))
		return cmd_hex();
	if (argc >= 2 && !strcmp(argv[1], "decode"))
		return cmd_decode();
	if (argc >= 3 && !strcmp(argv[1], "pcap"))
		return cmd_pcap(argv[2]);
	if (argc >= 3 && !strcmp(argv[1], "corpus"))
		return cmd_corpus(argv[2]);
	fprintf(stderr, "usage: %s hex | decode | pcap FILE | corpus DIR\n", argv[0]);
	return 2;
}
