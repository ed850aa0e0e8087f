/* Unit tests of the network simulator itself: clock and ordering, routing, impairments, NAT,
 * DNS, correspondent node, pcap output (checked with tshark when present), determinism. */
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
#include "sim.h"
#include "sim_cn.h"
#include "sim_dns.h"
#include "sim_ippkt.h"
#include "sim_mhtap.h"
#include "wire/ip6.h"
#include "wire/ipv4.h"
#include "sim_nat.h"
#include "sim_pcap.h"
#include "sim_rng.h"

/* A probe node: records what it receives; optionally a periodic timer. */
typedef struct probe {
	sim_node *node;
	sim_iface *ifc;
	unsigned rx;
	ds_pkt last;
	uint8_t last_buf[DS_PKT_MAX];
	ds_time last_at;
	ds_time period, next;
	unsigned fired;
} probe;

static void probe_recv(void *ctx, sim_iface *ifc, const ds_pkt *pkt, ds_time now)
{
	probe *p = ctx;
	p->rx++;
	p->last = *pkt;
	memcpy(p->last_buf, pkt->data, pkt->len);
	p->last.data = p->last_buf;
	p->last_at = now;
}

static ds_time probe_next(void *ctx)
{
	probe *p = ctx;
	return p->period ? p->next : DS_TIME_NEVER;
}

static void probe_timer(void *ctx, ds_time now)
{
	probe *p = ctx;
	if (p->period && now >= p->next) {
		p->fired++;
		p->next = now + p->period;
	}
}

static const sim_node_ops probe_ops = { probe_recv, probe_next, probe_timer };

static void probe_init(probe *p, sim *s, const char *name, sim_link *l, const char *addr)
{
	memset(p, 0, sizeof *p);
	p->node = sim_node_new(s, name, &probe_ops, p);
	p->ifc = sim_iface_new(p->node, "eth0", l);
	if (addr) {
		ds_addr a;
		assert_int_equal(ds_addr_parse(addr, &a), DS_OK);
		assert_int_equal(sim_iface_add_addr(p->ifc, &a), DS_OK);
	}
}

static ds_addr A(const char *s)
{
	ds_addr a;
	assert_int_equal(ds_addr_parse(s, &a), DS_OK);
	return a;
}

static void send_udp(sim_iface *i, const char *src, const char *dst, const char *payload)
{
	ds_pkt p = { .kind = DS_PKT_UDP, .src = A(src), .dst = A(dst),
		     .data = (const uint8_t *)payload, .len = strlen(payload) };
	sim_send(i, &p);
}

static const sim_link_params clean6 = { .delay = 10, .v6 = true, .v4 = true };

/* ---- ordering ---- */

static unsigned order_log[8], order_n;
static void mark(void *ctx, ds_time now) { (void)now; order_log[order_n++] = (unsigned)(uintptr_t)ctx; }

static void test_event_order(void **st)
{
	(void)st;
	sim *s = sim_new(1);
	order_n = 0;
	sim_at(s, 20, mark, (void *)3);
	sim_at(s, 10, mark, (void *)1);
	sim_at(s, 10, mark, (void *)2);   /* same time: scheduling order */
	sim_at(s, 30, mark, (void *)4);
	sim_run_until(s, 25);
	assert_int_equal(order_n, 3);
	assert_int_equal(order_log[0], 1);
	assert_int_equal(order_log[1], 2);
	assert_int_equal(order_log[2], 3);
	assert_int_equal(sim_now(s), 25);
	assert_int_equal(sim_next_event(s), 30);
	sim_run_until(s, 100);
	assert_int_equal(order_n, 4);
	assert_int_equal(sim_next_event(s), DS_TIME_NEVER);
	sim_free(s);
}

static void test_node_timer(void **st)
{
	(void)st;
	sim *s = sim_new(1);
	sim_link *l = sim_link_new(s, "lan", &clean6);
	probe p;
	probe_init(&p, s, "n", l, NULL);
	p.period = 100;
	p.next = 100;
	sim_node_kick(p.node);
	sim_run_until(s, 1000);
	assert_int_equal(p.fired, 10);
	sim_free(s);
}

