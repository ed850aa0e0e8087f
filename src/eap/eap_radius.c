/* RADIUS pass-through EAP back end over radcli, see eap_radius.h. */
#include "eap/eap_radius.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <radcli/radcli.h>

#include "core/err.h"
#include "core/util.h"
#include "eap/eap_msg.h"
#include "eap/eap_session.h"

#define RAD_STATE_MAX 253
#define MS_MPPE_SEND_KEY 16
#define MS_MPPE_RECV_KEY 17
#define VENDOR_MS 311

/* radcli's stock dictionary leaves the Microsoft vendor file out; the two MPPE attributes are
 * all this back end needs from it (RFC 2548 cl. 2.4.2, 2.4.3). */
static const char ms_dictionary[] =
	"VENDOR Microsoft 311\n"
	"ATTRIBUTE MS-MPPE-Send-Key 16 string Microsoft\n"
	"ATTRIBUTE MS-MPPE-Recv-Key 17 string Microsoft\n";

typedef struct rad_session rad_session;

typedef struct rad_job {
	struct rad_job *next;
	rad_session *s;
	/* request (copied from the session at enqueue time: workers never touch sessions) */
	char user[DS_EAP_MAX_MSG > 256 ? 256 : DS_EAP_MAX_MSG];
	char apn[128];
	uint8_t state[RAD_STATE_MAX];
	size_t state_len;
	uint8_t eap[DS_EAP_MAX_MSG];
	size_t eap_len;
	/* result */
	int rc;                      /* radcli status */
	uint8_t out[DS_EAP_MAX_MSG];
	size_t out_len;
	uint8_t new_state[RAD_STATE_MAX];
	size_t new_state_len;
	bool have_state;
	uint8_t msk[DS_EAP_MSK_LEN];
	bool msk_ok;
	char err[160];
} rad_job;

struct rad_session {
	ds_eap_session base;
	ds_eap_radius *r;
	ds_eap_done_fn done;
	void *cb_ctx;
	char user[256];
	char apn[128];
	uint8_t state[RAD_STATE_MAX];
	size_t state_len;
	bool busy, released, finished;
	int reason;
	uint8_t last_id;
};

struct ds_eap_radius {
	char server[300];
	char secret[128];
	char dictionary[256];
	char nas_id[64];
	unsigned timeout_s, retries, n_workers;
	uint32_t framed_mtu;
	ds_logger log;
	ds_ratelimit rl;
	ds_time msgs;
	int efd;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	rad_job *todo_head, *todo_tail, *done_head, *done_tail;
	bool stop;
	pthread_t *threads;
	unsigned started;
	ds_eap_radius_counters ctr;  /* under mu */
};

#define RLOG(r, lvl, ...) ds_logf_rl(&(r)->log, &(r)->rl, (r)->msgs, (lvl), __VA_ARGS__)

/* ---- RFC 2548 MPPE key decryption (MD5 from OpenSSL) ---- */

int ds_radius_mppe_decrypt(const uint8_t *val, size_t len, const char *secret,
			   const uint8_t req_auth[16], uint8_t *key, size_t cap)
{
	/* salt(2, high bit set) || C(1) .. C(n), each 16 octets */
	if (len < 2 + 16 || (len - 2) % 16 || len - 2 > 256 || !(val[0] & 0x80))
		return DS_E_BADLEN;
	uint8_t plain[256], b[16];
	size_t n = len - 2;
	const uint8_t *c = val + 2;
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	int rc = md ? DS_OK : DS_E_NOMEM;
	for (size_t i = 0; !rc && i < n; i += 16) {
		unsigned blen = 0;
		/* b(1) = MD5(S + R + A), b(i) = MD5(S + c(i-1)) */
		if (EVP_DigestInit_ex(md, EVP_md5(), NULL) != 1 ||
		    EVP_DigestUpdate(md, secret, strlen(secret)) != 1 ||
		    (i == 0 ? (EVP_DigestUpdate(md, req_auth, 16) != 1 ||
			       EVP_DigestUpdate(md, val, 2) != 1)
			    : EVP_DigestUpdate(md, c + i - 16, 16) != 1) ||
		    EVP_DigestFinal_ex(md, b, &blen) != 1 || blen != 16) {
			rc = DS_E_CRYPTO;
			break;
		}
		for (int k = 0; k < 16; k++)
			plain[i + (size_t)k] = c[i + (size_t)k] ^ b[k];
	}
	EVP_MD_CTX_free(md);
	if (!rc) {
		/* P = key-length(1) || key || padding */
		size_t klen = plain[0];
		if (klen == 0 || klen + 1 > n)
			rc = DS_E_BADLEN;
		else if (klen > cap)
			rc = DS_E_NOSPACE;
		else {
			memcpy(key, plain + 1, klen);
			rc = (int)klen;
		}
	}
	OPENSSL_cleanse(plain, sizeof plain);
	OPENSSL_cleanse(b, sizeof b);
	return rc;
}

