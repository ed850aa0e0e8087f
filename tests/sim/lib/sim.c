/* Discrete-event core of the simulator: clock, event heap, nodes, links, routing and link
 * impairments. See sim.h for the model. */
#include "sim.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <uthash.h>

#include "core/err.h"
#include "core/timerq.h"
#include "core/util.h"
#include "sim_pcap.h"
#include "sim_rng.h"

#define NAME_MAX_ 48

struct sim_link {
	sim *s;
	char name[NAME_MAX_];
	uint32_t realm;          /* 0 = the routed core; else this link's id (private) */
	sim_link_params p;
	sim_rng rng;
	sim_pcap *pcap;
	sim_iface *gw;
	sim_link *next;
};

/* One address-to-interface route (host address or prefix). */
typedef struct route_key {
	uint32_t realm;
	uint8_t family;
	uint8_t ip[16];
} route_key;

typedef struct route {
	route_key key;
	uint8_t plen;            /* 0: host route in the hash; else in the prefix list */
	sim_iface *ifc;
	UT_hash_handle hh;
	struct route *next_prefix;
} route;

#define IFACE_MAX_ADDRS 8

struct sim_iface {
	sim_node *node;
	sim_link *link;
	char name[NAME_MAX_];
	route *addrs[IFACE_MAX_ADDRS];
	unsigned n_addrs;
	sim_iface *next;
};

struct sim_node {
	sim *s;
	char name[NAME_MAX_];
	sim_node_ops ops;
	void *ctx;
	ds_timer tm;
	sim_iface *ifaces;
	sim_node *next;
};

enum ev_kind { EV_CALL = 1, EV_ARRIVE_IFACE, EV_ARRIVE_GW, EV_ARRIVE_CORE };

typedef struct sim_ev {
	ds_time when;
	uint64_t seq;
	uint8_t kind;
	sim_fn fn;               /* EV_CALL */
	void *ctx;
	sim_node *kick;          /* EV_CALL from sim_node_at: re-read its timeout afterwards */
	sim_link *link;          /* link just crossed */
	sim_iface *to;
	ds_pkt pkt;              /* data points into buf */
	uint8_t buf[];
} sim_ev;

struct sim {
	ds_time now;
	uint64_t seed, seq;
	uint32_t next_realm;
	sim_trace *trace;
	sim_stats st;
	sim_ev **heap;
	size_t n_ev, cap_ev;
	ds_timerq tq;
	route *hosts;            /* uthash by route_key */
	route *prefixes;         /* short list: pools routed to a node */
	sim_node *nodes;
	sim_link *links;
	char *pcap_dir;
	sim_tap_fn tap;
	void *tap_ctx;
};

/* ---- event heap ordered by (when, seq) ---- */

static bool ev_before(const sim_ev *a, const sim_ev *b)
{
	return a->when < b->when || (a->when == b->when && a->seq < b->seq);
}

static void heap_push(sim *s, sim_ev *e)
{
	if (s->n_ev == s->cap_ev) {
		size_t nc = s->cap_ev ? s->cap_ev * 2 : 1024;
		sim_ev **nh = realloc(s->heap, nc * sizeof *nh);
		if (!nh) {
			/* out of memory in a test harness: there is no sane way to continue */
			fputs("sim: out of memory\n", stderr);
			abort();
		}
		s->heap = nh;
		s->cap_ev = nc;
	}
	size_t i = s->n_ev++;
	while (i > 0) {
		size_t p = (i - 1) / 2;
		if (!ev_before(e, s->heap[p]))
			break;
		s->heap[i] = s->heap[p];
		i = p;
	}
	s->heap[i] = e;
}

static sim_ev *heap_pop(sim *s)
{
	sim_ev *top = s->heap[0];
	sim_ev *last = s->heap[--s->n_ev];
	size_t i = 0, n = s->n_ev;
	for (;;) {
		size_t c = 2 * i + 1;
		if (c >= n)
			break;
		if (c + 1 < n && ev_before(s->heap[c + 1], s->heap[c]))
			c++;
		if (!ev_before(s->heap[c], last))
			break;
		s->heap[i] = s->heap[c];
		i = c;
	}
	if (n)
		s->heap[i] = last;
	return top;
}

static sim_ev *ev_new(sim *s, ds_time when, uint8_t kind, size_t data_len)
{
	sim_ev *e = calloc(1, sizeof *e + data_len);
	if (!e) {
		fputs("sim: out of memory\n", stderr);
		abort();
	}
	e->when = when < s->now ? s->now : when;
	e->seq = s->seq++;
	e->kind = kind;
	return e;
}

