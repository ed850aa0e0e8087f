#include "sim_nat.h"

#include <stdlib.h>
#include <string.h>

#include <uthash.h>

#include "core/err.h"

/* Private side key: (inside endpoint, remote endpoint) -- endpoint-dependent mapping. */
typedef struct priv_key {
	uint8_t in_ip[4], rem_ip[4];
	uint16_t in_port, rem_port;
} priv_key;

/* Public side key: (public port, remote endpoint) -- endpoint-dependent filtering. */
typedef struct pub_key {
	uint8_t rem_ip[4];
	uint16_t pub_port, rem_port;
} pub_key;

typedef struct mapping {
	priv_key pk;
	pub_key uk;
	ds_time expires;
	UT_hash_handle hh_priv, hh_pub;
} mapping;

struct sim_nat {
	sim *s;
	sim_node *node;
	sim_iface *in, *out;
	sim_nat_config cfg;
	mapping *by_priv, *by_pub;
	uint8_t used[65536 / 8];   /* public ports in use */
	uint16_t next_port;
	ds_time last_sweep;
	sim_nat_stats st;
};

static void port_set(sim_nat *n, uint16_t p, bool on)
{
	if (on)
		n->used[p / 8] |= (uint8_t)(1u << (p % 8));
	else
		n->used[p / 8] &= (uint8_t)~(1u << (p % 8));
}

static bool port_used(const sim_nat *n, uint16_t p) { return n->used[p / 8] & (1u << (p % 8)); }

static void map_del(sim_nat *n, mapping *m)
{
	HASH_DELETE(hh_priv, n->by_priv, m);
	HASH_DELETE(hh_pub, n->by_pub, m);
	port_set(n, m->uk.pub_port, false);
	n->st.active--;
	free(m);
}

static void sweep(sim_nat *n, ds_time now)
{
	mapping *m, *tmp;
	HASH_ITER(hh_priv, n->by_priv, m, tmp) {
		if (m->expires <= now) {
			n->st.mappings_expired++;
			map_del(n, m);
		}
	}
	n->last_sweep = now;
}

static char *fmt(const ds_addr *a, char *b) { return ds_addr_fmt(a, b, DS_ADDR_STRLEN); }

static void from_inside(sim_nat *n, const ds_pkt *pkt, ds_time now)
{
	if (pkt->kind != DS_PKT_UDP || pkt->src.family != DS_AF_INET ||
	    pkt->dst.family != DS_AF_INET) {
		n->st.drop_proto++;
		sim_tracef(n->s, "nat %s drop-proto kind=%u", sim_node_name(n->node), pkt->kind);
		return;
	}
	if (now - n->last_sweep >= n->cfg.idle_timeout)
		sweep(n, now);
	priv_key pk;
	memset(&pk, 0, sizeof pk);
	memcpy(pk.in_ip, pkt->src.ip, 4);
	memcpy(pk.rem_ip, pkt->dst.ip, 4);
	pk.in_port = pkt->src.port;
	pk.rem_port = pkt->dst.port;
	mapping *m = NULL;
	HASH_FIND(hh_priv, n->by_priv, &pk, sizeof pk, m);
	if (m && m->expires <= now) {
		n->st.mappings_expired++;
		map_del(n, m);
		m = NULL;
	}
	char a[DS_ADDR_STRLEN], b[DS_ADDR_STRLEN], c[DS_ADDR_STRLEN];
	if (!m) {
		uint16_t p = n->next_port;
		unsigned tries = 0;
		while (port_used(n, p) && tries++ < 65536u - 1024u)
			p = p == 65535 ? 1024 : (uint16_t)(p + 1);
		if (port_used(n, p)) {
			n->st.drop_ports++;
			return;
		}
		n->next_port = p == 65535 ? 1024 : (uint16_t)(p + 1);
		m = calloc(1, sizeof *m);
		if (!m) {
			n->st.drop_ports++;
			return;
		}
		m->pk = pk;
		memcpy(m->uk.rem_ip, pk.rem_ip, 4);
		m->uk.rem_port = pk.rem_port;
		m->uk.pub_port = p;
		HASH_ADD(hh_priv, n->by_priv, pk, sizeof m->pk, m);
		HASH_ADD(hh_pub, n->by_pub, uk, sizeof m->uk, m);
		port_set(n, p, true);
		n->st.mappings_created++;
		n->st.active++;
		ds_addr pub = n->cfg.outside;
		pub.port = p;
		sim_tracef(n->s, "nat %s map %s -> %s for %s", sim_node_name(n->node),
			   fmt(&pkt->src, a), fmt(&pub, b), fmt(&pkt->dst, c));
	}
	m->expires = now + n->cfg.idle_timeout;
	ds_pkt o = *pkt;
	o.src = n->cfg.outside;
	o.src.port = m->uk.pub_port;
	n->st.out_translated++;
	sim_send(n->out, &o);
}

