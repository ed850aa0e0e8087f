#include "rt/nl.h"

#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/if.h>
#include <linux/if_addr.h>
#include <linux/fib_rules.h>
#include <linux/rtnetlink.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "core/err.h"

struct ds_nl {
	struct mnl_socket *s;
	uint32_t portid;
	uint32_t seq;
};

struct ds_nl_mon {
	struct mnl_socket *s;
	ds_nl_events ev;
};

ds_nl *ds_nl_open(void)
{
	ds_nl *nl = calloc(1, sizeof *nl);
	if (!nl)
		return NULL;
	nl->s = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
	if (!nl->s || mnl_socket_bind(nl->s, 0, MNL_SOCKET_AUTOPID) < 0) {
		ds_nl_close(nl);
		return NULL;
	}
	nl->portid = mnl_socket_get_portid(nl->s);
	nl->seq = (uint32_t)time(NULL);
	return nl;
}

void ds_nl_close(ds_nl *nl)
{
	if (!nl)
		return;
	if (nl->s)
		mnl_socket_close(nl->s);
	free(nl);
}

/* Send one request and wait for its acknowledgement (or error). */
static int transact(ds_nl *nl, struct nlmsghdr *h, mnl_cb_t cb, void *data)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	h->nlmsg_seq = ++nl->seq;
	if (mnl_socket_sendto(nl->s, h, h->nlmsg_len) < 0)
		return DS_E_IO;
	for (;;) {
		ssize_t n = mnl_socket_recvfrom(nl->s, buf, sizeof buf);
		if (n < 0)
			return DS_E_IO;
		int rc = mnl_cb_run(buf, (size_t)n, h->nlmsg_seq, nl->portid, cb, data);
		if (rc == MNL_CB_ERROR)
			return DS_E_IO; /* errno holds the kernel's answer */
		if (rc == MNL_CB_STOP)
			return DS_OK;
	}
}

int ds_nl_link_up(ds_nl *nl, int ifindex, unsigned mtu)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *h = mnl_nlmsg_put_header(buf);
	h->nlmsg_type = RTM_NEWLINK;
	h->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(h, sizeof *ifi);
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = ifindex;
	ifi->ifi_flags = IFF_UP;
	ifi->ifi_change = IFF_UP;
	if (mtu)
		mnl_attr_put_u32(h, IFLA_MTU, mtu);
	return transact(nl, h, NULL, NULL);
}

int ds_nl_addr(ds_nl *nl, bool add, int ifindex, const ds_addr *a, bool nodad)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *h = mnl_nlmsg_put_header(buf);
	h->nlmsg_type = add ? RTM_NEWADDR : RTM_DELADDR;
	h->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | (add ? NLM_F_CREATE | NLM_F_REPLACE : 0);
	struct ifaddrmsg *ifa = mnl_nlmsg_put_extra_header(h, sizeof *ifa);
	ifa->ifa_family = a->family == DS_AF_INET ? AF_INET : AF_INET6;
	ifa->ifa_prefixlen = a->plen ? a->plen : (a->family == DS_AF_INET ? 32 : 128);
	ifa->ifa_index = (unsigned)ifindex;
	ifa->ifa_scope = RT_SCOPE_UNIVERSE;
	if (nodad && a->family == DS_AF_INET6)
		ifa->ifa_flags = IFA_F_NODAD;
	mnl_attr_put(h, IFA_LOCAL, ds_addr_iplen(a), a->ip);
	mnl_attr_put(h, IFA_ADDRESS, ds_addr_iplen(a), a->ip);
	int rc = transact(nl, h, NULL, NULL);
	if (rc != DS_OK && !add && errno == EADDRNOTAVAIL)
		return DS_E_NOTFOUND;
	return rc;
}

