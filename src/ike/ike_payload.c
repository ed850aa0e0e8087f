/* IKEv2 payload bodies (RFC 7296 cl. 3.3 .. 3.16, RFC 7383 cl. 2.5): strict decoders that check
 * every inner length against its container, and the matching encoders. */
#include <string.h>

#include "core/err.h"
#include "ike/ike_msg.h"

/* ---- SA (cl. 3.3) ---- */

static int transform_decode(ds_rd *r, ike_transform *t, bool *unknown_attr)
{
	/* cl. 3.3.2: Last (0 or 3), RESERVED, Transform Length, Type, RESERVED, ID, attributes. */
	ds_rd_u8(r);
	ds_rd_u8(r);
	uint16_t tlen = ds_rd_u16(r);
	if (r->err)
		return DS_E_TRUNCATED;
	if (tlen < 8)
		return DS_E_BADLEN;
	ds_rd body = ds_rd_sub(r, tlen - 4);
	if (body.err)
		return DS_E_OVERRUN;
	t->type = ds_rd_u8(&body);
	ds_rd_u8(&body);
	t->id = ds_rd_u16(&body);
	t->key_bits = 0;
	while (ds_rd_left(&body) > 0) {
		/* cl. 3.3.5: attributes are TV (AF = 1, 2-octet value) or TLV (AF = 0). */
		uint16_t at = ds_rd_u16(&body);
		uint16_t av = ds_rd_u16(&body);
		if (body.err)
			return DS_E_TRUNCATED;
		if (at & IKE_ATTR_AF) {
			if ((at & 0x7fff) == IKE_ATTR_KEY_LENGTH)
				t->key_bits = av;
			else
				*unknown_attr = true;
		} else {
			if (!ds_rd_ptr(&body, av))
				return DS_E_OVERRUN;
			*unknown_attr = true;
		}
	}
	return body.err ? DS_E_TRUNCATED : DS_OK;
}

int ike_sa_decode(const uint8_t *p, size_t len, ike_sa_pl *sa)
{
	ds_rd r = ds_rd_init(p, len);
	sa->n = 0;
	uint8_t last = 2;
	while (last == 2) {
		if (ds_rd_left(&r) == 0)
			return DS_E_TRUNCATED;
		if (sa->n == IKE_MAX_PROPOSALS)
			return DS_E_LOOP;
		ike_proposal *pr = &sa->prop[sa->n];
		memset(pr, 0, sizeof(*pr));
		/* cl. 3.3.1: Last Substruc (0 last, 2 more), RESERVED, Proposal Length, Proposal
		 * Num, Protocol ID, SPI Size, Num Transforms, SPI, transforms. */
		last = ds_rd_u8(&r);
		ds_rd_u8(&r);
		uint16_t plen = ds_rd_u16(&r);
		if (r.err)
			return DS_E_TRUNCATED;
		if ((last != 0 && last != 2) || plen < 8)
			return DS_E_BADLEN;
		ds_rd pb = ds_rd_sub(&r, plen - 4);
		if (pb.err)
			return DS_E_OVERRUN;
		pr->num = ds_rd_u8(&pb);
		pr->proto = ds_rd_u8(&pb);
		pr->spi_size = ds_rd_u8(&pb);
		uint8_t nt = ds_rd_u8(&pb);
		if (pb.err)
			return DS_E_TRUNCATED;
		if (pr->spi_size > sizeof(pr->spi))
			return DS_E_BADLEN;
		ds_rd_copy(&pb, pr->spi, pr->spi_size);
		if (pb.err)
			return DS_E_TRUNCATED;
		if (nt > IKE_MAX_TRANSFORMS)
			return DS_E_LOOP;
		uint8_t tlast = 3;
		for (uint8_t i = 0; i < nt; i++) {
			if (tlast != 3)
				return DS_E_BADLEN;
			if (ds_rd_left(&pb) == 0)
				return DS_E_TRUNCATED;
			tlast = ds_rd_cur(&pb)[0];
			int rc = transform_decode(&pb, &pr->trans[i], &pr->unknown_attr);
			if (rc)
				return rc;
			if (tlast != 0 && tlast != 3)
				return DS_E_BADLEN;
		}
		/* The last transform has Last = 0 and nothing may follow inside the proposal. */
		if (nt == 0 || tlast != 0 || ds_rd_left(&pb) != 0)
			return DS_E_BADLEN;
		pr->n_trans = nt;
		sa->n++;
	}
	/* Proposals are numbered from 1 upwards (cl. 3.3.1); junk after the last is malformed. */
	if (ds_rd_left(&r) != 0)
		return DS_E_BADLEN;
	return DS_OK;
}

