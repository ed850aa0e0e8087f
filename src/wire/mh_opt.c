/* Mobility options (RFC 6275 cl. 6.2; RFC 5555 cl. 3.1.1, 3.1.2, 3.2.1, 3.2.2; RFC 5094 cl. 3;
 * RFC 5648 cl. 4.3): encoding at each option's alignment and strict, bounded decoding. */
#include "wire/mh_impl.h"

#include <string.h>

#include "core/err.h"

/* Option Data lengths (the Length field) of the fixed-size options. */
enum {
	LEN_REFRESH = 2, LEN_ALT_COA = 16, LEN_NONCE = 4, LEN_AUTH = 12, LEN_IPV4 = 6,
	LEN_BID = 4, LEN_BID4 = 8, LEN_BID6 = 20, LEN_VENDOR_MIN = 5,
};

void ds_mob_pad_to(ds_wr *w, unsigned x, unsigned y)
{
	size_t n = (y + x - (w->off % x)) % x;
	/* RFC 6275 cl. 6.2.2 / 6.2.3: one octet of padding is Pad1, more is one PadN whose data
	 * are zero octets. */
	if (n == 1) {
		ds_wr_u8(w, DS_MOPT_T_PAD1);
	} else if (n >= 2) {
		ds_wr_u8(w, DS_MOPT_T_PADN);
		ds_wr_u8(w, (uint8_t)(n - 2));
		ds_wr_zero(w, n - 2);
	}
}

static void opt_head(ds_wr *w, unsigned x, unsigned y, uint8_t type, uint8_t len)
{
	ds_mob_pad_to(w, x, y);
	ds_wr_u8(w, type);
	ds_wr_u8(w, len);
}

static int bid_coa_len(uint8_t family)
{
	switch (family) {
	case 0: return 0;
	case 4: return 4;
	case 6: return 16;
	default: return -1;
	}
}

static int check_encodable(const ds_mob_opts *o)
{
	const uint32_t known = DS_MOPT_REFRESH | DS_MOPT_ALT_COA | DS_MOPT_NONCE | DS_MOPT_AUTH |
			       DS_MOPT_IPV4_HOA | DS_MOPT_IPV4_ACK | DS_MOPT_NAT_DET |
			       DS_MOPT_IPV4_COA | DS_MOPT_VENDOR | DS_MOPT_BID;
	if (o->present & ~known)
		return DS_E_PARAM;
	/* Prefix lengths are 6-bit fields (RFC 5555 cl. 3.1.1, 3.2.1). */
	if ((o->present & DS_MOPT_IPV4_HOA) && o->ipv4_hoa.plen > 63)
		return DS_E_PARAM;
	if ((o->present & DS_MOPT_IPV4_ACK) && o->ipv4_ack.plen > 63)
		return DS_E_PARAM;
	if ((o->present & DS_MOPT_VENDOR) &&
	    (o->n_vendor == 0 || o->n_vendor > DS_MOB_MAX_VENDOR))
		return DS_E_PARAM;
	if ((o->present & DS_MOPT_BID) && (o->n_bid == 0 || o->n_bid > DS_MOB_MAX_BID))
		return DS_E_PARAM;
	if (o->present & DS_MOPT_VENDOR)
		for (unsigned i = 0; i < o->n_vendor; i++)
			if (o->vendor[i].len > DS_MOB_VENDOR_MAX)
				return DS_E_PARAM;
	if (o->present & DS_MOPT_BID)
		for (unsigned i = 0; i < o->n_bid; i++)
			if (bid_coa_len(o->bid[i].coa_family) < 0)
				return DS_E_PARAM;
	return DS_OK;
}

