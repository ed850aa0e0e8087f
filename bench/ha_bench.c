/* Home Agent engine benchmark: state per registered UE, Binding Update throughput and handover
 * processing time of one ds_ha engine on one core, with real ESP (AES-128-GCM-16 transport-mode
 * SAs protecting the Mobility Header, RFC 4877) and real packets (IPv6 / Destination Options
 * with the Home Address option / ESP / MH, RFC 6275 cl. 6.3, 9.3.1).
 *
 * How a UE is registered here: ds_ha_assign_hnp() (what the IKE responder's prefix hook calls
 * in IKE_AUTH, RFC 5026), then ds_ha_ike_up() with the ESP SA pair built exactly as the HA's
 * IKE glue builds it from a negotiated CHILD_SA (ha/ha_ike.c: ds_esp_sa_new() on the CHILD_SA
 * parameters), then an initial Binding Update (A=H=K=R=O=1, IPv4 HoA requested, Alternate CoA)
 * sealed with the UE's outbound SA and fed to ds_ha_input(); the HA answers with a sealed BA.
 * What is bypassed: the IKEv2 exchanges themselves (IKE_SA_INIT, EAP-AKA IKE_AUTH,
 * CREATE_CHILD_SA) and the IKE SA state, because a million full IKE attaches take minutes;
 * bench_attach measures those. The ESP keys are per UE (deterministic test keys).
 *
 * Figures (bench/run.sh contract, "bench: <metric> <value> <unit>"):
 *   ha.bytes_per_ue          heap growth per registered UE (binding cache, pools, both ESP SAs
 *                            as the IKE glue creates them), mallinfo2 before/after
 *   ha.rss_per_ue            resident set growth per UE (/proc/self/statm)
 *   ha.bu_per_s              re-registration BUs (pre-built and sealed by the UEs, fed in a
 *                            shuffled order): IPv6 parse, SPI lookup, ESP open with replay
 *                            check, selector check, MH decode, BU validation, binding refresh,
 *                            BA build, ESP seal, send. Thread CPU time, one core.
 *   ha.bu_per_s.ref          OpenSSL-only floor for the same packets: raw EVP AES-128-GCM open
 *                            of each BU's ESP payload plus seal of a BA-sized payload, keyed the
 *                            same way (one pre-keyed context pair per UE, or one context pair
 *                            re-keyed per packet for compact SAs)
 *   ha.handover_us           HA processing per BU from a new care-of address (binding moved,
 *                            IKE SA move requested, BA to the new CoA)
 *   HA-side SAs are compact (ipsec/esp.h: keys, sequence and replay window per SA, cipher
 *   contexts shared through the HA SAD), as the IKE glue (src/ha/ha_ike.c) creates them.
 *   The same figures with suffix .full_sa: SAs with their own OpenSSL contexts, for comparison.
 *
 * Usage: bench_ha [N [N_full]]   (defaults 1000000 and N; 0 skips the full-SA run) */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <malloc.h>

#include <openssl/evp.h>

#include "core/err.h"
#include "crypto/crypto.h"
#include "ha/ha.h"
#include "ipsec/esp.h"
#include "ipsec/sad.h"
#include "mip/mh.h"
#include "mip/sig.h"

#define APN "internet"
#define PKT_STRIDE 256          /* room for one pre-built BU packet */
#define SAMPLE_EVERY 4099       /* BAs kept and checked by the UE's inbound SA */
#define REF_MAX_UES 131072      /* contexts of the OpenSSL reference (2 per UE) */
#define HANDOVER_MAX 100000
#define SPI_UP 0x01000000u      /* UE -> HA SPI base (the HA's inbound SAs) */
#define SPI_DOWN 0x81000000u    /* HA -> UE SPI base */

static const uint8_t IID[8] = { 0x02, 0x11, 0x22, 0xff, 0xfe, 0x33, 0x44, 0x55 };

typedef struct ue_rec {
	uint64_t hnp;            /* upper 64 bits of the HNP */
	uint8_t hoa4[4];
	uint16_t seq;
} ue_rec;