void ike_sa_encode(ds_wr *w, const ike_proposal *props, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const ike_proposal *pr = &props[i];
		size_t start = w->off;
		ds_wr_u8(w, i + 1 < n ? 2 : 0);
		ds_wr_u8(w, 0);
		ds_wr_u16(w, 0);
		ds_wr_u8(w, pr->num);
		ds_wr_u8(w, pr->proto);
		ds_wr_u8(w, pr->spi_size);
		ds_wr_u8(w, pr->n_trans);
		ds_wr_bytes(w, pr->spi, pr->spi_size);
		for (uint8_t t = 0; t < pr->n_trans; t++) {
			const ike_transform *tr = &pr->trans[t];
			ds_wr_u8(w, t + 1 < pr->n_trans ? 3 : 0);
			ds_wr_u8(w, 0);
			ds_wr_u16(w, tr->key_bits ? 12 : 8);
			ds_wr_u8(w, tr->type);
			ds_wr_u8(w, 0);
			ds_wr_u16(w, tr->id);
			if (tr->key_bits) {
				ds_wr_u16(w, IKE_ATTR_AF | IKE_ATTR_KEY_LENGTH);
				ds_wr_u16(w, tr->key_bits);
			}
		}
		if (!w->err)
			ds_wr_put_u16_at(w, start + 2, (uint16_t)(w->off - start));
	}
}

/* ---- KE (cl. 3.4) ---- */

int ike_ke_decode(const uint8_t *p, size_t len, ike_ke *ke)
{
	ds_rd r = ds_rd_init(p, len);
	ke->group = ds_rd_u16(&r);
	ds_rd_u16(&r);
	if (r.err)
		return DS_E_TRUNCATED;
	ke->data = ds_rd_cur(&r);
	ke->len = ds_rd_left(&r);
	return ke->len ? DS_OK : DS_E_BADLEN;
}

void ike_ke_encode(ds_wr *w, uint16_t group, const uint8_t *data, size_t len)
{
	ds_wr_u16(w, group);
	ds_wr_u16(w, 0);
	ds_wr_bytes(w, data, len);
}

/* ---- ID / AUTH / CERT ---- */

static int typed_decode(const uint8_t *p, size_t len, size_t reserved, ike_typed *t)
{
	ds_rd r = ds_rd_init(p, len);
	t->type = ds_rd_u8(&r);
	ds_rd_skip(&r, reserved);
	if (r.err)
		return DS_E_TRUNCATED;
	t->data = ds_rd_cur(&r);
	t->len = ds_rd_left(&r);
	return t->len ? DS_OK : DS_E_BADLEN;
}

int ike_id_decode(const uint8_t *p, size_t len, ike_typed *id) { return typed_decode(p, len, 3, id); }
int ike_auth_decode(const uint8_t *p, size_t len, ike_typed *a) { return typed_decode(p, len, 3, a); }
int ike_cert_decode(const uint8_t *p, size_t len, ike_typed *c) { return typed_decode(p, len, 0, c); }

void ike_id_encode(ds_wr *w, uint8_t type, const uint8_t *data, size_t len)
{
	ds_wr_u8(w, type);
	ds_wr_zero(w, 3);
	ds_wr_bytes(w, data, len);
}

void ike_cert_encode(ds_wr *w, uint8_t enc, const uint8_t *data, size_t len)
{
	ds_wr_u8(w, enc);
	ds_wr_bytes(w, data, len);
}

int ike_nonce_check(size_t len)
{
	/* cl. 3.9: between 16 and 256 octets. */
	return len >= IKE_NONCE_MIN && len <= IKE_NONCE_MAX ? DS_OK : DS_E_BADLEN;
}

