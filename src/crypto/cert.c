/* X.509 certificates and IKEv2 signature AUTH (RFC 7296 cl. 3.8, RFC 4754, RFC 7427) over
 * OpenSSL EVP and X509 APIs. */
#include "crypto/cert.h"

#include <limits.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "core/err.h"
#include "crypto/crypto.h"

struct ds_cert {
	X509 *x;
	EVP_PKEY *key;   /* private key, NULL for a peer certificate */
};

struct ds_ca_store {
	X509_STORE *st;
};

static void set_err(int *err, int v)
{
	if (err)
		*err = v;
}

/* Never prompt for a pass phrase: encrypted keys are a configuration error. */
static int no_password(char *buf, int size, int rwflag, void *u)
{
	(void)buf; (void)size; (void)rwflag; (void)u;
	return -1;
}

ds_cert *ds_cert_from_pem(const char *cert_pem, size_t cert_len, const char *key_pem,
			  size_t key_len, int *err)
{
	if (!cert_pem || cert_len > INT_MAX || key_len > INT_MAX) {
		set_err(err, DS_E_PARAM);
		return NULL;
	}
	ds_cert *c = OPENSSL_zalloc(sizeof *c);
	if (!c) {
		set_err(err, DS_E_NOMEM);
		return NULL;
	}
	int e = DS_E_CONFIG;
	BIO *b = BIO_new_mem_buf(cert_pem, (int)cert_len);
	c->x = b ? PEM_read_bio_X509(b, NULL, no_password, NULL) : NULL;
	BIO_free(b);
	if (!c->x)
		goto fail;
	if (key_pem) {
		b = BIO_new_mem_buf(key_pem, (int)key_len);
		c->key = b ? PEM_read_bio_PrivateKey_ex(b, NULL, no_password, NULL, NULL, NULL) : NULL;
		BIO_free(b);
		/* the key must belong to the certificate */
		if (!c->key || X509_check_private_key(c->x, c->key) != 1)
			goto fail;
	}
	set_err(err, DS_OK);
	return c;
fail:
	ERR_clear_error();
	ds_cert_free(c);
	set_err(err, e);
	return NULL;
}

/* Read a whole (small) PEM file through a BIO; returns a buffer to free with OPENSSL_free. */
static char *slurp(const char *path, size_t *len)
{
	BIO *in = BIO_new_file(path, "rb");
	BIO *mem = BIO_new(BIO_s_mem());
	char *out = NULL;
	if (in && mem) {
		char buf[4096];
		int n;
		while ((n = BIO_read(in, buf, sizeof buf)) > 0)
			if (BIO_write(mem, buf, n) != n)
				break;
		char *p = NULL;
		long l = BIO_get_mem_data(mem, &p);
		if (l > 0 && (out = OPENSSL_malloc((size_t)l + 1)) != NULL) {
			memcpy(out, p, (size_t)l);
			out[l] = 0;
			*len = (size_t)l;
		}
	}
	BIO_free(in);
	BIO_free(mem);
	ERR_clear_error();
	return out;
}

ds_cert *ds_cert_load(const char *cert_path, const char *key_path, int *err)
{
	size_t cl = 0, kl = 0;
	char *cp = cert_path ? slurp(cert_path, &cl) : NULL;
	char *kp = key_path ? slurp(key_path, &kl) : NULL;
	ds_cert *c = NULL;
	if (!cp || (key_path && !kp))
		set_err(err, DS_E_CONFIG);
	else
		c = ds_cert_from_pem(cp, cl, kp, kl, err);
	OPENSSL_clear_free(kp, kl);
	OPENSSL_free(cp);
	return c;
}

