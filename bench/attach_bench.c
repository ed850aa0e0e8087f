/* Full S2c attach benchmark, in process: a UE (ds_ue + IKEv2 initiator + EAP-AKA peer with its
 * USIM emulation, composed by ue/ue_ike.h) attaches to a PDN GW (IKEv2 responder with an ECDSA
 * P-256 certificate + embedded EAP-AKA server over an SQLite subscriber store + ds_ha, composed
 * by ha/ha_ike.h). Every attach is the product path with real bytes and real crypto:
 *   IKE_SA_INIT (default suites: AES-GCM-256, PRF-HMAC-SHA-384, X25519 key exchange)
 *   IKE_AUTH: IDi = NAI, IDr = APN, CP(MIP6_HOME_PREFIX), responder CERT + AUTH (ECDSA
 *             signature, verified by the UE against the operator root), EAP-AKA challenge
 *             (MILENAGE on both sides, SQN from the store), EAP-Success, AUTH from the MSK
 *   CREATE_CHILD_SA: transport-mode ESP for HoA <-> HA, protocol 135 (RFC 5026 cl. 5)
 *   BU / BA over that SA (Annex A.2), IPv4 HoA allocated.
 * A new UE (engines, USIM, IKE context) is created for each attach and freed after its BA; the
 * PDN GW keeps every IKE SA and binding, as a live PDN GW would.
 *
 * Figures (bench/run.sh contract):
 *   attach_per_s.inproc   attaches per second on 2 threads (one UE/PDN GW pair per thread),
 *                         from each thread's CPU time: the capacity of 2 cores. The machines
 *                         this runs on are shared, so the wall-clock rate (.wall) also
 *                         measures the other load; both are printed, with the load average.
 *   attach_per_s.1thread  the same on 1 thread
 *   attach.cpu_us         CPU time per attach (UE and PDN GW sides together)
 *   pgw.bytes_per_ue      PDN GW heap per attached UE: IKE SA, binding cache entry, ESP SAs
 *   handover.proc_us      CPU per handover, UE + PDN GW: new CoA -> BU -> BA with K=1 -> both
 *                         IKE SAs moved, the UE's INFORMATIONAL from the new address answered
 * attach_per_s (over sockets) and attach_per_s.ref (strongSwan charon as the responder) are
 * measured by bench/sockets.sh with bench/s2c_load.
 *
 * Usage: bench_attach [attaches per thread (default 4000) [handovers (default 2000)]] */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <malloc.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "core/err.h"
#include "eap/eap_aka_peer.h"
#include "eap/eap_aka_server.h"
#include "eap/subscriber_db.h"
#include "ha/ha.h"
#include "ha/ha_ike.h"
#include "ike/ike.h"
#include "ike/ike_cert.h"
#include "ue/ue.h"
#include "ue/ue_ike.h"

#define QMAX 32
#define APN "internet"
#define STEP_MS 1   /* virtual time between attaches: no timer ever becomes due */

static void die(const char *what, int rc)
{
	fprintf(stderr, "bench_attach: %s failed (%s)\n", what, rc ? ds_strerror(rc) : "-");
	exit(1);
}

static double clock_s(clockid_t id)
{
	struct timespec ts;
	clock_gettime(id, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- test PKI, made with OpenSSL at start: operator root CA and the PDN GW certificate ---- */

typedef struct pki {
	char *ca_pem, *ha_pem, *ha_key_pem;
} pki;

static char *bio_string(BIO *b)
{
	char *p;
	long n = BIO_get_mem_data(b, &p);
	char *s = malloc((size_t)n + 1);
	if (!s)
		die("malloc", DS_E_NOMEM);
	memcpy(s, p, (size_t)n);
	s[n] = 0;
	return s;
}

static void add_ext(X509 *c, X509 *issuer, int nid, const char *value)
{
	X509V3_CTX ctx;
	X509V3_set_ctx(&ctx, issuer, c, NULL, NULL, 0);
	X509_EXTENSION *e = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
	if (!e || !X509_add_ext(c, e, -1))
		die("X509 extension", DS_E_CRYPTO);
	X509_EXTENSION_free(e);
}

static X509 *make_cert(EVP_PKEY *key, const char *cn, X509 *issuer, EVP_PKEY *issuer_key,
		       long serial, bool ca)
{
	X509 *c = X509_new();
	X509_NAME *name = X509_NAME_new();
	if (!c || !name)
		die("X509_new", DS_E_NOMEM);
	X509_set_version(c, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(c), serial);
	X509_gmtime_adj(X509_getm_notBefore(c), -3600);
	X509_gmtime_adj(X509_getm_notAfter(c), 86400L * 365);
	X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC, (const unsigned char *)"dsmip6 bench",
				   -1, -1, 0);
	X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0);
	X509_set_subject_name(c, name);
	X509_set_issuer_name(c, issuer ? X509_get_subject_name(issuer) : name);
	X509_set_pubkey(c, key);
	X509 *iss = issuer ? issuer : c;
	if (ca) {
		add_ext(c, iss, NID_basic_constraints, "critical,CA:TRUE");
		add_ext(c, iss, NID_key_usage, "critical,keyCertSign,cRLSign");
	} else {
		add_ext(c, iss, NID_basic_constraints, "critical,CA:FALSE");
		add_ext(c, iss, NID_key_usage, "critical,digitalSignature");
		add_ext(c, iss, NID_subject_alt_name, "DNS:pgw.bench.example.net");
	}
	if (!X509_sign(c, issuer_key ? issuer_key : key, EVP_sha256()))
		die("X509_sign", DS_E_CRYPTO);
	X509_NAME_free(name);
	return c;
}

