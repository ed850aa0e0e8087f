/* RADIUS pass-through back end against a scripted RADIUS server on the loopback interface:
 * Access-Request contents (User-Name, EAP-Message split at 253 octets, State echo,
 * Called-Station-Id, NAS-Identifier, exactly one valid Message-Authenticator), reassembly of
 * EAP-Message, Access-Challenge / Accept / Reject mapping, MSK from MS-MPPE-Recv-Key ||
 * MS-MPPE-Send-Key (RFC 2548 decryption), timeout, and delivery only through dispatch. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "core/err.h"
#include "eap/eap_method.h"
#include "eap/eap_msg.h"
#include "eap/eap_radius.h"

#define SECRET "s3cr3t"
#define NAI "0001010123456789@nai.epc.mnc001.mcc001.3gppnetwork.org"

enum { ANSWER_CHALLENGE, ANSWER_ACCEPT, ANSWER_REJECT, ANSWER_NONE };

typedef struct seen {
	int n_eap, n_ma;
	bool ma_ok;
	uint8_t eap[4096];
	size_t eap_len;
	char user[256], called[256], nas_id[64];
	uint8_t state[64];
	size_t state_len;
} seen;

typedef struct fake {
	int fd;
	uint16_t port;
	int script[4];
	int steps;
	seen rx[4];
	uint8_t recv_key[32], send_key[32];
	pthread_t th;
} fake;

static void md5(const void *a, size_t al, const void *b, size_t bl, const void *c, size_t cl,
		const void *d, size_t dl, uint8_t out[16])
{
	EVP_MD_CTX *m = EVP_MD_CTX_new();
	unsigned n;
	EVP_DigestInit_ex(m, EVP_md5(), NULL);
	EVP_DigestUpdate(m, a, al);
	EVP_DigestUpdate(m, b, bl);
	if (cl)
		EVP_DigestUpdate(m, c, cl);
	if (dl)
		EVP_DigestUpdate(m, d, dl);
	EVP_DigestFinal_ex(m, out, &n);
	EVP_MD_CTX_free(m);
}

/* RFC 3579 cl. 3.2: HMAC-MD5 over the packet with the Message-Authenticator value zeroed. */
static void msg_auth(uint8_t *pkt, size_t len, size_t ma_off, uint8_t out[16])
{
	uint8_t save[16];
	unsigned n = 16;
	memcpy(save, pkt + ma_off, 16);
	memset(pkt + ma_off, 0, 16);
	HMAC(EVP_md5(), SECRET, (int)strlen(SECRET), pkt, len, out, &n);
	memcpy(pkt + ma_off, save, 16);
}

static void parse_request(fake *f, const uint8_t *p, size_t len, seen *s)
{
	size_t off = 20, ma_off = 0;
	while (off + 2 <= len) {
		uint8_t t = p[off], l = p[off + 1];
		assert_true(l >= 2 && off + l <= len);
		const uint8_t *v = p + off + 2;
		size_t vl = l - 2u;
		switch (t) {
		case 1: memcpy(s->user, v, vl); break;
		case 24: memcpy(s->state, v, vl); s->state_len = vl; break;
		case 30: memcpy(s->called, v, vl); break;
		case 32: memcpy(s->nas_id, v, vl); break;
		case 79:
			assert_true(vl <= 253);
			memcpy(s->eap + s->eap_len, v, vl);
			s->eap_len += vl;
			s->n_eap++;
			break;
		case 80: s->n_ma++; ma_off = off + 2; break;
		}
		off += l;
	}
	(void)f;
	if (ma_off) {
		uint8_t want[16], copy[4096];
		memcpy(copy, p, len);
		msg_auth(copy, len, ma_off, want);
		s->ma_ok = !memcmp(want, p + ma_off, 16);
	}
}

static size_t put_attr(uint8_t *p, size_t off, uint8_t t, const void *v, size_t vl)
{
	p[off] = t;
	p[off + 1] = (uint8_t)(vl + 2);
	memcpy(p + off + 2, v, vl);
	return off + 2 + vl;
}