/* ---- basics ---- */

sim *sim_new(uint64_t seed)
{
	sim *s = calloc(1, sizeof *s);
	if (!s)
		return NULL;
	s->seed = seed;
	s->next_realm = 1;
	s->trace = sim_trace_new();
	if (!s->trace) {
		free(s);
		return NULL;
	}
	ds_timerq_init(&s->tq);
	sim_tracef(s, "sim start seed=%" PRIu64, seed);
	return s;
}

void sim_free(sim *s)
{
	if (!s)
		return;
	while (s->n_ev)
		free(heap_pop(s));
	free(s->heap);
	/* ds_timerq_free clears the slots of still-armed timers, which live in the nodes */
	ds_timerq_free(&s->tq);
	route *r, *tmp;
	HASH_ITER(hh, s->hosts, r, tmp) {
		HASH_DEL(s->hosts, r);
		free(r);
	}
	while (s->prefixes) {
		r = s->prefixes;
		s->prefixes = r->next_prefix;
		free(r);
	}
	while (s->nodes) {
		sim_node *n = s->nodes;
		s->nodes = n->next;
		while (n->ifaces) {
			sim_iface *i = n->ifaces;
			n->ifaces = i->next;
			free(i);
		}
		free(n);
	}
	while (s->links) {
		sim_link *l = s->links;
		s->links = l->next;
		sim_pcap_close(l->pcap);
		free(l);
	}
	sim_trace_free(s->trace);
	free(s->pcap_dir);
	free(s);
}

ds_time sim_now(const sim *s) { return s->now; }
uint64_t sim_seed(const sim *s) { return s->seed; }
sim_trace *sim_trace_get(sim *s) { return s->trace; }
const sim_stats *sim_stats_get(const sim *s) { return &s->st; }

void sim_tracef(sim *s, const char *fmt, ...)
{
	char msg[400];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	sim_trace_line(s->trace, s->now, "%s", msg);
}

int sim_pcap_dir(sim *s, const char *dir)
{
	if (mkdir(dir, 0755) != 0 && errno != EEXIST)
		return DS_E_IO;
	free(s->pcap_dir);
	s->pcap_dir = strdup(dir);
	return s->pcap_dir ? DS_OK : DS_E_NOMEM;
}

void sim_set_tap(sim *s, sim_tap_fn fn, void *ctx)
{
	s->tap = fn;
	s->tap_ctx = ctx;
}

/* ---- links, nodes, interfaces ---- */

static void copy_name(char *dst, const char *src)
{
	snprintf(dst, NAME_MAX_, "%s", src ? src : "?");
}

sim_link *sim_link_new(sim *s, const char *name, const sim_link_params *p)
{
	sim_link *l = calloc(1, sizeof *l);
	if (!l)
		return NULL;
	l->s = s;
	copy_name(l->name, name);
	l->p = *p;
	sim_rng_seed(&l->rng, s->seed, sim_hash_str(l->name));
	if (s->pcap_dir) {
		char path[512];
		snprintf(path, sizeof path, "%s/%s.pcap", s->pcap_dir, l->name);
		l->pcap = sim_pcap_open(path);
	}
	l->next = s->links;
	s->links = l;
	return l;
}

void sim_link_set_params(sim_link *l, const sim_link_params *p)
{
	l->p = *p;
	sim_tracef(l->s, "link %s params delay=%" PRIu64 " jitter=%" PRIu64 " loss=%u dup=%u reorder=%u",
		   l->name, p->delay, p->jitter, p->loss_ppm, p->dup_ppm, p->reorder_ppm);
}

const char *sim_link_name(const sim_link *l) { return l->name; }

void sim_link_set_gateway(sim_link *l, sim_iface *gw)
{
	l->gw = gw;
	l->realm = gw ? l->s->next_realm++ : 0;
}

sim_node *sim_node_new(sim *s, const char *name, const sim_node_ops *ops, void *ctx)
{
	sim_node *n = calloc(1, sizeof *n);
	if (!n)
		return NULL;
	n->s = s;
	copy_name(n->name, name);
	if (ops)
		n->ops = *ops;
	n->ctx = ctx;
	n->next = s->nodes;
	s->nodes = n;
	return n;
}

const char *sim_node_name(const sim_node *n) { return n->name; }
sim *sim_node_sim(const sim_node *n) { return n->s; }

