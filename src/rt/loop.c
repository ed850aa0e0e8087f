#include "rt/loop.h"

#include <time.h>

#include "core/err.h"

ds_time ds_rt_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (ds_time)ts.tv_sec * 1000u + (ds_time)(ts.tv_nsec / 1000000L);
}

uint64_t ds_rt_wall(void)
{
	return (uint64_t)time(NULL);
}

static void on_timer(evutil_socket_t fd, short what, void *arg)
{
	ds_rt_timer *t = arg;
	t->armed_for = DS_TIME_NEVER;
	t->fire(t->eng, ds_rt_now());
	ds_rt_timer_sync(t);
}

int ds_rt_timer_init(ds_rt_timer *t, struct event_base *base, ds_time (*next)(void *),
		     void (*fire)(void *, ds_time), void *eng)
{
	t->next = next;
	t->fire = fire;
	t->eng = eng;
	t->armed_for = DS_TIME_NEVER;
	t->ev = evtimer_new(base, on_timer, t);
	return t->ev ? DS_OK : DS_E_NOMEM;
}

void ds_rt_timer_sync(ds_rt_timer *t)
{
	ds_time when = t->next(t->eng);
	if (when == t->armed_for)
		return;
	t->armed_for = when;
	if (when == DS_TIME_NEVER) {
		evtimer_del(t->ev);
		return;
	}
	ds_time now = ds_rt_now();
	ds_time d = when > now ? when - now : 0;
	struct timeval tv = { .tv_sec = (time_t)(d / 1000), .tv_usec = (suseconds_t)(d % 1000) * 1000 };
	evtimer_add(t->ev, &tv);
}

void ds_rt_timer_free(ds_rt_timer *t)
{
	if (t->ev)
		event_free(t->ev);
	t->ev = NULL;
}