int ds_nl_route(ds_nl *nl, bool add, int ifindex, const ds_addr *prefix, const ds_addr *gw,
		uint32_t metric, uint32_t table)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *h = mnl_nlmsg_put_header(buf);
	h->nlmsg_type = add ? RTM_NEWROUTE : RTM_DELROUTE;
	h->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | (add ? NLM_F_CREATE | NLM_F_REPLACE : 0);
	struct rtmsg *rt = mnl_nlmsg_put_extra_header(h, sizeof *rt);
	rt->rtm_family = prefix->family == DS_AF_INET ? AF_INET : AF_INET6;
	rt->rtm_dst_len = prefix->plen;
	rt->rtm_table = table && table < 256 ? (uint8_t)table : RT_TABLE_MAIN;
	rt->rtm_protocol = RTPROT_STATIC;
	rt->rtm_scope = gw ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK;
	rt->rtm_type = RTN_UNICAST;
	if (prefix->plen)
		mnl_attr_put(h, RTA_DST, ds_addr_iplen(prefix), prefix->ip);
	if (gw)
		mnl_attr_put(h, RTA_GATEWAY, ds_addr_iplen(gw), gw->ip);
	mnl_attr_put_u32(h, RTA_OIF, (uint32_t)ifindex);
	if (metric)
		mnl_attr_put_u32(h, RTA_PRIORITY, metric);
	if (table)
		mnl_attr_put_u32(h, RTA_TABLE, table);
	return transact(nl, h, NULL, NULL);
}

int ds_nl_rule(ds_nl *nl, bool add, const ds_addr *src, uint32_t table, uint32_t prio)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *h = mnl_nlmsg_put_header(buf);
	h->nlmsg_type = add ? RTM_NEWRULE : RTM_DELRULE;
	h->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | (add ? NLM_F_CREATE | NLM_F_EXCL : 0);
	struct fib_rule_hdr *fr = mnl_nlmsg_put_extra_header(h, sizeof *fr);
	fr->family = src->family == DS_AF_INET ? AF_INET : AF_INET6;
	fr->src_len = src->plen ? src->plen : (uint8_t)(8 * ds_addr_iplen(src));
	fr->action = FR_ACT_TO_TBL;
	fr->table = table < 256 ? (uint8_t)table : RT_TABLE_UNSPEC;
	mnl_attr_put(h, FRA_SRC, ds_addr_iplen(src), src->ip);
	mnl_attr_put_u32(h, FRA_TABLE, table);
	mnl_attr_put_u32(h, FRA_PRIORITY, prio);
	int rc = transact(nl, h, NULL, NULL);
	if (rc != DS_OK && add && errno == EEXIST)
		return DS_OK; /* left by an earlier run: same meaning */
	return rc;
}

/* ---- parsing of link / address messages (dump answers and monitor events) ---- */

static int link_attr_cb(const struct nlattr *a, void *data)
{
	const struct nlattr **tb = data;
	if (mnl_attr_type_valid(a, IFLA_MAX) > 0)
		tb[mnl_attr_get_type(a)] = a;
	return MNL_CB_OK;
}

static int addr_attr_cb(const struct nlattr *a, void *data)
{
	const struct nlattr **tb = data;
	if (mnl_attr_type_valid(a, IFA_MAX) > 0)
		tb[mnl_attr_get_type(a)] = a;
	return MNL_CB_OK;
}

static void on_link(const struct nlmsghdr *h, const ds_nl_events *ev)
{
	const struct nlattr *tb[IFLA_MAX + 1];
	memset(tb, 0, sizeof tb);
	struct ifinfomsg *ifi = mnl_nlmsg_get_payload(h);
	if (mnl_attr_parse(h, sizeof *ifi, link_attr_cb, tb) < 0)
		return;
	const char *name = tb[IFLA_IFNAME] ? mnl_attr_get_str(tb[IFLA_IFNAME]) : "";
	bool up = (ifi->ifi_flags & IFF_UP) && (ifi->ifi_flags & IFF_LOWER_UP);
	if (ev->link)
		ev->link(ev->ctx, ifi->ifi_index, name, up, h->nlmsg_type == RTM_DELLINK);
}