ds_cert *ds_cert_from_der(const uint8_t *der, size_t len, int *err)
{
	if (!der || len == 0 || len > INT_MAX) {
		set_err(err, DS_E_PARAM);
		return NULL;
	}
	const unsigned char *p = der;
	X509 *x = d2i_X509(NULL, &p, (long)len);
	if (!x || p != der + len) {
		X509_free(x);
		ERR_clear_error();
		set_err(err, DS_E_BADLEN);
		return NULL;
	}
	ds_cert *c = OPENSSL_zalloc(sizeof *c);
	if (!c) {
		X509_free(x);
		set_err(err, DS_E_NOMEM);
		return NULL;
	}
	c->x = x;
	set_err(err, DS_OK);
	return c;
}

void ds_cert_free(ds_cert *c)
{
	if (!c)
		return;
	X509_free(c->x);
	EVP_PKEY_free(c->key);
	OPENSSL_free(c);
}

static int pkey_kind(EVP_PKEY *pk)
{
	if (!pk)
		return DS_KEY_NONE;
	if (EVP_PKEY_get_base_id(pk) == EVP_PKEY_RSA)
		return DS_KEY_RSA;
	if (EVP_PKEY_get_base_id(pk) != EVP_PKEY_EC)
		return DS_KEY_NONE;
	char name[64];
	size_t nl = 0;
	if (EVP_PKEY_get_group_name(pk, name, sizeof name, &nl) != 1)
		return DS_KEY_NONE;
	switch (OBJ_txt2nid(name)) {
	case NID_X9_62_prime256v1: return DS_KEY_EC_P256;
	case NID_secp384r1: return DS_KEY_EC_P384;
	case NID_secp521r1: return DS_KEY_EC_P521;
	default: return DS_KEY_NONE;
	}
}

int ds_cert_key_kind(const ds_cert *c)
{
	return c ? pkey_kind(X509_get0_pubkey(c->x)) : DS_KEY_NONE;
}

bool ds_cert_has_private_key(const ds_cert *c) { return c && c->key; }

int ds_cert_der(const ds_cert *c, uint8_t *out, size_t cap, size_t *out_len)
{
	if (!c || !out_len)
		return DS_E_PARAM;
	int n = i2d_X509(c->x, NULL);
	if (n <= 0)
		return DS_E_CRYPTO;
	*out_len = (size_t)n;
	if (!out)
		return DS_OK;
	if ((size_t)n > cap)
		return DS_E_NOSPACE;
	unsigned char *p = out;
	return i2d_X509(c->x, &p) == n ? DS_OK : DS_E_CRYPTO;
}

uint8_t ds_cert_native_auth_method(const ds_cert *c)
{
	switch (ds_cert_key_kind(c)) {
	case DS_KEY_RSA: return DS_AUTH_RSA_SIG;
	case DS_KEY_EC_P256: return DS_AUTH_ECDSA_SHA256_P256;
	case DS_KEY_EC_P384: return DS_AUTH_ECDSA_SHA384_P384;
	case DS_KEY_EC_P521: return DS_AUTH_ECDSA_SHA512_P521;
	default: return 0;
	}
}

bool ds_cert_matches_id(const ds_cert *c, uint8_t id_type, const uint8_t *id, size_t len)
{
	if (!c || !id || len == 0)
		return false;
	switch (id_type) {
	case DS_ID_FQDN:
		return X509_check_host(c->x, (const char *)id, len, 0, NULL) == 1;
	case DS_ID_RFC822_ADDR:
		return X509_check_email(c->x, (const char *)id, len, 0) == 1;
	case DS_ID_IPV4_ADDR:
		return len == 4 && X509_check_ip(c->x, id, len, 0) == 1;
	case DS_ID_IPV6_ADDR:
		return len == 16 && X509_check_ip(c->x, id, len, 0) == 1;
	case DS_ID_DER_ASN1_DN: {
		const unsigned char *p = id;
		X509_NAME *n = d2i_X509_NAME(NULL, &p, (long)len);
		bool ok = n && p == id + len && X509_NAME_cmp(n, X509_get_subject_name(c->x)) == 0;
		X509_NAME_free(n);
		ERR_clear_error();
		return ok;
	}
	default:
		return false;
	}
}