static void from_outside(sim_nat *n, const ds_pkt *pkt, ds_time now)
{
	if (pkt->kind != DS_PKT_UDP || pkt->src.family != DS_AF_INET) {
		n->st.drop_proto++;
		sim_tracef(n->s, "nat %s drop-proto-in kind=%u", sim_node_name(n->node), pkt->kind);
		return;
	}
	pub_key uk;
	memset(&uk, 0, sizeof uk);
	memcpy(uk.rem_ip, pkt->src.ip, 4);
	uk.rem_port = pkt->src.port;
	uk.pub_port = pkt->dst.port;
	mapping *m = NULL;
	HASH_FIND(hh_pub, n->by_pub, &uk, sizeof uk, m);
	if (m && m->expires <= now) {
		n->st.mappings_expired++;
		map_del(n, m);
		m = NULL;
	}
	if (!m) {
		char a[DS_ADDR_STRLEN], b[DS_ADDR_STRLEN];
		n->st.drop_filtered++;
		sim_tracef(n->s, "nat %s drop-filtered %s > %s", sim_node_name(n->node),
			   fmt(&pkt->src, a), fmt(&pkt->dst, b));
		return;
	}
	if (n->cfg.inbound_refresh)
		m->expires = now + n->cfg.idle_timeout;
	ds_pkt o = *pkt;
	o.dst = ds_addr4(m->pk.in_ip, m->pk.in_port);
	n->st.in_translated++;
	sim_send(n->in, &o);
}

static void nat_recv(void *ctx, sim_iface *ifc, const ds_pkt *pkt, ds_time now)
{
	sim_nat *n = ctx;
	if (ifc == n->in)
		from_inside(n, pkt, now);
	else
		from_outside(n, pkt, now);
}

sim_nat *sim_nat_new(sim *s, const char *name, sim_link *priv, sim_link *pub,
		     const sim_nat_config *cfg)
{
	if (cfg->inside.family != DS_AF_INET || cfg->outside.family != DS_AF_INET)
		return NULL;
	sim_nat *n = calloc(1, sizeof *n);
	if (!n)
		return NULL;
	n->s = s;
	n->cfg = *cfg;
	if (!n->cfg.idle_timeout)
		n->cfg.idle_timeout = DS_SEC(120);
	if (!n->cfg.port_base)
		n->cfg.port_base = 20000;
	n->next_port = n->cfg.port_base;
	static const sim_node_ops ops = { .recv = nat_recv };
	n->node = sim_node_new(s, name, &ops, n);
	n->in = n->node ? sim_iface_new(n->node, "in", priv) : NULL;
	n->out = n->node ? sim_iface_new(n->node, "out", pub) : NULL;
	if (!n->in || !n->out) {
		free(n);
		return NULL;
	}
	sim_link_set_gateway(priv, n->in);
	ds_addr in = cfg->inside, out = cfg->outside;
	in.port = out.port = 0;
	if (sim_iface_add_addr(n->in, &in) != DS_OK || sim_iface_add_addr(n->out, &out) != DS_OK) {
		free(n);
		return NULL;
	}
	return n;
}

void sim_nat_rebind(sim_nat *n)
{
	mapping *m, *tmp;
	HASH_ITER(hh_priv, n->by_priv, m, tmp) {
		n->st.mappings_flushed++;
		map_del(n, m);
	}
	sim_tracef(n->s, "nat %s rebind", sim_node_name(n->node));
}

void sim_nat_free(sim_nat *n)
{
	if (!n)
		return;
	mapping *m, *tmp;
	HASH_ITER(hh_priv, n->by_priv, m, tmp)
		map_del(n, m);
	free(n);   /* the node and interfaces belong to the simulator */
}

const sim_nat_stats *sim_nat_stats_get(const sim_nat *n) { return &n->st; }
sim_node *sim_nat_node(const sim_nat *n) { return n->node; }
