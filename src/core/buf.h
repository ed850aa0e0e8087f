/* Bounds-checked byte reader and writer over spans: the only way wire code touches bytes.
 *
 * A reader never reads past its span; any short read sets the sticky `err` flag and returns
 * zeros, so a decoder can read a whole fixed header and check `err` once. A writer never writes
 * past its capacity and sets `err` the same way. All multi-octet values are big-endian. */
#ifndef DSMIP6_CORE_BUF_H
#define DSMIP6_CORE_BUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct ds_rd {
	const uint8_t *p;
	size_t len;
	size_t off;
	bool err;
} ds_rd;

typedef struct ds_wr {
	uint8_t *p;
	size_t cap;
	size_t off;
	bool err;
} ds_wr;

static inline ds_rd ds_rd_init(const void *p, size_t len)
{
	ds_rd r = { (const uint8_t *)p, len, 0, false };
	return r;
}
static inline size_t ds_rd_left(const ds_rd *r) { return r->err ? 0 : r->len - r->off; }
static inline const uint8_t *ds_rd_cur(const ds_rd *r) { return r->p + r->off; }

uint8_t ds_rd_u8(ds_rd *r);
uint16_t ds_rd_u16(ds_rd *r);
uint32_t ds_rd_u32(ds_rd *r);
uint64_t ds_rd_u64(ds_rd *r);
/* Copy n bytes out (zero-fills `out` on error). */
void ds_rd_copy(ds_rd *r, void *out, size_t n);
/* Borrow n bytes in place; NULL (and err) when fewer remain. */
const uint8_t *ds_rd_ptr(ds_rd *r, size_t n);
void ds_rd_skip(ds_rd *r, size_t n);
/* Split off the next n bytes as a sub-reader; the parent advances past them. */
ds_rd ds_rd_sub(ds_rd *r, size_t n);

static inline ds_wr ds_wr_init(void *p, size_t cap)
{
	ds_wr w = { (uint8_t *)p, cap, 0, false };
	return w;
}
static inline size_t ds_wr_left(const ds_wr *w) { return w->err ? 0 : w->cap - w->off; }

void ds_wr_u8(ds_wr *w, uint8_t v);
void ds_wr_u16(ds_wr *w, uint16_t v);
void ds_wr_u32(ds_wr *w, uint32_t v);
void ds_wr_u64(ds_wr *w, uint64_t v);
void ds_wr_bytes(ds_wr *w, const void *p, size_t n);
void ds_wr_zero(ds_wr *w, size_t n);
/* Reserve n bytes to fill in later (e.g. a length); returns NULL (and err) if no room. */
uint8_t *ds_wr_reserve(ds_wr *w, size_t n);
/* Overwrite a big-endian u16 at an absolute offset already written. */
void ds_wr_put_u16_at(ds_wr *w, size_t off, uint16_t v);

/* Big-endian helpers for code that already checked its bounds. */
static inline uint16_t ds_get_u16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static inline uint32_t ds_get_u32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}
static inline void ds_put_u16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }
static inline void ds_put_u32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24); p[1] = (uint8_t)(v >> 16); p[2] = (uint8_t)(v >> 8); p[3] = (uint8_t)v;
}

#endif
