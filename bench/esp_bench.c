/* ESP data-plane benchmark: seal + open of 1400-octet payloads through ds_esp (one outbound and
 * one inbound SA, anti-replay on), against the same cryptographic work done with raw OpenSSL
 * EVP calls in the same run (the way `openssl speed -evp aes-128-gcm` drives the cipher: a
 * keyed context re-initialised with a new IV per buffer). The ratio shows what the ESP layer
 * (framing, padding, sequence numbers, replay window, copies) costs on top of the cipher.
 *
 * Output follows bench/run.sh: "bench: <metric> <value> <unit>"; X.ref is the reference of X.
 * Usage: bench_esp [seconds per figure, default 1] */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <malloc.h>

#include <openssl/evp.h>

#include "core/err.h"
#include "crypto/crypto.h"
#include "ipsec/esp.h"
#include "ipsec/sad.h"

#define PAYLOAD 1400

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static const uint8_t KEY[36] = { 0x10, 0x21, 0x32, 0x43, 0x54, 0x65, 0x76, 0x87, 0x98, 0xa9, 0xba,
				 0xcb, 0xdc, 0xed, 0xfe, 0x0f, 1, 2, 3, 4 };
static const uint8_t IKEY[64] = { 0x42 };

static void die(const char *what)
{
	fprintf(stderr, "bench_esp: %s failed\n", what);
	exit(1);
}

/* ds_esp seal + open pairs per second. */
static double esp_pps(uint16_t encr, uint16_t integ, double secs)
{
	ds_esp_sa_params p = { .spi = 0x1000, .mode = DS_ESP_TUNNEL, .encr = encr,
			       .encr_key_bits = 128, .integ = integ, .encr_key = KEY,
			       .integ_key = IKEY };
	p.dir = DS_ESP_OUT;
	ds_esp_sa *o = ds_esp_sa_new(&p, NULL);
	p.dir = DS_ESP_IN;
	ds_esp_sa *in = ds_esp_sa_new(&p, NULL);
	if (!o || !in)
		die("SA creation");
	static uint8_t payload[PAYLOAD], pkt[PAYLOAD + DS_ESP_MAX_OVERHEAD], back[PAYLOAD + 64];
	memset(payload, 0x5a, sizeof payload);
	payload[0] = 0x60; /* inner IPv6 packet */
	uint64_t n = 0;
	double t0 = now_s(), t;
	do {
		for (int i = 0; i < 256; i++) {
			size_t pl, bl;
			uint8_t nh;
			if (ds_esp_seal(o, 41, payload, PAYLOAD, pkt, sizeof pkt, &pl) != DS_OK ||
			    ds_esp_open(in, pkt, pl, back, sizeof back, &bl, &nh) != DS_OK || bl != PAYLOAD)
				die("ESP round trip");
		}
		n += 256;
		t = now_s() - t0;
	} while (t < secs);
	ds_esp_sa_free(o);
	ds_esp_sa_free(in);
	return (double)n / t;
}

/* Raw EVP AES-128-GCM: encrypt (with tag) + decrypt (with tag check) pairs per second, and the
 * encrypt-only throughput in MB/s as openssl speed reports it. */
static double evp_gcm_pps(double secs, double *enc_mbps)
{
	EVP_CIPHER *c = EVP_CIPHER_fetch(NULL, "AES-128-GCM", NULL);
	EVP_CIPHER_CTX *e = EVP_CIPHER_CTX_new(), *d = EVP_CIPHER_CTX_new();
	if (!c || !e || !d || EVP_EncryptInit_ex2(e, c, KEY, NULL, NULL) != 1 ||
	    EVP_DecryptInit_ex2(d, c, KEY, NULL, NULL) != 1)
		die("EVP setup");
	static uint8_t buf[PAYLOAD + 4];
	uint8_t iv[12] = { 1, 2, 3, 4 }, aad[8] = { 0 }, tag[16];
	int l;
	uint64_t n = 0;
	double t0 = now_s(), t;
	do {
		for (int i = 0; i < 256; i++) {
			iv[11] = (uint8_t)i;
			EVP_EncryptInit_ex2(e, NULL, NULL, iv, NULL);
			EVP_EncryptUpdate(e, NULL, &l, aad, sizeof aad);
			EVP_EncryptUpdate(e, buf, &l, buf, sizeof buf);
			EVP_EncryptFinal_ex(e, buf, &l);
			EVP_CIPHER_CTX_ctrl(e, EVP_CTRL_AEAD_GET_TAG, 16, tag);
		}
		n += 256;
		t = now_s() - t0;
	} while (t < secs);
	*enc_mbps = (double)n * sizeof buf / t / 1e6;
	n = 0;
	t0 = now_s();
	do {
		for (int i = 0; i < 256; i++) {
			iv[11] = (uint8_t)i;
			EVP_EncryptInit_ex2(e, NULL, NULL, iv, NULL);
			EVP_EncryptUpdate(e, NULL, &l, aad, sizeof aad);
			EVP_EncryptUpdate(e, buf, &l, buf, sizeof buf);
			EVP_EncryptFinal_ex(e, buf, &l);
			EVP_CIPHER_CTX_ctrl(e, EVP_CTRL_AEAD_GET_TAG, 16, tag);
			EVP_DecryptInit_ex2(d, NULL, NULL, iv, NULL);
			EVP_CIPHER_CTX_ctrl(d, EVP_CTRL_AEAD_SET_TAG, 16, tag);
			EVP_DecryptUpdate(d, NULL, &l, aad, sizeof aad);
			EVP_DecryptUpdate(d, buf, &l, buf, sizeof buf);
			if (EVP_DecryptFinal_ex(d, buf, &l) != 1)
				die("EVP GCM tag");
		}
		n += 256;
		t = now_s() - t0;
	} while (t < secs);
	EVP_CIPHER_CTX_free(e);
	EVP_CIPHER_CTX_free(d);
	EVP_CIPHER_free(c);
	return (double)n / t;
}

