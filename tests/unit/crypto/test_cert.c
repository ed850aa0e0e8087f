/* Certificates and IKEv2 signature AUTH (RFC 7296 cl. 3.8, RFC 4754, RFC 7427) against a test
 * PKI made at run time by tests/pki/make-pki.sh, cross-checked with the openssl command line
 * tool: RSA method 1 signatures must equal `openssl dgst -sha1 -sign` byte for byte, method 14
 * must accept an ECDSA signature made by `openssl dgst -sha256 -sign`, and the
 * AlgorithmIdentifiers must be the octets listed in RFC 7427 Appendix A. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "core/err.h"
#include "crypto/cert.h"
#include "testhex.h"

static char dir[256];

static void path(char *out, size_t cap, const char *name)
{
	snprintf(out, cap, "%s/%s", dir, name);
}

static ds_cert *load(const char *name, bool with_key)
{
	char c[300], k[300];
	snprintf(c, sizeof c, "%s/%s.pem", dir, name);
	snprintf(k, sizeof k, "%s/%s.key", dir, name);
	int err = 1;
	ds_cert *cert = ds_cert_load(c, with_key ? k : NULL, &err);
	assert_non_null(cert);
	assert_int_equal(err, DS_OK);
	return cert;
}

static size_t read_file(const char *name, uint8_t *buf, size_t cap)
{
	char p[300];
	path(p, sizeof p, name);
	FILE *f = fopen(p, "rb");
	assert_non_null(f);
	size_t n = fread(buf, 1, cap, f);
	fclose(f);
	return n;
}

static void write_file(const char *name, const uint8_t *buf, size_t len)
{
	char p[300];
	path(p, sizeof p, name);
	FILE *f = fopen(p, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(buf, 1, len, f), len);
	fclose(f);
}

static int run(const char *fmt, const char *a, const char *b)
{
	char cmd[1024];
	snprintf(cmd, sizeof cmd, fmt, a, b);
	return system(cmd);
}

static int setup(void **state)
{
	(void)state;
	const char *root = getenv("DSMIP6_SOURCE_ROOT");
	snprintf(dir, sizeof dir, "%s/dsmip6-pki-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(dir))
		return -1;
	char cmd[700];
	snprintf(cmd, sizeof cmd, "sh %s/tests/pki/make-pki.sh %s >/dev/null", root ? root : ".", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	char cmd[300];
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static const uint8_t octets[] = "RealMessage1 | NonceRData | MACedIDForI, as an example";

static void load_and_export(void **state)
{
	(void)state;
	ds_cert *e = load("ha-ecdsa", true), *r = load("ha-rsa", true), *p = load("ha-p384", true);
	assert_int_equal(ds_cert_key_kind(e), DS_KEY_EC_P256);
	assert_int_equal(ds_cert_key_kind(r), DS_KEY_RSA);
	assert_int_equal(ds_cert_key_kind(p), DS_KEY_EC_P384);
	assert_int_equal(ds_cert_native_auth_method(e), DS_AUTH_ECDSA_SHA256_P256);
	assert_int_equal(ds_cert_native_auth_method(r), DS_AUTH_RSA_SIG);
	assert_int_equal(ds_cert_native_auth_method(p), DS_AUTH_ECDSA_SHA384_P384);
	assert_true(ds_cert_has_private_key(e));
	/* a key that does not belong to the certificate is refused */
	char c[300], k[300];
	path(c, sizeof c, "ha-ecdsa.pem");
	path(k, sizeof k, "ha-rsa.key");
	int err = 0;
	assert_null(ds_cert_load(c, k, &err));
	assert_int_equal(err, DS_E_CONFIG);
	path(c, sizeof c, "missing.pem");
	assert_null(ds_cert_load(c, NULL, &err));
	/* DER for the CERT payload equals `openssl x509 -outform DER`, and parses back */
	uint8_t der[4096], ref[4096];
	size_t dl = 0;
	assert_int_equal(ds_cert_der(e, NULL, 0, &dl), DS_OK);
	assert_int_equal(ds_cert_der(e, der, dl - 1, &dl), DS_E_NOSPACE);
	assert_int_equal(ds_cert_der(e, der, sizeof der, &dl), DS_OK);
	char a[300], b[300];
	path(a, sizeof a, "ha-ecdsa.pem");
	path(b, sizeof b, "ha-ecdsa.der");
	assert_int_equal(run("openssl x509 -in %s -outform DER -out %s", a, b), 0);
	assert_int_equal(read_file("ha-ecdsa.der", ref, sizeof ref), dl);
	assert_memory_equal(der, ref, dl);
	ds_cert *peer = ds_cert_from_der(der, dl, &err);
	assert_non_null(peer);
	assert_false(ds_cert_has_private_key(peer));
	assert_null(ds_cert_from_der(der, dl - 1, &err));
	der[dl] = 0;
	assert_null(ds_cert_from_der(der, dl + 1, &err)); /* trailing octets */
	ds_cert_free(peer);
	ds_cert_free(e);
	ds_cert_free(r);
	ds_cert_free(p);
}

