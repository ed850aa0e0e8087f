/* Interop driver for the AAA side (run by run-aaa-interop.sh):
 *
 *   aaa_client radius <server:port> <secret> <nai> <apn> <K> <OPc> <sqn_ms> [option]
 *       dsmip6 EAP-AKA(') peer <-> dsmip6 RADIUS back end <-> external RADIUS EAP server.
 *       option: "prime" (EAP-AKA'), "expect-resync" / "expect-direct" (success must come
 *       after exactly one / no AUTS resynchronisation), "result-ind" (protected result
 *       indications: the "Success" notification must precede EAP-Success).
 *       Exit 0 on EAP success with equal MSKs on both sides (the back end's MSK comes from
 *       the server's MS-MPPE keys), 2 on EAP failure, 1 on error. Prints the outcome.
 *   aaa_client hlr <socket> <imsi> <K> <OPc> <sqn_ms> <count>
 *       asks hlr_auc_gw for `count` vectors (AKA-REQ-AUTH) and runs the dsmip6 USIM on each:
 *       MAC-A must verify, RES/CK/IK must equal the HLR's values, SQNs must be fresh. Then
 *       replays the first vector (must be refused with AUTS), sends that AUTS back
 *       (AKA-AUTS) and checks the next vector is accepted again. */
#include <errno.h>
#include <stdbool.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "core/err.h"
#include "core/log.h"
#include "eap/eap_aka_peer.h"
#include "eap/eap_method.h"
#include "eap/eap_radius.h"
#include "eap/usim.h"

static int hexbin(const char *s, uint8_t *out, size_t n)
{
	if (strlen(s) != 2 * n)
		return -1;
	for (size_t i = 0; i < n; i++) {
		unsigned v;
		if (sscanf(s + 2 * i, "%2x", &v) != 1)
			return -1;
		out[i] = (uint8_t)v;
	}
	return 0;
}