typedef struct bench {
	ds_ha *ha;
	ds_addr ha6;
	size_t n;
	bool compact;
	ue_rec *ue;
	ds_sad *ue_sad;          /* the UEs' outbound SAs (compact, keyed by UE index + 1) */
	/* what the HA sent */
	uint64_t sent, ike_moves;
	bool keep;               /* copy the next packet into `last` */
	uint8_t last[DS_PKT_MAX];
	size_t last_len;
	/* sampled BAs */
	uint8_t *samples;
	size_t *sample_len, *sample_ue, n_samples;
	/* pre-built BUs (shuffled order) */
	uint8_t *pkts;
	uint16_t *pkt_len, *pkt_esp_off;
	uint32_t *pkt_ue;
	size_t ba_plain_len;     /* ESP plaintext length of a BA (for the reference) */
} bench;

static void die(const char *what, int rc)
{
	fprintf(stderr, "bench_ha: %s failed (%s)\n", what, rc ? ds_strerror(rc) : "-");
	exit(1);
}

static double cpu_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double wall_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Heap in use (all arenas, mmapped blocks included) and resident set size. */
static size_t heap_bytes(void)
{
	struct mallinfo2 mi = mallinfo2();
	return mi.uordblks + mi.hblkhd;
}

static size_t rss_bytes(void)
{
	FILE *f = fopen("/proc/self/statm", "r");
	unsigned long size = 0, res = 0;
	if (f) {
		if (fscanf(f, "%lu %lu", &size, &res) != 2)
			res = 0;
		fclose(f);
	}
	return (size_t)res * (size_t)sysconf(_SC_PAGESIZE);
}

/* Deterministic per-UE test keys (splitmix64 stream): AES-128 key || 4-octet salt. */
static void ue_key(size_t i, int dir, uint8_t key[20])
{
	uint64_t x = (uint64_t)i * 2 + (uint64_t)dir + 0x9e3779b97f4a7c15ull;
	for (int k = 0; k < 20; k += 8) {
		x += 0x9e3779b97f4a7c15ull;
		uint64_t z = x;
		z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
		z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
		z ^= z >> 31;
		for (int b = 0; b < 8 && k + b < 20; b++)
			key[k + b] = (uint8_t)(z >> (8 * b));
	}
}

static void ue_nai(size_t i, char *out, size_t cap)
{
	/* permanent EPC NAI, TS 23.003 cl. 19.3.2: "0" + IMSI (MCC 001, MNC 01) */
	snprintf(out, cap, "0001010%09zu@nai.epc.mnc001.mcc001.3gppnetwork.org", i);
}

static void ue_hoa(const bench *b, size_t i, uint8_t hoa[16])
{
	for (int k = 0; k < 8; k++)
		hoa[k] = (uint8_t)(b->ue[i].hnp >> (56 - 8 * k));
	memcpy(hoa + 8, IID, 8);
}

/* Care-of address of UE i on access `net` (0: first access, 1: after the handover). */
static ds_addr ue_coa(size_t i, int net)
{
	uint8_t ip[16] = { 0x20, 0x01, 0x0d, 0xb8, 0xc0, (uint8_t)(0x10 * (net + 1)), 0, 0, 0, 0,
			   0, 0, (uint8_t)(i >> 24), (uint8_t)(i >> 16), (uint8_t)(i >> 8),
			   (uint8_t)i };
	return ds_addr6(ip, 0);
}

/* ---- HA host callbacks ---- */

static void ha_send(void *ctx, const ds_pkt *p)
{
	bench *b = ctx;
	b->sent++;
	if (b->keep && p->len <= sizeof b->last) {
		memcpy(b->last, p->data, p->len);
		b->last_len = p->len;
		b->keep = false;
	}
}

static void ha_ike(void *ctx, void *ike, enum ds_ha_ike_action a, const ds_addr *addr)
{
	bench *b = ctx;
	(void)ike;
	(void)addr;
	if (a == DS_HA_IKE_MOVE)
		b->ike_moves++;
}

static void ha_persist(void *ctx, const ds_ha_alloc *a, bool gone)
{
	/* the runtime writes these to SQLite; that cost is not the engine's */
	(void)ctx;
	(void)a;
	(void)gone;
}

/* ---- SAs ---- */

/* The parameters a transport-mode MH CHILD_SA arrives with (ike/ike_child.c): HoA <-> HA,
 * protocol 135, all ports, outer endpoints the IKE SA's. */