/* Sign with every method the key supports, verify with the peer (public) certificate, and
 * check that tampering, a different key and a mismatched method all fail. */
static void sign_verify_all_methods(void **state)
{
	(void)state;
	static const struct { const char *name; uint8_t method; size_t len; } v[] = {
		{ "ha-ecdsa", DS_AUTH_ECDSA_SHA256_P256, 64 },
		{ "ha-p384", DS_AUTH_ECDSA_SHA384_P384, 96 },
		{ "ha-rsa", DS_AUTH_RSA_SIG, 256 },
		{ "ha-ecdsa", DS_AUTH_DIGITAL_SIGNATURE, 0 },
		{ "ha-p384", DS_AUTH_DIGITAL_SIGNATURE, 0 },
		{ "ha-rsa", DS_AUTH_DIGITAL_SIGNATURE, 1 + 15 + 256 },
	};
	ds_cert *other = load("rogue-ha", false);
	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
		ds_cert *me = load(v[i].name, true), *pub = load(v[i].name, false);
		uint8_t auth[600], data[sizeof octets];
		size_t al = 0;
		memcpy(data, octets, sizeof data);
		assert_int_equal(ds_cert_auth_sign(me, v[i].method, data, sizeof data, auth,
						   sizeof auth, &al), DS_OK);
		if (v[i].len)
			assert_int_equal(al, v[i].len);
		assert_int_equal(ds_cert_auth_verify(pub, v[i].method, data, sizeof data, auth, al),
				 DS_OK);
		data[3] ^= 1;
		assert_int_equal(ds_cert_auth_verify(pub, v[i].method, data, sizeof data, auth, al),
				 DS_E_AUTH);
		data[3] ^= 1;
		auth[al - 1] ^= 1;
		assert_int_not_equal(ds_cert_auth_verify(pub, v[i].method, data, sizeof data, auth, al),
				     DS_OK);
		auth[al - 1] ^= 1;
		assert_int_not_equal(ds_cert_auth_verify(other, v[i].method, data, sizeof data, auth, al),
				     DS_OK);
		assert_int_not_equal(ds_cert_auth_verify(pub, v[i].method, data, sizeof data, auth, al - 1),
				     DS_OK);
		/* the public-only certificate cannot sign */
		assert_int_equal(ds_cert_auth_sign(pub, v[i].method, data, sizeof data, auth,
						   sizeof auth, &al), DS_E_PARAM);
		ds_cert_free(me);
		ds_cert_free(pub);
	}
	/* methods that do not fit the key */
	ds_cert *e = load("ha-ecdsa", true), *r = load("ha-rsa", true);
	uint8_t auth[600];
	size_t al;
	assert_int_equal(ds_cert_auth_sign(e, DS_AUTH_RSA_SIG, octets, sizeof octets, auth, sizeof auth,
					   &al), DS_E_UNSUPPORTED);
	assert_int_equal(ds_cert_auth_sign(e, DS_AUTH_ECDSA_SHA384_P384, octets, sizeof octets, auth,
					   sizeof auth, &al), DS_E_UNSUPPORTED);
	assert_int_equal(ds_cert_auth_sign(r, DS_AUTH_ECDSA_SHA256_P256, octets, sizeof octets, auth,
					   sizeof auth, &al), DS_E_UNSUPPORTED);
	assert_int_equal(ds_cert_auth_sign(e, DS_AUTH_SHARED_KEY, octets, sizeof octets, auth,
					   sizeof auth, &al), DS_E_UNSUPPORTED);
	assert_int_equal(ds_cert_auth_sign(r, DS_AUTH_RSA_SIG, octets, sizeof octets, auth, 255, &al),
			 DS_E_NOSPACE);
	assert_int_equal(ds_cert_auth_sign(e, DS_AUTH_ECDSA_SHA256_P256, octets, sizeof octets, auth,
					   sizeof auth, &al), DS_OK);
	assert_int_equal(ds_cert_auth_verify(r, DS_AUTH_ECDSA_SHA256_P256, octets, sizeof octets, auth,
					     al), DS_E_AUTH);
	ds_cert_free(e);
	ds_cert_free(r);
	ds_cert_free(other);
}