static void on_addr(const struct nlmsghdr *h, const ds_nl_events *ev)
{
	const struct nlattr *tb[IFA_MAX + 1];
	memset(tb, 0, sizeof tb);
	struct ifaddrmsg *ifa = mnl_nlmsg_get_payload(h);
	if (mnl_attr_parse(h, sizeof *ifa, addr_attr_cb, tb) < 0)
		return;
	/* IFA_LOCAL is the address on point-to-point links, IFA_ADDRESS otherwise */
	const struct nlattr *at = tb[IFA_LOCAL] ? tb[IFA_LOCAL] : tb[IFA_ADDRESS];
	if (!at)
		return;
	ds_addr a;
	if (ifa->ifa_family == AF_INET6 && mnl_attr_get_payload_len(at) == 16)
		a = ds_addr6(mnl_attr_get_payload(at), 0);
	else if (ifa->ifa_family == AF_INET && mnl_attr_get_payload_len(at) == 4)
		a = ds_addr4(mnl_attr_get_payload(at), 0);
	else
		return;
	a.plen = ifa->ifa_prefixlen;
	uint32_t flags = ifa->ifa_flags;
	if (tb[IFA_FLAGS] && mnl_attr_get_payload_len(tb[IFA_FLAGS]) == 4)
		flags = mnl_attr_get_u32(tb[IFA_FLAGS]);
	if (ev->addr)
		ev->addr(ev->ctx, (int)ifa->ifa_index, h->nlmsg_type == RTM_NEWADDR, &a, flags);
}

static int event_cb(const struct nlmsghdr *h, void *data)
{
	const ds_nl_events *ev = data;
	switch (h->nlmsg_type) {
	case RTM_NEWLINK:
	case RTM_DELLINK:
		on_link(h, ev);
		break;
	case RTM_NEWADDR:
	case RTM_DELADDR:
		on_addr(h, ev);
		break;
	default:
		break;
	}
	return MNL_CB_OK;
}

static int dump(ds_nl *nl, uint16_t type, const ds_nl_events *ev)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *h = mnl_nlmsg_put_header(buf);
	h->nlmsg_type = type;
	h->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	struct rtgenmsg *g = mnl_nlmsg_put_extra_header(h, sizeof *g);
	g->rtgen_family = AF_UNSPEC;
	return transact(nl, h, event_cb, (void *)ev);
}

int ds_nl_dump(ds_nl *nl, const ds_nl_events *ev)
{
	int rc = dump(nl, RTM_GETLINK, ev);
	return rc == DS_OK ? dump(nl, RTM_GETADDR, ev) : rc;
}

ds_nl_mon *ds_nl_mon_open(const ds_nl_events *ev)
{
	ds_nl_mon *m = calloc(1, sizeof *m);
	if (!m)
		return NULL;
	m->ev = *ev;
	m->s = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC | SOCK_NONBLOCK);
	if (!m->s ||
	    mnl_socket_bind(m->s, RTMGRP_LINK | RTMGRP_IPV4_IFADDR | RTMGRP_IPV6_IFADDR,
			    MNL_SOCKET_AUTOPID) < 0) {
		ds_nl_mon_close(m);
		return NULL;
	}
	return m;
}

int ds_nl_mon_fd(const ds_nl_mon *m)
{
	return mnl_socket_get_fd(m->s);
}

int ds_nl_mon_read(ds_nl_mon *m)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	for (;;) {
		ssize_t n = mnl_socket_recvfrom(m->s, buf, sizeof buf);
		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return DS_OK;
			if (errno == ENOBUFS)
				return DS_E_OVERRUN;
			return DS_E_IO;
		}
		mnl_cb_run(buf, (size_t)n, 0, 0, event_cb, &m->ev);
	}
}

void ds_nl_mon_close(ds_nl_mon *m)
{
	if (!m)
		return;
	if (m->s)
		mnl_socket_close(m->s);
	free(m);
}