/* ---- Notify (cl. 3.10) ---- */

int ike_notify_decode(const uint8_t *p, size_t len, ike_notify *n)
{
	ds_rd r = ds_rd_init(p, len);
	n->proto = ds_rd_u8(&r);
	n->spi_size = ds_rd_u8(&r);
	n->type = ds_rd_u16(&r);
	if (r.err)
		return DS_E_TRUNCATED;
	n->spi = ds_rd_ptr(&r, n->spi_size);
	if (!n->spi && n->spi_size)
		return DS_E_OVERRUN;
	n->data = ds_rd_cur(&r);
	n->data_len = ds_rd_left(&r);
	return DS_OK;
}

void ike_notify_encode(ds_wr *w, uint8_t proto, const uint8_t *spi, uint8_t spi_size,
		       uint16_t type, const uint8_t *data, size_t len)
{
	ds_wr_u8(w, proto);
	ds_wr_u8(w, spi_size);
	ds_wr_u16(w, type);
	ds_wr_bytes(w, spi, spi_size);
	ds_wr_bytes(w, data, len);
}

/* ---- Delete (cl. 3.11) ---- */

int ike_delete_decode(const uint8_t *p, size_t len, ike_delete *d)
{
	ds_rd r = ds_rd_init(p, len);
	d->proto = ds_rd_u8(&r);
	d->spi_size = ds_rd_u8(&r);
	d->n_spi = ds_rd_u16(&r);
	if (r.err)
		return DS_E_TRUNCATED;
	/* IKE SA: SPI size 0 and no SPIs; ESP/AH: 4-octet SPIs. */
	if (d->proto == IKE_PROTO_IKE) {
		if (d->spi_size != 0 || d->n_spi != 0)
			return DS_E_BADLEN;
	} else if (d->proto == IKE_PROTO_ESP || d->proto == IKE_PROTO_AH) {
		if (d->spi_size != 4)
			return DS_E_BADLEN;
	} else {
		return DS_E_RESERVED;
	}
	size_t need = (size_t)d->spi_size * d->n_spi;
	if (ds_rd_left(&r) != need)
		return DS_E_BADLEN;
	d->spis = ds_rd_cur(&r);
	return DS_OK;
}

void ike_delete_encode(ds_wr *w, uint8_t proto, const uint32_t *spis, size_t n)
{
	ds_wr_u8(w, proto);
	ds_wr_u8(w, proto == IKE_PROTO_IKE ? 0 : 4);
	ds_wr_u16(w, (uint16_t)n);
	for (size_t i = 0; i < n; i++)
		ds_wr_u32(w, spis[i]);
}

/* ---- Traffic selectors (cl. 3.13) ---- */

int ike_ts_decode(const uint8_t *p, size_t len, ike_ts_pl *ts)
{
	ds_rd r = ds_rd_init(p, len);
	uint8_t n = ds_rd_u8(&r);
	ds_rd_skip(&r, 3);
	if (r.err)
		return DS_E_TRUNCATED;
	if (n == 0)
		return DS_E_BADLEN;
	if (n > IKE_MAX_TS)
		return DS_E_LOOP;
	ts->n = 0;
	for (uint8_t i = 0; i < n; i++) {
		uint8_t type = ds_rd_u8(&r);
		uint8_t proto = ds_rd_u8(&r);
		uint16_t slen = ds_rd_u16(&r);
		if (r.err)
			return DS_E_TRUNCATED;
		size_t alen;
		if (type == IKE_TS_IPV4)
			alen = 4;
		else if (type == IKE_TS_IPV6)
			alen = 16;
		else
			return DS_E_UNSUPPORTED;
		if (slen != 8 + 2 * alen)
			return DS_E_BADLEN;
		ike_ts *t = &ts->ts[ts->n++];
		memset(t, 0, sizeof(*t));
		t->type = type;
		t->proto = proto;
		t->port_lo = ds_rd_u16(&r);
		t->port_hi = ds_rd_u16(&r);
		uint8_t a[16];
		ds_rd_copy(&r, a, alen);
		t->lo = alen == 4 ? ds_addr4(a, 0) : ds_addr6(a, 0);
		ds_rd_copy(&r, a, alen);
		t->hi = alen == 4 ? ds_addr4(a, 0) : ds_addr6(a, 0);
		if (r.err)
			return DS_E_TRUNCATED;
	}
	return ds_rd_left(&r) == 0 ? DS_OK : DS_E_BADLEN;
}