static void pki_make(pki *k)
{
	EVP_PKEY *ca_key = EVP_EC_gen("P-256"), *ha_key = EVP_EC_gen("P-256");
	if (!ca_key || !ha_key)
		die("EC key generation", DS_E_CRYPTO);
	X509 *ca = make_cert(ca_key, "dsmip6 bench root", NULL, NULL, 1, true);
	X509 *ha = make_cert(ha_key, "pgw.bench.example.net", ca, ca_key, 2, false);
	BIO *b1 = BIO_new(BIO_s_mem()), *b2 = BIO_new(BIO_s_mem()), *b3 = BIO_new(BIO_s_mem());
	if (!b1 || !b2 || !b3 || !PEM_write_bio_X509(b1, ca) || !PEM_write_bio_X509(b2, ha) ||
	    !PEM_write_bio_PrivateKey(b3, ha_key, NULL, NULL, 0, NULL, NULL))
		die("PEM export", DS_E_CRYPTO);
	k->ca_pem = bio_string(b1);
	k->ha_pem = bio_string(b2);
	k->ha_key_pem = bio_string(b3);
	BIO_free(b1);
	BIO_free(b2);
	BIO_free(b3);
	X509_free(ca);
	X509_free(ha);
	EVP_PKEY_free(ca_key);
	EVP_PKEY_free(ha_key);
}

static void pki_free(pki *k)
{
	free(k->ca_pem);
	free(k->ha_pem);
	free(k->ha_key_pem);
}

/* ---- one worker: a PDN GW and the UEs attaching to it, joined by a packet queue ---- */

typedef struct qpkt {
	bool to_ha;
	ds_pkt p;
	uint8_t data[DS_PKT_MAX];
} qpkt;

typedef struct worker {
	int id;
	const pki *pki;
	size_t n_attach, n_handover;
	ds_time now;
	qpkt *q;
	size_t qh, qn;            /* ring: head and count */
	/* PDN GW */
	ds_addr ha6, ha4;
	ds_subdb *db;
	ds_eap_aka_server *srv;
	ds_cert *cert;
	ds_ike_cert_auth ha_auth;
	ds_ike *ha_ike;
	ds_ha *ha;
	ds_ha_ike_glue *ha_glue;
	/* the current UE */
	ds_ca_store *ca;
	ds_ike_cert_auth ue_auth;
	ds_ike *ue_ike;
	ds_ue *ue;
	ds_ue_ike_glue *ue_glue;
	enum ds_ue_pdn_state st;
	ds_pdn_id pdn;
	/* results */
	double wall, cpu;
	size_t heap_growth;
} worker;

static const uint8_t IID[8] = { 0x02, 0x11, 0x22, 0xff, 0xfe, 0x33, 0x44, 0x55 };

/* Deterministic per-subscriber K and OPc (test values, splitmix64 stream). */
static void sub_keys(size_t idx, uint8_t k[16], uint8_t opc[16])
{
	uint64_t x = (uint64_t)idx * 0x9e3779b97f4a7c15ull + 12345;
	for (int i = 0; i < 32; i += 8) {
		x += 0x9e3779b97f4a7c15ull;
		uint64_t z = x;
		z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
		z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
		z ^= z >> 31;
		for (int b = 0; b < 8; b++)
			(i < 16 ? k : opc)[(i % 16) + b] = (uint8_t)(z >> (8 * b));
	}
}