/* ---- worker side ---- */

static rc_handle *make_handle(ds_eap_radius *r, char *err, size_t errlen)
{
	char buf[32];
	rc_handle *rh = rc_new();
	if (!rh || !rc_config_init(rh)) {
		snprintf(err, errlen, "radcli: out of memory");
		goto fail_nofree;
	}
	char srv[460];
	snprintf(srv, sizeof srv, "%s:%s", r->server, r->secret);
	if (rc_add_config(rh, "authserver", srv, "dsmip6", 0) ||
	    rc_add_config(rh, "acctserver", srv, "dsmip6", 0) ||
	    rc_add_config(rh, "dictionary", r->dictionary, "dsmip6", 0) ||
	    (snprintf(buf, sizeof buf, "%u", r->timeout_s),
	     rc_add_config(rh, "radius_timeout", buf, "dsmip6", 0)) ||
	    (snprintf(buf, sizeof buf, "%u", r->retries),
	     rc_add_config(rh, "radius_retries", buf, "dsmip6", 0)) ||
	    rc_add_config(rh, "radius_deadtime", "0", "dsmip6", 0) ||
	    rc_add_config(rh, "bindaddr", "*", "dsmip6", 0) ||
	    rc_apply_config(rh) != 0) {
		snprintf(err, errlen, "radcli: configuration refused for server %.100s", r->server);
		goto fail;
	}
	if (rc_read_dictionary(rh, r->dictionary) != 0 ||
	    rc_read_dictionary_from_buffer(rh, ms_dictionary, sizeof ms_dictionary - 1) != 0) {
		snprintf(err, errlen, "radcli: cannot read dictionary %.100s", r->dictionary);
		goto fail;
	}
	return rh;
fail:
	rc_destroy(rh);
fail_nofree:
	return NULL;
}

