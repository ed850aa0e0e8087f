/* Anti-replay window of RFC 4303 cl. 3.4.3 and Appendix A2 (bitmap of `size` bits indexed by
 * sequence number modulo size, size a multiple of 64), with the Extended Sequence Number
 * high-order-bit inference of Appendix A2.2. Internal to src/ipsec. */
#ifndef DSMIP6_IPSEC_REPLAY_H
#define DSMIP6_IPSEC_REPLAY_H

#include <stdbool.h>
#include <stdint.h>

typedef struct ds_replay {
	uint64_t top;      /* highest sequence number accepted so far (0: none yet) */
	uint32_t size;     /* window size in packets, multiple of 64 */
	uint64_t *bits;    /* size / 64 words, bit (seq % size) set when seq was accepted */
} ds_replay;

/* 64-bit sequence number for a received low-order 32 bits (ESN, RFC 4303 Appendix A2.2). */
uint64_t ds_replay_infer_esn(const ds_replay *w, uint32_t seq_lo);
/* May `seq` be accepted? (duplicate or left of the window: false). No state change: call
 * before the ICV check, then ds_replay_update() after it succeeds (cl. 3.4.3). */
bool ds_replay_check(const ds_replay *w, uint64_t seq);
void ds_replay_update(ds_replay *w, uint64_t seq);

#endif
