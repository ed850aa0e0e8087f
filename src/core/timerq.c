#include "core/timerq.h"
#include "core/err.h"

#include <stdlib.h>

void ds_timerq_init(ds_timerq *q)
{
	q->heap = NULL;
	q->n = q->cap = 0;
}

void ds_timerq_free(ds_timerq *q)
{
	for (uint32_t i = 0; i < q->n; i++)
		q->heap[i]->slot = 0;
	free(q->heap);
	ds_timerq_init(q);
}

static void place(ds_timerq *q, uint32_t i, ds_timer *t)
{
	q->heap[i] = t;
	t->slot = i + 1;
}

static void sift_up(ds_timerq *q, uint32_t i)
{
	ds_timer *t = q->heap[i];
	while (i > 0) {
		uint32_t parent = (i - 1) / 2;
		if (q->heap[parent]->when <= t->when)
			break;
		place(q, i, q->heap[parent]);
		i = parent;
	}
	place(q, i, t);
}

static void sift_down(ds_timerq *q, uint32_t i)
{
	ds_timer *t = q->heap[i];
	for (;;) {
		uint32_t c = 2 * i + 1;
		if (c >= q->n)
			break;
		if (c + 1 < q->n && q->heap[c + 1]->when < q->heap[c]->when)
			c++;
		if (t->when <= q->heap[c]->when)
			break;
		place(q, i, q->heap[c]);
		i = c;
	}
	place(q, i, t);
}

int ds_timerq_arm(ds_timerq *q, ds_timer *t, ds_time when)
{
	if (t->slot) {
		ds_time old = t->when;
		t->when = when;
		if (when < old)
			sift_up(q, t->slot - 1);
		else
			sift_down(q, t->slot - 1);
		return DS_OK;
	}
	if (q->n == q->cap) {
		uint32_t cap = q->cap ? q->cap * 2 : 64;
		ds_timer **h = realloc(q->heap, cap * sizeof *h);
		if (!h)
			return DS_E_NOMEM;
		q->heap = h;
		q->cap = cap;
	}
	t->when = when;
	place(q, q->n++, t);
	sift_up(q, q->n - 1);
	return DS_OK;
}

void ds_timerq_cancel(ds_timerq *q, ds_timer *t)
{
	if (!t->slot)
		return;
	uint32_t i = t->slot - 1;
	t->slot = 0;
	q->n--;
	if (i == q->n)
		return;
	ds_timer *last = q->heap[q->n];
	place(q, i, last);
	if (i > 0 && q->heap[(i - 1) / 2]->when > last->when)
		sift_up(q, i);
	else
		sift_down(q, i);
}

ds_time ds_timerq_next(const ds_timerq *q)
{
	return q->n ? q->heap[0]->when : DS_TIME_NEVER;
}

ds_timer *ds_timerq_pop_expired(ds_timerq *q, ds_time now)
{
	if (!q->n || q->heap[0]->when > now)
		return NULL;
	ds_timer *t = q->heap[0];
	ds_timerq_cancel(q, t);
	return t;
}