static void run_job(ds_eap_radius *r, rc_handle *rh, rad_job *j)
{
	VALUE_PAIR *send = NULL, *recv = NULL;
	RC_AAA_CTX *ctx = NULL;
	char msg[PW_MAX_MSG_SIZE] = "";
	uint32_t mtu = r->framed_mtu;
	j->rc = ERROR_RC;
	if (!rc_avpair_add(rh, &send, PW_USER_NAME, j->user, -1, 0) ||
	    !rc_avpair_add(rh, &send, PW_NAS_IDENTIFIER, r->nas_id, -1, 0) ||
	    !rc_avpair_add(rh, &send, PW_FRAMED_MTU, &mtu, 0, 0) ||
	    (j->apn[0] && !rc_avpair_add(rh, &send, PW_CALLED_STATION_ID, j->apn, -1, 0)) ||
	    (j->state_len && !rc_avpair_add(rh, &send, PW_STATE, j->state, (int)j->state_len, 0))) {
		snprintf(j->err, sizeof j->err, "cannot build Access-Request");
		goto out;
	}
	/* RFC 3579 cl. 3.1: EAP-Message attributes of at most 253 octets, in order */
	for (size_t off = 0; off < j->eap_len; off += AUTH_STRING_LEN) {
		size_t n = DS_MIN((size_t)AUTH_STRING_LEN, j->eap_len - off);
		if (!rc_avpair_add(rh, &send, PW_EAP_MESSAGE, j->eap + off, (int)n, 0)) {
			snprintf(j->err, sizeof j->err, "cannot add EAP-Message");
			goto out;
		}
	}
	j->rc = rc_aaa_ctx(rh, &ctx, 0, send, &recv, msg, 0, PW_ACCESS_REQUEST);
	if (j->rc != OK_RC && j->rc != CHALLENGE_RC && j->rc != REJECT_RC) {
		snprintf(j->err, sizeof j->err, "%s", j->rc == TIMEOUT_RC ? "no answer from AAA"
								   : "RADIUS exchange failed");
		goto out;
	}
	/* reassemble EAP-Message attributes in order */
	j->out_len = 0;
	for (VALUE_PAIR *vp = recv; vp; vp = rc_avpair_next(vp)) {
		unsigned type = 0, id = 0;
		char *raw = NULL;
		unsigned raw_len = 0;
		rc_avpair_get_attr(vp, &type, &id);
		if (id == PW_EAP_MESSAGE && rc_avpair_get_raw(vp, &raw, &raw_len) == 0) {
			if (j->out_len + raw_len > sizeof j->out) {
				snprintf(j->err, sizeof j->err, "EAP message too long");
				j->rc = ERROR_RC;
				goto out;
			}
			memcpy(j->out + j->out_len, raw, raw_len);
			j->out_len += raw_len;
		} else if (id == PW_STATE && rc_avpair_get_raw(vp, &raw, &raw_len) == 0 &&
			   raw_len <= RAD_STATE_MAX) {
			memcpy(j->new_state, raw, raw_len);
			j->new_state_len = raw_len;
			j->have_state = true;
		}
	}
	if (j->rc == OK_RC) {
		VALUE_PAIR *rk = rc_avpair_get(recv, MS_MPPE_RECV_KEY, VENDOR_MS);
		VALUE_PAIR *sk = rc_avpair_get(recv, MS_MPPE_SEND_KEY, VENDOR_MS);
		char *rv = NULL, *sv = NULL;
		unsigned rl = 0, sl = 0;
		const char *secret = rc_aaa_ctx_get_secret(ctx);
		const uint8_t *vec = rc_aaa_ctx_get_vector(ctx);
		if (rk && sk && secret && vec && rc_avpair_get_raw(rk, &rv, &rl) == 0 &&
		    rc_avpair_get_raw(sk, &sv, &sl) == 0) {
			/* RFC 4187 cl. 7: MSK = MS-MPPE-Recv-Key (32) || MS-MPPE-Send-Key (32) */
			int a = ds_radius_mppe_decrypt((const uint8_t *)rv, rl, secret, vec, j->msk, 32);
			int b = ds_radius_mppe_decrypt((const uint8_t *)sv, sl, secret, vec,
						       j->msk + 32, 32);
			j->msk_ok = a == 32 && b == 32;
		}
		if (!j->msk_ok)
			snprintf(j->err, sizeof j->err, "Access-Accept without usable MPPE keys");
	}
out:
	rc_avpair_free(send);
	rc_avpair_free(recv);
	if (ctx)
		rc_aaa_ctx_free(ctx);
}

static void *worker(void *arg)
{
	ds_eap_radius *r = arg;
	char err[160] = "";
	rc_handle *rh = make_handle(r, err, sizeof err);
	for (;;) {
		pthread_mutex_lock(&r->mu);
		while (!r->stop && !r->todo_head)
			pthread_cond_wait(&r->cv, &r->mu);
		if (r->stop) {
			pthread_mutex_unlock(&r->mu);
			break;
		}
		rad_job *j = r->todo_head;
		r->todo_head = j->next;
		if (!r->todo_head)
			r->todo_tail = NULL;
		pthread_mutex_unlock(&r->mu);

		j->next = NULL;
		if (rh) {
			run_job(r, rh, j);
		} else {
			j->rc = ERROR_RC;
			snprintf(j->err, sizeof j->err, "%s", err);
		}
		pthread_mutex_lock(&r->mu);
		if (r->done_tail)
			r->done_tail->next = j;
		else
			r->done_head = j;
		r->done_tail = j;
		pthread_mutex_unlock(&r->mu);
		uint64_t one = 1;
		ssize_t w = write(r->efd, &one, sizeof one);
		(void)w;  /* the counter saturating is impossible in practice; dispatch drains it */
	}
	if (rh)
		rc_destroy(rh);
	return NULL;
}