int ds_mob_opts_encode(ds_wr *w, const ds_mob_opts *o)
{
	int rc = check_encodable(o);
	if (rc)
		return rc;
	if (o->present & DS_MOPT_REFRESH) {             /* RFC 6275 cl. 6.2.4: 2n */
		opt_head(w, 2, 0, DS_MOPT_T_REFRESH, LEN_REFRESH);
		ds_wr_u16(w, o->refresh);
	}
	if (o->present & DS_MOPT_ALT_COA) {             /* RFC 6275 cl. 6.2.5: 8n+6 */
		opt_head(w, 8, 6, DS_MOPT_T_ALT_COA, LEN_ALT_COA);
		ds_wr_bytes(w, o->alt_coa, 16);
	}
	if (o->present & DS_MOPT_NONCE) {               /* RFC 6275 cl. 6.2.6: 2n */
		opt_head(w, 2, 0, DS_MOPT_T_NONCE, LEN_NONCE);
		ds_wr_u16(w, o->nonce_home);
		ds_wr_u16(w, o->nonce_coa);
	}
	if (o->present & DS_MOPT_IPV4_HOA) {            /* RFC 5555 cl. 3.1.1: 4n */
		opt_head(w, 4, 0, DS_MOPT_T_IPV4_HOA, LEN_IPV4);
		ds_wr_u16(w, (uint16_t)(o->ipv4_hoa.plen << 10 | (o->ipv4_hoa.p ? 0x0200 : 0)));
		ds_wr_bytes(w, o->ipv4_hoa.addr, 4);
	}
	if (o->present & DS_MOPT_IPV4_ACK) {            /* RFC 5555 cl. 3.2.1: 4n */
		opt_head(w, 4, 0, DS_MOPT_T_IPV4_ACK, LEN_IPV4);
		ds_wr_u8(w, o->ipv4_ack.status);
		ds_wr_u8(w, (uint8_t)(o->ipv4_ack.plen << 2));
		ds_wr_bytes(w, o->ipv4_ack.addr, 4);
	}
	if (o->present & DS_MOPT_NAT_DET) {             /* RFC 5555 cl. 3.2.2: 4n */
		opt_head(w, 4, 0, DS_MOPT_T_NAT_DET, LEN_IPV4);
		ds_wr_u16(w, o->nat.f ? 0x8000 : 0);
		ds_wr_u32(w, o->nat.refresh);
	}
	if (o->present & DS_MOPT_IPV4_COA) {            /* RFC 5555 cl. 3.1.2: 4n */
		opt_head(w, 4, 0, DS_MOPT_T_IPV4_COA, LEN_IPV4);
		ds_wr_u16(w, 0);
		ds_wr_bytes(w, o->ipv4_coa, 4);
	}
	for (unsigned i = 0; (o->present & DS_MOPT_BID) && i < o->n_bid; i++) {
		/* RFC 5648 cl. 4.3: 2n without a CoA, 8n+2 with one. */
		const ds_mob_bid *b = &o->bid[i];
		int cl = bid_coa_len(b->coa_family);
		if (cl)
			opt_head(w, 8, 2, DS_MOPT_T_BID, (uint8_t)(LEN_BID + cl));
		else
			opt_head(w, 2, 0, DS_MOPT_T_BID, LEN_BID);
		ds_wr_u16(w, b->bid);
		ds_wr_u8(w, b->status);
		ds_wr_u8(w, b->h ? 0x80 : 0);
		ds_wr_bytes(w, b->coa, (size_t)cl);
	}
	for (unsigned i = 0; (o->present & DS_MOPT_VENDOR) && i < o->n_vendor; i++) {
		/* RFC 5094 cl. 3: 4n+2, before Binding Authorization Data. */
		const ds_mob_vendor *v = &o->vendor[i];
		opt_head(w, 4, 2, DS_MOPT_T_VENDOR, (uint8_t)(LEN_VENDOR_MIN + v->len));
		ds_wr_u32(w, v->vendor_id);
		ds_wr_u8(w, v->subtype);
		ds_wr_bytes(w, v->data, v->len);
	}
	if (o->present & DS_MOPT_AUTH) {                /* RFC 6275 cl. 6.2.7: 8n+2, last */
		opt_head(w, 8, 2, DS_MOPT_T_AUTH, LEN_AUTH);
		ds_wr_bytes(w, o->auth, 12);
	}
	return w->err ? DS_E_NOSPACE : DS_OK;
}

