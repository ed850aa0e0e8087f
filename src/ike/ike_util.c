/* Small payload helpers shared by the exchange handlers. */
#include <string.h>

#include "core/err.h"
#include "ike/ike_int.h"

void ike_wr_notify(ike_wr *iw, uint16_t type, const uint8_t *data, size_t len)
{
	ike_wr_pl(iw, IKE_PL_N, false);
	ike_notify_encode(&iw->w, 0, NULL, 0, type, data, len);
}

int ike_find_notify(const ike_chain *c, uint16_t type, ike_notify *out)
{
	for (size_t i = 0; i < c->n; i++) {
		if (c->pl[i].type != IKE_PL_N)
			continue;
		ike_notify n;
		if (ike_notify_decode(c->pl[i].body, c->pl[i].len, &n))
			continue;
		if (n.type == type) {
			*out = n;
			return DS_OK;
		}
	}
	return DS_E_NOTFOUND;
}

uint16_t ike_error_notify(const ike_chain *c)
{
	for (size_t i = 0; i < c->n; i++) {
		if (c->pl[i].type != IKE_PL_N)
			continue;
		ike_notify n;
		if (ike_notify_decode(c->pl[i].body, c->pl[i].len, &n) == DS_OK && n.type != 0 &&
		    n.type <= IKE_N_ERROR_MAX)
			return n.type;
	}
	return 0;
}

void ike_respond_notify(ds_ike_sa *sa, uint8_t exch, uint32_t mid, uint16_t type)
{
	uint8_t plain[32];
	ike_wr iw;
	ike_wr_begin_inner(&iw, plain, sizeof(plain));
	ike_wr_notify(&iw, type, NULL, 0);
	uint8_t first;
	size_t n = ike_wr_finish(&iw, &first);
	if (n)
		ike_send_response(sa, exch, mid, first, plain, n);
}

bool ike_ts_covers(const ike_ts *ts, const ds_addr *a, uint8_t proto)
{
	size_t alen = ts->type == IKE_TS_IPV4 ? 4 : 16;
	if (ds_addr_iplen(a) != alen)
		return false;
	if (ts->proto && proto && ts->proto != proto)
		return false;
	return memcmp(a->ip, ts->lo.ip, alen) >= 0 && memcmp(a->ip, ts->hi.ip, alen) <= 0;
}

void ike_ts_from_addr(ike_ts *ts, const ds_addr *a, uint8_t proto)
{
	memset(ts, 0, sizeof(*ts));
	ts->type = a->family == DS_AF_INET ? IKE_TS_IPV4 : IKE_TS_IPV6;
	ts->proto = proto;
	ts->port_lo = 0;
	ts->port_hi = 0xffff;
	ts->lo = *a;
	ts->hi = *a;
	ts->lo.port = ts->hi.port = 0;
	ts->lo.plen = ts->hi.plen = 0;
}

int ike_gw_identity(const ds_addr *gw, uint8_t *out, size_t cap, size_t *len)
{
	/* RFC 5685 cl. 8: GW Ident Type, GW Ident Len, New Responder GW Identity. */
	size_t alen = ds_addr_iplen(gw);
	if (!alen || cap < 2 + alen)
		return DS_E_PARAM;
	out[0] = alen == 4 ? IKE_GW_IPV4 : IKE_GW_IPV6;
	out[1] = (uint8_t)alen;
	memcpy(out + 2, gw->ip, alen);
	*len = 2 + alen;
	return DS_OK;
}

int ike_gw_parse(const uint8_t *p, size_t len, ds_addr *gw, char *fqdn, size_t fqdn_cap,
		 const uint8_t **rest, size_t *rest_len)
{
	ds_rd r = ds_rd_init(p, len);
	uint8_t type = ds_rd_u8(&r);
	uint8_t glen = ds_rd_u8(&r);
	const uint8_t *v = ds_rd_ptr(&r, glen);
	if (r.err)
		return DS_E_TRUNCATED;
	memset(gw, 0, sizeof(*gw));
	fqdn[0] = 0;
	if (type == IKE_GW_IPV4 && glen == 4) {
		*gw = ds_addr4(v, DS_IKE_PORT);
	} else if (type == IKE_GW_IPV6 && glen == 16) {
		*gw = ds_addr6(v, DS_IKE_PORT);
	} else if (type == IKE_GW_FQDN && glen > 0 && glen < fqdn_cap) {
		for (uint8_t i = 0; i < glen; i++)
			if (v[i] < 0x21 || v[i] > 0x7e)
				return DS_E_RESERVED;
		memcpy(fqdn, v, glen);
		fqdn[glen] = 0;
	} else {
		return DS_E_BADLEN;
	}
	*rest = ds_rd_cur(&r);
	*rest_len = ds_rd_left(&r);
	return DS_OK;
}