/* RSA PKCS#1 v1.5 is deterministic: method 1 must be what `openssl dgst -sha1 -sign` gives. */
static void rsa_method1_matches_openssl_cli(void **state)
{
	(void)state;
	write_file("octets.bin", octets, sizeof octets);
	char k[300], a[300];
	path(k, sizeof k, "ha-rsa.key");
	path(a, sizeof a, "octets.bin");
	char cmd[1200];
	snprintf(cmd, sizeof cmd, "openssl dgst -sha1 -sign %s -out %s/rsa.sig %s", k, dir, a);
	assert_int_equal(system(cmd), 0);
	uint8_t ref[512], auth[512];
	size_t rl = read_file("rsa.sig", ref, sizeof ref), al = 0;
	ds_cert *r = load("ha-rsa", true);
	assert_int_equal(ds_cert_auth_sign(r, DS_AUTH_RSA_SIG, octets, sizeof octets, auth, sizeof auth,
					   &al), DS_OK);
	assert_int_equal(al, rl);
	assert_memory_equal(auth, ref, rl);
	ds_cert_free(r);
}

/* RFC 7427: our AlgorithmIdentifiers are the Appendix A octets, and a DER ECDSA signature made
 * by the openssl tool, wrapped as length | ecdsa-with-SHA256 | signature, verifies. */
static void digital_signature_rfc7427(void **state)
{
	(void)state;
	uint8_t rsa256[15], ec256[12], ec384[12];
	unhex("300d06092a864886f70d01010b0500", rsa256, sizeof rsa256);
	unhex("300a06082a8648ce3d040302", ec256, sizeof ec256);
	unhex("300a06082a8648ce3d040303", ec384, sizeof ec384);
	ds_cert *r = load("ha-rsa", true), *e = load("ha-ecdsa", true), *p = load("ha-p384", true);
	uint8_t auth[600];
	size_t al;
	assert_int_equal(ds_cert_auth_sign(r, 14, octets, sizeof octets, auth, sizeof auth, &al), DS_OK);
	assert_int_equal(auth[0], 15);
	assert_memory_equal(auth + 1, rsa256, 15);
	assert_int_equal(ds_cert_auth_sign(e, 14, octets, sizeof octets, auth, sizeof auth, &al), DS_OK);
	assert_int_equal(auth[0], 12);
	assert_memory_equal(auth + 1, ec256, 12);
	assert_int_equal(ds_cert_auth_sign(p, 14, octets, sizeof octets, auth, sizeof auth, &al), DS_OK);
	assert_memory_equal(auth + 1, ec384, 12);

	write_file("octets.bin", octets, sizeof octets);
	char k[300], a[300], cmd[1200];
	path(k, sizeof k, "ha-ecdsa.key");
	path(a, sizeof a, "octets.bin");
	snprintf(cmd, sizeof cmd, "openssl dgst -sha256 -sign %s -out %s/ec.sig %s", k, dir, a);
	assert_int_equal(system(cmd), 0);
	uint8_t sig[200];
	size_t sl = read_file("ec.sig", sig, sizeof sig);
	auth[0] = 12;
	memcpy(auth + 1, ec256, 12);
	memcpy(auth + 13, sig, sl);
	ds_cert *pub = load("ha-ecdsa", false);
	assert_int_equal(ds_cert_auth_verify(pub, 14, octets, sizeof octets, auth, 13 + sl), DS_OK);
	/* claims SHA-384 but was made with SHA-256 */
	auth[12] = 0x03;
	assert_int_equal(ds_cert_auth_verify(pub, 14, octets, sizeof octets, auth, 13 + sl), DS_E_AUTH);
	/* an RSA algorithm with an EC key */
	uint8_t bad[300];
	bad[0] = 15;
	memcpy(bad + 1, rsa256, 15);
	memcpy(bad + 16, sig, sl);
	assert_int_equal(ds_cert_auth_verify(pub, 14, octets, sizeof octets, bad, 16 + sl), DS_E_AUTH);
	/* malformed length octet / AlgorithmIdentifier */
	bad[0] = 200;
	assert_int_equal(ds_cert_auth_verify(pub, 14, octets, sizeof octets, bad, 16 + sl), DS_E_AUTH);
	bad[0] = 14;
	assert_int_equal(ds_cert_auth_verify(pub, 14, octets, sizeof octets, bad, 16 + sl), DS_E_AUTH);
	/* md5WithRSAEncryption is refused */
	uint8_t md5[15];
	unhex("300d06092a864886f70d0101040500", md5, sizeof md5);
	bad[0] = 15;
	memcpy(bad + 1, md5, 15);
	ds_cert *rp = load("ha-rsa", false);
	assert_int_equal(ds_cert_auth_verify(rp, 14, octets, sizeof octets, bad, 16 + sl),
			 DS_E_UNSUPPORTED);
	/* the r || s form of method 9 and the DER form are not interchangeable */
	assert_int_not_equal(ds_cert_auth_verify(pub, 9, octets, sizeof octets, sig, sl), DS_OK);
	ds_cert_free(rp);
	ds_cert_free(pub);
	ds_cert_free(r);
	ds_cert_free(e);
	ds_cert_free(p);
}