/* ---- signatures ---- */

static int digest_sign(EVP_PKEY *pk, const char *md, const uint8_t *data, size_t len,
		       uint8_t *sig, size_t *sig_len)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	int ok = ctx && EVP_DigestSignInit_ex(ctx, NULL, md, NULL, NULL, pk, NULL) == 1 &&
		 EVP_DigestSign(ctx, sig, sig_len, data, len) == 1;
	EVP_MD_CTX_free(ctx);
	if (!ok)
		ERR_clear_error();
	return ok ? DS_OK : DS_E_CRYPTO;
}

static bool digest_verify(EVP_PKEY *pk, const char *md, const uint8_t *data, size_t len,
			  const uint8_t *sig, size_t sig_len)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	bool ok = ctx && EVP_DigestVerifyInit_ex(ctx, NULL, md, NULL, NULL, pk, NULL) == 1 &&
		  EVP_DigestVerify(ctx, sig, sig_len, data, len) == 1;
	EVP_MD_CTX_free(ctx);
	ERR_clear_error();
	return ok;
}

/* RFC 4754 methods: curve, hash, and the size of r and s. */
static bool ecdsa_method(uint8_t method, int *kind, const char **md, size_t *half)
{
	switch (method) {
	case DS_AUTH_ECDSA_SHA256_P256: *kind = DS_KEY_EC_P256; *md = "SHA256"; *half = 32; return true;
	case DS_AUTH_ECDSA_SHA384_P384: *kind = DS_KEY_EC_P384; *md = "SHA384"; *half = 48; return true;
	case DS_AUTH_ECDSA_SHA512_P521: *kind = DS_KEY_EC_P521; *md = "SHA512"; *half = 66; return true;
	default: return false;
	}
}

/* Hash dsmip6 uses with method 14 for its own key. */
static int sig14_md_nid(int kind)
{
	switch (kind) {
	case DS_KEY_RSA: return NID_sha256;
	case DS_KEY_EC_P256: return NID_sha256;
	case DS_KEY_EC_P384: return NID_sha384;
	case DS_KEY_EC_P521: return NID_sha512;
	default: return NID_undef;
	}
}

/* DER AlgorithmIdentifier of the signature algorithm (RFC 7427 Appendix A: NULL parameters
 * for RSA PKCS#1 v1.5, absent for ECDSA). */
static int algid_der(int kind, int md_nid, uint8_t *out, size_t cap, size_t *out_len)
{
	int sig_nid = NID_undef;
	int pk_nid = kind == DS_KEY_RSA ? NID_rsaEncryption : NID_X9_62_id_ecPublicKey;
	if (!OBJ_find_sigid_by_algs(&sig_nid, md_nid, pk_nid))
		return DS_E_UNSUPPORTED;
	X509_ALGOR *a = X509_ALGOR_new();
	if (!a)
		return DS_E_NOMEM;
	int rc = DS_E_CRYPTO;
	if (X509_ALGOR_set0(a, OBJ_nid2obj(sig_nid), kind == DS_KEY_RSA ? V_ASN1_NULL : V_ASN1_UNDEF,
			    NULL) == 1) {
		int n = i2d_X509_ALGOR(a, NULL);
		if (n > 0 && (size_t)n <= cap && n < 256) {
			unsigned char *p = out;
			if (i2d_X509_ALGOR(a, &p) == n) {
				*out_len = (size_t)n;
				rc = DS_OK;
			}
		} else if (n > 0) {
			rc = DS_E_NOSPACE;
		}
	}
	X509_ALGOR_free(a);
	return rc;
}