static void sub_imsi(const worker *w, size_t i, char *out, size_t cap)
{
	/* MCC 001, MNC 01, then the worker and the subscriber number */
	snprintf(out, cap, "00101%u%09u", (unsigned)w->id % 10u, (unsigned)(i % 1000000000u));
}

static void push(worker *w, bool to_ha, const ds_pkt *p)
{
	if (p->kind == DS_PKT_TUN)
		return;
	if (w->qn == QMAX || p->len > DS_PKT_MAX)
		die("packet queue", DS_E_NOSPACE);
	qpkt *k = &w->q[(w->qh + w->qn++) % QMAX];
	k->to_ha = to_ha;
	k->p = *p;
	memcpy(k->data, p->data, p->len);
	k->p.data = k->data;
}

static void to_ha(void *ctx, const ds_pkt *p) { push(ctx, true, p); }
static void to_ue(void *ctx, const ds_pkt *p) { push(ctx, false, p); }

static bool is_ike(const ds_pkt *p)
{
	return p->kind == DS_PKT_UDP &&
	       (p->dst.port == DS_IKE_PORT || p->dst.port == DS_IKE_NATT_PORT);
}

/* Deliver queued packets until the network is quiet (no timer is due in this run). */
static void pump(worker *w)
{
	ds_ue_ike_glue_set_time(w->ue_glue, w->now);
	ds_ha_ike_glue_set_time(w->ha_glue, w->now);
	while (w->qn) {
		qpkt *k = &w->q[w->qh];
		w->qh = (w->qh + 1) % QMAX;
		w->qn--;
		qpkt c = *k;   /* the slot may be reused by what this packet triggers */
		c.p.data = c.data;
		if (c.to_ha)
			is_ike(&c.p) ? ds_ike_input(w->ha_ike, &c.p, w->now)
				     : ds_ha_input(w->ha, &c.p, w->now);
		else
			is_ike(&c.p) ? ds_ike_input(w->ue_ike, &c.p, w->now)
				     : ds_ue_input(w->ue, &c.p, w->now);
	}
}

static int64_t unix_time(void *ctx)
{
	(void)ctx;
	return (int64_t)time(NULL);
}

static void pgw_new(worker *w, size_t n_subs)
{
	ds_addr_parse("2001:db8::1", &w->ha6);
	ds_addr_parse("192.0.2.1", &w->ha4);
	int rc = ds_subdb_open(":memory:", &w->db);
	if (rc != DS_OK)
		die("ds_subdb_open", rc);
	const char *apns[] = { APN };
	for (size_t i = 0; i < n_subs; i++) {
		ds_subscriber s = { .amf = 0x8000, .sqn = 0 };
		sub_imsi(w, i, s.imsi, sizeof s.imsi);
		sub_keys(i, s.k, s.opc);
		rc = ds_subdb_add(w->db, &s, apns, 1);
		if (rc != DS_OK)
			die("ds_subdb_add", rc);
	}
	ds_eap_aka_server_cfg sc = { .db = w->db };
	w->srv = ds_eap_aka_server_new(&sc);
	int err = 0;
	w->cert = ds_cert_from_pem(w->pki->ha_pem, strlen(w->pki->ha_pem), w->pki->ha_key_pem,
				   strlen(w->pki->ha_key_pem), &err);
	if (!w->srv || !w->cert)
		die("EAP server / certificate", err);
	rc = ds_ike_cert_signer(&w->ha_auth, w->cert, 0);
	if (rc != DS_OK)
		die("ds_ike_cert_signer", rc);
	w->ha_glue = ds_ha_ike_glue_new();
	ds_ike_config ic = { .role = DS_IKE_RESPONDER, .send = to_ue, .send_ctx = w,
			     .signer = &w->ha_auth.signer,
			     .eap = ds_eap_aka_server_backend(w->srv) };
	ds_ha_ike_glue_ike_events(w->ha_glue, &ic.ev);
	w->ha_ike = ds_ike_new(&ic, &err);
	if (!w->ha_ike)
		die("responder ds_ike_new", err);
	ds_ha_config hc;
	memset(&hc, 0, sizeof hc);
	hc.send = to_ue;
	hc.send_ctx = w;
	hc.ev.ctx = w->ha_glue;
	hc.ev.ike = ds_ha_ike_glue_event;
	hc.ha6 = w->ha6;
	hc.ha4 = w->ha4;
	ds_addr_parse("2001:db8:8000::/36", &hc.hnp_pool);
	ds_addr_parse("10.0.0.0/8", &hc.ipv4_pool);
	hc.max_lifetime_s = 3600;
	w->ha = ds_ha_new(&hc);
	if (!w->ha)
		die("ds_ha_new", DS_E_CONFIG);
	ds_ha_ike_glue_attach(w->ha_glue, w->ha, w->ha_ike);
	w->ca = ds_ca_from_pem(w->pki->ca_pem, strlen(w->pki->ca_pem), &err);
	if (!w->ca)
		die("ds_ca_from_pem", err);
	ds_ike_cert_verifier(&w->ue_auth, w->ca, unix_time, NULL);
}