static void binhex(const uint8_t *b, size_t n, char *out)
{
	for (size_t i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", b[i]);
}

static void log_stderr(void *ctx, int level, const char *msg)
{
	(void)ctx;
	fprintf(stderr, "[%d] %s\n", level, msg);
}

/* ---- radius mode ---- */

typedef struct conv {
	int status, calls;
	uint8_t pkt[DS_EAP_MAX_MSG];
	size_t len;
	uint8_t msk[DS_EAP_MSK_LEN];
	int have_msk;
} conv;

static void on_done(void *ctx, int status, const uint8_t *eap, size_t len, const uint8_t *msk,
		    size_t msk_len)
{
	conv *c = ctx;
	c->status = status;
	c->calls++;
	memcpy(c->pkt, eap, len);
	c->len = len;
	c->have_msk = msk && msk_len == DS_EAP_MSK_LEN;
	if (c->have_msk)
		memcpy(c->msk, msk, DS_EAP_MSK_LEN);
}

static int wait_answer(ds_eap_radius *r, conv *c, int calls)
{
	struct pollfd pfd = { .fd = ds_eap_radius_fd(r), .events = POLLIN };
	while (c->calls == calls) {
		int n = poll(&pfd, 1, 20000);
		if (n <= 0) {
			fprintf(stderr, "no answer from the RADIUS back end\n");
			return -1;
		}
		ds_eap_radius_dispatch(r);
	}
	return 0;
}

static int run_radius(int argc, char **argv)
{
	if (argc < 9)
		return 1;
	ds_logger lg = { log_stderr, NULL, DS_LOG_INFO };
	/* age limit L = 32 SEQ steps (TS 33.102 C.2.2): an AuC far behind the USIM is
	 * resynchronised even when its IND slot is unused */
	ds_eap_aka_peer_cfg pc = { .identity = argv[4], .log = lg, .sqn_age_limit = 32 };
	const char *opt = argc > 9 ? argv[9] : "";
	bool prime = !strcmp(opt, "prime");
	pc.result_ind = !strcmp(opt, "result-ind");
	pc.aka_prime = prime;
	pc.prefer_aka_prime = prime;
	pc.sqn_ms = strtoull(argv[8], NULL, 0);
	if (hexbin(argv[6], pc.k, 16) || hexbin(argv[7], pc.opc, 16))
		return 1;
	ds_eap_peer *peer = ds_eap_aka_peer_new(&pc);
	ds_eap_radius_cfg rc = { .server = argv[2], .secret = argv[3], .log = lg, .timeout_s = 2,
				 .retries = 2, .workers = 2 };
	ds_eap_radius *r = ds_eap_radius_new(&rc);
	if (!peer || !r)
		return 1;
	ds_eap_backend be = ds_eap_radius_backend(r);
	conv c = { 0 };
	ds_eap_session *s = be.ops->start(be.backend, argv[4], argv[5], on_done, &c);
	int rounds = 0, ret = 1, pst = 0;
	if (!s || wait_answer(r, &c, 0))
		goto out;
	for (;;) {
		uint8_t up[DS_EAP_MAX_MSG];
		size_t ulen = 0;
		pst = ds_eap_aka_peer_ops.input(peer, c.pkt, c.len, up, &ulen);
		if (c.status != DS_EAP_CONTINUE)
			break;
		if (pst != DS_EAP_CONTINUE) {
			fprintf(stderr, "peer stopped: %d\n", pst);
			goto out;
		}
		int calls = c.calls;
		if (be.ops->input(s, up, ulen) || wait_answer(r, &c, calls))
			goto out;
		if (++rounds > 10)
			goto out;
	}
	const ds_eap_aka_peer_counters *pcs = ds_eap_aka_peer_counters_get(peer);
	printf("rounds=%d server=%s peer=%s sync_failures=%llu auth_rejects=%llu reason=%d "
	       "notification=%d\n",
	       rounds + 1, c.status == DS_EAP_SUCCESS ? "success" : "failure",
	       pst == DS_EAP_SUCCESS ? "success" : "failure",
	       (unsigned long long)pcs->sync_failures, (unsigned long long)pcs->auth_rejects,
	       be.ops->reason(s), ds_eap_aka_peer_notification(peer));
	if (c.status == DS_EAP_SUCCESS && pst == DS_EAP_SUCCESS) {
		uint8_t pm[DS_EAP_MSK_LEN];
		char hex[2 * DS_EAP_MSK_LEN + 1];
		if (!c.have_msk || ds_eap_aka_peer_ops.msk(peer, pm) ||
		    memcmp(pm, c.msk, DS_EAP_MSK_LEN)) {
			printf("MSK mismatch between peer and RADIUS MPPE keys\n");
			goto out;
		}
		binhex(pm, 16, hex);
		printf("MSK equal on both sides (%s...)\n", hex);
		ret = 0;
		if ((!strcmp(opt, "expect-resync") && pcs->sync_failures != 1) ||
		    (!strcmp(opt, "expect-direct") && pcs->sync_failures != 0)) {
			printf("unexpected number of resynchronisations\n");
			ret = 1;
		}
		if (pc.result_ind && ds_eap_aka_peer_notification(peer) != 32768) {
			printf("no protected success indication\n");
			ret = 1;
		}
	} else if (c.status == DS_EAP_FAILURE && pst == DS_EAP_FAILURE) {
		ret = 2;
	}
out:
	if (s)
		be.ops->free(s);
	ds_eap_radius_free(r);
	if (peer)
		ds_eap_aka_peer_ops.free(peer);
	return ret;
}

/* ---- hlr mode ---- */

static int hlr_cmd(int fd, const char *path, const char *cmd, char *resp, size_t cap)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	snprintf(a.sun_path, sizeof a.sun_path, "%s", path);
	if (sendto(fd, cmd, strlen(cmd), 0, (struct sockaddr *)&a, sizeof a) < 0)
		return -1;
	if (!resp)
		return 0;
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	if (poll(&pfd, 1, 5000) <= 0)
		return -1;
	ssize_t n = recv(fd, resp, cap - 1, 0);
	if (n <= 0)
		return -1;
	resp[n] = '\0';
	return 0;
}