/* ---- routing ---- */

static void test_route_same_link_and_core(void **st)
{
	(void)st;
	sim *s = sim_new(7);
	sim_link *wlan = sim_link_new(s, "wlan", &clean6);
	sim_link_params pp = clean6;
	pp.delay = 5;
	sim_link *core = sim_link_new(s, "pdn", &pp);
	probe a, b, c;
	probe_init(&a, s, "a", wlan, "2001:db8:1::1");
	probe_init(&b, s, "b", wlan, "2001:db8:1::2");
	probe_init(&c, s, "c", core, "2001:db8:2::1");
	send_udp(a.ifc, "[2001:db8:1::1]:1000", "[2001:db8:1::2]:2000", "hi");
	send_udp(a.ifc, "[2001:db8:1::1]:1000", "[2001:db8:2::1]:2000", "there");
	sim_run_until(s, 100);
	assert_int_equal(b.rx, 1);
	assert_int_equal(b.last_at, 10);           /* one link */
	assert_int_equal(c.rx, 1);
	assert_int_equal(c.last_at, 15);           /* two links: 10 + 5 */
	assert_int_equal(c.last.len, 5);
	assert_memory_equal(c.last.data, "there", 5);
	assert_int_equal(c.last.src.port, 1000);
	/* prefix route: a pool routed to c */
	ds_addr pool = A("2001:db8:1000::/36");
	assert_int_equal(sim_iface_add_addr(c.ifc, &pool), DS_OK);
	send_udp(a.ifc, "[2001:db8:1::1]:1", "[2001:db8:1234::5]:2", "x");
	/* no route at all */
	send_udp(a.ifc, "[2001:db8:1::1]:1", "[2001:db9::5]:2", "x");
	sim_run_until(s, 200);
	assert_int_equal(c.rx, 2);
	assert_int_equal(sim_stats_get(s)->no_route, 1);
	/* a duplicate host address is refused */
	ds_addr dup = A("2001:db8:1::2");
	assert_int_equal(sim_iface_add_addr(a.ifc, &dup), DS_E_EXISTS);
	sim_free(s);
}

static void test_family_and_handover(void **st)
{
	(void)st;
	sim *s = sim_new(7);
	sim_link_params v4only = { .delay = 10, .v4 = true };
	sim_link *acc4 = sim_link_new(s, "acc4", &v4only);
	sim_link *wlan = sim_link_new(s, "wlan", &clean6);
	sim_link *core = sim_link_new(s, "core", &clean6);
	probe ue, ha;
	probe_init(&ue, s, "ue", acc4, "198.51.100.7");
	probe_init(&ha, s, "ha", core, "2001:db8::1");
	ds_addr ha4 = A("192.0.2.1");
	assert_int_equal(sim_iface_add_addr(ha.ifc, &ha4), DS_OK);
	/* IPv6 cannot leave an IPv4-only access */
	send_udp(ue.ifc, "[2001:db8:9::1]:1", "[2001:db8::1]:2", "v6");
	send_udp(ue.ifc, "198.51.100.7:1", "192.0.2.1:2", "v4");
	sim_run_until(s, 100);
	assert_int_equal(ha.rx, 1);
	assert_int_equal(ha.last.dst.family, DS_AF_INET);
	assert_int_equal(sim_stats_get(s)->wrong_family, 1);
	/* packet in flight towards the UE while it moves: dropped, not delivered on the new link */
	send_udp(ha.ifc, "192.0.2.1:2", "198.51.100.7:1", "late");
	sim_run_until(s, sim_now(s) + 12);   /* crossed the core link, not yet the access */
	sim_iface_attach(ue.ifc, wlan);
	ds_addr coa = A("2001:db8:1::7");
	assert_int_equal(sim_iface_add_addr(ue.ifc, &coa), DS_OK);
	sim_run_until(s, sim_now(s) + 100);
	assert_int_equal(ue.rx, 0);
	send_udp(ha.ifc, "[2001:db8::1]:2", "[2001:db8:1::7]:1", "new");
	sim_run_until(s, sim_now(s) + 100);
	assert_int_equal(ue.rx, 1);
	sim_free(s);
}