/* Alignment rule (x, y) of a known option; data length decides for the BID option. */
static void opt_align(uint8_t type, uint8_t len, unsigned *x, unsigned *y)
{
	*x = 1;
	*y = 0;
	switch (type) {
	case DS_MOPT_T_REFRESH: case DS_MOPT_T_NONCE: *x = 2; break;
	case DS_MOPT_T_ALT_COA: *x = 8; *y = 6; break;
	case DS_MOPT_T_AUTH: *x = 8; *y = 2; break;
	case DS_MOPT_T_IPV4_HOA: case DS_MOPT_T_IPV4_ACK: case DS_MOPT_T_NAT_DET:
	case DS_MOPT_T_IPV4_COA: *x = 4; break;
	case DS_MOPT_T_VENDOR: *x = 4; *y = 2; break;
	case DS_MOPT_T_BID:
		if (len == LEN_BID)
			*x = 2;
		else {
			*x = 8;
			*y = 2;
		}
		break;
	default: break;
	}
}

/* Mark a single-instance option as seen; DS_E_DUPLICATE when it already was. */
static int take_once(ds_mob_opts *o, uint32_t bit)
{
	if (o->present & bit)
		return DS_E_DUPLICATE;
	o->present |= bit;
	return DS_OK;
}

/* IPv4 Home Address option (RFC 5555 cl. 3.1.1). RFC 5555 cl. 4.4.2 lets a BU carry one
 * address request plus IPv4 HoA options with P = 1 asking for prefixes: ipv4_hoa keeps the
 * address request (or the first option when all are prefix requests), the other prefix
 * requests are counted so that the HA can refuse them (IPv4 Ack status 133); a second address
 * request is a duplicate. */
static int opt_ipv4_hoa(ds_mob_opts *o, const uint8_t *d)
{
	ds_mob_ipv4_hoa h = { .plen = (uint8_t)(d[0] >> 2), .p = (d[0] & 0x02) != 0 };
	memcpy(h.addr, d + 2, 4);
	if (!(o->present & DS_MOPT_IPV4_HOA)) {
		o->present |= DS_MOPT_IPV4_HOA;
		o->ipv4_hoa = h;
		return DS_OK;
	}
	if (!h.p && !o->ipv4_hoa.p)
		return DS_E_DUPLICATE;
	if (!h.p) {                   /* keep the address request, count the prefix one */
		o->ipv4_hoa = h;
	}
	if (o->ipv4_prefix_req == UINT8_MAX)
		return DS_E_LOOP;
	o->ipv4_prefix_req++;
	return DS_OK;
}

/* Decode one known option's data d (len octets); DS_OK, or DS_E_BADLEN / DS_E_DUPLICATE /
 * DS_E_LOOP. Unknown types are counted and skipped. */
