#include "sim_pcap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "sim_ippkt.h"

#define LINKTYPE_RAW 101
#define SNAPLEN 65535

struct sim_pcap {
	FILE *f;
	uint64_t records;
	bool err;
};

/* pcap headers are written in host byte order with the magic telling readers which one. */
static bool put(sim_pcap *p, const void *b, size_t n)
{
	if (fwrite(b, 1, n, p->f) != n)
		p->err = true;
	return !p->err;
}

sim_pcap *sim_pcap_open(const char *path)
{
	sim_pcap *p = calloc(1, sizeof *p);
	if (!p)
		return NULL;
	p->f = fopen(path, "wb");
	if (!p->f) {
		free(p);
		return NULL;
	}
	struct {
		uint32_t magic;
		uint16_t vmaj, vmin;
		int32_t thiszone;
		uint32_t sigfigs, snaplen, linktype;
	} gh = { 0xa1b2c3d4u, 2, 4, 0, 0, SNAPLEN, LINKTYPE_RAW };
	put(p, &gh, sizeof gh);
	return p;
}

int sim_pcap_write(sim_pcap *p, ds_time now, const ds_pkt *pkt)
{
	_Static_assert(DS_PKT_MAX + SIM_IP4_HDR + SIM_UDP_HDR < SNAPLEN, "snaplen");
	uint8_t buf[DS_PKT_MAX + SIM_IP6_HDR + SIM_UDP_HDR];
	const uint8_t *rec = pkt->data;
	size_t len = pkt->len;
	if (pkt->kind == DS_PKT_UDP) {
		len = sim_ip_udp_build(buf, sizeof buf, &pkt->src, &pkt->dst, pkt->data, pkt->len);
		if (!len)
			return DS_E_PARAM;
		rec = buf;
	} else if (pkt->kind != DS_PKT_IP || len == 0) {
		return DS_E_PARAM;
	}
	struct {
		uint32_t sec, usec, incl, orig;
	} rh = { (uint32_t)(now / 1000), (uint32_t)(now % 1000) * 1000, (uint32_t)len, (uint32_t)len };
	put(p, &rh, sizeof rh);
	put(p, rec, len);
	if (p->err)
		return DS_E_IO;
	p->records++;
	return DS_OK;
}

uint64_t sim_pcap_records(const sim_pcap *p) { return p->records; }

int sim_pcap_close(sim_pcap *p)
{
	if (!p)
		return DS_OK;
	bool bad = p->err;
	if (fclose(p->f) != 0)
		bad = true;
	free(p);
	return bad ? DS_E_IO : DS_OK;
}