/* Raw EVP AES-128-CBC + HMAC-SHA-256 (encrypt then MAC, MAC then decrypt) pairs per second. */
static double evp_cbc_hmac_pps(double secs)
{
	EVP_CIPHER *c = EVP_CIPHER_fetch(NULL, "AES-128-CBC", NULL);
	EVP_MAC *m = EVP_MAC_fetch(NULL, "HMAC", NULL);
	EVP_CIPHER_CTX *e = EVP_CIPHER_CTX_new(), *d = EVP_CIPHER_CTX_new();
	EVP_MAC_CTX *h = m ? EVP_MAC_CTX_new(m) : NULL;
	OSSL_PARAM prm[2] = { OSSL_PARAM_construct_utf8_string("digest", (char *)"SHA256", 0),
			      OSSL_PARAM_construct_end() };
	if (!c || !h || !e || !d || EVP_EncryptInit_ex2(e, c, KEY, NULL, NULL) != 1 ||
	    EVP_DecryptInit_ex2(d, c, KEY, NULL, NULL) != 1 || EVP_MAC_init(h, IKEY, 32, prm) != 1)
		die("EVP setup");
	EVP_CIPHER_CTX_set_padding(e, 0);
	EVP_CIPHER_CTX_set_padding(d, 0);
	static uint8_t buf[1408];
	uint8_t iv[16] = { 9 }, mac[32];
	size_t ml;
	int l;
	uint64_t n = 0;
	double t0 = now_s(), t;
	do {
		for (int i = 0; i < 256; i++) {
			iv[15] = (uint8_t)i;
			EVP_EncryptInit_ex2(e, NULL, NULL, iv, NULL);
			EVP_EncryptUpdate(e, buf, &l, buf, sizeof buf);
			EVP_MAC_init(h, NULL, 0, NULL);
			EVP_MAC_update(h, buf, sizeof buf);
			EVP_MAC_final(h, mac, &ml, sizeof mac);
			EVP_MAC_init(h, NULL, 0, NULL);
			EVP_MAC_update(h, buf, sizeof buf);
			EVP_MAC_final(h, mac, &ml, sizeof mac);
			EVP_DecryptInit_ex2(d, NULL, NULL, iv, NULL);
			EVP_DecryptUpdate(d, buf, &l, buf, sizeof buf);
		}
		n += 256;
		t = now_s() - t0;
	} while (t < secs);
	EVP_CIPHER_CTX_free(e);
	EVP_CIPHER_CTX_free(d);
	EVP_MAC_CTX_free(h);
	EVP_MAC_free(m);
	EVP_CIPHER_free(c);
	return (double)n / t;
}

/* Heap octets per SA (own contexts or compact), measured over 2000 SAs in a SAD. */
static double sa_bytes(bool compact)
{
	enum { N = 2000 };
	ds_sad *sad = ds_sad_new();
	struct mallinfo2 a = mallinfo2();
	for (uint32_t i = 0; i < N; i++) {
		ds_esp_sa_params p = { .spi = 0x1000 + i, .dir = DS_ESP_IN, .mode = DS_ESP_TRANSPORT,
				       .encr = DS_ENCR_AES_GCM_16, .encr_key_bits = 128, .encr_key = KEY,
				       .replay_window = 64, .compact = compact };
		ds_esp_sa *sa = ds_esp_sa_new(&p, NULL);
		if (!sa || ds_sad_add(sad, sa, 0) != DS_OK)
			die("SAD fill");
	}
	struct mallinfo2 b = mallinfo2();
	ds_sad_free(sad);
	return (double)(b.uordblks - a.uordblks) / N;
}