static int opt_one(ds_mob_opts *o, uint8_t type, const uint8_t *d, uint8_t len)
{
	int rc;
	switch (type) {
	case DS_MOPT_T_PADN:
		/* RFC 6275 cl. 6.2.3: the receiver MUST ignore the PadN data. */
		return DS_OK;
	case DS_MOPT_T_REFRESH:
		if (len != LEN_REFRESH)
			return DS_E_BADLEN;
		if ((rc = take_once(o, DS_MOPT_REFRESH)))
			return rc;
		o->refresh = ds_get_u16(d);
		return DS_OK;
	case DS_MOPT_T_ALT_COA:
		if (len != LEN_ALT_COA)
			return DS_E_BADLEN;
		if ((rc = take_once(o, DS_MOPT_ALT_COA)))
			return rc;
		memcpy(o->alt_coa, d, 16);
		return DS_OK;
	case DS_MOPT_T_NONCE:
		if (len != LEN_NONCE)
			return DS_E_BADLEN;
		if ((rc = take_once(o, DS_MOPT_NONCE)))
			return rc;
		o->nonce_home = ds_get_u16(d);
		o->nonce_coa = ds_get_u16(d + 2);
		return DS_OK;
	case DS_MOPT_T_AUTH:
		if (len != LEN_AUTH)
			return DS_E_BADLEN;
		if ((rc = take_once(o, DS_MOPT_AUTH)))
			return rc;
		memcpy(o->auth, d, 12);
		return DS_OK;
	case DS_MOPT_T_IPV4_HOA:
		if (len != LEN_IPV4)
			return DS_E_BADLEN;
		return opt_ipv4_hoa(o, d);
	case DS_MOPT_T_IPV4_ACK:
		if (len != LEN_IPV4)
			return DS_E_BADLEN;
		if ((rc = take_once(o, DS_MOPT_IPV4_ACK)))
			return rc;
		o->ipv4_ack.status = d[0];
		o->ipv4_ack.plen = (uint8_t)(d[1] >> 2);
		memcpy(o->ipv4_ack.addr, d + 2, 4);
		return DS_OK;
	case DS_MOPT_T_NAT_DET:
		if (len != LEN_IPV4)
			return DS_E_BADLEN;
		if ((rc = take_once(o, DS_MOPT_NAT_DET)))
			return rc;
		o->nat.f = (d[0] & 0x80) != 0;
		o->nat.refresh = ds_get_u32(d + 2);
		return DS_OK;
	case DS_MOPT_T_IPV4_COA:
		if (len != LEN_IPV4)
			return DS_E_BADLEN;
		if ((rc = take_once(o, DS_MOPT_IPV4_COA)))
			return rc;
		memcpy(o->ipv4_coa, d + 2, 4);
		return DS_OK;
	case DS_MOPT_T_BID: {
		if (len != LEN_BID && len != LEN_BID4 && len != LEN_BID6)
			return DS_E_BADLEN;
		if (o->n_bid >= DS_MOB_MAX_BID)
			return DS_E_LOOP;
		ds_mob_bid *b = &o->bid[o->n_bid++];
		o->present |= DS_MOPT_BID;
		b->bid = ds_get_u16(d);
		b->status = d[2];
		b->h = (d[3] & 0x80) != 0;
		b->coa_family = len == LEN_BID ? 0 : len == LEN_BID4 ? 4 : 6;
		memcpy(b->coa, d + LEN_BID, (size_t)(len - LEN_BID));
		return DS_OK;
	}
	case DS_MOPT_T_VENDOR: {
		if (len < LEN_VENDOR_MIN)
			return DS_E_BADLEN;
		if (o->n_vendor >= DS_MOB_MAX_VENDOR)
			return DS_E_LOOP;
		ds_mob_vendor *v = &o->vendor[o->n_vendor++];
		o->present |= DS_MOPT_VENDOR;
		v->vendor_id = ds_get_u32(d);
		v->subtype = d[4];
		v->len = (uint8_t)(len - LEN_VENDOR_MIN);
		memcpy(v->data, d + LEN_VENDOR_MIN, v->len);
		return DS_OK;
	}
	default:
		/* RFC 6275 cl. 6.2.1: skip options not understood. */
		if (o->unknown < UINT16_MAX)
			o->unknown++;
		return DS_OK;
	}
}