void sim_node_kick(sim_node *n)
{
	ds_time t = n->ops.next_timeout ? n->ops.next_timeout(n->ctx) : DS_TIME_NEVER;
	if (t == DS_TIME_NEVER || !n->ops.on_timer) {
		ds_timerq_cancel(&n->s->tq, &n->tm);
		return;
	}
	if (t < n->s->now)
		t = n->s->now;
	if (ds_timerq_arm(&n->s->tq, &n->tm, t) != DS_OK) {
		fputs("sim: out of memory\n", stderr);
		abort();
	}
}

sim_iface *sim_iface_new(sim_node *n, const char *name, sim_link *l)
{
	sim_iface *i = calloc(1, sizeof *i);
	if (!i)
		return NULL;
	i->node = n;
	i->link = l;
	copy_name(i->name, name);
	/* append so that interfaces keep their creation order */
	sim_iface **pp = &n->ifaces;
	while (*pp)
		pp = &(*pp)->next;
	*pp = i;
	return i;
}

sim_node *sim_iface_node(const sim_iface *i) { return i->node; }
sim_link *sim_iface_link(const sim_iface *i) { return i->link; }
const char *sim_iface_name(const sim_iface *i) { return i->name; }

static route_key key_of(uint32_t realm, const ds_addr *a)
{
	route_key k;
	memset(&k, 0, sizeof k);
	k.realm = realm;
	k.family = a->family;
	memcpy(k.ip, a->ip, ds_addr_iplen(a));
	return k;
}

static void route_unlink(sim *s, route *r)
{
	if (r->plen == 0) {
		HASH_DEL(s->hosts, r);
	} else {
		route **pp = &s->prefixes;
		while (*pp && *pp != r)
			pp = &(*pp)->next_prefix;
		if (*pp)
			*pp = r->next_prefix;
	}
	free(r);
}

int sim_iface_add_addr(sim_iface *i, const ds_addr *a)
{
	sim *s = i->node->s;
	if (!i->link || (a->family != DS_AF_INET && a->family != DS_AF_INET6))
		return DS_E_PARAM;
	unsigned full = a->family == DS_AF_INET ? 32 : 128;
	uint8_t plen = a->plen >= full ? 0 : a->plen;
	if (i->n_addrs == IFACE_MAX_ADDRS)
		return DS_E_EXHAUSTED;
	route_key k = key_of(i->link->realm, a);
	if (plen == 0) {
		route *old = NULL;
		HASH_FIND(hh, s->hosts, &k, sizeof k, old);
		if (old)
			return DS_E_EXISTS;
	}
	route *r = calloc(1, sizeof *r);
	if (!r)
		return DS_E_NOMEM;
	r->key = k;
	r->plen = plen;
	r->ifc = i;
	if (plen == 0) {
		HASH_ADD(hh, s->hosts, key, sizeof r->key, r);
	} else {
		r->next_prefix = s->prefixes;
		s->prefixes = r;
	}
	i->addrs[i->n_addrs++] = r;
	char b[DS_ADDR_STRLEN];
	ds_addr shown = *a;
	shown.port = 0;
	sim_tracef(s, "addr add %s/%s %s", i->node->name, i->name, ds_addr_fmt(&shown, b, sizeof b));
	return DS_OK;
}

static bool route_matches(const route *r, const ds_addr *a)
{
	if (r->key.family != a->family)
		return false;
	if (r->plen == 0)
		return memcmp(r->key.ip, a->ip, ds_addr_iplen(a)) == 0;
	ds_addr p;
	memset(&p, 0, sizeof p);
	p.family = r->key.family;
	memcpy(p.ip, r->key.ip, sizeof p.ip);
	return ds_addr_in_prefix(a, &p, r->plen);
}

int sim_iface_del_addr(sim_iface *i, const ds_addr *a)
{
	for (unsigned k = 0; k < i->n_addrs; k++) {
		route *r = i->addrs[k];
		unsigned full = a->family == DS_AF_INET ? 32 : 128;
		uint8_t plen = a->plen >= full ? 0 : a->plen;
		if (r->plen != plen || !route_matches(r, a))
			continue;
		char b[DS_ADDR_STRLEN];
		ds_addr shown = *a;
		shown.port = 0;
		sim_tracef(i->node->s, "addr del %s/%s %s", i->node->name, i->name,
			   ds_addr_fmt(&shown, b, sizeof b));
		route_unlink(i->node->s, r);
		i->addrs[k] = i->addrs[--i->n_addrs];
		return DS_OK;
	}
	return DS_E_NOTFOUND;
}

void sim_iface_clear_addrs(sim_iface *i)
{
	while (i->n_addrs)
		route_unlink(i->node->s, i->addrs[--i->n_addrs]);
}

