/* libFuzzer harness for the IKEv2 codec and the responder's datagram input: every payload
 * decoder runs over the input's chain, then the bytes go to a fresh responder engine on port
 * 500 and on 4500 (with the non-ESP marker). Nothing may crash, leak or read out of bounds. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/err.h"
#include "ike/ike.h"
#include "ike/ike_msg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void sink(void *ctx, const ds_pkt *p)
{
	size_t *n = ctx;
	*n += p->len;
}

static void decode_all(const uint8_t *data, size_t size)
{
	ike_hdr h;
	if (size < IKE_HDR_LEN)
		return;
	/* decode the chain even when the header length disagrees, to reach the bodies */
	(void)ike_hdr_decode(data, size, &h);
	ike_chain c;
	if (ike_chain_decode(data[16], data + IKE_HDR_LEN, size - IKE_HDR_LEN, IKE_HDR_LEN, &c))
		return;
	for (size_t i = 0; i < c.n; i++) {
		const ike_pl *p = &c.pl[i];
		ike_sa_pl sa;
		ike_ke ke;
		ike_typed t;
		ike_notify n;
		ike_delete d;
		ike_ts_pl ts;
		ike_cp cp;
		uint16_t a, b;
		switch (p->type) {
		case IKE_PL_SA: (void)ike_sa_decode(p->body, p->len, &sa); break;
		case IKE_PL_KE: (void)ike_ke_decode(p->body, p->len, &ke); break;
		case IKE_PL_IDI:
		case IKE_PL_IDR: (void)ike_id_decode(p->body, p->len, &t); break;
		case IKE_PL_AUTH: (void)ike_auth_decode(p->body, p->len, &t); break;
		case IKE_PL_CERT:
		case IKE_PL_CERTREQ: (void)ike_cert_decode(p->body, p->len, &t); break;
		case IKE_PL_N: (void)ike_notify_decode(p->body, p->len, &n); break;
		case IKE_PL_D: (void)ike_delete_decode(p->body, p->len, &d); break;
		case IKE_PL_TSI:
		case IKE_PL_TSR: (void)ike_ts_decode(p->body, p->len, &ts); break;
		case IKE_PL_CP: (void)ike_cp_decode(p->body, p->len, &cp); break;
		case IKE_PL_EAP: (void)ike_eap_check(p->body, p->len); break;
		case IKE_PL_SKF: (void)ike_skf_decode(p->body, p->len, &a, &b); break;
		default: break;
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	decode_all(data, size);
	static const uint8_t psk[] = "fuzz";
	size_t out = 0;
	ds_ike_config cfg = { .role = DS_IKE_RESPONDER, .send = sink, .send_ctx = &out,
			      .psk = psk, .psk_len = 4, .cookie_threshold = 2 };
	ds_ike *ike = ds_ike_new(&cfg, NULL);
	if (!ike)
		return 0;
	uint8_t a[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 }, b[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 2 };
	ds_pkt pkt = { .kind = DS_PKT_UDP, .src = ds_addr6(a, 500), .dst = ds_addr6(b, 500),
		       .data = data, .len = size };
	ds_ike_input(ike, &pkt, 1000);
	/* the same bytes again: the retransmission path */
	ds_ike_input(ike, &pkt, 1001);
	static uint8_t buf[DS_PKT_MAX + 4];
	if (size + 4 <= sizeof(buf)) {
		memset(buf, 0, 4);
		memcpy(buf + 4, data, size);
		pkt.src.port = pkt.dst.port = 4500;
		pkt.data = buf;
		pkt.len = size + 4;
		ds_ike_input(ike, &pkt, 1002);
	}
	ds_ike_on_timer(ike, 1000000);
	ds_ike_free(ike);
	return 0;
}
