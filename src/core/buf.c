#include "core/buf.h"

#include <string.h>

static bool rd_need(ds_rd *r, size_t n)
{
	if (r->err || n > r->len - r->off) {
		r->err = true;
		return false;
	}
	return true;
}

uint8_t ds_rd_u8(ds_rd *r)
{
	if (!rd_need(r, 1))
		return 0;
	return r->p[r->off++];
}

uint16_t ds_rd_u16(ds_rd *r)
{
	if (!rd_need(r, 2))
		return 0;
	uint16_t v = ds_get_u16(r->p + r->off);
	r->off += 2;
	return v;
}

uint32_t ds_rd_u32(ds_rd *r)
{
	if (!rd_need(r, 4))
		return 0;
	uint32_t v = ds_get_u32(r->p + r->off);
	r->off += 4;
	return v;
}

uint64_t ds_rd_u64(ds_rd *r)
{
	uint64_t hi = ds_rd_u32(r);
	return hi << 32 | ds_rd_u32(r);
}

void ds_rd_copy(ds_rd *r, void *out, size_t n)
{
	if (!rd_need(r, n)) {
		memset(out, 0, n);
		return;
	}
	memcpy(out, r->p + r->off, n);
	r->off += n;
}

const uint8_t *ds_rd_ptr(ds_rd *r, size_t n)
{
	if (!rd_need(r, n))
		return NULL;
	const uint8_t *p = r->p + r->off;
	r->off += n;
	return p;
}

void ds_rd_skip(ds_rd *r, size_t n)
{
	if (rd_need(r, n))
		r->off += n;
}

ds_rd ds_rd_sub(ds_rd *r, size_t n)
{
	ds_rd s = { r->p, 0, 0, true };
	if (rd_need(r, n)) {
		s = ds_rd_init(r->p + r->off, n);
		r->off += n;
	}
	return s;
}

static uint8_t *wr_take(ds_wr *w, size_t n)
{
	if (w->err || n > w->cap - w->off) {
		w->err = true;
		return NULL;
	}
	uint8_t *p = w->p + w->off;
	w->off += n;
	return p;
}

void ds_wr_u8(ds_wr *w, uint8_t v)
{
	uint8_t *p = wr_take(w, 1);
	if (p)
		*p = v;
}

void ds_wr_u16(ds_wr *w, uint16_t v)
{
	uint8_t *p = wr_take(w, 2);
	if (p)
		ds_put_u16(p, v);
}

void ds_wr_u32(ds_wr *w, uint32_t v)
{
	uint8_t *p = wr_take(w, 4);
	if (p)
		ds_put_u32(p, v);
}

void ds_wr_u64(ds_wr *w, uint64_t v)
{
	ds_wr_u32(w, (uint32_t)(v >> 32));
	ds_wr_u32(w, (uint32_t)v);
}

void ds_wr_bytes(ds_wr *w, const void *src, size_t n)
{
	uint8_t *p = wr_take(w, n);
	if (p && n)
		memcpy(p, src, n);
}

void ds_wr_zero(ds_wr *w, size_t n)
{
	uint8_t *p = wr_take(w, n);
	if (p && n)
		memset(p, 0, n);
}

uint8_t *ds_wr_reserve(ds_wr *w, size_t n)
{
	return wr_take(w, n);
}

void ds_wr_put_u16_at(ds_wr *w, size_t off, uint16_t v)
{
	if (w->err || off + 2 > w->off) {
		w->err = true;
		return;
	}
	ds_put_u16(w->p + off, v);
}