static ds_esp_sa *make_sa(const bench *b, size_t i, uint8_t dir, bool ha_side,
			  const uint8_t hoa[16], bool compact)
{
	uint8_t key[20];
	bool up = (dir == DS_ESP_IN) == ha_side;   /* UE -> HA direction */
	ue_key(i, up ? 0 : 1, key);
	ds_addr hoa_a = ds_addr6(hoa, 0), coa = ue_coa(i, 0);
	ds_esp_sa_params p;
	memset(&p, 0, sizeof p);
	p.spi = (up ? SPI_UP : SPI_DOWN) + (uint32_t)i;
	p.dir = dir;
	p.mode = DS_ESP_TRANSPORT;
	p.encr = DS_ENCR_AES_GCM_16;
	p.encr_key_bits = 128;
	p.integ = DS_INTEG_NONE;
	p.encr_key = key;
	p.local = ha_side ? b->ha6 : coa;
	p.remote = ha_side ? coa : b->ha6;
	p.sel.local = ha_side ? b->ha6 : hoa_a;
	p.sel.remote = ha_side ? hoa_a : b->ha6;
	p.sel.local.plen = p.sel.remote.plen = 128;
	p.sel.proto = DS_IPPROTO_MH;
	p.sel.local_port_hi = p.sel.remote_port_hi = 0xffff;
	p.compact = compact;
	int err = 0;
	ds_esp_sa *sa = ds_esp_sa_new(&p, &err);
	if (!sa)
		die("ds_esp_sa_new", err);
	return sa;
}

/* ---- Binding Updates as the UE engine builds them (ue/ue_bu.c, Annex A.2 / A.3) ---- */

enum bu_kind { BU_INITIAL, BU_REFRESH, BU_HANDOVER };

static size_t build_bu(bench *b, size_t i, enum bu_kind kind, uint8_t *out, size_t cap,
		       size_t *esp_off)
{
	ue_rec *r = &b->ue[i];
	uint8_t hoa[16], mh[256];
	ue_hoa(b, i, hoa);
	ds_addr coa = ue_coa(i, kind == BU_HANDOVER ? 1 : 0);
	ds_mh_msg m;
	memset(&m, 0, sizeof m);
	m.type = DS_MH_BU;
	m.seq = ++r->seq;
	m.bu_flags = DS_BU_A | DS_BU_H | DS_BU_K | DS_BU_R |
		     (kind == BU_REFRESH ? 0 : DS_BU_O);
	m.lifetime = 3600 / 4;
	m.ipv4_hoa.present = true;
	m.ipv4_hoa.plen = 32;
	memcpy(m.ipv4_hoa.addr, r->hoa4, 4);   /* 0.0.0.0 in the initial BU: allocate one */
	m.has_alt_coa = true;
	memcpy(m.alt_coa, coa.ip, 16);
	size_t ml, n;
	int rc = ds_mh_encode(&m, hoa, b->ha6.ip, mh, sizeof mh, &ml);
	if (rc != DS_OK)
		die("ds_mh_encode", rc);
	ds_esp_sa *sa = ds_sad_find_out(b->ue_sad, i + 1);
	rc = ds_sig_build(coa.ip, b->ha6.ip, hoa, NULL, sa, mh, ml, out, cap, &n);
	if (rc != DS_OK)
		die("ds_sig_build", rc);
	if (esp_off) {
		ds_ip6_view v;
		if (ds_ip6_parse(out, n, &v) != DS_OK || v.proto != DS_IPPROTO_ESP)
			die("BU parse", DS_E_PARAM);
		*esp_off = v.off;
	}
	return n;
}

static void feed(bench *b, size_t i, const uint8_t *pkt, size_t len, int net)
{
	ds_pkt p = { .kind = DS_PKT_IP, .src = ue_coa(i, net), .dst = b->ha6, .data = pkt,
		     .len = len };
	ds_ha_input(b->ha, &p, 1000);
}

