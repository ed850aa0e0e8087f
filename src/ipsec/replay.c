/* Anti-replay window (RFC 4303 cl. 3.4.3, Appendix A2). The window's right edge is `top`;
 * sequence numbers within [top - size + 1, top] are remembered in a circular bitmap, so a
 * window slide clears only the bits of the numbers it skips over. */
#include "ipsec/replay.h"

#include <string.h>

static inline bool bit_get(const ds_replay *w, uint64_t seq)
{
	uint64_t i = seq % w->size;
	return (w->bits[i / 64] >> (i % 64)) & 1u;
}

static inline void bit_set(ds_replay *w, uint64_t seq)
{
	uint64_t i = seq % w->size;
	w->bits[i / 64] |= (uint64_t)1 << (i % 64);
}

static inline void bit_clear(ds_replay *w, uint64_t seq)
{
	uint64_t i = seq % w->size;
	w->bits[i / 64] &= ~((uint64_t)1 << (i % 64));
}

/* RFC 4303 Appendix A2.2: Tl/Th are the low/high halves of the window top, W its size. */
uint64_t ds_replay_infer_esn(const ds_replay *w, uint32_t seq_lo)
{
	uint32_t tl = (uint32_t)w->top, th = (uint32_t)(w->top >> 32);
	uint32_t bottom = tl - w->size + 1; /* modulo 2^32 */
	uint32_t sh;
	if (tl >= w->size - 1) {
		/* Case A: the window lies within one sequence number subspace. */
		sh = seq_lo >= bottom ? th : th + 1;
	} else {
		/* Case B: the window spans two subspaces. */
		sh = seq_lo >= bottom ? th - 1 : th;
		if (th == 0 && seq_lo >= bottom)
			sh = 0; /* no earlier subspace exists: the number lies ahead in subspace 0 */
	}
	return (uint64_t)sh << 32 | seq_lo;
}

bool ds_replay_check(const ds_replay *w, uint64_t seq)
{
	if (seq == 0)
		return false; /* the first packet sent carries 1 (RFC 4303 cl. 3.3.3) */
	if (seq > w->top)
		return true;
	if (w->top - seq >= w->size)
		return false; /* left of the window */
	return !bit_get(w, seq);
}

void ds_replay_update(ds_replay *w, uint64_t seq)
{
	if (seq > w->top) {
		uint64_t diff = seq - w->top;
		if (diff >= w->size) {
			memset(w->bits, 0, w->size / 8);
		} else {
			/* forget the numbers skipped over, a whole word at a time where possible */
			uint64_t s = w->top + 1;
			while (s < seq) {
				if (s % 64 == 0 && seq - s >= 64) {
					w->bits[(s % w->size) / 64] = 0;
					s += 64;
				} else {
					bit_clear(w, s++);
				}
			}
		}
		w->top = seq;
	}
	bit_set(w, seq);
}
