/* The S2c view of Mobility Header messages over the src/wire codec (RFC 6275 cl. 6.1/6.2/9.2,
 * RFC 5555 cl. 3, RFC 5846 cl. 6): wire/mh.h does the octets, this file maps the fields the
 * mobility engines use and adds the receive rules they rely on. */
#include "mip/mh.h"

#include <string.h>

#include "core/buf.h"
#include "core/err.h"
#include "wire/mh.h"

static void to_wire(const ds_mh_msg *m, ds_mob_msg *w)
{
	memset(w, 0, sizeof *w);
	w->type = m->type;
	ds_mob_opts *o = &w->opt;
	switch (m->type) {
	case DS_MH_BU:
		w->bu.seq = m->seq;
		w->bu.flags = m->bu_flags;
		w->bu.lifetime = m->lifetime;
		break;
	case DS_MH_BA:
		w->ba.status = m->status;
		w->ba.flags = m->ba_flags;
		w->ba.seq = m->seq;
		w->ba.lifetime = m->lifetime;
		break;
	case DS_MH_BE:
		w->be.status = m->status;
		memcpy(w->be.hoa, m->be_hoa, 16);
		break;
	case DS_MH_BR:
		w->br.type = m->br_type;
		w->br.code = m->status;
		w->br.seq = m->seq;
		w->br.flags = m->br_flags;
		break;
	}
	if (m->has_refresh) {
		o->present |= DS_MOPT_REFRESH;
		o->refresh = m->refresh;
	}
	if (m->has_alt_coa) {
		o->present |= DS_MOPT_ALT_COA;
		memcpy(o->alt_coa, m->alt_coa, 16);
	}
	if (m->has_ipv4_coa) {
		o->present |= DS_MOPT_IPV4_COA;
		memcpy(o->ipv4_coa, m->ipv4_coa, 4);
	}
	if (m->ipv4_hoa.present) {
		o->present |= DS_MOPT_IPV4_HOA;
		o->ipv4_hoa.plen = m->ipv4_hoa.plen;
		o->ipv4_hoa.p = m->ipv4_hoa.p;
		memcpy(o->ipv4_hoa.addr, m->ipv4_hoa.addr, 4);
	}
	if (m->ipv4_ack.present) {
		o->present |= DS_MOPT_IPV4_ACK;
		o->ipv4_ack.status = m->ipv4_ack.status;
		o->ipv4_ack.plen = m->ipv4_ack.plen;
		memcpy(o->ipv4_ack.addr, m->ipv4_ack.addr, 4);
	}
	if (m->nat.present) {
		o->present |= DS_MOPT_NAT_DET;
		o->nat.f = m->nat.f;
		o->nat.refresh = m->nat.refresh_s;
	}
}

static void from_wire(const ds_mob_msg *w, ds_mh_msg *m)
{
	const ds_mob_opts *o = &w->opt;
	m->type = w->type;
	switch (w->type) {
	case DS_MH_BU:
		m->seq = w->bu.seq;
		m->bu_flags = w->bu.flags;
		m->lifetime = w->bu.lifetime;
		break;
	case DS_MH_BA:
		m->status = w->ba.status;
		m->ba_flags = w->ba.flags;
		m->seq = w->ba.seq;
		m->lifetime = w->ba.lifetime;
		break;
	case DS_MH_BE:
		m->status = w->be.status;
		memcpy(m->be_hoa, w->be.hoa, 16);
		break;
	case DS_MH_BR:
		m->br_type = w->br.type;
		m->status = w->br.code;
		m->seq = w->br.seq;
		m->br_flags = w->br.flags;
		break;
	}
	if (o->present & DS_MOPT_REFRESH) {
		m->has_refresh = true;
		m->refresh = o->refresh;
	}
	if (o->present & DS_MOPT_ALT_COA) {
		m->has_alt_coa = true;
		memcpy(m->alt_coa, o->alt_coa, 16);
	}
	if (o->present & DS_MOPT_IPV4_COA) {
		m->has_ipv4_coa = true;
		memcpy(m->ipv4_coa, o->ipv4_coa, 4);
	}
	if (o->present & DS_MOPT_IPV4_HOA) {
		m->ipv4_hoa.present = true;
		m->ipv4_hoa.plen = o->ipv4_hoa.plen;
		m->ipv4_hoa.p = o->ipv4_hoa.p;
		memcpy(m->ipv4_hoa.addr, o->ipv4_hoa.addr, 4);
	}
	if (o->present & DS_MOPT_IPV4_ACK) {
		m->ipv4_ack.present = true;
		m->ipv4_ack.status = o->ipv4_ack.status;
		m->ipv4_ack.plen = o->ipv4_ack.plen;
		memcpy(m->ipv4_ack.addr, o->ipv4_ack.addr, 4);
	}
	if (o->present & DS_MOPT_NAT_DET) {
		m->nat.present = true;
		m->nat.f = o->nat.f;
		m->nat.refresh_s = o->nat.refresh;
	}
}

int ds_mh_encode(const ds_mh_msg *m, const uint8_t src[16], const uint8_t dst[16], uint8_t *out,
		 size_t cap, size_t *out_len)
{
	if (m->type != DS_MH_BU && m->type != DS_MH_BA && m->type != DS_MH_BE &&
	    m->type != DS_MH_BR)
		return DS_E_PARAM;
	ds_mob_msg w;
	to_wire(m, &w);
	return ds_mob_encode_csum(&w, src, dst, out, cap, out_len);
}

int ds_mh_decode(const uint8_t *p, size_t len, const uint8_t src[16], const uint8_t dst[16],
		 ds_mh_msg *m)
{
	memset(m, 0, sizeof *m);
	if (len < 8)
		return DS_E_TRUNCATED;
	m->type = p[2];
	/* cl. 9.2: Header Len must describe exactly this packet before anything else is read;
	 * then the checksum over it (a corrupted MH is never answered, not even with a BE). */
	size_t total = ((size_t)p[1] + 1u) * 8u;
	if (total != len)
		return total > len ? DS_E_OVERRUN : DS_E_BADLEN;
	ds_mob_msg w;
	int rc = ds_mob_decode_csum(p, len, src, dst, &w);
	if (rc == DS_E_UNKNOWN_TYPE)
		m->type = w.type;
	if (rc != DS_OK)
		return rc;
	/* cl. 6.1.1: Payload Proto must be IPPROTO_NONE (59) */
	if (w.payload_proto != 59)
		return DS_E_NEXTHDR;
	/* a Binding Refresh Request is a known message S2c never uses (refreshes follow the
	 * Binding Refresh Advice): dropped, not answered with a Binding Error */
	if (w.type != DS_MH_BU && w.type != DS_MH_BA && w.type != DS_MH_BE && w.type != DS_MH_BR)
		return DS_E_UNSUPPORTED;
	from_wire(&w, m);
	return DS_OK;
}