/* Mobility-signalling shape: 64-octet MH payloads, each packet on the next of 1000 compact
 * SA pairs (the shared context is re-keyed for every packet: the worst case). */
static double compact_rotating_pps(double secs)
{
	enum { N = 1000 };
	ds_sad *sad = ds_sad_new();
	static ds_esp_sa *o[N], *in[N];
	static uint8_t keys[N][20];
	for (uint32_t i = 0; i < N; i++) {
		memcpy(keys[i], KEY, 20);
		keys[i][0] = (uint8_t)i;
		keys[i][1] = (uint8_t)(i >> 8);
		ds_esp_sa_params p = { .spi = 0x1000 + i, .mode = DS_ESP_TRANSPORT,
				       .encr = DS_ENCR_AES_GCM_16, .encr_key_bits = 128,
				       .encr_key = keys[i], .replay_window = 64, .compact = true };
		p.dir = DS_ESP_OUT;
		o[i] = ds_esp_sa_new(&p, NULL);
		p.dir = DS_ESP_IN;
		in[i] = ds_esp_sa_new(&p, NULL);
		if (!o[i] || !in[i] || ds_sad_add(sad, o[i], i) != DS_OK || ds_sad_add(sad, in[i], 0) != DS_OK)
			die("SAD fill");
	}
	uint8_t mh[64] = { 59, 7, 5 }, pkt[160], back[160];
	uint64_t n = 0;
	double t0 = now_s(), t;
	do {
		for (uint32_t i = 0; i < N; i++) {
			size_t pl, bl;
			uint8_t nh;
			if (ds_esp_seal(o[i], 135, mh, sizeof mh, pkt, sizeof pkt, &pl) != DS_OK ||
			    ds_esp_open(ds_sad_find_in(sad, 0x1000 + i), pkt, pl, back, sizeof back, &bl,
					&nh) != DS_OK)
				die("compact round trip");
		}
		n += N;
		t = now_s() - t0;
	} while (t < secs);
	ds_sad_free(sad);
	return (double)n / t;
}

#define ROUNDS 5

static double max2(double a, double b) { return a > b ? a : b; }

int main(int argc, char **argv)
{
	double secs = argc > 1 ? atof(argv[1]) : 1.0;
	if (secs <= 0)
		secs = 1.0;
	/* The machine may be shared: measure in interleaved slices and keep the best slice of
	 * each, so that a busy moment does not land on one side of a ratio only. */
	double slice = secs / ROUNDS, mbps = 0, m, ref = 0, esp = 0, cref = 0, cbc = 0;
	for (int r = 0; r < ROUNDS; r++) {
		ref = max2(ref, evp_gcm_pps(slice, &m));
		mbps = max2(mbps, m);
		esp = max2(esp, esp_pps(DS_ENCR_AES_GCM_16, DS_INTEG_NONE, slice));
		cref = max2(cref, evp_cbc_hmac_pps(slice));
		cbc = max2(cbc, esp_pps(DS_ENCR_AES_CBC, DS_INTEG_HMAC_SHA2_256_128, slice));
	}
	printf("bench: evp.aes128gcm_1400_encrypt %.1f MB/s\n", mbps);
	printf("bench: esp.gcm128_1400.seal_open %.0f pkt/s\n", esp);
	printf("bench: esp.gcm128_1400.seal_open.ref %.0f pkt/s\n", ref);
	printf("bench: esp.gcm128_1400.seal_open_mbps %.1f Mbit/s\n", esp * PAYLOAD * 8 / 1e6);
	printf("bench: esp.cbc128_sha256_1400.seal_open %.0f pkt/s\n", cbc);
	printf("bench: esp.cbc128_sha256_1400.seal_open.ref %.0f pkt/s\n", cref);
	printf("bench: esp.sa_bytes %.0f B\n", sa_bytes(false));
	printf("bench: esp.sa_bytes.compact %.0f B\n", sa_bytes(true));
	printf("bench: esp.compact_gcm128_mh64_rotating.seal_open %.0f pkt/s\n",
	       compact_rotating_pps(secs));
	printf("esp/evp ratio: AES-128-GCM %.3f, AES-128-CBC+HMAC-SHA-256-128 %.3f\n", esp / ref,
	       cbc / cref);
	return 0;
}