static void pgw_free(worker *w)
{
	ds_ike_free(w->ha_ike);
	ds_ha_free(w->ha);
	ds_ha_ike_glue_free(w->ha_glue);
	ds_eap_aka_server_free(w->srv);
	ds_subdb_close(w->db);
	ds_cert_free(w->cert);
	ds_ca_free(w->ca);
}

static ds_addr coa_of(const worker *w, size_t i, int net)
{
	uint8_t ip[16] = { 0x20, 0x01, 0x0d, 0xb8, 0xc0, (uint8_t)(0x10 * (net + 1) + w->id),
			   0, 0, 0, 0, 0, 0, (uint8_t)(i >> 24), (uint8_t)(i >> 16),
			   (uint8_t)(i >> 8), (uint8_t)i };
	return ds_addr6(ip, 0);
}

static void ev_state(void *ctx, ds_pdn_id pdn, enum ds_ue_pdn_state st, int ev, int status)
{
	worker *w = ctx;
	(void)pdn;
	(void)ev;
	(void)status;
	w->st = st;
}

static void ev_ike(void *ctx, ds_pdn_id pdn, enum ds_ue_ike_action a, void *ike,
		   const ds_addr *local, const ds_addr *ha)
{
	worker *w = ctx;
	ds_ue_ike_glue_event(w->ue_glue, pdn, a, ike, local, ha);
}

/* Create UE i (USIM, EAP-AKA peer, IKE initiator, UE engine) and attach it on its first CoA. */
static void ue_attach(worker *w, size_t i)
{
	char imsi[DS_IMSI_MAX + 1], nai[96];
	sub_imsi(w, i, imsi, sizeof imsi);
	snprintf(nai, sizeof nai, "0%s@nai.epc.mnc001.mcc001.3gppnetwork.org", imsi);
	ds_eap_aka_peer_cfg pc = { .identity = nai };
	sub_keys(i, pc.k, pc.opc);
	ds_eap_peer *peer = ds_eap_aka_peer_new(&pc);
	ds_ue_ike_glue_config gc = { .nai = nai, .eap = peer, .eap_ops = &ds_eap_aka_peer_ops };
	memcpy(gc.iid, IID, 8);
	w->ue_glue = ds_ue_ike_glue_new(&gc);
	if (!peer || !w->ue_glue)
		die("UE creation", DS_E_NOMEM);
	ds_ike_config ic = { .role = DS_IKE_INITIATOR, .send = to_ha, .send_ctx = w,
			     .verifier = &w->ue_auth.verifier };
	ds_ue_ike_glue_ike_events(w->ue_glue, &ic.ev);
	int err = 0;
	w->ue_ike = ds_ike_new(&ic, &err);
	if (!w->ue_ike)
		die("initiator ds_ike_new", err);
	ds_ue_config uc;
	memset(&uc, 0, sizeof uc);
	uc.send = to_ha;
	uc.send_ctx = w;
	uc.ev.ctx = w;
	uc.ev.pdn_state = ev_state;
	uc.ev.ike = ev_ike;
	memcpy(uc.iid, IID, 8);
	memcpy(uc.mcc, "001", 4);
	memcpy(uc.mnc, "01", 3);
	w->ue = ds_ue_new(&uc);
	if (!w->ue)
		die("ds_ue_new", DS_E_CONFIG);
	ds_ue_ike_glue_attach(w->ue_glue, w->ue, w->ue_ike);
	ds_ue_ike_glue_set_time(w->ue_glue, w->now);
	ds_ha_ike_glue_set_time(w->ha_glue, w->now);
	ds_ue_access a;
	memset(&a, 0, sizeof a);
	a.kind = DS_UE_ACCESS_IPV6;
	a.coa6 = coa_of(w, i, 0);
	if ((err = ds_ue_access_change(w->ue, &a, w->now)) != DS_OK)
		die("ds_ue_access_change", err);
	ds_ue_pdn_config p;
	memset(&p, 0, sizeof p);
	strcpy(p.apn, APN);
	p.ha6 = w->ha6;
	p.ha4 = w->ha4;
	p.want_ipv4_hoa = true;
	p.lifetime_s = 3600;
	w->st = 0;
	if (!(w->pdn = ds_ue_pdn_add(w->ue, &p, w->now, &err)))
		die("ds_ue_pdn_add", err);
	pump(w);
	if (w->st != DS_UE_PDN_REGISTERED)
		die("attach (UE not registered)", DS_E_STATE);
}