bool sim_iface_addr(const sim_iface *i, uint8_t family, ds_addr *out)
{
	for (unsigned k = 0; k < i->n_addrs; k++) {
		const route *r = i->addrs[k];
		if (r->key.family != family || r->plen != 0)
			continue;
		memset(out, 0, sizeof *out);
		out->family = family;
		memcpy(out->ip, r->key.ip, sizeof out->ip);
		return true;
	}
	return false;
}

void sim_iface_attach(sim_iface *i, sim_link *l)
{
	sim_iface_clear_addrs(i);
	i->link = l;
	sim_tracef(i->node->s, "attach %s/%s %s", i->node->name, i->name, l ? l->name : "-");
}

/* Longest match for dst among the routes of one realm. */
static sim_iface *route_lookup(sim *s, uint32_t realm, const ds_addr *dst)
{
	route_key k = key_of(realm, dst);
	route *r = NULL;
	HASH_FIND(hh, s->hosts, &k, sizeof k, r);
	if (r)
		return r->ifc;
	route *best = NULL;
	for (route *p = s->prefixes; p; p = p->next_prefix)
		if (p->key.realm == realm && route_matches(p, dst) && (!best || p->plen > best->plen))
			best = p;
	return best ? best->ifc : NULL;
}

/* ---- packets ---- */

static const char *kind_name(uint8_t k)
{
	return k == DS_PKT_UDP ? "UDP" : k == DS_PKT_IP ? "IP" : k == DS_PKT_TUN ? "TUN" : "?";
}

static void trace_pkt(sim *s, const char *what, const char *where, const ds_pkt *p)
{
	char a[DS_ADDR_STRLEN], b[DS_ADDR_STRLEN];
	sim_trace_line(s->trace, s->now, "%s %s %s %s > %s len=%zu", what, where, kind_name(p->kind),
		       ds_addr_fmt(&p->src, a, sizeof a), ds_addr_fmt(&p->dst, b, sizeof b), p->len);
}

static bool link_carries(const sim_link *l, uint8_t family)
{
	return family == DS_AF_INET ? l->p.v4 : family == DS_AF_INET6 ? l->p.v6 : false;
}

/* Put a copy of pkt on link l towards `to` (kind tells what happens at the far end). */
static void traverse(sim *s, sim_link *l, uint8_t kind, sim_iface *to, const ds_pkt *pkt)
{
	if (!link_carries(l, pkt->dst.family)) {
		s->st.wrong_family++;
		trace_pkt(s, "drop-family", l->name, pkt);
		return;
	}
	if (sim_rng_ppm(&l->rng, l->p.loss_ppm)) {
		s->st.lost++;
		trace_pkt(s, "lost", l->name, pkt);
		return;
	}
	unsigned copies = 1;
	if (sim_rng_ppm(&l->rng, l->p.dup_ppm)) {
		copies = 2;
		s->st.duplicated++;
		trace_pkt(s, "dup", l->name, pkt);
	}
	for (unsigned c = 0; c < copies; c++) {
		ds_time d = l->p.delay;
		if (l->p.jitter)
			d += sim_rng_below(&l->rng, l->p.jitter + 1);
		if (sim_rng_ppm(&l->rng, l->p.reorder_ppm)) {
			d += l->p.reorder_extra ? l->p.reorder_extra : 2 * l->p.delay + 5;
			s->st.reordered++;
			trace_pkt(s, "hold", l->name, pkt);
		}
		sim_ev *e = ev_new(s, s->now + d, kind, pkt->len);
		e->link = l;
		e->to = to;
		e->pkt = *pkt;
		memcpy(e->buf, pkt->data, pkt->len);
		e->pkt.data = e->buf;
		heap_push(s, e);
	}
}

void sim_send(sim_iface *i, const ds_pkt *pkt)
{
	sim *s = i->node->s;
	char where[2 * NAME_MAX_ + 2];
	snprintf(where, sizeof where, "%s/%s", i->node->name, i->name);
	if ((pkt->kind != DS_PKT_UDP && pkt->kind != DS_PKT_IP) || pkt->len == 0 ||
	    pkt->len > DS_PKT_MAX) {
		s->st.bad_kind++;
		trace_pkt(s, "drop-kind", where, pkt);
		return;
	}
	s->st.sent++;
	trace_pkt(s, "tx", where, pkt);
	sim_link *l = i->link;
	if (!l) {
		s->st.no_route++;
		trace_pkt(s, "drop-nolink", where, pkt);
		return;
	}
	sim_iface *d = route_lookup(s, l->realm, &pkt->dst);
	if (d && d->link == l)
		traverse(s, l, EV_ARRIVE_IFACE, d, pkt);
	else if (l->gw)
		traverse(s, l, EV_ARRIVE_GW, l->gw, pkt);
	else
		traverse(s, l, EV_ARRIVE_CORE, NULL, pkt);
}

