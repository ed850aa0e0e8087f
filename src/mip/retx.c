/* BU retransmission ladder and MAX_UPDATE_RATE (RFC 6275 cl. 11.8, cl. 12). */
#include "mip/retx.h"

uint32_t ds_bu_retx_start(ds_bu_retx *r, uint32_t initial_ms, uint32_t max_ms)
{
	r->initial_ms = initial_ms ? initial_ms : DS_MIP_INITIAL_TIMEOUT_MS;
	r->max_ms = max_ms ? max_ms : DS_MIP_MAX_TIMEOUT_MS;
	if (r->max_ms < r->initial_ms)
		r->max_ms = r->initial_ms;
	r->cur_ms = r->initial_ms;
	r->count = 0;
	return r->cur_ms;
}

uint32_t ds_bu_retx_next(ds_bu_retx *r)
{
	/* cl. 11.8: "the retransmissions by the mobile node MUST use an exponential back-off
	 * process in which the timeout period is doubled upon each retransmission, until either
	 * the node receives a response or the timeout period reaches MAX_BINDACK_TIMEOUT" */
	uint64_t d = (uint64_t)r->cur_ms * 2u;
	r->cur_ms = d > r->max_ms ? r->max_ms : (uint32_t)d;
	r->count++;
	return r->cur_ms;
}

ds_time ds_bu_rate_earliest(const ds_bu_rate *r, ds_time now)
{
	if (r->n < DS_MIP_MAX_UPDATE_RATE)
		return now;
	/* The oldest of the last three sends must be at least one second old. */
	ds_time oldest = r->sent[r->head];
	ds_time ok = oldest + DS_SEC(1);
	return ok > now ? ok : now;
}

void ds_bu_rate_note(ds_bu_rate *r, ds_time now)
{
	if (r->n < DS_MIP_MAX_UPDATE_RATE) {
		r->sent[(r->head + r->n) % DS_MIP_MAX_UPDATE_RATE] = now;
		r->n++;
		return;
	}
	r->sent[r->head] = now;
	r->head = (uint8_t)((r->head + 1) % DS_MIP_MAX_UPDATE_RATE);
}