void ike_ts_encode(ds_wr *w, const ike_ts *ts, size_t n)
{
	ds_wr_u8(w, (uint8_t)n);
	ds_wr_zero(w, 3);
	for (size_t i = 0; i < n; i++) {
		size_t alen = ts[i].type == IKE_TS_IPV4 ? 4 : 16;
		ds_wr_u8(w, ts[i].type);
		ds_wr_u8(w, ts[i].proto);
		ds_wr_u16(w, (uint16_t)(8 + 2 * alen));
		ds_wr_u16(w, ts[i].port_lo);
		ds_wr_u16(w, ts[i].port_hi);
		ds_wr_bytes(w, ts[i].lo.ip, alen);
		ds_wr_bytes(w, ts[i].hi.ip, alen);
	}
}

/* ---- CP (cl. 3.15) ---- */

int ike_cp_decode(const uint8_t *p, size_t len, ike_cp *cp)
{
	ds_rd r = ds_rd_init(p, len);
	cp->cfg_type = ds_rd_u8(&r);
	ds_rd_skip(&r, 3);
	if (r.err)
		return DS_E_TRUNCATED;
	if (cp->cfg_type < IKE_CFG_REQUEST || cp->cfg_type > IKE_CFG_ACK)
		return DS_E_RESERVED;
	cp->n = 0;
	while (ds_rd_left(&r) > 0) {
		if (cp->n == IKE_MAX_CP_ATTRS)
			return DS_E_LOOP;
		/* cl. 3.15.1: R bit (ignored on receipt), 15-bit type, length, value. */
		uint16_t t = ds_rd_u16(&r) & 0x7fff;
		uint16_t l = ds_rd_u16(&r);
		const uint8_t *v = ds_rd_ptr(&r, l);
		if (r.err)
			return l ? DS_E_OVERRUN : DS_E_TRUNCATED;
		cp->attr[cp->n].type = t;
		cp->attr[cp->n].data = v;
		cp->attr[cp->n].len = l;
		cp->n++;
	}
	return DS_OK;
}

void ike_cp_begin(ds_wr *w, uint8_t cfg_type)
{
	ds_wr_u8(w, cfg_type);
	ds_wr_zero(w, 3);
}

void ike_cp_attr_encode(ds_wr *w, uint16_t type, const uint8_t *data, size_t len)
{
	ds_wr_u16(w, type & 0x7fff);
	ds_wr_u16(w, (uint16_t)len);
	ds_wr_bytes(w, data, len);
}

/* ---- EAP (cl. 3.16, RFC 3748 cl. 4) ---- */

int ike_eap_check(const uint8_t *p, size_t len)
{
	if (len < 4)
		return DS_E_TRUNCATED;
	uint8_t code = p[0];
	if (code < 1 || code > 4)
		return DS_E_RESERVED;
	if (ds_get_u16(p + 2) != len)
		return DS_E_BADLEN;
	/* Request and Response carry a Type octet (RFC 3748 cl. 4.1). */
	if ((code == 1 || code == 2) && len < 5)
		return DS_E_BADLEN;
	return DS_OK;
}

/* ---- SKF (RFC 7383 cl. 2.5) ---- */

int ike_skf_decode(const uint8_t *p, size_t len, uint16_t *frag_num, uint16_t *total)
{
	ds_rd r = ds_rd_init(p, len);
	*frag_num = ds_rd_u16(&r);
	*total = ds_rd_u16(&r);
	if (r.err)
		return DS_E_TRUNCATED;
	/* Fragment Number starts at 1 and cannot exceed Total Fragments (cl. 2.5). */
	if (*frag_num == 0 || *total == 0 || *frag_num > *total)
		return DS_E_BADLEN;
	return DS_OK;
}