static void deliver(sim *s, sim_ev *e)
{
	char where[2 * NAME_MAX_ + 2];
	if (e->link->pcap)
		sim_pcap_write(e->link->pcap, s->now, &e->pkt);
	if (s->tap)
		s->tap(s->tap_ctx, e->link, &e->pkt, s->now);
	if (e->kind == EV_ARRIVE_CORE) {
		sim_iface *d = route_lookup(s, 0, &e->pkt.dst);
		if (!d || !d->link) {
			s->st.no_route++;
			trace_pkt(s, "drop-noroute", e->link->name, &e->pkt);
			return;
		}
		trace_pkt(s, "fwd", e->link->name, &e->pkt);
		traverse(s, d->link, EV_ARRIVE_IFACE, d, &e->pkt);
		return;
	}
	sim_iface *to = e->to;
	snprintf(where, sizeof where, "%s/%s", to->node->name, to->name);
	/* the receiver may have moved or lost the address while the packet was in flight */
	if (to->link != e->link ||
	    (e->kind == EV_ARRIVE_IFACE && route_lookup(s, e->link->realm, &e->pkt.dst) != to)) {
		s->st.no_route++;
		trace_pkt(s, "drop-gone", where, &e->pkt);
		return;
	}
	s->st.delivered++;
	trace_pkt(s, "rx", where, &e->pkt);
	sim_node *n = to->node;
	if (n->ops.recv)
		n->ops.recv(n->ctx, to, &e->pkt, s->now);
	sim_node_kick(n);
}

/* ---- scheduling and the main loop ---- */

void sim_at(sim *s, ds_time when, sim_fn fn, void *ctx)
{
	sim_ev *e = ev_new(s, when, EV_CALL, 0);
	e->fn = fn;
	e->ctx = ctx;
	heap_push(s, e);
}

void sim_node_at(sim_node *n, ds_time when, sim_fn fn, void *ctx)
{
	sim_ev *e = ev_new(n->s, when, EV_CALL, 0);
	e->fn = fn;
	e->ctx = ctx;
	e->kick = n;
	heap_push(n->s, e);
}

ds_time sim_next_event(const sim *s)
{
	ds_time t = s->n_ev ? s->heap[0]->when : DS_TIME_NEVER;
	ds_time tt = ds_timerq_next(&s->tq);
	return tt < t ? tt : t;
}

/* One event or one node timer; false when nothing is due by `limit`. */
static bool step(sim *s, ds_time limit)
{
	ds_time te = s->n_ev ? s->heap[0]->when : DS_TIME_NEVER;
	ds_time tt = ds_timerq_next(&s->tq);
	ds_time t = te <= tt ? te : tt;
	if (t == DS_TIME_NEVER || t > limit)
		return false;
	if (t > s->now)
		s->now = t;
	s->st.events++;
	if (te <= tt) {
		sim_ev *e = heap_pop(s);
		if (e->kind == EV_CALL) {
			e->fn(e->ctx, s->now);
			if (e->kick)
				sim_node_kick(e->kick);
		} else {
			deliver(s, e);
		}
		free(e);
		return true;
	}
	ds_timer *tm = ds_timerq_pop_expired(&s->tq, s->now);
	sim_node *n = DS_CONTAINER_OF(tm, sim_node, tm);
	n->ops.on_timer(n->ctx, s->now);
	sim_node_kick(n);
	if (ds_timer_armed(&n->tm) && n->tm.when <= s->now) {
		/* the node says a deadline is still due right after servicing it: an engine bug;
		 * make progress instead of spinning, and leave a trace of it */
		sim_tracef(s, "timer-stall %s", n->name);
		ds_timerq_arm(&s->tq, &n->tm, s->now + 1);
	}
	return true;
}

void sim_run_until(sim *s, ds_time t)
{
	while (step(s, t))
		;
	if (t != DS_TIME_NEVER && t > s->now)
		s->now = t;
}

bool sim_run_while(sim *s, ds_time limit, bool (*done)(void *ctx), void *ctx)
{
	for (;;) {
		if (done(ctx))
			return true;
		if (!step(s, limit))
			break;
	}
	if (limit != DS_TIME_NEVER && limit > s->now)
		s->now = limit;
	return done(ctx);
}
