/* Binding Update retransmission and rate limiting (RFC 6275 cl. 11.8 and cl. 12-13).
 *
 * The first home registration waits InitialBindackTimeoutFirstReg (1.5 s) for the BA, every
 * other BU INITIAL_BINDACK_TIMEOUT (1 s); each retransmission doubles the wait up to
 * MAX_BINDACK_TIMEOUT (32 s). A mobile node must not send more than MAX_UPDATE_RATE (3) BUs per
 * second to one destination: ds_bu_rate_* is a sliding window over the last three send times. */
#ifndef DSMIP6_MIP_RETX_H
#define DSMIP6_MIP_RETX_H

#include <stdbool.h>
#include <stdint.h>

#include "core/time.h"

#define DS_MIP_FIRST_REG_TIMEOUT_MS 1500u  /* RFC 6275 cl. 13 InitialBindackTimeoutFirstReg */
#define DS_MIP_INITIAL_TIMEOUT_MS 1000u    /* RFC 6275 cl. 12 INITIAL_BINDACK_TIMEOUT */
#define DS_MIP_MAX_TIMEOUT_MS 32000u       /* RFC 6275 cl. 12 MAX_BINDACK_TIMEOUT */
#define DS_MIP_MAX_UPDATE_RATE 3u          /* RFC 6275 cl. 12 MAX_UPDATE_RATE, BUs per second */

typedef struct ds_bu_retx {
	uint32_t initial_ms;   /* first wait */
	uint32_t max_ms;       /* cap */
	uint32_t cur_ms;       /* wait armed for the BU in flight */
	uint32_t count;        /* retransmissions done for this BU */
} ds_bu_retx;

/* Start the ladder for a new BU; returns the first wait. */
uint32_t ds_bu_retx_start(ds_bu_retx *r, uint32_t initial_ms, uint32_t max_ms);
/* A retransmission is sent: returns the next (doubled, capped) wait. */
uint32_t ds_bu_retx_next(ds_bu_retx *r);

typedef struct ds_bu_rate {
	ds_time sent[DS_MIP_MAX_UPDATE_RATE];  /* ring of the last send times */
	uint8_t head;
	uint8_t n;
} ds_bu_rate;

/* Earliest time a BU may be sent to this destination (now if allowed now). */
ds_time ds_bu_rate_earliest(const ds_bu_rate *r, ds_time now);
/* Record a BU sent at now. */
void ds_bu_rate_note(ds_bu_rate *r, ds_time now);

#endif