/* Open a BA kept from the HA with a fresh inbound SA of UE i; status and IPv4 ack checked. */
static void check_ba(bench *b, size_t i, const uint8_t *pkt, size_t len, bool want_ack)
{
	uint8_t hoa[16], out[1024], nh;
	size_t n;
	ue_hoa(b, i, hoa);
	ds_ip6_view v;
	int rc = ds_ip6_parse(pkt, len, &v);
	if (rc != DS_OK || !v.has_rh2 || memcmp(v.rh2, hoa, 16) != 0)
		die("BA IPv6 header / RH2", rc);
	ds_esp_sa *in = make_sa(b, i, DS_ESP_IN, false, hoa, false);
	rc = ds_esp_open(in, pkt + v.off, v.len, out, sizeof out, &n, &nh);
	ds_esp_sa_free(in);
	if (rc != DS_OK || nh != DS_IPPROTO_MH)
		die("BA ESP open", rc);
	ds_mh_msg ba;
	rc = ds_mh_decode(out, n, b->ha6.ip, hoa, &ba);
	if (rc != DS_OK || ba.type != DS_MH_BA || ba.status != DS_BA_ACCEPTED ||
	    ba.seq != b->ue[i].seq || !(ba.ba_flags & DS_BA_K))
		die("BA contents", rc);
	if (want_ack && (!ba.ipv4_ack.present || ba.ipv4_ack.status != DS_V4ACK_SUCCESS))
		die("BA IPv4 Address Acknowledgement", DS_E_PARAM);
	b->ba_plain_len = n + 2;   /* plus pad length and next header, before padding */
}

/* ---- phases ---- */

static bench *bench_new(size_t n, bool compact)
{
	bench *b = calloc(1, sizeof *b);
	if (!b)
		die("calloc", DS_E_NOMEM);
	b->n = n;
	b->compact = compact;
	ds_addr_parse("2001:db8::1", &b->ha6);
	ds_ha_config hc;
	memset(&hc, 0, sizeof hc);
	hc.send = ha_send;
	hc.send_ctx = b;
	hc.ev = (ds_ha_events){ .ctx = b, .persist = ha_persist, .ike = ha_ike };
	hc.ha6 = b->ha6;
	ds_addr_parse("192.0.2.1", &hc.ha4);
	ds_addr_parse("2001:db8:8000::/36", &hc.hnp_pool);   /* 2^24 /64 prefixes (pool cap) */
	ds_addr_parse("10.0.0.0/8", &hc.ipv4_pool);
	hc.max_lifetime_s = 3600;
	b->ha = ds_ha_new(&hc);
	if (!b->ha)
		die("ds_ha_new", DS_E_CONFIG);
	b->ue = calloc(n, sizeof *b->ue);
	b->ue_sad = ds_sad_new();
	size_t ns = n / SAMPLE_EVERY + 1;
	b->samples = malloc(ns * DS_PKT_MAX);
	b->sample_len = calloc(ns, sizeof(size_t));
	b->sample_ue = calloc(ns, sizeof(size_t));
	if (!b->ue || !b->ue_sad || !b->samples || !b->sample_len || !b->sample_ue)
		die("allocation", DS_E_NOMEM);
	/* The UEs' outbound SAs exist before the measurement: they are the UEs' state, not the
	 * HA's. Their selectors are not used for sealing; the HA's SAs carry the real ones. */
	uint8_t any[16] = { 0 };
	for (size_t i = 0; i < n; i++) {
		ds_esp_sa *sa = make_sa(b, i, DS_ESP_OUT, false, any, true);
		int rc = ds_sad_add(b->ue_sad, sa, i + 1);
		if (rc != DS_OK)
			die("ds_sad_add", rc);
	}
	return b;
}

static void bench_free(bench *b)
{
	ds_ha_free(b->ha);
	ds_sad_free(b->ue_sad);
	free(b->ue);
	free(b->samples);
	free(b->sample_len);
	free(b->sample_ue);
	free(b->pkts);
	free(b->pkt_len);
	free(b->pkt_esp_off);
	free(b->pkt_ue);
	free(b);
}