static void chain_verification(void **state)
{
	(void)state;
	char c[300];
	int err;
	path(c, sizeof c, "ca.pem");
	ds_ca_store *ca = ds_ca_load(c, &err);
	assert_non_null(ca);
	path(c, sizeof c, "other-ca.pem");
	ds_ca_store *other = ds_ca_load(c, &err);
	assert_non_null(other);
	int64_t now = (int64_t)time(NULL);
	const char *why = NULL;
	static const char *good[] = { "ha-ecdsa", "ha-rsa", "ha-p384" };
	for (size_t i = 0; i < 3; i++) {
		ds_cert *x = load(good[i], false);
		assert_int_equal(ds_cert_verify_chain(ca, x, NULL, 0, now, &why), DS_OK);
		assert_int_equal(ds_cert_verify_chain(other, x, NULL, 0, now, &why), DS_E_AUTH);
		/* outside the validity period */
		assert_int_equal(ds_cert_verify_chain(ca, x, NULL, 0, now + 20LL * 365 * 86400, &why),
				 DS_E_AUTH);
		assert_non_null(strstr(why, "expired"));
		assert_int_equal(ds_cert_verify_chain(ca, x, NULL, 0, now - 86400, &why), DS_E_AUTH);
		ds_cert_free(x);
	}
	/* a HA certificate from an unrelated CA is rejected by the operator root */
	ds_cert *rogue = load("rogue-ha", false);
	assert_int_equal(ds_cert_verify_chain(ca, rogue, NULL, 0, now, &why), DS_E_AUTH);
	assert_int_equal(ds_cert_verify_chain(other, rogue, NULL, 0, now, &why), DS_OK);
	/* an "intermediate" does not make an unrelated chain valid */
	ds_cert *oca = load("other-ca", false);
	const ds_cert *inter[] = { oca };
	assert_int_equal(ds_cert_verify_chain(ca, rogue, inter, 1, now, &why), DS_E_AUTH);
	ds_cert_free(oca);
	ds_cert_free(rogue);
	ds_ca_free(ca);
	ds_ca_free(other);
	assert_null(ds_ca_from_pem("not a pem", 9, &err));
	assert_int_equal(err, DS_E_CONFIG);
}

/* A chain of three: leaf <- intermediate (sent as a further CERT payload) <- root. */
static void chain_with_intermediate(void **state)
{
	(void)state;
	char c[300];
	int err;
	path(c, sizeof c, "ca.pem");
	ds_ca_store *ca = ds_ca_load(c, &err);
	ds_cert *leaf = load("ha-sub", true), *sub = load("sub-ca", false);
	int64_t now = (int64_t)time(NULL);
	const char *why = NULL;
	assert_int_equal(ds_cert_verify_chain(ca, leaf, NULL, 0, now, &why), DS_E_AUTH);
	const ds_cert *inter[] = { sub };
	assert_int_equal(ds_cert_verify_chain(ca, leaf, inter, 1, now, &why), DS_OK);
	/* its AUTH verifies like any other */
	uint8_t auth[128];
	size_t al;
	assert_int_equal(ds_cert_auth_sign(leaf, 9, octets, sizeof octets, auth, sizeof auth, &al), DS_OK);
	assert_int_equal(ds_cert_auth_verify(leaf, 9, octets, sizeof octets, auth, al), DS_OK);
	ds_cert_free(leaf);
	ds_cert_free(sub);
	ds_ca_free(ca);
}