/* ---- impairments and determinism ---- */

static void run_impaired(uint64_t seed, unsigned *rx, char digest[65], uint64_t *lost,
			 uint64_t *dup, uint64_t *reord, unsigned *out_of_order)
{
	sim *s = sim_new(seed);
	sim_link_params lp = { .delay = 20, .jitter = 5, .loss_ppm = 100000, .dup_ppm = 100000,
			       .reorder_ppm = 50000, .v6 = true };
	sim_link *l = sim_link_new(s, "lossy", &lp);
	probe a, b;
	probe_init(&a, s, "a", l, "2001:db8::a");
	probe_init(&b, s, "b", l, "2001:db8::b");
	unsigned last_seq = 0, ooo = 0;
	for (unsigned i = 1; i <= 10000; i++) {
		char msg[16];
		snprintf(msg, sizeof msg, "%u", i);
		send_udp(a.ifc, "[2001:db8::a]:1", "[2001:db8::b]:2", msg);
		unsigned before = b.rx;
		sim_run_until(s, sim_now(s) + 1);
		if (b.rx != before) {
			unsigned v = (unsigned)strtoul((const char *)b.last_buf, NULL, 10);
			if (v < last_seq)
				ooo++;
			last_seq = v;
		}
	}
	sim_run_until(s, sim_now(s) + 1000);
	*rx = b.rx;
	sim_trace_digest(sim_trace_get(s), digest);
	*lost = sim_stats_get(s)->lost;
	*dup = sim_stats_get(s)->duplicated;
	*reord = sim_stats_get(s)->reordered;
	*out_of_order = ooo;
	sim_free(s);
}

static void test_impairments_deterministic(void **st)
{
	(void)st;
	unsigned rx1, rx2, rx3, o1, o2, o3;
	uint64_t l1, d1, r1, l2, d2, r2, l3, d3, r3;
	char h1[65], h2[65], h3[65];
	run_impaired(42, &rx1, h1, &l1, &d1, &r1, &o1);
	run_impaired(42, &rx2, h2, &l2, &d2, &r2, &o2);
	run_impaired(43, &rx3, h3, &l3, &d3, &r3, &o3);
	assert_string_equal(h1, h2);
	assert_int_equal(rx1, rx2);
	assert_string_not_equal(h1, h3);
	/* 10 % loss and duplication of 10,000 packets: within +-1.5 points */
	assert_in_range(l1, 850, 1150);
	assert_in_range(d1, 750, 1200);     /* drawn only for packets that were not lost */
	assert_in_range(r1, 300, 800);
	assert_int_equal(rx1, 10000 - l1 + d1);
	assert_true(o1 > 0);                /* reordering really reorders */
	(void)rx3; (void)l3; (void)d3; (void)r3; (void)o3; (void)l2; (void)d2; (void)r2; (void)o2;
}

static void test_rng(void **st)
{
	(void)st;
	sim_rng a, b, c;
	sim_rng_seed(&a, 1, 2);
	sim_rng_seed(&b, 1, 2);
	sim_rng_seed(&c, 1, 3);
	bool differ = false;
	for (int i = 0; i < 100; i++) {
		uint64_t x = sim_rng_next(&a), y = sim_rng_next(&b), z = sim_rng_next(&c);
		assert_true(x == y);
		differ |= x != z;
	}
	assert_true(differ);
	unsigned hist[10] = { 0 };
	for (int i = 0; i < 100000; i++)
		hist[sim_rng_below(&a, 10)]++;
	for (int i = 0; i < 10; i++)
		assert_in_range(hist[i], 9500, 10500);
	assert_false(sim_rng_ppm(&a, 0));
	assert_true(sim_rng_ppm(&a, 1000000));
}