/* Register every UE; returns registrations per second (thread CPU). */
static double register_all(bench *b, double *bytes_per_ue, double *rss_per_ue)
{
	malloc_trim(0);
	size_t h0 = heap_bytes(), r0 = rss_bytes();
	double t0 = cpu_s();
	uint8_t pkt[PKT_STRIDE];
	char nai[96];
	for (size_t i = 0; i < b->n; i++) {
		ue_nai(i, nai, sizeof nai);
		ds_addr hnp;
		int rc = ds_ha_assign_hnp(b->ha, nai, APN, &hnp, NULL);
		if (rc != DS_OK)
			die("ds_ha_assign_hnp", rc);
		for (int k = 0; k < 8; k++)
			b->ue[i].hnp = (b->ue[i].hnp << 8) | hnp.ip[k];
		uint8_t hoa[16];
		ue_hoa(b, i, hoa);
		ds_esp_sa *out = make_sa(b, i, DS_ESP_OUT, true, hoa, b->compact);
		ds_esp_sa *in = make_sa(b, i, DS_ESP_IN, true, hoa, b->compact);
		ds_addr coa = ue_coa(i, 0);
		/* any unique pointer stands for the IKE SA handle; nothing dereferences it */
		rc = ds_ha_ike_up(b->ha, nai, APN, (void *)(uintptr_t)(0x10000 + i), out, in, &coa,
				  1000);
		if (rc != DS_OK)
			die("ds_ha_ike_up", rc);
		size_t len = build_bu(b, i, BU_INITIAL, pkt, sizeof pkt, NULL);
		uint64_t before = b->sent;
		b->keep = i % SAMPLE_EVERY == 0;
		feed(b, i, pkt, len, 0);
		if (b->sent != before + 1)
			die("initial BU: no BA", DS_E_STATE);
		if (i % SAMPLE_EVERY == 0) {
			size_t s = b->n_samples++;
			memcpy(b->samples + s * DS_PKT_MAX, b->last, b->last_len);
			b->sample_len[s] = b->last_len;
			b->sample_ue[s] = i;
		}
	}
	double t = cpu_s() - t0;
	size_t h1 = heap_bytes(), r1 = rss_bytes();
	*bytes_per_ue = ((double)h1 - (double)h0) / (double)b->n;
	*rss_per_ue = ((double)r1 - (double)r0) / (double)b->n;
	if (ds_ha_binding_count(b->ha) != b->n || ds_ha_counters_get(b->ha)->ba_status[0] != b->n)
		die("registration counters", DS_E_STATE);
	for (size_t s = 0; s < b->n_samples; s++)
		check_ba(b, b->sample_ue[s], b->samples + s * DS_PKT_MAX, b->sample_len[s], true);
	/* the IPv4 HoA each UE got, as the UE learns it from the BA */
	for (size_t i = 0; i < b->n; i++) {
		uint8_t hoa[16];
		ue_hoa(b, i, hoa);
		ds_addr a = ds_addr6(hoa, 0);
		ds_ha_alloc al;
		const ds_ha_ue *u = ds_ha_find_hoa(b->ha, &a);
		if (!u)
			die("binding lookup by HoA", DS_E_NOTFOUND);
		ds_ha_ue_alloc(u, &al);
		if (al.hoa4.family != DS_AF_INET)
			die("IPv4 HoA allocation", DS_E_STATE);
		memcpy(b->ue[i].hoa4, al.hoa4.ip, 4);
	}
	return (double)b->n / t;
}

/* Pre-build one BU per UE, in a shuffled order (fixed seed), sealed by the UEs' SAs. */
static void prebuild(bench *b, size_t count, enum bu_kind kind)
{
	free(b->pkts);
	free(b->pkt_len);
	free(b->pkt_esp_off);
	free(b->pkt_ue);
	b->pkts = malloc(count * PKT_STRIDE);
	b->pkt_len = malloc(count * sizeof *b->pkt_len);
	b->pkt_esp_off = malloc(count * sizeof *b->pkt_esp_off);
	b->pkt_ue = malloc(b->n * sizeof *b->pkt_ue);
	if (!b->pkts || !b->pkt_len || !b->pkt_esp_off || !b->pkt_ue)
		die("allocation", DS_E_NOMEM);
	for (size_t i = 0; i < b->n; i++)
		b->pkt_ue[i] = (uint32_t)i;
	uint64_t x = 0x2545f4914f6cdd1dull;
	for (size_t i = b->n - 1; i > 0; i--) {   /* Fisher-Yates with xorshift64 */
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		size_t j = (size_t)(x % (i + 1));
		uint32_t t = b->pkt_ue[i];
		b->pkt_ue[i] = b->pkt_ue[j];
		b->pkt_ue[j] = t;
	}
	for (size_t k = 0; k < count; k++) {
		size_t off;
		b->pkt_len[k] = (uint16_t)build_bu(b, b->pkt_ue[k], kind, b->pkts + k * PKT_STRIDE,
						   PKT_STRIDE, &off);
		b->pkt_esp_off[k] = (uint16_t)off;
	}
}

