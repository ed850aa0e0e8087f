/* Event loop glue on libevent: the monotonic clock the engines are fed with, a timer that
 * follows an engine's next deadline, and signal events. */
#ifndef DSMIP6_RT_LOOP_H
#define DSMIP6_RT_LOOP_H

#include <event2/event.h>

#include "core/time.h"

/* Monotonic milliseconds (CLOCK_MONOTONIC): the `now` of every engine call. */
ds_time ds_rt_now(void);
/* Wall-clock seconds since the epoch (for persisted expiry times only). */
uint64_t ds_rt_wall(void);

/* A libevent timer bound to an engine: `next` returns the engine's earliest deadline (or
 * DS_TIME_NEVER) and `fire` runs its expired timers. Call ds_rt_timer_sync after every input
 * handed to the engine so the libevent timer always matches the engine's next deadline. */
typedef struct ds_rt_timer {
	struct event *ev;
	ds_time (*next)(void *eng);
	void (*fire)(void *eng, ds_time now);
	void *eng;
	ds_time armed_for;
} ds_rt_timer;

int ds_rt_timer_init(ds_rt_timer *t, struct event_base *base, ds_time (*next)(void *),
		     void (*fire)(void *, ds_time), void *eng);
void ds_rt_timer_sync(ds_rt_timer *t);
void ds_rt_timer_free(ds_rt_timer *t);

#endif