/* CERTREQ (RFC 7296 cl. 3.7): SHA-1 of the CA's DER SubjectPublicKeyInfo, compared with
 * `openssl x509 -pubkey | openssl pkey -pubin -outform DER | openssl dgst -sha1`. */
static void certreq_hashes(void **state)
{
	(void)state;
	char c[300], cmd[1200];
	int err;
	path(c, sizeof c, "ca.pem");
	snprintf(cmd, sizeof cmd,
		 "openssl x509 -in %s -noout -pubkey | openssl pkey -pubin -outform DER | "
		 "openssl dgst -sha1 -binary > %s/ca.spki.sha1", c, dir);
	assert_int_equal(system(cmd), 0);
	uint8_t ref[64], h[20], data[64];
	assert_int_equal(read_file("ca.spki.sha1", ref, sizeof ref), 20);
	ds_cert *cac = load("ca", false);
	assert_int_equal(ds_cert_spki_sha1(cac, h), DS_OK);
	assert_memory_equal(h, ref, 20);
	ds_ca_store *ca = ds_ca_load(c, &err);
	size_t dl = 0;
	assert_int_equal(ds_ca_certreq_data(ca, NULL, 0, &dl), DS_OK);
	assert_int_equal(dl, 20);
	assert_int_equal(ds_ca_certreq_data(ca, data, 19, &dl), DS_E_NOSPACE);
	assert_int_equal(ds_ca_certreq_data(ca, data, sizeof data, &dl), DS_OK);
	assert_memory_equal(data, ref, 20);
	/* a responder holding ha-ecdsa (issued by ca) finds its issuer in the request */
	ds_cert *oca = load("other-ca", false);
	uint8_t two[40];
	assert_int_equal(ds_cert_spki_sha1(oca, two), DS_OK);
	memcpy(two + 20, data, 20);
	assert_true(ds_certreq_lists(two, 40, cac));
	assert_false(ds_certreq_lists(two, 20, cac));
	assert_false(ds_certreq_lists(two, 39, cac));
	ds_cert_free(oca);
	ds_cert_free(cac);
	ds_ca_free(ca);
}

/* RFC 4754 cl. 8.1: the ECDSA-256 signature (r, s) of "abc" under the key w / (gwx, gwy) must
 * verify as AUTH method 9 data r || s. The key is wrapped in a self-signed certificate made here
 * with OpenSSL, since ds_cert verifies with a certificate's key. */