/* ---- engine side ---- */

static void session_free_now(rad_session *s)
{
	OPENSSL_clear_free(s, sizeof *s);
}

static int enqueue(rad_session *s, const uint8_t *eap, size_t len)
{
	ds_eap_radius *r = s->r;
	if (len > DS_EAP_MAX_MSG)
		return DS_E_BADLEN;
	rad_job *j = OPENSSL_zalloc(sizeof *j);
	if (!j)
		return DS_E_NOMEM;
	j->s = s;
	snprintf(j->user, sizeof j->user, "%s", s->user);
	snprintf(j->apn, sizeof j->apn, "%s", s->apn);
	memcpy(j->state, s->state, s->state_len);
	j->state_len = s->state_len;
	memcpy(j->eap, eap, len);
	j->eap_len = len;
	s->busy = true;
	pthread_mutex_lock(&r->mu);
	r->ctr.requests++;
	if (r->todo_tail)
		r->todo_tail->next = j;
	else
		r->todo_head = j;
	r->todo_tail = j;
	pthread_cond_signal(&r->cv);
	pthread_mutex_unlock(&r->mu);
	return DS_OK;
}

static void deliver(ds_eap_radius *r, rad_job *j)
{
	rad_session *s = j->s;
	s->busy = false;
	if (s->released) {
		session_free_now(s);
		return;
	}
	if (j->have_state) {
		memcpy(s->state, j->new_state, j->new_state_len);
		s->state_len = j->new_state_len;
	}
	ds_eap_pkt e;
	bool eap_ok = j->out_len && ds_eap_parse(j->out, j->out_len, &e) == DS_OK;
	uint8_t synth[4];
	switch (j->rc) {
	case CHALLENGE_RC:
		if (!eap_ok || e.code != DS_EAP_CODE_REQUEST) {
			/* RFC 3579 cl. 2.6.5: a challenge must carry an EAP-Request */
			RLOG(r, DS_LOG_WARN, "radius: Access-Challenge without a valid EAP-Request");
			s->finished = true;
			s->reason = DS_EAP_FAIL_BACKEND;
			int n = ds_eap_build_result(synth, sizeof synth, DS_EAP_CODE_FAILURE, s->last_id);
			s->done(s->cb_ctx, DS_EAP_FAILURE, synth, (size_t)n, NULL, 0);
			break;
		}
		s->last_id = e.id;
		s->done(s->cb_ctx, DS_EAP_CONTINUE, j->out, e.len, NULL, 0);
		break;
	case OK_RC:
		s->finished = true;
		if (!j->msk_ok) {
			/* without the MSK the IKE AUTH payloads cannot be computed (RFC 7296 cl. 2.16) */
			RLOG(r, DS_LOG_ERR, "radius: %s", j->err);
			s->reason = DS_EAP_FAIL_BACKEND;
			int n = ds_eap_build_result(synth, sizeof synth, DS_EAP_CODE_FAILURE, s->last_id);
			s->done(s->cb_ctx, DS_EAP_FAILURE, synth, (size_t)n, NULL, 0);
			break;
		}
		if (eap_ok && e.code == DS_EAP_CODE_SUCCESS) {
			s->done(s->cb_ctx, DS_EAP_SUCCESS, j->out, e.len, j->msk, DS_EAP_MSK_LEN);
		} else {
			int n = ds_eap_build_result(synth, sizeof synth, DS_EAP_CODE_SUCCESS, s->last_id);
			s->done(s->cb_ctx, DS_EAP_SUCCESS, synth, (size_t)n, j->msk, DS_EAP_MSK_LEN);
		}
		break;
	case REJECT_RC:
		s->finished = true;
		s->reason = DS_EAP_FAIL_AUTH;
		if (eap_ok && e.code == DS_EAP_CODE_FAILURE) {
			s->done(s->cb_ctx, DS_EAP_FAILURE, j->out, e.len, NULL, 0);
		} else {
			int n = ds_eap_build_result(synth, sizeof synth, DS_EAP_CODE_FAILURE, s->last_id);
			s->done(s->cb_ctx, DS_EAP_FAILURE, synth, (size_t)n, NULL, 0);
		}
		break;
	default:
		RLOG(r, DS_LOG_ERR, "radius: %s (%s)", j->err, r->server);
		s->finished = true;
		s->reason = DS_EAP_FAIL_BACKEND;
		int n = ds_eap_build_result(synth, sizeof synth, DS_EAP_CODE_FAILURE, s->last_id);
		s->done(s->cb_ctx, DS_EAP_FAILURE, synth, (size_t)n, NULL, 0);
		break;
	}
}