/* RFC 2548 cl. 2.4.2 encryption of one MPPE key, as a RADIUS server does. */
static size_t mppe_attr(uint8_t *p, size_t off, uint8_t vtype, const uint8_t key[32],
			const uint8_t req_auth[16], uint8_t salt_lo)
{
	uint8_t plain[48] = { 32 }, c[48], b[16], salt[2] = { 0x80, salt_lo };
	memcpy(plain + 1, key, 32);
	for (int i = 0; i < 48; i += 16) {
		if (i == 0)
			md5(SECRET, strlen(SECRET), req_auth, 16, salt, 2, NULL, 0, b);
		else
			md5(SECRET, strlen(SECRET), c + i - 16, 16, NULL, 0, NULL, 0, b);
		for (int k = 0; k < 16; k++)
			c[i + k] = plain[i + k] ^ b[k];
	}
	uint8_t vsa[4 + 2 + 2 + 48] = { 0, 0, 0x01, 0x37, vtype, 2 + 2 + 48, 0x80, salt_lo };
	memcpy(vsa + 8, c, 48);
	return put_attr(p, off, 26, vsa, sizeof vsa);
}

static void *server(void *arg)
{
	fake *f = arg;
	for (int step = 0; step < f->steps; step++) {
		uint8_t req[4096], rsp[4096];
		struct sockaddr_in from;
		socklen_t fl = sizeof from;
		struct pollfd pfd = { .fd = f->fd, .events = POLLIN };
		if (poll(&pfd, 1, 10000) <= 0)
			return NULL;
		ssize_t n = recvfrom(f->fd, req, sizeof req, 0, (struct sockaddr *)&from, &fl);
		if (n < 20)
			return NULL;
		parse_request(f, req, (size_t)n, &f->rx[step]);
		int what = f->script[step];
		if (what == ANSWER_NONE) {
			/* swallow this request and its retransmissions */
			while (poll(&pfd, 1, 3000) > 0)
				recv(f->fd, req, sizeof req, 0);
			continue;
		}
		rsp[0] = what == ANSWER_CHALLENGE ? 11 : what == ANSWER_ACCEPT ? 2 : 3;
		rsp[1] = req[1];
		memcpy(rsp + 4, req + 4, 16);  /* Request Authenticator, for the MA and the hash */
		size_t off = 20;
		if (what == ANSWER_CHALLENGE) {
			/* a 300-octet EAP-Request (a Notification-type padding) in two attributes */
			uint8_t eap[300] = { 1, 0x42, 300 >> 8, 300 & 0xff, 2 };
			memset(eap + 5, 'x', sizeof eap - 5);
			off = put_attr(rsp, off, 79, eap, 253);
			off = put_attr(rsp, off, 79, eap + 253, 300 - 253);
			off = put_attr(rsp, off, 24, "state-1", 7);
		} else if (what == ANSWER_ACCEPT) {
			uint8_t succ[4] = { 3, 0x43, 0, 4 };
			off = put_attr(rsp, off, 79, succ, 4);
			off = mppe_attr(rsp, off, 17, f->recv_key, req + 4, 1);
			off = mppe_attr(rsp, off, 16, f->send_key, req + 4, 2);
		} else {
			uint8_t fail[4] = { 4, 0x43, 0, 4 };
			off = put_attr(rsp, off, 79, fail, 4);
		}
		size_t ma_off = off + 2;
		uint8_t zero[16] = { 0 };
		off = put_attr(rsp, off, 80, zero, 16);
		rsp[2] = (uint8_t)(off >> 8);
		rsp[3] = (uint8_t)off;
		uint8_t ma[16];
		msg_auth(rsp, off, ma_off, ma);
		memcpy(rsp + ma_off, ma, 16);
		/* Response Authenticator = MD5(Code+ID+Length+RequestAuth+Attributes+Secret) */
		uint8_t ra[16];
		md5(rsp, off, SECRET, strlen(SECRET), NULL, 0, NULL, 0, ra);
		memcpy(rsp + 4, ra, 16);
		sendto(f->fd, rsp, off, 0, (struct sockaddr *)&from, fl);
	}
	return NULL;
}