/* Move UE i to its second CoA; returns when the BA came back and the IKE SAs moved. */
static void ue_handover(worker *w, size_t i)
{
	ds_ue_access a;
	memset(&a, 0, sizeof a);
	a.kind = DS_UE_ACCESS_IPV6;
	a.coa6 = coa_of(w, i, 1);
	w->st = 0;
	ds_ue_ike_glue_set_time(w->ue_glue, w->now);
	ds_ha_ike_glue_set_time(w->ha_glue, w->now);
	int rc = ds_ue_access_change(w->ue, &a, w->now);
	if (rc != DS_OK)
		die("ds_ue_access_change", rc);
	pump(w);
	if (w->st != DS_UE_PDN_REGISTERED)
		die("handover (UE not registered)", DS_E_STATE);
}

/* The UE leaves the bench without a word: its engines are freed, the PDN GW keeps its IKE SA
 * and binding (as for a UE that is still attached). */
static void ue_drop(worker *w)
{
	ds_ue_free(w->ue);
	ds_ike_free(w->ue_ike);
	ds_ue_ike_glue_free(w->ue_glue);
	w->ue = NULL;
	w->ue_ike = NULL;
	w->ue_glue = NULL;
}

static pthread_barrier_t start_line;

static void *attach_worker(void *arg)
{
	worker *w = arg;
	w->q = calloc(QMAX, sizeof *w->q);
	if (!w->q)
		die("calloc", DS_E_NOMEM);
	w->now = 1000;
	pgw_new(w, w->n_attach);
	/* one warm-up attach (OpenSSL fetches and lazy tables) before the clock starts */
	ue_attach(w, 0);
	ue_drop(w);
	malloc_trim(0);
	struct mallinfo2 m0 = mallinfo2();
	pthread_barrier_wait(&start_line);
	double c0 = clock_s(CLOCK_THREAD_CPUTIME_ID), w0 = clock_s(CLOCK_MONOTONIC);
	for (size_t i = 1; i < w->n_attach; i++) {
		w->now += STEP_MS;
		ue_attach(w, i);
		ue_drop(w);
	}
	w->cpu = clock_s(CLOCK_THREAD_CPUTIME_ID) - c0;
	w->wall = clock_s(CLOCK_MONOTONIC) - w0;
	struct mallinfo2 m1 = mallinfo2();
	w->heap_growth = (m1.uordblks + m1.hblkhd) - (m0.uordblks + m0.hblkhd);
	const ds_ike_counters *c = ds_ike_get_counters(w->ha_ike);
	if (c->sa_established != w->n_attach || ds_ha_binding_count(w->ha) != w->n_attach)
		die("attach counters", DS_E_STATE);
	pgw_free(w);
	free(w->q);
	return NULL;
}

/* Attaches on `threads` workers, n per worker. Returns the attach rate the threads achieved on
 * their own CPU time (sum over threads of attaches / thread CPU seconds); *wall_rate is the
 * rate over the wall clock, which on a shared machine also measures the other load. */
static double run_attach(const pki *k, int threads, size_t n, double *wall_rate, double *cpu_us,
			 double *bytes)
{
	worker w[2];
	pthread_t t[2];
	memset(w, 0, sizeof w);
	pthread_barrier_init(&start_line, NULL, (unsigned)threads);
	for (int i = 0; i < threads; i++) {
		w[i].id = i;
		w[i].pki = k;
		w[i].n_attach = n;
		if (pthread_create(&t[i], NULL, attach_worker, &w[i]) != 0)
			die("pthread_create", DS_E_NOMEM);
	}
	double wall = 0, cpu = 0, rate = 0, growth = 0;
	for (int i = 0; i < threads; i++) {
		pthread_join(t[i], NULL);
		wall = w[i].wall > wall ? w[i].wall : wall;
		cpu += w[i].cpu;
		rate += (double)(n - 1) / w[i].cpu;
		growth += (double)w[i].heap_growth;
	}
	pthread_barrier_destroy(&start_line);
	size_t total = (size_t)threads * (n - 1);
	*cpu_us = cpu * 1e6 / (double)total;
	*bytes = growth / (double)total;
	*wall_rate = (double)total / wall;
	return rate;
}

