/* Timer queue for millions of timers: an intrusive binary min-heap. Each object embeds a
 * ds_timer; arming, re-arming and cancelling are O(log n), finding the next deadline is O(1),
 * and there is no allocation per timer. Engines expose the next deadline to their host. */
#ifndef DSMIP6_CORE_TIMERQ_H
#define DSMIP6_CORE_TIMERQ_H

#include <stdbool.h>
#include <stdint.h>

#include "core/time.h"

typedef struct ds_timer {
	ds_time when;
	uint32_t slot;  /* heap index + 1; 0 = not armed */
} ds_timer;

typedef struct ds_timerq {
	ds_timer **heap;
	uint32_t n, cap;
} ds_timerq;

void ds_timerq_init(ds_timerq *q);
void ds_timerq_free(ds_timerq *q);
/* Arm (or move) t to fire at `when`. Returns DS_OK or DS_E_NOMEM. */
int ds_timerq_arm(ds_timerq *q, ds_timer *t, ds_time when);
void ds_timerq_cancel(ds_timerq *q, ds_timer *t);
static inline bool ds_timer_armed(const ds_timer *t) { return t->slot != 0; }
/* Earliest deadline, or DS_TIME_NEVER. */
ds_time ds_timerq_next(const ds_timerq *q);
/* Remove and return one timer whose deadline is <= now, or NULL. */
ds_timer *ds_timerq_pop_expired(ds_timerq *q, ds_time now);

#endif