/* ---- NAT ---- */

typedef struct nat_bed {
	sim *s;
	sim_link *home, *pub;
	sim_nat *nat;
	probe ue, ha;
} nat_bed;

static void nat_bed_init(nat_bed *b, ds_time idle)
{
	b->s = sim_new(5);
	sim_link_params v4 = { .delay = 5, .v4 = true };
	b->home = sim_link_new(b->s, "natlan", &v4);
	b->pub = sim_link_new(b->s, "internet", &clean6);
	sim_nat_config nc = { .inside = A("192.168.1.1"), .outside = A("203.0.113.1"),
			      .idle_timeout = idle };
	b->nat = sim_nat_new(b->s, "nat", b->home, b->pub, &nc);
	assert_non_null(b->nat);
	probe_init(&b->ue, b->s, "ue", b->home, "192.168.1.10");
	probe_init(&b->ha, b->s, "ha", b->pub, "192.0.2.1");
}

static void nat_bed_free(nat_bed *b)
{
	sim_free(b->s);
	sim_nat_free(b->nat);
}

static void test_nat_mapping_and_filtering(void **st)
{
	(void)st;
	nat_bed b;
	nat_bed_init(&b, DS_SEC(30));
	send_udp(b.ue.ifc, "192.168.1.10:4191", "192.0.2.1:4191", "bu");
	sim_run_until(b.s, 100);
	assert_int_equal(b.ha.rx, 1);
	ds_addr pub = b.ha.last.src;
	assert_true(ds_addr_ip_eq(&pub, &(ds_addr){ 0 }) == false);
	char s1[DS_ADDR_STRLEN];
	assert_string_equal(ds_addr_fmt(&pub, s1, sizeof s1), "203.0.113.1:20000");
	/* reply through the mapping reaches the inside endpoint */
	send_udp(b.ha.ifc, "192.0.2.1:4191", "203.0.113.1:20000", "ba");
	sim_run_until(b.s, 200);
	assert_int_equal(b.ue.rx, 1);
	assert_string_equal(ds_addr_fmt(&b.ue.last.dst, s1, sizeof s1), "192.168.1.10:4191");
	/* endpoint-dependent filtering: another source port of the same host is refused */
	send_udp(b.ha.ifc, "192.0.2.1:500", "203.0.113.1:20000", "x");
	sim_run_until(b.s, 300);
	assert_int_equal(b.ue.rx, 1);
	assert_int_equal(sim_nat_stats_get(b.nat)->drop_filtered, 1);
	/* endpoint-dependent mapping: a new destination gets a new public port */
	send_udp(b.ue.ifc, "192.168.1.10:4191", "192.0.2.1:4500", "ike");
	sim_run_until(b.s, 400);
	assert_string_equal(ds_addr_fmt(&b.ha.last.src, s1, sizeof s1), "203.0.113.1:20001");
	/* IP-in-IP from behind the NAT is dropped */
	uint8_t raw[28];
	size_t n = sim_ip_udp_build(raw, sizeof raw, &(ds_addr){ 0 }, &(ds_addr){ 0 },
				    NULL, 0);
	assert_int_equal(n, 0);
	ds_addr s4 = A("192.168.1.10"), d4 = A("192.0.2.1");
	n = sim_ip_udp_build(raw, sizeof raw, &s4, &d4, NULL, 0);
	assert_int_equal(n, 28);
	ds_pkt ip = { .kind = DS_PKT_IP, .src = s4, .dst = d4, .data = raw, .len = n };
	sim_send(b.ue.ifc, &ip);
	sim_run_until(b.s, 500);
	assert_int_equal(sim_nat_stats_get(b.nat)->drop_proto, 1);
	assert_int_equal(b.ha.rx, 2);
	nat_bed_free(&b);
}