/* DER ECDSA-Sig-Value <-> r || s with each integer left-padded to `half` octets. */
static int ecdsa_der_to_rs(const uint8_t *der, size_t len, uint8_t *out, size_t half)
{
	const unsigned char *p = der;
	ECDSA_SIG *s = d2i_ECDSA_SIG(NULL, &p, (long)len);
	int rc = DS_E_CRYPTO;
	if (s) {
		const BIGNUM *r = NULL, *sv = NULL;
		ECDSA_SIG_get0(s, &r, &sv);
		if (BN_bn2binpad(r, out, (int)half) == (int)half &&
		    BN_bn2binpad(sv, out + half, (int)half) == (int)half)
			rc = DS_OK;
		ECDSA_SIG_free(s);
	}
	return rc;
}

static int ecdsa_rs_to_der(const uint8_t *rs, size_t half, uint8_t *out, size_t cap,
			   size_t *out_len)
{
	ECDSA_SIG *s = ECDSA_SIG_new();
	BIGNUM *r = BN_bin2bn(rs, (int)half, NULL), *sv = BN_bin2bn(rs + half, (int)half, NULL);
	int rc = DS_E_CRYPTO;
	if (s && r && sv && ECDSA_SIG_set0(s, r, sv) == 1) {
		r = sv = NULL; /* owned by s now */
		int n = i2d_ECDSA_SIG(s, NULL);
		if (n > 0 && (size_t)n <= cap) {
			unsigned char *p = out;
			if (i2d_ECDSA_SIG(s, &p) == n) {
				*out_len = (size_t)n;
				rc = DS_OK;
			}
		}
	}
	BN_free(r);
	BN_free(sv);
	ECDSA_SIG_free(s);
	return rc;
}

int ds_cert_auth_sign(const ds_cert *c, uint8_t method, const uint8_t *octets, size_t len,
		      uint8_t *out, size_t cap, size_t *out_len)
{
	if (!c || !c->key || !octets || !out || !out_len)
		return DS_E_PARAM;
	int kind = pkey_kind(c->key);
	size_t need = (size_t)EVP_PKEY_get_size(c->key); /* largest signature (DER for ECDSA) */
	uint8_t der[160];
	size_t dl = sizeof der;
	int mk;
	const char *md;
	size_t half;
	if (method == DS_AUTH_RSA_SIG) {
		/* cl. 3.8: RSASSA-PKCS1-v1_5 with SHA-1 */
		if (kind != DS_KEY_RSA)
			return DS_E_UNSUPPORTED;
		if (need > cap)
			return DS_E_NOSPACE;
		*out_len = cap;
		return digest_sign(c->key, "SHA1", octets, len, out, out_len);
	}
	if (ecdsa_method(method, &mk, &md, &half)) {
		if (kind != mk)
			return DS_E_UNSUPPORTED;
		if (2 * half > cap)
			return DS_E_NOSPACE;
		int rc = digest_sign(c->key, md, octets, len, der, &dl);
		if (rc == DS_OK)
			rc = ecdsa_der_to_rs(der, dl, out, half);
		if (rc == DS_OK)
			*out_len = 2 * half;
		return rc;
	}
	if (method == DS_AUTH_DIGITAL_SIGNATURE) {
		/* RFC 7427 cl. 3: length | AlgorithmIdentifier | signature */
		int md_nid = sig14_md_nid(kind);
		size_t al = 0;
		if (md_nid == NID_undef || cap < 1)
			return DS_E_UNSUPPORTED;
		int rc = algid_der(kind, md_nid, out + 1, cap - 1, &al);
		if (rc != DS_OK)
			return rc;
		out[0] = (uint8_t)al;
		if (1 + al + need > cap)
			return DS_E_NOSPACE;
		size_t sl = cap - 1 - al;
		rc = digest_sign(c->key, OBJ_nid2sn(md_nid), octets, len, out + 1 + al, &sl);
		if (rc == DS_OK)
			*out_len = 1 + al + sl;
		return rc;
	}
	return DS_E_UNSUPPORTED;
}

