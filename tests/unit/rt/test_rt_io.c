/* Runtime I/O pieces: the IPv6 header rebuilt in front of what a raw socket delivers, a real
 * raw-socket round trip over loopback (HDRINCL send of a whole packet with next header 135, raw
 * receive), UDP with PKTINFO, and the nftables ruleset text. Raw sockets need CAP_NET_RAW: the
 * socket cases are skipped without it. */
#include <errno.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <netinet/in.h>

#include <cmocka.h>

#include "core/err.h"
#include "rt/nft.h"
#include "rt/sock.h"

static ds_addr addr(const char *s)
{
	ds_addr a;
	assert_int_equal(ds_addr_parse(s, &a), 0);
	return a;
}

static void test_ipv6_rebuild(void **state)
{
	(void)state;
	ds_addr s = addr("2001:db8::1"), d = addr("2001:db8::2");
	uint8_t payload[6] = { 59, 0, 5, 0, 0xaa, 0xbb };
	uint8_t out[64];
	size_t n;
	assert_int_equal(ds_ipv6_rebuild(&s, &d, 135, 64, 0x28, payload, sizeof payload, out,
					 sizeof out, &n), DS_OK);
	assert_int_equal(n, 46);
	static const uint8_t want[8] = { 0x60 | 0x02, 0x80, 0, 0, 0, 6, 135, 64 };
	assert_memory_equal(out, want, 8);
	assert_memory_equal(out + 8, s.ip, 16);
	assert_memory_equal(out + 24, d.ip, 16);
	assert_memory_equal(out + 40, payload, 6);
	/* in place, as ds_raw_recv uses it */
	memcpy(out + 40, payload, 6);
	assert_int_equal(ds_ipv6_rebuild(&s, &d, 60, 1, 0, out + 40, 6, out, sizeof out, &n), DS_OK);
	assert_memory_equal(out + 40, payload, 6);
	assert_int_equal(ds_ipv6_rebuild(&s, &d, 60, 1, 0, payload, 6, out, 45, &n), DS_E_NOSPACE);
	ds_addr v4 = addr("192.0.2.1");
	assert_int_equal(ds_ipv6_rebuild(&v4, &d, 60, 1, 0, payload, 6, out, 64, &n), DS_E_PARAM);
}

static bool wait_readable(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	return poll(&p, 1, 2000) == 1;
}

static void test_raw_round_trip(void **state)
{
	(void)state;
	int rx = ds_raw_open_rx(DS_AF_INET6, 135);
	if (rx < 0 && (errno == EPERM || errno == EACCES))
		skip();
	assert_true(rx >= 0);
	/* root (CAP_NET_ADMIN) gets the whole buffer beyond rmem_max; the kernel reports twice
	 * the request */
	int rcvbuf = 0;
	socklen_t rl = sizeof rcvbuf;
	assert_int_equal(getsockopt(rx, SOL_SOCKET, SO_RCVBUF, &rcvbuf, &rl), 0);
	assert_true(rcvbuf >= DS_SOCK_RCVBUF);
	int tx = ds_raw_open_tx(DS_AF_INET6);
	assert_true(tx >= 0);
	/* IPv6 | MH (Binding Refresh Request shape; content is irrelevant to the socket layer) */
	ds_addr lo = addr("::1");
	uint8_t mh[8] = { 59, 0, 0, 0, 0x12, 0x34, 0, 0 };
	uint8_t pkt[48];
	size_t n;
	assert_int_equal(ds_ipv6_rebuild(&lo, &lo, 135, 64, 0, mh, sizeof mh, pkt, sizeof pkt, &n),
			 DS_OK);
	ds_pkt out = { .kind = DS_PKT_IP, .src = lo, .dst = lo, .data = pkt, .len = n };
	assert_int_equal(ds_raw_send(tx, &out), DS_OK);
	assert_true(wait_readable(rx));
	uint8_t buf[256];
	ds_pkt in;
	assert_int_equal(ds_raw_recv(rx, DS_AF_INET6, 135, buf, sizeof buf, &in), DS_OK);
	assert_int_equal(in.kind, DS_PKT_IP);
	assert_int_equal(in.len, n);
	assert_memory_equal(in.data, pkt, n); /* the rebuilt packet is the packet sent */
	assert_true(ds_addr_eq(&in.src, &lo));
	assert_true(ds_addr_eq(&in.dst, &lo));
	/* nothing else queued */
	assert_int_equal(ds_raw_recv(rx, DS_AF_INET6, 135, buf, sizeof buf, &in), DS_E_IO);
	/* a packet that is not IP is refused before reaching the kernel */
	uint8_t junk[40] = { 0x10 };
	ds_pkt bad = { .kind = DS_PKT_IP, .data = junk, .len = sizeof junk };
	assert_int_equal(ds_raw_send(tx, &bad), DS_E_VERSION);
	close(rx);
	close(tx);
}