static void test_nat_expiry_and_rebind(void **st)
{
	(void)st;
	nat_bed b;
	nat_bed_init(&b, DS_SEC(30));
	char s1[DS_ADDR_STRLEN];
	send_udp(b.ue.ifc, "192.168.1.10:4191", "192.0.2.1:4191", "1");
	sim_run_until(b.s, DS_SEC(20));
	/* outbound refresh at 20 s keeps the mapping past 30 s */
	send_udp(b.ue.ifc, "192.168.1.10:4191", "192.0.2.1:4191", "2");
	sim_run_until(b.s, DS_SEC(45));
	send_udp(b.ha.ifc, "192.0.2.1:4191", "203.0.113.1:20000", "in");
	sim_run_until(b.s, DS_SEC(46));
	assert_int_equal(b.ue.rx, 1);
	/* inbound does not refresh by default: expired at 50 s + 30 s */
	sim_run_until(b.s, DS_SEC(90));
	send_udp(b.ha.ifc, "192.0.2.1:4191", "203.0.113.1:20000", "late");
	sim_run_until(b.s, DS_SEC(91));
	assert_int_equal(b.ue.rx, 1);
	assert_int_equal(sim_nat_stats_get(b.nat)->mappings_expired, 1);
	send_udp(b.ue.ifc, "192.168.1.10:4191", "192.0.2.1:4191", "3");
	sim_run_until(b.s, DS_SEC(92));
	assert_string_equal(ds_addr_fmt(&b.ha.last.src, s1, sizeof s1), "203.0.113.1:20001");
	/* rebinding on demand */
	sim_nat_rebind(b.nat);
	assert_int_equal(sim_nat_stats_get(b.nat)->active, 0);
	send_udp(b.ue.ifc, "192.168.1.10:4191", "192.0.2.1:4191", "4");
	sim_run_until(b.s, DS_SEC(93));
	assert_string_equal(ds_addr_fmt(&b.ha.last.src, s1, sizeof s1), "203.0.113.1:20002");
	assert_int_equal(sim_nat_stats_get(b.nat)->active, 1);
	nat_bed_free(&b);
}

/* ---- DNS ---- */

static unsigned dns_answers;
static size_t dns_n6, dns_n4;
static ds_time dns_at;
static void on_dns(void *ctx, const char *fqdn, const ds_addr *a6, size_t n6, const ds_addr *a4,
		   size_t n4, ds_time now)
{
	(void)ctx; (void)fqdn; (void)a6; (void)a4;
	dns_answers++;
	dns_n6 = n6;
	dns_n4 = n4;
	dns_at = now;
}

static void test_dns(void **st)
{
	(void)st;
	sim *s = sim_new(1);
	sim_dns *d = sim_dns_new(s, 30);
	ds_addr a6[2] = { A("2001:db8::1"), A("2001:db8::2") }, a4 = A("192.0.2.1");
	assert_int_equal(sim_dns_set(d, "internet.ha-apn.epc.mnc001.mcc001.3gppnetwork.org", a6, 2,
				     &a4, 1), DS_OK);
	dns_answers = 0;
	sim_dns_query(d, "INTERNET.ha-apn.epc.mnc001.mcc001.3gppnetwork.org", on_dns, NULL);
	sim_run_until(s, 100);
	assert_int_equal(dns_answers, 1);
	assert_int_equal(dns_n6, 2);
	assert_int_equal(dns_n4, 1);
	assert_int_equal(dns_at, 30);
	sim_dns_query(d, "ims.ha-apn.epc.mnc001.mcc001.3gppnetwork.org", on_dns, NULL);
	sim_run_until(s, 200);
	assert_int_equal(dns_answers, 2);
	assert_int_equal(dns_n6 + dns_n4, 0);
	/* a query still pending when the run stops is released without an answer */
	sim_dns_query(d, "x.example", on_dns, NULL);
	sim_free(s);
	sim_dns_free(d);
	assert_int_equal(dns_answers, 2);
}

/* ---- correspondent node, pcap, tshark ---- */