int ds_eap_radius_dispatch(ds_eap_radius *r)
{
	uint64_t v;
	ssize_t rd = read(r->efd, &v, sizeof v);  /* non-blocking: EAGAIN when nothing is new */
	(void)rd;
	pthread_mutex_lock(&r->mu);
	rad_job *list = r->done_head;
	r->done_head = r->done_tail = NULL;
	for (rad_job *j = list; j; j = j->next) {
		switch (j->rc) {
		case OK_RC: r->ctr.accepts++; if (!j->msk_ok) r->ctr.no_msk++; break;
		case CHALLENGE_RC: r->ctr.challenges++; break;
		case REJECT_RC: r->ctr.rejects++; break;
		case TIMEOUT_RC: r->ctr.timeouts++; break;
		default: r->ctr.errors++; break;
		}
	}
	pthread_mutex_unlock(&r->mu);
	int n = 0;
	while (list) {
		rad_job *j = list;
		list = j->next;
		r->msgs++;
		deliver(r, j);
		OPENSSL_clear_free(j, sizeof *j);
		n++;
	}
	return n;
}

static ds_eap_session *rad_start(void *backend, const char *nai, const char *apn,
				 ds_eap_done_fn done, void *cb_ctx)
{
	ds_eap_radius *r = backend;
	if (!nai || strlen(nai) >= sizeof(((rad_session *)0)->user) ||
	    (apn && strlen(apn) >= sizeof(((rad_session *)0)->apn)))
		return NULL;
	rad_session *s = OPENSSL_zalloc(sizeof *s);
	if (!s)
		return NULL;
	s->base.ops = &ds_eap_radius_ops;
	s->r = r;
	s->done = done;
	s->cb_ctx = cb_ctx;
	strcpy(s->user, nai);
	if (apn)
		strcpy(s->apn, apn);
	/* RFC 3579 cl. 2.1 / RFC 7296 cl. 2.16: open with EAP-Response/Identity from IDi */
	uint8_t id[DS_EAP_MAX_MSG];
	int n = ds_eap_build_identity(id, sizeof id, 0, nai);
	if (n < 0 || enqueue(s, id, (size_t)n)) {
		session_free_now(s);
		return NULL;
	}
	return &s->base;
}

static int rad_input(ds_eap_session *base, const uint8_t *eap, size_t len)
{
	rad_session *s = DS_CONTAINER_OF(base, rad_session, base);
	ds_eap_pkt e;
	int rc = ds_eap_parse(eap, len, &e);
	if (rc)
		return rc;
	if (e.code != DS_EAP_CODE_RESPONSE || s->busy || s->finished)
		return DS_E_STATE;
	/* the AAA server checks the Identifier; the relay only forwards */
	return enqueue(s, eap, e.len);
}

static void rad_free(ds_eap_session *base)
{
	if (!base)
		return;
	rad_session *s = DS_CONTAINER_OF(base, rad_session, base);
	if (s->busy)
		s->released = true;  /* freed when its request comes back */
	else
		session_free_now(s);
}