int ds_cert_auth_verify(const ds_cert *peer, uint8_t method, const uint8_t *octets, size_t len,
			const uint8_t *auth, size_t auth_len)
{
	if (!peer || !octets || !auth)
		return DS_E_PARAM;
	EVP_PKEY *pk = X509_get0_pubkey(peer->x);
	int kind = pkey_kind(pk);
	int mk;
	const char *md;
	size_t half;
	if (method == DS_AUTH_RSA_SIG) {
		if (kind != DS_KEY_RSA)
			return DS_E_AUTH;
		return digest_verify(pk, "SHA1", octets, len, auth, auth_len) ? DS_OK : DS_E_AUTH;
	}
	if (ecdsa_method(method, &mk, &md, &half)) {
		uint8_t der[160];
		size_t dl = 0;
		if (kind != mk || auth_len != 2 * half ||
		    ecdsa_rs_to_der(auth, half, der, sizeof der, &dl) != DS_OK)
			return DS_E_AUTH;
		return digest_verify(pk, md, octets, len, der, dl) ? DS_OK : DS_E_AUTH;
	}
	if (method != DS_AUTH_DIGITAL_SIGNATURE)
		return DS_E_UNSUPPORTED;
	if (auth_len < 1 || auth[0] == 0 || (size_t)auth[0] + 1 >= auth_len)
		return DS_E_AUTH;
	const unsigned char *p = auth + 1;
	X509_ALGOR *a = d2i_X509_ALGOR(NULL, &p, auth[0]);
	int rc = DS_E_UNSUPPORTED;
	if (!a || p != auth + 1 + auth[0]) {
		rc = DS_E_AUTH;
		goto out;
	}
	const ASN1_OBJECT *obj = NULL;
	X509_ALGOR_get0(&obj, NULL, NULL, a);
	int md_nid = NID_undef, pk_nid = NID_undef;
	if (!OBJ_find_sigid_algs(OBJ_obj2nid(obj), &md_nid, &pk_nid))
		goto out;
	/* SHA-1 and SHA-2 only (RFC 7427 cl. 5: no MD5); RSASSA-PSS is not supported. */
	if (md_nid != NID_sha1 && md_nid != NID_sha256 && md_nid != NID_sha384 &&
	    md_nid != NID_sha512)
		goto out;
	if ((pk_nid == NID_rsaEncryption && kind != DS_KEY_RSA) ||
	    (pk_nid == NID_X9_62_id_ecPublicKey &&
	     kind != DS_KEY_EC_P256 && kind != DS_KEY_EC_P384 && kind != DS_KEY_EC_P521)) {
		rc = DS_E_AUTH; /* algorithm does not match the certificate's key */
		goto out;
	}
	if (pk_nid != NID_rsaEncryption && pk_nid != NID_X9_62_id_ecPublicKey)
		goto out;
	size_t off = 1 + (size_t)auth[0];
	rc = digest_verify(pk, OBJ_nid2sn(md_nid), octets, len, auth + off, auth_len - off)
		     ? DS_OK : DS_E_AUTH;
out:
	X509_ALGOR_free(a);
	ERR_clear_error();
	return rc;
}

/* ---- trust anchors and chains ---- */

ds_ca_store *ds_ca_from_pem(const char *pem, size_t len, int *err)
{
	if (!pem || len > INT_MAX) {
		set_err(err, DS_E_PARAM);
		return NULL;
	}
	ds_ca_store *ca = OPENSSL_zalloc(sizeof *ca);
	BIO *b = BIO_new_mem_buf(pem, (int)len);
	int n = 0;
	if (ca && b && (ca->st = X509_STORE_new()) != NULL) {
		X509 *x;
		while ((x = PEM_read_bio_X509(b, NULL, no_password, NULL)) != NULL) {
			if (X509_STORE_add_cert(ca->st, x) == 1)
				n++;
			X509_free(x);
		}
	}
	BIO_free(b);
	ERR_clear_error(); /* the loop ends with a "no start line" error */
	if (!ca || !ca->st || n == 0) {
		ds_ca_free(ca);
		set_err(err, DS_E_CONFIG);
		return NULL;
	}
	set_err(err, DS_OK);
	return ca;
}