static void fake_start(fake *f)
{
	f->fd = socket(AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t al = sizeof a;
	assert_int_equal(bind(f->fd, (struct sockaddr *)&a, sizeof a), 0);
	assert_int_equal(getsockname(f->fd, (struct sockaddr *)&a, &al), 0);
	f->port = ntohs(a.sin_port);
	for (int i = 0; i < 32; i++)
		f->recv_key[i] = (uint8_t)i, f->send_key[i] = (uint8_t)(0xa0 + i);
	assert_int_equal(pthread_create(&f->th, NULL, server, f), 0);
}

static void fake_stop(fake *f)
{
	pthread_join(f->th, NULL);
	close(f->fd);
}

typedef struct conv {
	pthread_t thread;
	int status, calls;
	bool wrong_thread;
	uint8_t pkt[DS_EAP_MAX_MSG];
	size_t len;
	uint8_t msk[64];
	bool have_msk;
} conv;

static void on_done(void *ctx, int status, const uint8_t *eap, size_t len, const uint8_t *msk,
		    size_t msk_len)
{
	conv *c = ctx;
	c->wrong_thread |= !pthread_equal(pthread_self(), c->thread);
	c->status = status;
	c->calls++;
	memcpy(c->pkt, eap, len);
	c->len = len;
	c->have_msk = msk && msk_len == 64;
	if (c->have_msk)
		memcpy(c->msk, msk, 64);
}

static void wait_for(ds_eap_radius *r, conv *c, int calls)
{
	struct pollfd pfd = { .fd = ds_eap_radius_fd(r), .events = POLLIN };
	for (int i = 0; i < 200 && c->calls == calls; i++) {
		poll(&pfd, 1, 100);
		ds_eap_radius_dispatch(r);
	}
	assert_int_equal(c->calls, calls + 1);
}

static ds_eap_radius *make_backend(const fake *f, unsigned timeout)
{
	char srv[64];
	snprintf(srv, sizeof srv, "127.0.0.1:%u", f->port);
	ds_eap_radius_cfg cfg = { .server = srv, .secret = SECRET, .timeout_s = timeout,
				  .retries = 1, .workers = 2, .nas_identifier = "ha-test" };
	ds_eap_radius *r = ds_eap_radius_new(&cfg);
	assert_non_null(r);
	return r;
}

static void challenge_then_accept(void **st)
{
	(void)st;
	fake f = { .script = { ANSWER_CHALLENGE, ANSWER_ACCEPT }, .steps = 2 };
	fake_start(&f);
	ds_eap_radius *r = make_backend(&f, 3);
	ds_eap_backend be = ds_eap_radius_backend(r);
	conv c = { .thread = pthread_self() };
	ds_eap_session *s = be.ops->start(be.backend, NAI, "internet", on_done, &c);
	assert_non_null(s);
	assert_int_equal(c.calls, 0);  /* nothing before dispatch */
	wait_for(r, &c, 0);
	assert_int_equal(c.status, DS_EAP_CONTINUE);
	assert_int_equal(c.len, 300);  /* two EAP-Message attributes reassembled */
	assert_int_equal(c.pkt[1], 0x42);
	/* the first Access-Request: EAP-Response/Identity built from the NAI */
	seen *a = &f.rx[0];
	assert_string_equal(a->user, NAI);
	assert_string_equal(a->called, "internet");
	assert_string_equal(a->nas_id, "ha-test");
	assert_int_equal(a->n_ma, 1);
	assert_true(a->ma_ok);
	assert_int_equal(a->state_len, 0);
	assert_int_equal(a->eap[0], DS_EAP_CODE_RESPONSE);
	assert_int_equal(a->eap[4], DS_EAP_TYPE_IDENTITY);
	assert_memory_equal(a->eap + 5, NAI, strlen(NAI));
	/* a 400-octet response travels in two EAP-Message attributes, with the State echoed */
	uint8_t resp[400] = { 2, 0x42, 400 >> 8, 400 & 0xff, 23, 5 };
	memset(resp + 6, 0xab, sizeof resp - 6);
	assert_int_equal(be.ops->input(s, resp, sizeof resp), DS_OK);
	assert_int_equal(be.ops->input(s, resp, sizeof resp), DS_E_STATE);  /* one at a time */
	wait_for(r, &c, 1);
	seen *b = &f.rx[1];
	assert_int_equal(b->n_eap, 2);
	assert_int_equal(b->eap_len, 400);
	assert_memory_equal(b->eap, resp, 400);
	assert_int_equal(b->state_len, 7);
	assert_memory_equal(b->state, "state-1", 7);
	assert_int_equal(b->n_ma, 1);
	assert_true(b->ma_ok);
	/* Access-Accept: EAP-Success and MSK = MS-MPPE-Recv-Key || MS-MPPE-Send-Key */
	assert_int_equal(c.status, DS_EAP_SUCCESS);
	assert_int_equal(c.pkt[0], DS_EAP_CODE_SUCCESS);
	assert_true(c.have_msk);
	assert_memory_equal(c.msk, f.recv_key, 32);
	assert_memory_equal(c.msk + 32, f.send_key, 32);
	assert_false(c.wrong_thread);
	ds_eap_radius_counters ctr;
	ds_eap_radius_counters_get(r, &ctr);
	assert_int_equal(ctr.requests, 2);
	assert_int_equal(ctr.challenges, 1);
	assert_int_equal(ctr.accepts, 1);
	be.ops->free(s);
	ds_eap_radius_free(r);
	fake_stop(&f);
}

static void reject_and_timeout(void **st)
{
	(void)st;
	fake f = { .script = { ANSWER_REJECT }, .steps = 1 };
	fake_start(&f);
	ds_eap_radius *r = make_backend(&f, 1);
	ds_eap_backend be = ds_eap_radius_backend(r);
	conv c = { .thread = pthread_self() };
	ds_eap_session *s = be.ops->start(be.backend, NAI, "internet", on_done, &c);
	wait_for(r, &c, 0);
	assert_int_equal(c.status, DS_EAP_FAILURE);
	assert_int_equal(c.pkt[0], DS_EAP_CODE_FAILURE);
	assert_false(c.have_msk);
	assert_int_equal(be.ops->reason(s), DS_EAP_FAIL_AUTH);
	be.ops->free(s);
	ds_eap_radius_free(r);
	fake_stop(&f);

	fake g = { .script = { ANSWER_NONE }, .steps = 1 };
	fake_start(&g);
	r = make_backend(&g, 1);
	be = ds_eap_radius_backend(r);
	memset(&c, 0, sizeof c);
	c.thread = pthread_self();
	s = be.ops->start(be.backend, NAI, "internet", on_done, &c);
	wait_for(r, &c, 0);
	assert_int_equal(c.status, DS_EAP_FAILURE);
	assert_int_equal(be.ops->reason(s), DS_EAP_FAIL_BACKEND);
	ds_eap_radius_counters ctr;
	ds_eap_radius_counters_get(r, &ctr);
	assert_int_equal(ctr.timeouts + ctr.errors, 1);
	be.ops->free(s);
	ds_eap_radius_free(r);
	fake_stop(&g);
}

/* A session freed while its request is in flight is released when the answer comes back,
 * and its callback is never called. */
static void free_while_in_flight(void **st)
{
	(void)st;
	fake f = { .script = { ANSWER_REJECT }, .steps = 1 };
	fake_start(&f);
	ds_eap_radius *r = make_backend(&f, 2);
	ds_eap_backend be = ds_eap_radius_backend(r);
	conv c = { .thread = pthread_self() };
	ds_eap_session *s = be.ops->start(be.backend, NAI, "internet", on_done, &c);
	be.ops->free(s);
	struct pollfd pfd = { .fd = ds_eap_radius_fd(r), .events = POLLIN };
	assert_int_equal(poll(&pfd, 1, 5000), 1);
	assert_int_equal(ds_eap_radius_dispatch(r), 1);
	assert_int_equal(c.calls, 0);
	ds_eap_radius_free(r);
	fake_stop(&f);
}

static void mppe_decrypt_rules(void **st)
{
	(void)st;
	uint8_t req_auth[16] = { 7 }, key[32], out[64], attr[128];
	for (int i = 0; i < 32; i++)
		key[i] = (uint8_t)(i * 3);
	size_t end = mppe_attr(attr, 0, 17, key, req_auth, 9);
	const uint8_t *val = attr + 8;  /* after type, len, vendor id, vendor type, vendor len */
	size_t vlen = end - 8;
	assert_int_equal(ds_radius_mppe_decrypt(val, vlen, SECRET, req_auth, out, sizeof out), 32);
	assert_memory_equal(out, key, 32);
	assert_int_equal(ds_radius_mppe_decrypt(val, vlen, SECRET, req_auth, out, 16),
			 DS_E_NOSPACE);
	assert_int_equal(ds_radius_mppe_decrypt(val, vlen - 1, SECRET, req_auth, out, 64),
			 DS_E_BADLEN);
	uint8_t bad[50];
	memcpy(bad, val, vlen);
	bad[0] &= 0x7f;  /* salt without its high bit */
	assert_int_equal(ds_radius_mppe_decrypt(bad, vlen, SECRET, req_auth, out, 64), DS_E_BADLEN);
	/* another secret yields a wrong key (or an impossible key length) */
	int n = ds_radius_mppe_decrypt(val, vlen, "other", req_auth, out, 64);
	assert_true(n != 32 || memcmp(out, key, 32));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(mppe_decrypt_rules),
		cmocka_unit_test(challenge_then_accept),
		cmocka_unit_test(reject_and_timeout),
		cmocka_unit_test(free_while_in_flight),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