static void ecdsa256_rfc4754_vector(void **state)
{
	(void)state;
	uint8_t w[32], pub[65], rs[64];
	unhex("DC51D3866A15BACDE33D96F992FCA99DA7E6EF0934E7097559C27F1614C88A7F", w, sizeof w);
	pub[0] = 0x04;
	unhex("2442A5CC0ECD015FA3CA31DC8E2BBC70BF42D60CBCA20085E0822CB04235E970"
	      "6FC98BD7E50211A4A27102FA3549DF79EBCB4BF246B80945CDDFE7D509BBFD7D", pub + 1, 64);
	unhex("CB28E0999B9C7715FD0A80D8E47A77079716CBBF917DD72E97566EA1C066957C"
	      "86FA3BB4E26CAD5BF90B7F81899256CE7594BB1EA0C89212748BFF3B3D5B0315", rs, sizeof rs);
	uint8_t wn[32]; /* OSSL_PARAM BIGNUMs are in native byte order */
	BIGNUM *wb = BN_bin2bn(w, sizeof w, NULL);
	assert_int_equal(BN_bn2nativepad(wb, wn, sizeof wn), (int)sizeof wn);
	BN_free(wb);
	OSSL_PARAM prm[4] = {
		OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, (char *)"P-256", 0),
		OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, pub, sizeof pub),
		OSSL_PARAM_construct_BN(OSSL_PKEY_PARAM_PRIV_KEY, wn, sizeof wn),
		OSSL_PARAM_construct_end(),
	};
	EVP_PKEY_CTX *pc = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
	EVP_PKEY *pk = NULL;
	assert_int_equal(EVP_PKEY_fromdata_init(pc), 1);
	assert_int_equal(EVP_PKEY_fromdata(pc, &pk, EVP_PKEY_KEYPAIR, prm), 1);
	EVP_PKEY_CTX_free(pc);
	X509 *x = X509_new();
	X509_NAME *nm = X509_NAME_new();
	X509_NAME_add_entry_by_txt(nm, "CN", MBSTRING_ASC, (const unsigned char *)"rfc4754", -1, -1, 0);
	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
	X509_set_subject_name(x, nm);
	X509_set_issuer_name(x, nm);
	X509_gmtime_adj(X509_getm_notBefore(x), 0);
	X509_gmtime_adj(X509_getm_notAfter(x), 86400);
	X509_set_pubkey(x, pk);
	assert_true(X509_sign(x, pk, EVP_sha256()) > 0);
	BIO *b = BIO_new(BIO_s_mem());
	PEM_write_bio_X509(b, x);
	char *pem = NULL;
	long pl = BIO_get_mem_data(b, &pem);
	int err;
	ds_cert *c = ds_cert_from_pem(pem, (size_t)pl, NULL, 0, &err);
	assert_non_null(c);
	assert_int_equal(ds_cert_auth_verify(c, 9, (const uint8_t *)"abc", 3, rs, 64), DS_OK);
	rs[63] ^= 1;
	assert_int_equal(ds_cert_auth_verify(c, 9, (const uint8_t *)"abc", 3, rs, 64), DS_E_AUTH);
	rs[63] ^= 1;
	assert_int_equal(ds_cert_auth_verify(c, 9, (const uint8_t *)"abd", 3, rs, 64), DS_E_AUTH);
	ds_cert_free(c);
	BIO_free(b);
	X509_NAME_free(nm);
	X509_free(x);
	EVP_PKEY_free(pk);
}

static void identity_matching(void **state)
{
	(void)state;
	ds_cert *x = load("ha-ecdsa", false);
	const char *fqdn = "ha.example.net";
	assert_true(ds_cert_matches_id(x, DS_ID_FQDN, (const uint8_t *)fqdn, strlen(fqdn)));
	assert_false(ds_cert_matches_id(x, DS_ID_FQDN, (const uint8_t *)"ha.example.org", 14));
	const uint8_t v6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 1, [15] = 1 };
	const uint8_t v6b[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 1, [15] = 2 };
	const uint8_t v4[4] = { 192, 0, 2, 1 };
	assert_true(ds_cert_matches_id(x, DS_ID_IPV6_ADDR, v6, 16));
	assert_false(ds_cert_matches_id(x, DS_ID_IPV6_ADDR, v6b, 16));
	assert_true(ds_cert_matches_id(x, DS_ID_IPV4_ADDR, v4, 4));
	assert_false(ds_cert_matches_id(x, DS_ID_IPV4_ADDR, v6, 16));
	/* DER subject name, as an ID_DER_ASN1_DN payload carries it */
	char c[300];
	path(c, sizeof c, "ha-ecdsa.pem");
	FILE *f = fopen(c, "r");
	X509 *raw = PEM_read_X509(f, NULL, NULL, NULL);
	fclose(f);
	unsigned char *dn = NULL;
	int dl = i2d_X509_NAME(X509_get_subject_name(raw), &dn);
	assert_true(dl > 0);
	assert_true(ds_cert_matches_id(x, DS_ID_DER_ASN1_DN, dn, (size_t)dl));
	assert_false(ds_cert_matches_id(x, DS_ID_DER_ASN1_DN, dn, (size_t)dl - 1));
	OPENSSL_free(dn);
	dn = NULL;
	dl = i2d_X509_NAME(X509_get_issuer_name(raw), &dn);
	assert_false(ds_cert_matches_id(x, DS_ID_DER_ASN1_DN, dn, (size_t)dl));
	OPENSSL_free(dn);
	X509_free(raw);
	ds_cert_free(x);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(load_and_export),
		cmocka_unit_test(sign_verify_all_methods),
		cmocka_unit_test(rsa_method1_matches_openssl_cli),
		cmocka_unit_test(digital_signature_rfc7427),
		cmocka_unit_test(chain_verification),
		cmocka_unit_test(chain_with_intermediate),
		cmocka_unit_test(certreq_hashes),
		cmocka_unit_test(ecdsa256_rfc4754_vector),
		cmocka_unit_test(identity_matching),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
