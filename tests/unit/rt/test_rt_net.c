/* TUN and rtnetlink in a private network namespace: the device is created quiet (no IPv6
 * link-local), brought up, given addresses, routes in a policy table and a source rule, and the
 * dump and the event monitor report what was done. Needs CAP_SYS_ADMIN + CAP_NET_ADMIN (root):
 * skipped otherwise. The namespace is private to this process, so the host is never touched. */
#include <errno.h>
#include <linux/if_addr.h>
#include <poll.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/err.h"
#include "rt/nl.h"
#include "rt/tun.h"

typedef struct seen {
	int tun_ifindex;
	bool tun_up;
	int addrs6, addrs4, linklocal, removed;
	ds_addr last;
} seen;

static void on_link(void *ctx, int ifindex, const char *name, bool up, bool gone)
{
	seen *s = ctx;
	if (ifindex == s->tun_ifindex)
		s->tun_up = up && !gone;
}

static void on_addr(void *ctx, int ifindex, bool add, const ds_addr *a, uint32_t flags)
{
	seen *s = ctx;
	if (ifindex != s->tun_ifindex)
		return;
	if (!add) {
		s->removed++;
		return;
	}
	s->last = *a;
	if (a->family == DS_AF_INET6 && a->ip[0] == 0xfe && (a->ip[1] & 0xc0) == 0x80)
		s->linklocal++;
	else if (a->family == DS_AF_INET6)
		s->addrs6++;
	else
		s->addrs4++;
}

static int private_netns(void **state)
{
	if (unshare(CLONE_NEWNET) != 0)
		return 0; /* not root: the tests skip */
	*state = (void *)1;
	/* loopback of the new namespace, for completeness */
	return 0;
}

static ds_addr addr(const char *s)
{
	ds_addr a;
	assert_int_equal(ds_addr_parse(s, &a), 0);
	return a;
}

static void test_tun_netlink(void **state)
{
	if (!*state)
		skip();
	char name[IF_NAMESIZE];
	int ifindex = 0;
	int fd = ds_tun_open("dstest0", name, &ifindex);
	assert_true(fd >= 0);
	assert_string_equal(name, "dstest0");
	assert_true(ifindex > 0);
	assert_int_equal(ds_tun_quiet(name), DS_OK);

	seen s = { .tun_ifindex = ifindex };
	ds_nl_events ev = { .ctx = &s, .link = on_link, .addr = on_addr };
	ds_nl_mon *mon = ds_nl_mon_open(&ev);
	assert_non_null(mon);
	ds_nl *nl = ds_nl_open();
	assert_non_null(nl);

	assert_int_equal(ds_nl_link_up(nl, ifindex, 1400), DS_OK);
	ds_addr hoa = addr("2001:db8:100:1::1/128");
	ds_addr hoa4 = addr("198.51.100.20/32");
	assert_int_equal(ds_nl_addr(nl, true, ifindex, &hoa, true), DS_OK);
	assert_int_equal(ds_nl_addr(nl, true, ifindex, &hoa4, false), DS_OK);
	ds_addr def6 = { .family = DS_AF_INET6 }, def4 = { .family = DS_AF_INET };
	assert_int_equal(ds_nl_route(nl, true, ifindex, &def6, NULL, 0, 200), DS_OK);
	assert_int_equal(ds_nl_route(nl, true, ifindex, &def4, NULL, 0, 200), DS_OK);
	assert_int_equal(ds_nl_rule(nl, true, &hoa, 200, 1000), DS_OK);
	assert_int_equal(ds_nl_rule(nl, true, &hoa, 200, 1000), DS_OK); /* exists: same meaning */
	assert_int_equal(ds_nl_rule(nl, true, &hoa4, 200, 1000), DS_OK);
	ds_addr pool = addr("2001:db8:100::/48");
	assert_int_equal(ds_nl_route(nl, true, ifindex, &pool, NULL, 0, 0), DS_OK);

	/* the monitor saw the link come up and both addresses (events may come in several
	 * batches on a busy machine: read until all are there or 5 s have passed) */
	struct pollfd p = { .fd = ds_nl_mon_fd(mon), .events = POLLIN };
	for (int i = 0; i < 50 && !(s.tun_up && s.addrs6 && s.addrs4); i++)
		if (poll(&p, 1, 100) == 1)
			assert_int_equal(ds_nl_mon_read(mon), DS_OK);
	assert_true(s.tun_up);
	assert_true(s.addrs6 >= 1); /* a later state change of the same address is reported too */
	assert_int_equal(s.addrs4, 1);
	assert_int_equal(s.linklocal, 0); /* quiet: no IPv6 link-local address */

	/* a fresh dump reports the same picture */
	seen d = { .tun_ifindex = ifindex };
	ds_nl_events dev = { .ctx = &d, .link = on_link, .addr = on_addr };
	assert_int_equal(ds_nl_dump(nl, &dev), DS_OK);
	assert_true(d.tun_up);
	assert_int_equal(d.addrs6, 1);
	assert_int_equal(d.addrs4, 1);

	/* removal, and removing twice reports not found */
	assert_int_equal(ds_nl_rule(nl, false, &hoa, 200, 1000), DS_OK);
	assert_int_equal(ds_nl_addr(nl, false, ifindex, &hoa, true), DS_OK);
	assert_int_equal(ds_nl_addr(nl, false, ifindex, &hoa, true), DS_E_NOTFOUND);
	for (int i = 0; i < 50 && !s.removed; i++)
		if (poll(&p, 1, 100) == 1)
			assert_int_equal(ds_nl_mon_read(mon), DS_OK);
	assert_int_equal(s.removed, 1);

	/* a packet written to the TUN is an IPv6 packet from the kernel's point of view; reading
	 * with nothing queued reports no data rather than blocking */
	uint8_t buf[64];
	size_t n;
	assert_int_equal(ds_tun_read(fd, buf, sizeof buf, &n), DS_E_IO);

	ds_nl_close(nl);
	ds_nl_mon_close(mon);
	close(fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tun_netlink),
	};
	return cmocka_run_group_tests(tests, private_netns, NULL);
}