static int run_hlr(int argc, char **argv)
{
	if (argc < 8)
		return 1;
	const char *path = argv[2], *imsi = argv[3];
	uint8_t k[16], opc[16];
	if (hexbin(argv[4], k, 16) || hexbin(argv[5], opc, 16))
		return 1;
	ds_usim u;
	ds_usim_init(&u, k, opc, strtoull(argv[6], NULL, 0));
	int count = atoi(argv[7]);
	int fd = socket(AF_UNIX, SOCK_DGRAM, 0);
	struct sockaddr_un me = { .sun_family = AF_UNIX };
	snprintf(me.sun_path, sizeof me.sun_path, "%s.client.%d", path, (int)getpid());
	unlink(me.sun_path);
	if (fd < 0 || bind(fd, (struct sockaddr *)&me, sizeof me))
		return 1;
	char cmd[128], resp[1024];
	uint8_t first_rand[16], first_autn[16];
	int ret = 1;
	for (int i = 0; i <= count; i++) {
		snprintf(cmd, sizeof cmd, "AKA-REQ-AUTH %s", imsi);
		if (hlr_cmd(fd, path, cmd, resp, sizeof resp))
			goto out;
		char r_imsi[32], s_rand[40], s_autn[40], s_ik[40], s_ck[40], s_res[40];
		uint8_t rand[16], autn[16], ik[16], ck[16], hres[8], res[8], mik[16], mck[16];
		uint8_t auts[14];
		if (sscanf(resp, "AKA-RESP-AUTH %31s %39s %39s %39s %39s %39s", r_imsi, s_rand, s_autn,
			   s_ik, s_ck, s_res) != 6 || hexbin(s_rand, rand, 16) ||
		    hexbin(s_autn, autn, 16) || hexbin(s_ik, ik, 16) || hexbin(s_ck, ck, 16) ||
		    hexbin(s_res, hres, 8)) {
			printf("unexpected answer: %s\n", resp);
			goto out;
		}
		int rc = ds_usim_authenticate(&u, rand, autn, res, mck, mik, auts);
		if (i == count) {
			/* after the resynchronisation below: must be fresh again */
			if (rc) {
				printf("vector after AKA-AUTS refused: %s\n", ds_strerror(rc));
				goto out;
			}
			printf("resynchronised vector accepted, SQN_MS now %012llx\n",
			       (unsigned long long)ds_usim_sqn_ms(&u));
			break;
		}
		if (rc || memcmp(res, hres, 8) || memcmp(mck, ck, 16) || memcmp(mik, ik, 16)) {
			printf("vector %d: usim %s, RES/CK/IK %s\n", i, ds_strerror(rc),
			       rc ? "-" : "differ");
			goto out;
		}
		if (i == 0) {
			memcpy(first_rand, rand, 16);
			memcpy(first_autn, autn, 16);
		}
		if (i == count - 1) {
			/* replay vector 0: SQN not fresh -> AUTS, hand it to the HLR */
			rc = ds_usim_authenticate(&u, first_rand, first_autn, res, mck, mik, auts);
			if (rc != DS_E_REPLAY) {
				printf("replayed vector not refused (%s)\n", ds_strerror(rc));
				goto out;
			}
			/* make the HLR fall behind: it must learn SQN_MS from AUTS */
			char h_auts[29], h_rand[33];
			binhex(auts, 14, h_auts);
			binhex(first_rand, 16, h_rand);
			snprintf(cmd, sizeof cmd, "AKA-AUTS %s %s %s", imsi, h_auts, h_rand);
			if (hlr_cmd(fd, path, cmd, NULL, 0))
				goto out;
		}
	}
	printf("%d hlr_auc_gw vectors verified by the dsmip6 USIM, replay refused with AUTS\n",
	       count);
	ret = 0;
out:
	close(fd);
	unlink(me.sun_path);
	return ret;
}

int main(int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], "radius"))
		return run_radius(argc, argv);
	if (argc >= 2 && !strcmp(argv[1], "hlr"))
		return run_hlr(argc, argv);
	fprintf(stderr, "usage: aaa_client radius|hlr ...\n");
	return 1;
}
