/* X.509 certificates and IKEv2 signature authentication over OpenSSL:
 *   - PEM loading (from memory or a file) of a certificate, its private key and CA bundles;
 *   - DER export for the CERT payload (encoding 4, X.509 Certificate - Signature);
 *   - AUTH payload signing and verification, RFC 7296 cl. 3.8:
 *       method 1  RSA Digital Signature: EMSA-PKCS1-v1_5 with SHA-1;
 *       method 9/10/11  ECDSA with SHA-256 on P-256 / SHA-384 on P-384 / SHA-512 on P-521,
 *                 signature r || s in fixed-size octets (RFC 4754 cl. 3, 7);
 *       method 14 Digital Signature (RFC 7427 cl. 3): one length octet, the DER
 *                 AlgorithmIdentifier, then the signature (ECDSA: DER ECDSA-Sig-Value);
 *                 dsmip6 signs with sha256WithRSAEncryption or ecdsa-with-SHA256/384/512
 *                 and verifies any SHA-1/SHA-2 RSA PKCS#1 v1.5 or ECDSA identifier;
 *   - chain verification against configured trust anchors (X509_verify_cert) at a time the
 *     caller gives (engines do not read clocks);
 *   - matching an IKE identity against the certificate (subjectAltName / subject). */
#ifndef DSMIP6_CRYPTO_CERT_H
#define DSMIP6_CRYPTO_CERT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* IKEv2 Authentication Method (RFC 7296 cl. 3.8, IANA). */
enum { DS_AUTH_RSA_SIG = 1, DS_AUTH_SHARED_KEY = 2, DS_AUTH_ECDSA_SHA256_P256 = 9,
       DS_AUTH_ECDSA_SHA384_P384 = 10, DS_AUTH_ECDSA_SHA512_P521 = 11,
       DS_AUTH_DIGITAL_SIGNATURE = 14 };

/* IKEv2 ID types that a certificate can be matched against (RFC 7296 cl. 3.5). */
enum { DS_ID_IPV4_ADDR = 1, DS_ID_FQDN = 2, DS_ID_RFC822_ADDR = 3, DS_ID_IPV6_ADDR = 5,
       DS_ID_DER_ASN1_DN = 9 };

/* Key kinds. */
enum { DS_KEY_NONE = 0, DS_KEY_RSA = 1, DS_KEY_EC_P256 = 2, DS_KEY_EC_P384 = 3,
       DS_KEY_EC_P521 = 4 };

typedef struct ds_cert ds_cert;        /* a certificate, optionally with its private key */
typedef struct ds_ca_store ds_ca_store;

/* Load a PEM certificate (the first one in the buffer) and, if key_pem is not NULL, the
 * matching PEM private key (PKCS#8 or traditional, unencrypted). NULL on error, *err tells. */
ds_cert *ds_cert_from_pem(const char *cert_pem, size_t cert_len, const char *key_pem,
			  size_t key_len, int *err);
ds_cert *ds_cert_load(const char *cert_path, const char *key_path, int *err);
/* A peer certificate from a CERT payload (DER). */
ds_cert *ds_cert_from_der(const uint8_t *der, size_t len, int *err);
void ds_cert_free(ds_cert *c);

int ds_cert_key_kind(const ds_cert *c);          /* DS_KEY_* of the public key */
bool ds_cert_has_private_key(const ds_cert *c);
/* DER encoding (CERT payload data); with out NULL only *out_len is set. */
int ds_cert_der(const ds_cert *c, uint8_t *out, size_t cap, size_t *out_len);
/* RFC 4754 method matching the key (9/10/11 for EC keys, 1 for RSA). */
uint8_t ds_cert_native_auth_method(const ds_cert *c);
/* Does the certificate carry this identity? FQDN: a DNS subjectAltName (or CN if none),
 * RFC822: an e-mail SAN, IPv4/IPv6: an IP SAN (4 / 16 octets), DER_ASN1_DN: the subject. */
bool ds_cert_matches_id(const ds_cert *c, uint8_t id_type, const uint8_t *id, size_t len);

/* Sign the AUTH octets (ds_ikev2_signed_octets) with method 1, 9/10/11 or 14. out receives the
 * Authentication Data of the AUTH payload. DS_E_UNSUPPORTED when the key cannot do the method. */
int ds_cert_auth_sign(const ds_cert *c, uint8_t method, const uint8_t *octets, size_t len,
		      uint8_t *out, size_t cap, size_t *out_len);
/* Verify a peer's AUTH data with the public key of `peer`. DS_OK or DS_E_AUTH (bad signature,
 * method not matching the key), DS_E_UNSUPPORTED (unknown method or algorithm). */
int ds_cert_auth_verify(const ds_cert *peer, uint8_t method, const uint8_t *octets, size_t len,
			const uint8_t *auth, size_t auth_len);

/* SHA-1 of the certificate's DER SubjectPublicKeyInfo (20 octets): the unit of the CERTREQ
 * Certification Authority list and of "Hash and URL" encodings (RFC 7296 cl. 3.6, 3.7). */
int ds_cert_spki_sha1(const ds_cert *c, uint8_t out[20]);

/* Trust anchors: one or more PEM CA certificates. */
ds_ca_store *ds_ca_from_pem(const char *pem, size_t len, int *err);
ds_ca_store *ds_ca_load(const char *path, int *err);
void ds_ca_free(ds_ca_store *ca);
/* CERTREQ Certification Authority data (RFC 7296 cl. 3.7): the concatenated SHA-1 hashes of
 * the trust anchors' SubjectPublicKeyInfo, 20 octets each. With out NULL only *out_len is set. */
int ds_ca_certreq_data(const ds_ca_store *ca, uint8_t *out, size_t cap, size_t *out_len);
/* Is one of the 20-octet hashes in a received CERTREQ the SPKI hash of `issuer` (e.g. the CA
 * that signed our certificate)? Lets a responder pick the certificate the peer can verify. */
bool ds_certreq_lists(const uint8_t *data, size_t len, const ds_cert *issuer);
/* Verify leaf (plus optional untrusted intermediates, e.g. from further CERT payloads) up to a
 * trust anchor, with validity checked at unix_time (seconds since 1970, from the host's wall
 * clock). DS_OK or DS_E_AUTH; reason (may be NULL) gets OpenSSL's short explanation. */
int ds_cert_verify_chain(const ds_ca_store *ca, const ds_cert *leaf,
			 const ds_cert *const *intermediates, size_t n_intermediates,
			 int64_t unix_time, const char **reason);

#endif