/* Feed the pre-built BUs; returns BUs per second of thread CPU time. */
static double feed_all(bench *b, size_t count, int net, double *wall_per_s)
{
	const ds_ha_counters *c = ds_ha_counters_get(b->ha);
	uint64_t ok0 = c->ba_status[0], sent0 = b->sent;
	double w0 = wall_s(), t0 = cpu_s();
	for (size_t k = 0; k < count; k++)
		feed(b, b->pkt_ue[k], b->pkts + k * PKT_STRIDE, b->pkt_len[k], net);
	double t = cpu_s() - t0, w = wall_s() - w0;
	if (c->ba_status[0] - ok0 != count || b->sent - sent0 != count)
		die("BU run: not every BU accepted", DS_E_STATE);
	if (wall_per_s)
		*wall_per_s = (double)count / w;
	return (double)count / t;
}

/* OpenSSL-only floor over the same packets (see the header comment). */
static double reference(bench *b)
{
	size_t r = b->n < REF_MAX_UES ? b->n : REF_MAX_UES;
	EVP_CIPHER *gcm = EVP_CIPHER_fetch(NULL, "AES-128-GCM", NULL);
	size_t nctx = b->compact ? 1 : r;
	EVP_CIPHER_CTX **dec = calloc(nctx, sizeof *dec), **enc = calloc(nctx, sizeof *enc);
	if (!gcm || !dec || !enc)
		die("EVP setup", DS_E_CRYPTO);
	uint8_t key[20];
	for (size_t k = 0; k < nctx; k++) {
		dec[k] = EVP_CIPHER_CTX_new();
		enc[k] = EVP_CIPHER_CTX_new();
		size_t i = b->pkt_ue[k];
		ue_key(i, 0, key);
		if (!dec[k] || !enc[k] || EVP_DecryptInit_ex2(dec[k], gcm, key, NULL, NULL) != 1)
			die("EVP setup", DS_E_CRYPTO);
		ue_key(i, 1, key);
		if (EVP_EncryptInit_ex2(enc[k], gcm, key, NULL, NULL) != 1)
			die("EVP setup", DS_E_CRYPTO);
	}
	uint8_t plain[PKT_STRIDE], sealed[PKT_STRIDE], tag[16], iv[12], ba[PKT_STRIDE] = { 59 };
	uint8_t ukey[20], dkey[20];
	size_t ba_len = (b->ba_plain_len + 3) & ~(size_t)3;   /* GCM ESP pads to 4 octets */
	int l;
	double t0 = cpu_s();
	for (size_t k = 0; k < r; k++) {
		const uint8_t *esp = b->pkts + k * PKT_STRIDE + b->pkt_esp_off[k];
		size_t len = b->pkt_len[k] - b->pkt_esp_off[k];
		size_t ct = len - 8 - 8 - 16;
		EVP_CIPHER_CTX *d = dec[b->compact ? 0 : k], *e = enc[b->compact ? 0 : k];
		/* RFC 4106: nonce = salt || IV, AAD = SPI || sequence number; a compact SA's
		 * shared context takes this SA's key first */
		ue_key(b->pkt_ue[k], 0, ukey);
		ue_key(b->pkt_ue[k], 1, dkey);
		const uint8_t *dk = b->compact ? ukey : NULL, *ek = b->compact ? dkey : NULL;
		memcpy(iv, ukey + 16, 4);
		memcpy(iv + 4, esp + 8, 8);
		if (EVP_DecryptInit_ex2(d, NULL, dk, iv, NULL) != 1 ||
		    EVP_DecryptUpdate(d, NULL, &l, esp, 8) != 1 ||
		    EVP_DecryptUpdate(d, plain, &l, esp + 16, (int)ct) != 1 ||
		    EVP_CIPHER_CTX_ctrl(d, EVP_CTRL_AEAD_SET_TAG, 16, (void *)(esp + 16 + ct)) != 1 ||
		    EVP_DecryptFinal_ex(d, plain + l, &l) != 1)
			die("reference GCM open (tag)", DS_E_AUTH);
		memcpy(iv, dkey + 16, 4);
		if (EVP_EncryptInit_ex2(e, NULL, ek, iv, NULL) != 1 ||
		    EVP_EncryptUpdate(e, NULL, &l, esp, 8) != 1 ||
		    EVP_EncryptUpdate(e, sealed, &l, ba, (int)ba_len) != 1 ||
		    EVP_EncryptFinal_ex(e, sealed + l, &l) != 1 ||
		    EVP_CIPHER_CTX_ctrl(e, EVP_CTRL_AEAD_GET_TAG, 16, tag) != 1)
			die("reference GCM seal", DS_E_CRYPTO);
	}
	double t = cpu_s() - t0;
	for (size_t k = 0; k < nctx; k++) {
		EVP_CIPHER_CTX_free(dec[k]);
		EVP_CIPHER_CTX_free(enc[k]);
	}
	free(dec);
	free(enc);
	EVP_CIPHER_free(gcm);
	return (double)r / t;
}

