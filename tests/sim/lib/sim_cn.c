#include "sim_cn.h"

#include <stdlib.h>

#include "core/err.h"
#include "sim_ippkt.h"

struct sim_cn {
	sim *s;
	sim_node *node;
	sim_iface *ifc;
	sim_cn_stats st;
};

static void cn_recv(void *ctx, sim_iface *ifc, const ds_pkt *pkt, ds_time now)
{
	sim_cn *c = ctx;
	sim_ip_udp u;
	c->st.rx++;
	if (pkt->kind != DS_PKT_IP || sim_ip_udp_parse(pkt->data, pkt->len, &u) != DS_OK) {
		c->st.drop_malformed++;
		sim_tracef(c->s, "cn %s drop-malformed", sim_node_name(c->node));
		return;
	}
	uint8_t out[DS_PKT_MAX];
	size_t n = sim_ip_udp_build(out, sizeof out, &u.dst, &u.src, u.payload, u.len);
	if (!n) {
		c->st.drop_malformed++;
		return;
	}
	ds_pkt o = { .kind = DS_PKT_IP, .src = u.dst, .dst = u.src, .data = out, .len = n };
	o.src.port = o.dst.port = 0;
	c->st.echoed++;
	sim_send(ifc, &o);
}

sim_cn *sim_cn_new(sim *s, const char *name, sim_link *l, const ds_addr *a6, const ds_addr *a4)
{
	sim_cn *c = calloc(1, sizeof *c);
	if (!c)
		return NULL;
	c->s = s;
	static const sim_node_ops ops = { .recv = cn_recv };
	c->node = sim_node_new(s, name, &ops, c);
	c->ifc = c->node ? sim_iface_new(c->node, "pdn", l) : NULL;
	if (!c->ifc) {
		free(c);
		return NULL;
	}
	if ((a6 && a6->family && sim_iface_add_addr(c->ifc, a6) != DS_OK) ||
	    (a4 && a4->family && sim_iface_add_addr(c->ifc, a4) != DS_OK)) {
		free(c);
		return NULL;
	}
	return c;
}

void sim_cn_free(sim_cn *c) { free(c); }
const sim_cn_stats *sim_cn_stats_get(const sim_cn *c) { return &c->st; }