int ds_mob_opts_decode(const uint8_t *mh, size_t start, size_t end, ds_mob_opts *o,
		       uint16_t *err_off)
{
	bool after_auth = false;
	ds_rd r = ds_rd_init(mh, end);
	ds_rd_skip(&r, start);
	/* Every pass consumes at least one octet, so the loop ends within end - start passes. */
	while (!r.err && ds_rd_left(&r) > 0) {
		size_t at = r.off;
		*err_off = (uint16_t)at;
		uint8_t type = ds_rd_u8(&r);
		if (type == DS_MOPT_T_PAD1)
			continue;
		if (ds_rd_left(&r) < 1)
			return DS_E_OVERRUN;
		uint8_t len = ds_rd_u8(&r);
		const uint8_t *d = ds_rd_ptr(&r, len);
		if (!d)
			return DS_E_OVERRUN;
		/* RFC 6275 cl. 6.2.7: Binding Authorization Data is the last option. */
		if (after_auth && type != DS_MOPT_T_PADN)
			return DS_E_RESERVED;
		int rc = opt_one(o, type, d, len);
		if (rc)
			return rc;
		if (type == DS_MOPT_T_AUTH)
			after_auth = true;
		unsigned x, y;
		opt_align(type, len, &x, &y);
		/* Alignment is a sender rule (RFC 6275 cl. 6.2): tolerated, counted. */
		if (at % x != y && o->misaligned < UINT16_MAX)
			o->misaligned++;
	}
	return DS_OK;
}

static bool bid_eq(const ds_mob_bid *a, const ds_mob_bid *b)
{
	int cl = bid_coa_len(a->coa_family);
	return a->bid == b->bid && a->status == b->status && a->h == b->h &&
	       a->coa_family == b->coa_family && cl >= 0 && memcmp(a->coa, b->coa, (size_t)cl) == 0;
}

static bool vendor_eq(const ds_mob_vendor *a, const ds_mob_vendor *b)
{
	return a->vendor_id == b->vendor_id && a->subtype == b->subtype && a->len == b->len &&
	       a->len <= DS_MOB_VENDOR_MAX && memcmp(a->data, b->data, a->len) == 0;
}

bool ds_mob_opts_eq(const ds_mob_opts *a, const ds_mob_opts *b)
{
	uint32_t p = a->present;
	if (p != b->present)
		return false;
	if ((p & DS_MOPT_REFRESH) && a->refresh != b->refresh)
		return false;
	if ((p & DS_MOPT_ALT_COA) && memcmp(a->alt_coa, b->alt_coa, 16))
		return false;
	if ((p & DS_MOPT_NONCE) && (a->nonce_home != b->nonce_home || a->nonce_coa != b->nonce_coa))
		return false;
	if ((p & DS_MOPT_AUTH) && memcmp(a->auth, b->auth, 12))
		return false;
	if ((p & DS_MOPT_IPV4_HOA) &&
	    (a->ipv4_hoa.plen != b->ipv4_hoa.plen || a->ipv4_hoa.p != b->ipv4_hoa.p ||
	     memcmp(a->ipv4_hoa.addr, b->ipv4_hoa.addr, 4)))
		return false;
	if ((p & DS_MOPT_IPV4_ACK) &&
	    (a->ipv4_ack.status != b->ipv4_ack.status || a->ipv4_ack.plen != b->ipv4_ack.plen ||
	     memcmp(a->ipv4_ack.addr, b->ipv4_ack.addr, 4)))
		return false;
	if ((p & DS_MOPT_NAT_DET) && (a->nat.f != b->nat.f || a->nat.refresh != b->nat.refresh))
		return false;
	if ((p & DS_MOPT_IPV4_COA) && memcmp(a->ipv4_coa, b->ipv4_coa, 4))
		return false;
	if (p & DS_MOPT_BID) {
		if (a->n_bid != b->n_bid || a->n_bid > DS_MOB_MAX_BID)
			return false;
		for (unsigned i = 0; i < a->n_bid; i++)
			if (!bid_eq(&a->bid[i], &b->bid[i]))
				return false;
	}
	if (p & DS_MOPT_VENDOR) {
		if (a->n_vendor != b->n_vendor || a->n_vendor > DS_MOB_MAX_VENDOR)
			return false;
		for (unsigned i = 0; i < a->n_vendor; i++)
			if (!vendor_eq(&a->vendor[i], &b->vendor[i]))
				return false;
	}
	return true;
}