static int rad_reason(ds_eap_session *base)
{
	return DS_CONTAINER_OF(base, rad_session, base)->reason;
}

const ds_eap_backend_ops ds_eap_radius_ops = {
	.start = rad_start,
	.input = rad_input,
	.free = rad_free,
	.reason = rad_reason,
};

ds_eap_radius *ds_eap_radius_new(const ds_eap_radius_cfg *cfg)
{
	if (!cfg->server || !cfg->secret || !*cfg->server || !*cfg->secret)
		return NULL;
	ds_eap_radius *r = calloc(1, sizeof *r);
	if (!r)
		return NULL;
	const char *dict = cfg->dictionary ? cfg->dictionary : "/etc/radcli/dictionary";
	const char *nas = cfg->nas_identifier ? cfg->nas_identifier : "dsmip6-ha";
	if ((size_t)snprintf(r->server, sizeof r->server, "%s", cfg->server) >= sizeof r->server ||
	    (size_t)snprintf(r->secret, sizeof r->secret, "%s", cfg->secret) >= sizeof r->secret ||
	    (size_t)snprintf(r->dictionary, sizeof r->dictionary, "%s", dict) >=
		    sizeof r->dictionary ||
	    (size_t)snprintf(r->nas_id, sizeof r->nas_id, "%s", nas) >= sizeof r->nas_id) {
		free(r);
		return NULL;
	}
	r->timeout_s = cfg->timeout_s ? cfg->timeout_s : 3;
	r->retries = cfg->retries ? cfg->retries : 2;
	r->n_workers = cfg->workers ? cfg->workers : 1;
	r->framed_mtu = cfg->framed_mtu ? cfg->framed_mtu : 1400;
	r->log = cfg->log;
	r->rl = (ds_ratelimit)DS_RATELIMIT_INIT(1000, 20);
	r->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	r->threads = calloc(r->n_workers, sizeof *r->threads);
	if (r->efd < 0 || !r->threads || pthread_mutex_init(&r->mu, NULL)) {
		if (r->efd >= 0)
			close(r->efd);
		free(r->threads);
		free(r);
		return NULL;
	}
	pthread_cond_init(&r->cv, NULL);
	for (; r->started < r->n_workers; r->started++)
		if (pthread_create(&r->threads[r->started], NULL, worker, r))
			break;
	if (r->started == 0) {
		ds_eap_radius_free(r);
		return NULL;
	}
	return r;
}

void ds_eap_radius_free(ds_eap_radius *r)
{
	if (!r)
		return;
	pthread_mutex_lock(&r->mu);
	r->stop = true;
	pthread_cond_broadcast(&r->cv);
	pthread_mutex_unlock(&r->mu);
	for (unsigned i = 0; i < r->started; i++)
		pthread_join(r->threads[i], NULL);
	/* requests never run or never delivered: free the jobs, and sessions their owner
	 * already released */
	rad_job *lists[2] = { r->todo_head, r->done_head };
	for (int l = 0; l < 2; l++) {
		while (lists[l]) {
			rad_job *j = lists[l];
			lists[l] = j->next;
			if (j->s->released)
				session_free_now(j->s);
			else
				j->s->busy = false;
			OPENSSL_clear_free(j, sizeof *j);
		}
	}
	pthread_cond_destroy(&r->cv);
	pthread_mutex_destroy(&r->mu);
	close(r->efd);
	free(r->threads);
	OPENSSL_cleanse(r->secret, sizeof r->secret);
	free(r);
}

ds_eap_backend ds_eap_radius_backend(ds_eap_radius *r)
{
	ds_eap_backend b = { &ds_eap_radius_ops, r };
	return b;
}

int ds_eap_radius_fd(const ds_eap_radius *r)
{
	return r->efd;
}

void ds_eap_radius_counters_get(ds_eap_radius *r, ds_eap_radius_counters *out)
{
	pthread_mutex_lock(&r->mu);
	*out = r->ctr;
	pthread_mutex_unlock(&r->mu);
}