/* Handover processing on one thread: attach (not timed), then the timed handover. */
static double run_handover(const pki *k, size_t n)
{
	worker w;
	memset(&w, 0, sizeof w);
	w.pki = k;
	w.q = calloc(QMAX, sizeof *w.q);
	if (!w.q)
		die("calloc", DS_E_NOMEM);
	w.now = 1000;
	pgw_new(&w, n + 1);
	double cpu = 0;
	for (size_t i = 0; i <= n; i++) {
		w.now += STEP_MS;
		ue_attach(&w, i);
		double c0 = clock_s(CLOCK_THREAD_CPUTIME_ID);
		ue_handover(&w, i);
		if (i > 0)   /* the first one warms up */
			cpu += clock_s(CLOCK_THREAD_CPUTIME_ID) - c0;
		/* the PDN GW's binding and IKE SA now point at the new CoA */
		ds_ue_pdn_status st;
		ds_ue_pdn_status_get(w.ue, w.pdn, &st);
		ds_ha_alloc al;
		const ds_ha_ue *u = ds_ha_find_hoa(w.ha, &st.hoa);
		ds_addr coa = coa_of(&w, i, 1);
		if (!u)
			die("handover: binding lookup", DS_E_NOTFOUND);
		ds_ha_ue_alloc(u, &al);
		if (!ds_addr_ip_eq(&al.coa, &coa))
			die("handover: binding not moved", DS_E_STATE);
		ue_drop(&w);
	}
	if (ds_ike_get_counters(w.ha_ike)->sa_established != n + 1)
		die("handover: a new IKE SA was made", DS_E_STATE);
	pgw_free(&w);
	free(w.q);
	return cpu * 1e6 / (double)n;
}

static const char *loadavg(void)
{
	static char buf[128];
	FILE *f = fopen("/proc/loadavg", "r");
	if (!f || !fgets(buf, sizeof buf, f))
		snprintf(buf, sizeof buf, "unknown\n");
	if (f)
		fclose(f);
	return buf;
}

int main(int argc, char **argv)
{
	size_t n = argc > 1 ? strtoul(argv[1], NULL, 10) : 4000;
	size_t h = argc > 2 ? strtoul(argv[2], NULL, 10) : 2000;
	if (n < 2 || n > 999999999 || h < 1) {
		fprintf(stderr, "usage: bench_attach [attaches per thread (>= 2) [handovers]]\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	pki k;
	pki_make(&k);
	printf("   load average before the run: %s", loadavg());
	double cpu1, bytes1, cpu2, bytes2, w1, w2;
	double r1 = run_attach(&k, 1, n, &w1, &cpu1, &bytes1);
	printf("bench: attach_per_s.1thread %.0f 1/s (%zu full attaches on thread CPU time: "
	       "IKE_SA_INIT, EAP-AKA IKE_AUTH with certificate, CREATE_CHILD_SA, BU/BA)\n", r1,
	       n - 1);
	printf("bench: attach_per_s.1thread.wall %.0f 1/s (wall clock)\n", w1);
	printf("bench: attach.cpu_us %.1f us (CPU per attach, UE + PDN GW)\n", cpu1);
	printf("bench: pgw.bytes_per_ue %.0f B (PDN GW heap per attached UE: IKE SA + HA state)\n",
	       bytes1);
	double r2 = run_attach(&k, 2, n, &w2, &cpu2, &bytes2);
	printf("bench: attach_per_s.inproc %.0f 1/s (2 threads, %zu attaches each, thread CPU time; "
	       "%.1f us CPU per attach)\n", r2, n - 1, cpu2);
	printf("bench: attach_per_s.inproc.wall %.0f 1/s (2 threads, wall clock)\n", w2);
	double ho = run_handover(&k, h);
	printf("bench: handover.proc_us %.1f us (CPU per handover, UE + PDN GW, %zu handovers; "
	       "add one UE <-> PDN GW round trip for the latency)\n", ho, h);
	pki_free(&k);
	return 0;
}