ds_ca_store *ds_ca_load(const char *path, int *err)
{
	size_t l = 0;
	char *p = path ? slurp(path, &l) : NULL;
	if (!p) {
		set_err(err, DS_E_CONFIG);
		return NULL;
	}
	ds_ca_store *ca = ds_ca_from_pem(p, l, err);
	OPENSSL_free(p);
	return ca;
}

void ds_ca_free(ds_ca_store *ca)
{
	if (!ca)
		return;
	X509_STORE_free(ca->st);
	OPENSSL_free(ca);
}

int ds_cert_verify_chain(const ds_ca_store *ca, const ds_cert *leaf,
			 const ds_cert *const *intermediates, size_t n_intermediates,
			 int64_t unix_time, const char **reason)
{
	if (reason)
		*reason = "invalid argument";
	if (!ca || !leaf || (n_intermediates && !intermediates))
		return DS_E_PARAM;
	STACK_OF(X509) *untrusted = sk_X509_new_null();
	X509_STORE_CTX *ctx = X509_STORE_CTX_new();
	int rc = DS_E_NOMEM;
	if (!untrusted || !ctx)
		goto out;
	for (size_t i = 0; i < n_intermediates; i++)
		if (!intermediates[i] || !sk_X509_push(untrusted, intermediates[i]->x))
			goto out;
	rc = DS_E_CRYPTO;
	if (X509_STORE_CTX_init(ctx, ca->st, leaf->x, untrusted) != 1)
		goto out;
	X509_VERIFY_PARAM_set_time(X509_STORE_CTX_get0_param(ctx), (time_t)unix_time);
	if (X509_verify_cert(ctx) == 1) {
		rc = DS_OK;
		if (reason)
			*reason = "ok";
	} else {
		rc = DS_E_AUTH;
		if (reason)
			*reason = X509_verify_cert_error_string(X509_STORE_CTX_get_error(ctx));
	}
out:
	X509_STORE_CTX_free(ctx);
	sk_X509_free(untrusted); /* the certificates stay owned by their ds_cert */
	ERR_clear_error();
	return rc;
}

/* ---- CERTREQ (RFC 7296 cl. 3.7) ---- */

static int spki_sha1(X509 *x, uint8_t out[20])
{
	unsigned char *der = NULL;
	int n = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(x), &der);
	if (n <= 0)
		return DS_E_CRYPTO;
	ds_span part = { der, (size_t)n };
	int rc = ds_hash(DS_HASH_SHA1, &part, 1, out);
	OPENSSL_free(der);
	return rc;
}

int ds_cert_spki_sha1(const ds_cert *c, uint8_t out[20])
{
	if (!c || !out)
		return DS_E_PARAM;
	return spki_sha1(c->x, out);
}

int ds_ca_certreq_data(const ds_ca_store *ca, uint8_t *out, size_t cap, size_t *out_len)
{
	if (!ca || !out_len)
		return DS_E_PARAM;
	STACK_OF(X509_OBJECT) *objs = X509_STORE_get0_objects(ca->st);
	size_t n = 0;
	for (int i = 0; i < sk_X509_OBJECT_num(objs); i++) {
		X509 *x = X509_OBJECT_get0_X509(sk_X509_OBJECT_value(objs, i));
		if (!x)
			continue; /* a CRL */
		if (out) {
			if (n + 20 > cap)
				return DS_E_NOSPACE;
			int rc = spki_sha1(x, out + n);
			if (rc != DS_OK)
				return rc;
		}
		n += 20;
	}
	*out_len = n;
	return DS_OK;
}

bool ds_certreq_lists(const uint8_t *data, size_t len, const ds_cert *issuer)
{
	uint8_t h[20];
	if (!data || !issuer || len % 20 || spki_sha1(issuer->x, h) != DS_OK)
		return false;
	for (size_t off = 0; off < len; off += 20)
		if (memcmp(data + off, h, 20) == 0)
			return true;
	return false;
}