static void run(size_t n, bool compact)
{
	const char *sfx = compact ? "" : ".full_sa";
	double t_start = wall_s();
	bench *b = bench_new(n, compact);
	double bpu, rpu;
	double reg = register_all(b, &bpu, &rpu);
	printf("bench: ha.bytes_per_ue%s %.0f B (heap growth / %zu registered UEs)\n", sfx, bpu, n);
	printf("bench: ha.rss_per_ue%s %.0f B\n", sfx, rpu);
	printf("bench: ha.register_per_s%s %.0f 1/s (prefix, SA pair, initial BU/BA; no IKE)\n",
	       sfx, reg);

	prebuild(b, n, BU_REFRESH);
	double wall;
	double bu = feed_all(b, n, 0, &wall);
	printf("bench: ha.bu_per_s%s %.0f 1/s (re-registration BU -> BA, thread CPU, %zu UEs; "
	       "wall clock %.0f/s)\n", sfx, bu, n, wall);
	double ref = reference(b);
	printf("bench: ha.bu_per_s%s.ref %.0f 1/s (raw EVP AES-128-GCM open + seal of the same "
	       "packets, %s)\n", sfx, ref, compact ? "one context pair re-keyed per packet"
						   : "one pre-keyed context pair per UE");

	size_t h = n < HANDOVER_MAX ? n : HANDOVER_MAX;
	prebuild(b, h, BU_HANDOVER);
	uint64_t moves0 = b->ike_moves;
	double ho = feed_all(b, h, 1, NULL);
	if (b->ike_moves - moves0 != h)
		die("handover: IKE SA move not requested for every UE", DS_E_STATE);
	for (size_t k = 0; k < h; k += SAMPLE_EVERY) {
		size_t i = b->pkt_ue[k];
		uint8_t hoa[16];
		ue_hoa(b, i, hoa);
		ds_addr a = ds_addr6(hoa, 0), coa = ue_coa(i, 1);
		ds_ha_alloc al;
		ds_ha_ue_alloc(ds_ha_find_hoa(b->ha, &a), &al);
		if (!ds_addr_ip_eq(&al.coa, &coa))
			die("handover: binding not moved", DS_E_STATE);
	}
	printf("bench: ha.handover_us%s %.2f us (BU from a new CoA -> BA, HA processing, %zu UEs)\n",
	       sfx, 1e6 / ho, h);
	bench_free(b);
	malloc_trim(0);
	printf("   (%s run of %zu UEs took %.1f s)\n", compact ? "product-path (compact SA)" : "full-SA", n,
	       wall_s() - t_start);
}

int main(int argc, char **argv)
{
	size_t n = argc > 1 ? strtoul(argv[1], NULL, 10) : 1000000;
	size_t nc = argc > 2 ? strtoul(argv[2], NULL, 10) : n;
	if (n < 1 || n > 16000000 || nc > 16000000) {
		fprintf(stderr, "usage: bench_ha [N (1..16000000) [N_full]]\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("   HA state built through ds_ha_assign_hnp + ds_ha_ike_up (the IKE glue's calls);\n"
	       "   IKEv2 itself is bypassed here (bench_attach measures it). HA-side ESP SAs compact,\n"
	       "   as the IKE glue creates them; '.full_sa' = SAs with their own OpenSSL contexts.\n");
	run(n, true);
	if (nc)
		run(nc, false);
	return 0;
}
