/* libFuzzer harness for RFC 7383 reassembly and everything behind it: an initiator and a
 * responder (PSK, fragmentation on, 300-octet threshold) establish an IKE SA in process, then
 * the input is a script of fragments that the harness seals with the initiator's real keys
 * (so they pass the integrity check and reach reassembly and the exchange handlers) and feeds
 * to the responder: any Fragment Number / Total Fragments / Message ID / exchange / first
 * payload / contents. A record may also go unsealed. Nothing may crash, leak or grow without
 * bound; the engine internals are reached through the engine's private header.
 *
 * Record: flags (bit 0 response, bit 1 unsealed, bits 2-3 exchange), Message ID delta (int8),
 * Fragment Number (u16), Total Fragments (u16, 0: a plain SK message), first payload (u8),
 * length (u8), contents. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/buf.h"
#include "core/err.h"
#include "ike/ike_int.h"
#include "ike/ike_sk.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define QMAX 64

typedef struct bed {
	ds_ike *ike[2];
	ds_ike_sa *sa[2];
	struct { int to; ds_pkt pkt; uint8_t buf[DS_PKT_MAX + 8]; } q[QMAX];
	size_t nq;
	bool deliver;
} bed;

static void enqueue(bed *b, int to, const ds_pkt *p)
{
	if (!b->deliver || b->nq == QMAX || p->len > DS_PKT_MAX + 8)
		return;
	b->q[b->nq].to = to;
	b->q[b->nq].pkt = *p;
	memcpy(b->q[b->nq].buf, p->data, p->len);
	b->q[b->nq].pkt.data = b->q[b->nq].buf;
	b->nq++;
}

static void send_i(void *ctx, const ds_pkt *p) { enqueue(ctx, 1, p); }
static void send_r(void *ctx, const ds_pkt *p) { enqueue(ctx, 0, p); }

static bed *g_bed;

static void est_i(void *ctx, ds_ike_sa *sa, const ds_ike_info *info)
{
	(void)ctx;
	(void)info;
	g_bed->sa[0] = sa;
}

static void est_r(void *ctx, ds_ike_sa *sa, const ds_ike_info *info)
{
	(void)ctx;
	(void)info;
	g_bed->sa[1] = sa;
}

static void closed(void *ctx, ds_ike_sa *sa, int reason, const ds_ike_info *info)
{
	(void)ctx;
	(void)reason;
	(void)info;
	for (int i = 0; i < 2; i++)
		if (g_bed->sa[i] == sa)
			g_bed->sa[i] = NULL;
}

static int assign(void *ctx, const char *nai, const char *apn, ds_ike_assignment *out)
{
	(void)ctx;
	(void)nai;
	(void)apn;
	uint8_t p[16] = { 0x20, 0x01, 0x0d, 0xb8, 0x10 };
	out->hnp = ds_addr6(p, 0);
	out->hnp.plen = 64;
	out->lifetime_s = 3600;
	return DS_OK;
}

static void pump(bed *b, ds_time now)
{
	for (int guard = 0; guard < 200 && b->nq; guard++) {
		int to = b->q[0].to;
		ds_pkt p = b->q[0].pkt;
		uint8_t tmp[DS_PKT_MAX + 8];
		memcpy(tmp, b->q[0].buf, p.len);
		p.data = tmp;
		memmove(b->q, b->q + 1, (b->nq - 1) * sizeof(b->q[0]));
		b->nq--;
		ds_ike_input(b->ike[to], &p, now);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bed b;
	static const uint8_t psk[] = "fuzz fragments";
	memset(&b, 0, sizeof(b));
	g_bed = &b;
	b.deliver = true;
	ds_ike_config ci = { .role = DS_IKE_INITIATOR, .send = send_i, .send_ctx = &b, .psk = psk,
			     .psk_len = sizeof(psk) - 1, .fragmentation = true, .frag_mtu = 300,
			     .ev = { .established = est_i, .closed = closed } };
	ds_ike_config cr = ci;
	cr.role = DS_IKE_RESPONDER;
	cr.send = send_r;
	cr.frag_mem_max = 4096;   /* small, to reach the memory limit */
	cr.ev = (ds_ike_events){ .established = est_r, .closed = closed, .assign_prefix = assign };
	b.ike[0] = ds_ike_new(&ci, NULL);
	b.ike[1] = ds_ike_new(&cr, NULL);
	uint8_t ua[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 }, ha[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 2 };
	ds_ike_connect_params cp = { .local = ds_addr6(ua, 500), .remote = ds_addr6(ha, 500),
				     .nai = "fuzz@example.org", .apn = "internet",
				     .cp = { .hnp = true }, .no_child = true };
	ds_time now = 1000;
	if (b.ike[0] && b.ike[1] && ds_ike_connect(b.ike[0], &cp, now, NULL))
		pump(&b, now);
	ds_ike_sa *sa = b.sa[0];
	b.deliver = false;   /* the responder's answers are not looked at */
	ds_rd r = ds_rd_init(data, size);
	for (int rec = 0; rec < 64 && sa && b.sa[0] && ds_rd_left(&r) >= 8; rec++) {
		uint8_t flags = ds_rd_u8(&r);
		int8_t delta = (int8_t)ds_rd_u8(&r);
		uint16_t num = ds_rd_u16(&r), total = ds_rd_u16(&r);
		uint8_t np = ds_rd_u8(&r), len = ds_rd_u8(&r);
		const uint8_t *body = ds_rd_ptr(&r, len);
		if (r.err)
			break;
		static const uint8_t exch[4] = { IKE_INFORMATIONAL, IKE_CREATE_CHILD_SA, IKE_AUTH,
						 IKE_INFORMATIONAL };
		ike_hdr h = { .spi_i = sa->spi_i, .spi_r = sa->spi_r,
			      .exchange = exch[(flags >> 2) & 3],
			      .flags = (uint8_t)((sa->orig_i ? IKE_FLAG_I : 0) |
						 ((flags & 1) ? IKE_FLAG_R : 0)),
			      .msg_id = (uint32_t)((int64_t)sa->req_mid + delta) };
		uint8_t msg[DS_PKT_MAX];
		size_t n = 0;
		if (flags & 2) {
			/* unsealed: header + SKF generic header + the bytes as they are */
			ds_wr w = ds_wr_init(msg, sizeof(msg));
			h.np = IKE_PL_SKF;
			h.length = (uint32_t)(IKE_HDR_LEN + 8 + len);
			ike_hdr_encode(&w, &h);
			ds_wr_u8(&w, np);
			ds_wr_u8(&w, 0);
			ds_wr_u16(&w, (uint16_t)(8 + len));
			ds_wr_u16(&w, num);
			ds_wr_u16(&w, total);
			ds_wr_bytes(&w, body, len);
			if (w.err)
				continue;
			n = w.off;
		} else if (ike_sk_seal(sa->c_out, &sa->iv_ctr, &h, np, body, len, total ? num : 0,
				       total, msg, sizeof(msg), &n) != DS_OK) {
			continue;
		}
		ds_pkt p = { .kind = DS_PKT_UDP, .src = cp.local, .dst = cp.remote, .data = msg,
			     .len = n };
		now += 10;
		ds_ike_input(b.ike[1], &p, now);
		if (flags & 0x80)
			ds_ike_on_timer(b.ike[1], now += DS_SEC(200));   /* reassembly timeout */
	}
	ds_ike_on_timer(b.ike[1], now + DS_SEC(1000));
	ds_ike_free(b.ike[0]);
	ds_ike_free(b.ike[1]);
	return 0;
}