static char tmpdir[256];

static int rm_dir(void)
{
	char cmd[300];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
	return system(cmd);
}

static void test_cn_echo_and_pcap(void **st)
{
	(void)st;
	snprintf(tmpdir, sizeof tmpdir, "%s/sim-pcap-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	assert_non_null(mkdtemp(tmpdir));
	sim *s = sim_new(9);
	assert_int_equal(sim_pcap_dir(s, tmpdir), DS_OK);
	sim_link *pdn = sim_link_new(s, "pdn", &clean6);
	ds_addr c6 = A("2001:db8:ffff::1"), c4 = A("198.18.0.1");
	sim_cn *cn = sim_cn_new(s, "cn", pdn, &c6, &c4);
	assert_non_null(cn);
	probe gw;
	probe_init(&gw, s, "gw", pdn, "2001:db8:ffff::2");
	ds_addr pool = A("2001:db8:1000::/36"), g4 = A("10.45.0.0/16");
	assert_int_equal(sim_iface_add_addr(gw.ifc, &pool), DS_OK);
	assert_int_equal(sim_iface_add_addr(gw.ifc, &g4), DS_OK);
	uint8_t pkt[200];
	ds_addr hoa = A("[2001:db8:1000:1::5]:40000"), cnp = c6, hoa4 = A("10.45.0.9:40001"),
		cnp4 = c4;
	cnp.port = 7;
	cnp4.port = 7;
	size_t n = sim_ip_udp_build(pkt, sizeof pkt, &hoa, &cnp, (const uint8_t *)"ping", 4);
	ds_pkt p = { .kind = DS_PKT_IP, .src = hoa, .dst = cnp, .data = pkt, .len = n };
	p.src.port = p.dst.port = 0;
	sim_send(gw.ifc, &p);
	n = sim_ip_udp_build(pkt, sizeof pkt, &hoa4, &cnp4, (const uint8_t *)"ping4", 5);
	ds_pkt p4 = { .kind = DS_PKT_IP, .src = hoa4, .dst = cnp4, .data = pkt, .len = n };
	p4.src.port = p4.dst.port = 0;
	sim_send(gw.ifc, &p4);
	/* a UDP 4191 record with an IPv6 packet inside, as RFC 5555 sends it */
	size_t inner = sim_ip_udp_build(pkt, sizeof pkt, &hoa, &cnp, (const uint8_t *)"in", 2);
	ds_pkt u = { .kind = DS_PKT_UDP, .src = A("[2001:db8:ffff::2]:4191"),
		     .dst = A("[2001:db8:ffff::1]:4191"), .data = pkt, .len = inner };
	sim_send(gw.ifc, &u);
	sim_run_until(s, 100);
	assert_int_equal(sim_cn_stats_get(cn)->echoed, 2);
	assert_int_equal(sim_cn_stats_get(cn)->drop_malformed, 1);   /* the UDP record */
	assert_int_equal(gw.rx, 2);
	sim_ip_udp echo;
	assert_int_equal(sim_ip_udp_parse(gw.last.data, gw.last.len, &echo), DS_OK);
	assert_int_equal(echo.dst.port, 40001);
	assert_int_equal(echo.len, 5);
	sim_free(s);
	sim_cn_free(cn);

	char path[400], cmd[800];
	snprintf(path, sizeof path, "%s/pdn.pcap", tmpdir);
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	uint32_t gh[6];
	assert_int_equal(fread(gh, 4, 6, f), 6);
	assert_int_equal(gh[0], 0xa1b2c3d4u);
	assert_int_equal(gh[5], 101);
	fclose(f);
	const char *chk = getenv("DSMIP6_PCAP_CHECK");
	if (chk) {
		snprintf(cmd, sizeof cmd, "'%s' '%s' >/dev/null", chk, path);
		int rc = system(cmd);
		if (WEXITSTATUS(rc) != 77)
			assert_int_equal(WEXITSTATUS(rc), 0);
		/* the checker must notice damage: flip a UDP checksum byte of the first record */
		f = fopen(path, "r+b");
		assert_non_null(f);
		assert_int_equal(fseek(f, 24 + 16 + 40 + 6, SEEK_SET), 0);
		fputc(0x5a, f);
		fclose(f);
		rc = system(cmd);
		if (WEXITSTATUS(rc) != 77)
			assert_int_equal(WEXITSTATUS(rc), 1);
	}
	assert_int_equal(rm_dir(), 0);
}

static void test_pcap_rejects(void **st)
{
	(void)st;
	ds_pkt tun = { .kind = DS_PKT_TUN, .data = (const uint8_t *)"x", .len = 1 };
	char path[300];
	snprintf(path, sizeof path, "%s/sim-rej-%d.pcap", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp",
		 (int)getpid());
	sim_pcap *p = sim_pcap_open(path);
	assert_non_null(p);
	assert_int_equal(sim_pcap_write(p, 0, &tun), DS_E_PARAM);
	ds_pkt mixed = { .kind = DS_PKT_UDP, .src = A("192.0.2.1:1"), .dst = A("[2001:db8::1]:1"),
			 .data = (const uint8_t *)"x", .len = 1 };
	assert_int_equal(sim_pcap_write(p, 0, &mixed), DS_E_PARAM);
	assert_int_equal(sim_pcap_records(p), 0);
	assert_int_equal(sim_pcap_close(p), DS_OK);
	unlink(path);
}

/* ---- MH tap ---- */

/* IPv6 [HAO|RH2] / ESP(NULL) / MH as the engines send it, with a dummy 16-octet ICV. */
static size_t build_esp_mh(uint8_t *out, size_t cap, const ds_mob_msg *m, const char *src,
			   const char *dst, const char *home, bool hao)
{
	ds_addr s = A(src), d = A(dst), h = A(home);
	uint8_t mh[256], esp[300];
	size_t ml = 0;
	assert_int_equal(ds_mob_encode_csum(m, hao ? h.ip : s.ip, hao ? d.ip : h.ip, mh, sizeof mh,
					    &ml), DS_OK);
	ds_wr w = ds_wr_init(esp, sizeof esp);
	ds_wr_u32(&w, 0x1234);
	ds_wr_u32(&w, 1);
	ds_wr_bytes(&w, mh, ml);
	ds_wr_u8(&w, 1);
	ds_wr_u8(&w, 2);   /* padding 1, 2 (RFC 4303 cl. 2.4) */
	ds_wr_u8(&w, 2);
	ds_wr_u8(&w, DS_NH_MH);
	ds_wr_zero(&w, 16);
	assert_false(w.err);
	ds_ipv6_spec sp = { .proto = DS_NH_ESP, .payload = esp, .payload_len = w.off };
	memcpy(sp.src, s.ip, 16);
	memcpy(sp.dst, d.ip, 16);
	if (hao)
		sp.hao = h.ip;
	else
		sp.rh2_hoa = h.ip;
	size_t n = 0;
	assert_int_equal(ds_ipv6_build(&sp, out, cap, &n), DS_OK);
	return n;
}

static void test_mhtap(void **st)
{
	(void)st;
	sim *s = sim_new(3);
	sim_mhtap *t = sim_mhtap_new(s, true, NULL, NULL);
	sim_link *l = sim_link_new(s, "wlan", &clean6);
	probe ue, ha;
	probe_init(&ue, s, "ue", l, "2001:db8:1::7");
	probe_init(&ha, s, "ha", l, "2001:db8::1");
	ds_addr ha4 = A("192.0.2.1"), ue4 = A("198.51.100.7");
	assert_int_equal(sim_iface_add_addr(ha.ifc, &ha4), DS_OK);
	assert_int_equal(sim_iface_add_addr(ue.ifc, &ue4), DS_OK);
	ds_mob_msg bu;
	memset(&bu, 0, sizeof bu);
	bu.type = DS_MOB_BU;
	bu.bu.seq = 77;
	bu.bu.flags = DS_MOB_BU_A | DS_MOB_BU_H | DS_MOB_BU_K;
	bu.bu.lifetime = 900;
	bu.opt.present = DS_MOPT_IPV4_HOA;
	uint8_t pkt[512];
	size_t n = build_esp_mh(pkt, sizeof pkt, &bu, "2001:db8:1::7", "2001:db8::1",
				"2001:db8:1000:1::7", true);
	ds_pkt p = { .kind = DS_PKT_IP, .src = A("2001:db8:1::7"), .dst = A("2001:db8::1"),
		     .data = pkt, .len = n };
	sim_send(ue.ifc, &p);
	/* the same BU from an IPv4 CoA inside UDP 4191 */
	ds_pkt u = { .kind = DS_PKT_UDP, .src = A("198.51.100.7:4191"), .dst = A("192.0.2.1:4191"),
		     .data = pkt, .len = n };
	sim_send(ue.ifc, &u);
	ds_mob_msg ba;
	memset(&ba, 0, sizeof ba);
	ba.type = DS_MOB_BA;
	ba.ba.seq = 77;
	ba.ba.flags = DS_MOB_BA_K;
	ba.ba.lifetime = 900;
	ba.opt.present = DS_MOPT_NAT_DET;
	ba.opt.nat.f = true;
	ba.opt.nat.refresh = 110;
	n = build_esp_mh(pkt, sizeof pkt, &ba, "2001:db8::1", "2001:db8:1::7", "2001:db8:1000:1::7",
			 false);
	ds_pkt b = { .kind = DS_PKT_IP, .src = A("2001:db8::1"), .dst = A("2001:db8:1::7"),
		     .data = pkt, .len = n };
	sim_send(ha.ifc, &b);
	/* ciphertext that does not look like NULL-protected MH is opaque */
	pkt[n - 17] ^= 0xff;
	sim_send(ha.ifc, &b);
	sim_run_until(s, 100);
	size_t nr;
	const sim_mh_rec *r = sim_mhtap_records(t, &nr);
	assert_int_equal(nr, 3);
	assert_int_equal(r[0].type, DS_MOB_BU);
	assert_true(r[0].esp && r[0].has_hao && r[0].csum_ok && !r[0].udp4191);
	assert_int_equal(r[0].spi, 0x1234);
	assert_int_equal(r[0].seq, 77);
	assert_int_equal(r[0].flags, DS_MOB_BU_A | DS_MOB_BU_H | DS_MOB_BU_K);
	assert_int_equal(r[0].lifetime, 900);
	assert_true(r[0].present & DS_MOPT_IPV4_HOA);
	char h[DS_ADDR_STRLEN];
	assert_string_equal(ds_addr_fmt(&r[0].hoa, h, sizeof h), "2001:db8:1000:1::7");
	assert_true(r[1].udp4191 && r[1].csum_ok);
	assert_int_equal(r[1].outer_src.port, 4191);
	assert_int_equal(r[2].type, DS_MOB_BA);
	assert_true(r[2].has_rh2 && r[2].csum_ok);
	assert_true(r[2].nat.f);
	assert_int_equal(r[2].nat.refresh, 110);
	assert_int_equal(sim_mhtap_stats_get(t)->opaque_esp, 1);
	sim_free(s);
	sim_mhtap_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_event_order),
		cmocka_unit_test(test_node_timer),
		cmocka_unit_test(test_route_same_link_and_core),
		cmocka_unit_test(test_family_and_handover),
		cmocka_unit_test(test_impairments_deterministic),
		cmocka_unit_test(test_rng),
		cmocka_unit_test(test_nat_mapping_and_filtering),
		cmocka_unit_test(test_nat_expiry_and_rebind),
		cmocka_unit_test(test_dns),
		cmocka_unit_test(test_cn_echo_and_pcap),
		cmocka_unit_test(test_pcap_rejects),
		cmocka_unit_test(test_mhtap),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
