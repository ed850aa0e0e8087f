/* IKEv2 header and payload chain (RFC 7296 cl. 3.1, 3.2, 3.14) and the chain writer. */
#include "ike/ike_msg.h"

#include <string.h>

#include "core/err.h"

int ike_hdr_decode(const uint8_t *p, size_t len, ike_hdr *h)
{
	ds_rd r = ds_rd_init(p, len);
	h->spi_i = ds_rd_u64(&r);
	h->spi_r = ds_rd_u64(&r);
	h->np = ds_rd_u8(&r);
	h->version = ds_rd_u8(&r);
	h->exchange = ds_rd_u8(&r);
	h->flags = ds_rd_u8(&r);
	h->msg_id = ds_rd_u32(&r);
	h->length = ds_rd_u32(&r);
	if (r.err)
		return DS_E_TRUNCATED;
	/* cl. 3.1: a major version above 2 is answered with INVALID_MAJOR_VERSION; minor versions
	 * are ignored. */
	if ((h->version >> 4) != 2)
		return DS_E_VERSION;
	/* cl. 3.1: the Length covers the whole message, header included; a datagram carries
	 * exactly one message. */
	if (h->length != len || h->length < IKE_HDR_LEN)
		return DS_E_BADLEN;
	return DS_OK;
}

void ike_hdr_encode(ds_wr *w, const ike_hdr *h)
{
	ds_wr_u64(w, h->spi_i);
	ds_wr_u64(w, h->spi_r);
	ds_wr_u8(w, h->np);
	ds_wr_u8(w, IKE_VERSION);
	ds_wr_u8(w, h->exchange);
	ds_wr_u8(w, h->flags);
	ds_wr_u32(w, h->msg_id);
	ds_wr_u32(w, h->length);
}

bool ike_pl_known(uint8_t type)
{
	return (type >= IKE_PL_SA && type <= IKE_PL_EAP) || type == IKE_PL_SKF;
}

int ike_chain_decode(uint8_t first, const uint8_t *p, size_t len, size_t base_off, ike_chain *c)
{
	ds_rd r = ds_rd_init(p, len);
	uint8_t type = first;
	c->n = 0;
	c->unsupported_critical = 0;
	while (type != IKE_PL_NONE) {
		if (c->n == IKE_MAX_PAYLOADS)
			return DS_E_LOOP;
		size_t off = r.off;
		uint8_t np = ds_rd_u8(&r);
		uint8_t flags = ds_rd_u8(&r);
		uint16_t plen = ds_rd_u16(&r);
		if (r.err)
			return DS_E_TRUNCATED;
		if (plen < IKE_GENERIC_HDR_LEN)
			return DS_E_BADLEN;
		const uint8_t *body = ds_rd_ptr(&r, plen - IKE_GENERIC_HDR_LEN);
		if (!body)
			return DS_E_OVERRUN;
		ike_pl *pl = &c->pl[c->n++];
		pl->type = type;
		pl->critical = (flags & IKE_CRITICAL) != 0;
		pl->np = np;
		pl->body = body;
		pl->len = plen - IKE_GENERIC_HDR_LEN;
		pl->off = base_off + off;
		/* cl. 2.5: an unknown payload with the critical bit set rejects the message. */
		if (!ike_pl_known(type) && pl->critical && !c->unsupported_critical)
			c->unsupported_critical = type;
		/* cl. 3.14 / RFC 7383 cl. 2.5: SK and SKF are last; their next-payload field names
		 * the first payload inside. */
		if (type == IKE_PL_SK || type == IKE_PL_SKF) {
			if (ds_rd_left(&r) != 0)
				return DS_E_BADLEN;
			return DS_OK;
		}
		type = np;
	}
	/* Trailing bytes after the last payload are not allowed: the header length is exact. */
	return ds_rd_left(&r) == 0 ? DS_OK : DS_E_BADLEN;
}

const ike_pl *ike_chain_find(const ike_chain *c, uint8_t type)
{
	for (size_t i = 0; i < c->n; i++)
		if (c->pl[i].type == type)
			return &c->pl[i];
	return NULL;
}

/* ---- writer ---- */

void ike_wr_begin(ike_wr *iw, uint8_t *buf, size_t cap, const ike_hdr *h)
{
	iw->w = ds_wr_init(buf, cap);
	iw->msg_start = 0;
	iw->np_at = 16;   /* next-payload octet of the IKE header */
	iw->open = false;
	iw->first = IKE_PL_NONE;
	ike_hdr h2 = *h;
	h2.np = IKE_PL_NONE;
	h2.length = 0;
	ike_hdr_encode(&iw->w, &h2);
}

void ike_wr_begin_inner(ike_wr *iw, uint8_t *buf, size_t cap)
{
	iw->w = ds_wr_init(buf, cap);
	iw->msg_start = SIZE_MAX;
	iw->np_at = SIZE_MAX;
	iw->open = false;
	iw->first = IKE_PL_NONE;
}

static void close_pl(ike_wr *iw)
{
	if (!iw->open || iw->w.err)
		return;
	size_t plen = iw->w.off - iw->pl_start;
	if (plen > 0xffff) {
		iw->w.err = true;
		return;
	}
	ds_wr_put_u16_at(&iw->w, iw->pl_start + 2, (uint16_t)plen);
	iw->open = false;
}

void ike_wr_pl(ike_wr *iw, uint8_t type, bool critical)
{
	close_pl(iw);
	if (iw->w.err)
		return;
	if (iw->first == IKE_PL_NONE)
		iw->first = type;
	if (iw->np_at != SIZE_MAX)
		iw->w.p[iw->np_at] = type;
	iw->pl_start = iw->w.off;
	ds_wr_u8(&iw->w, IKE_PL_NONE);
	ds_wr_u8(&iw->w, critical ? IKE_CRITICAL : 0);
	ds_wr_u16(&iw->w, 0);
	iw->np_at = iw->pl_start;
	iw->open = !iw->w.err;
}

size_t ike_wr_finish(ike_wr *iw, uint8_t *first_type)
{
	close_pl(iw);
	if (iw->w.err)
		return 0;
	if (first_type)
		*first_type = iw->first;
	if (iw->msg_start != SIZE_MAX) {
		if (iw->w.off > UINT32_MAX)
			return 0;
		uint8_t *lp = iw->w.p + iw->msg_start + 24;
		ds_put_u32(lp, (uint32_t)iw->w.off);
	}
	return iw->w.off;
}