static void test_udp_pktinfo(void **state)
{
	(void)state;
	ds_addr any = addr("::");
	int a = ds_udp_open(&any, 0);
	assert_true(a >= 0);
	struct sockaddr_in6 sa;
	socklen_t sl = sizeof sa;
	assert_int_equal(getsockname(a, (struct sockaddr *)&sa, &sl), 0);
	uint16_t port = ntohs(sa.sin6_port);
	ds_addr lo = addr("::1");
	int b = ds_udp_open(&lo, 0);
	assert_true(b >= 0);
	ds_pkt p = { .kind = DS_PKT_UDP, .src = lo, .dst = lo, .data = (const uint8_t *)"ike", .len = 3 };
	p.dst.port = port;
	assert_int_equal(ds_udp_send(b, &p), DS_OK);
	assert_true(wait_readable(a));
	uint8_t buf[64];
	ds_pkt in;
	assert_int_equal(ds_udp_recv(a, port, buf, sizeof buf, &in), DS_OK);
	assert_int_equal(in.len, 3);
	assert_memory_equal(in.data, "ike", 3);
	/* PKTINFO gave the destination address the datagram was sent to */
	assert_true(ds_addr_ip_eq(&in.dst, &lo));
	assert_int_equal(in.dst.port, port);
	assert_true(ds_addr_ip_eq(&in.src, &lo));
	assert_int_not_equal(in.src.port, 0);
	close(a);
	close(b);
}

/* The receive buffer request is best effort: without CAP_NET_ADMIN the kernel caps it at
 * net.core.rmem_max and the call still succeeds; a bad descriptor is an error. */
static void test_rcvbuf(void **state)
{
	(void)state;
	assert_true(ds_sock_grow_rcvbuf(-1, DS_SOCK_RCVBUF) < 0);
	int fd = socket(AF_INET6, SOCK_DGRAM, 0);
	assert_true(fd >= 0);
	int before = 0;
	socklen_t bl = sizeof before;
	assert_int_equal(getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &before, &bl), 0);
	int got = ds_sock_grow_rcvbuf(fd, DS_SOCK_RCVBUF);
	assert_true(got > 0);
	if (geteuid() == 0)
		assert_true(got >= DS_SOCK_RCVBUF && got > before);
	close(fd);
}

static void test_nft_ruleset(void **state)
{
	(void)state;
	char buf[1024];
	assert_int_equal(ds_nft_ruleset("dsmip6_ha", buf, sizeof buf), DS_OK);
	assert_non_null(strstr(buf, "table inet dsmip6_ha {"));
	assert_non_null(strstr(buf, "delete table inet dsmip6_ha"));
	assert_non_null(strstr(buf, "icmpv6 type parameter-problem icmpv6 code { 0, 2 } counter drop"));
	assert_int_equal(ds_nft_ruleset("dsmip6_ha", buf, 20), DS_E_NOSPACE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ipv6_rebuild),
		cmocka_unit_test(test_raw_round_trip),
		cmocka_unit_test(test_udp_pktinfo),
		cmocka_unit_test(test_rcvbuf),
		cmocka_unit_test(test_nft_ruleset),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
