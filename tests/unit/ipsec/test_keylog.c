/* Wireshark key logs (src/crypto/keylog.h), proven with tshark: IKE_AUTH messages encrypted
 * with SK_ei/SK_ai (RFC 7296 cl. 3.14, RFC 5282 for GCM) and ESP packets sealed by ds_esp are
 * written to a pcap, and tshark 4.0 must decrypt both with only our ikev2_decryption_table and
 * esp_sa lines, and Wireshark's ICV check must accept our ICVs and reject a flipped one. This
 * also checks our SK payload and ESP formats against Wireshark's own implementation. Skipped
 * when tshark is not installed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "core/addr.h"
#include "core/buf.h"
#include "core/err.h"
#include "crypto/crypto.h"
#include "crypto/ikev2_keys.h"
#include "crypto/keylog.h"
#include "ipsec/esp.h"

static const uint8_t SPI_I[8] = { 0x9a, 0x1b, 0x2c, 0x3d, 0x4e, 0x5f, 0x60, 0x71 };
static const uint8_t SPI_R[8] = { 0x81, 0x92, 0xa3, 0xb4, 0xc5, 0xd6, 0xe7, 0xf8 };

static void pcap_header(FILE *f)
{
	/* libpcap, LINKTYPE_RAW (101): each record is an IPv4 or IPv6 packet */
	const uint32_t h[6] = { 0xa1b2c3d4, 0x00040002, 0, 0, 65535, 101 };
	assert_int_equal(fwrite(h, 4, 6, f), 6);
}

static void pcap_record(FILE *f, const uint8_t *p, size_t len, uint32_t sec)
{
	const uint32_t r[4] = { sec, 0, (uint32_t)len, (uint32_t)len };
	assert_int_equal(fwrite(r, 4, 4, f), 4);
	assert_int_equal(fwrite(p, 1, len, f), len);
}

/* IPv4 / UDP 500 -> 500 around an IKE message (UDP checksum 0 is allowed over IPv4). */
static size_t ipv4_udp(uint8_t *out, const uint8_t *ike, size_t len)
{
	ds_wr w = ds_wr_init(out, 2048);
	ds_wr_u8(&w, 0x45);
	ds_wr_u8(&w, 0);
	ds_wr_u16(&w, (uint16_t)(20 + 8 + len));
	ds_wr_u32(&w, 0);
	ds_wr_u8(&w, 64);
	ds_wr_u8(&w, 17);
	ds_wr_u16(&w, 0);
	const uint8_t a[4] = { 192, 0, 2, 10 }, b[4] = { 192, 0, 2, 1 };
	ds_wr_bytes(&w, a, 4);
	ds_wr_bytes(&w, b, 4);
	ds_wr_u16(&w, 500);
	ds_wr_u16(&w, 500);
	ds_wr_u16(&w, (uint16_t)(8 + len));
	ds_wr_u16(&w, 0);
	ds_wr_bytes(&w, ike, len);
	assert_false(w.err);
	/* header checksum */
	uint32_t s = 0;
	for (int i = 0; i < 20; i += 2)
		s += ds_get_u16(out + i);
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	ds_put_u16(out + 10, (uint16_t)~s);
	return w.off;
}

/* An IKE_AUTH request whose SK payload holds one Notify INITIAL_CONTACT (16384). */
static size_t ike_auth(uint16_t encr, uint16_t bits, uint16_t integ, const ds_ike_keys *k,
		       uint8_t *out)
{
	ds_cipher *c = ds_cipher_new(encr, bits, integ, k->sk_ei, k->sk_ai);
	assert_non_null(c);
	size_t ivl = ds_cipher_iv_len(c), bl = ds_cipher_block_len(c), icvl = ds_cipher_icv_len(c);
	uint8_t plain[64];
	const uint8_t notify[8] = { 0, 0, 0, 8, 0, 0, 0x40, 0x00 };
	memcpy(plain, notify, 8);
	size_t pad = (bl - (8 + 1) % bl) % bl;
	memset(plain + 8, 0, pad);
	plain[8 + pad] = (uint8_t)pad;
	size_t pl = 8 + pad + 1, total = 28 + 4 + ivl + pl + icvl;
	ds_wr w = ds_wr_init(out, 512);
	ds_wr_bytes(&w, SPI_I, 8);
	ds_wr_bytes(&w, SPI_R, 8);
	ds_wr_u8(&w, 46);   /* SK */
	ds_wr_u8(&w, 0x20); /* IKEv2 */
	ds_wr_u8(&w, 35);   /* IKE_AUTH */
	ds_wr_u8(&w, 0x08); /* Initiator */
	ds_wr_u32(&w, 1);
	ds_wr_u32(&w, (uint32_t)total);
	ds_wr_u8(&w, 41);   /* first inner payload: Notify */
	ds_wr_u8(&w, 0);
	ds_wr_u16(&w, (uint16_t)(4 + ivl + pl + icvl));
	uint8_t *iv = ds_wr_reserve(&w, ivl);
	assert_int_equal(ds_random(iv, ivl), DS_OK);
	uint8_t *ct = ds_wr_reserve(&w, pl);
	memcpy(ct, plain, pl);
	uint8_t *icv = ds_wr_reserve(&w, icvl);
	assert_false(w.err);
	/* RFC 5282 cl. 5.1 AAD / RFC 7296 cl. 3.14 integrity: header through the SK header */
	assert_int_equal(ds_cipher_seal(c, out, 32, iv, ct, pl, icv), DS_OK);
	ds_cipher_free(c);
	return w.off;
}

/* IPv6 / ESP (transport) / UDP 1234 -> 5678 "hello dsmip6". */
static size_t ipv6_esp(ds_esp_sa *sa, const ds_addr *src, const ds_addr *dst, uint8_t *out)
{
	uint8_t udp[20] = { 0x04, 0xd2, 0x16, 0x2e, 0, 20, 0, 0 };
	memcpy(udp + 8, "hello dsmip6", 12);
	size_t n = 0;
	assert_int_equal(ds_esp_seal(sa, 17, udp, sizeof udp, out + 40, 1024, &n), DS_OK);
	out[0] = 0x60;
	out[1] = out[2] = out[3] = 0;
	ds_put_u16(out + 4, (uint16_t)n);
	out[6] = 50;
	out[7] = 64;
	memcpy(out + 8, src->ip, 16);
	memcpy(out + 24, dst->ip, 16);
	return 40 + n;
}

static bool have_tshark(void)
{
	return system("command -v tshark >/dev/null 2>&1") == 0;
}

static void run_case(uint16_t encr, uint16_t bits, uint16_t integ, uint16_t esp_encr,
		     uint16_t esp_integ)
{
	if (!have_tshark())
		skip();
	uint8_t ni[32] = { 1 }, nr[32] = { 2 }, gir[32] = { 3 };
	ds_ike_keys k;
	assert_int_equal(ds_ikev2_init_keys(DS_PRF_HMAC_SHA2_256, ni, 32, nr, 32, gir, 32, SPI_I, SPI_R,
					    ds_cipher_encr_keymat(encr, bits),
					    ds_cipher_integ_keymat(integ), &k), DS_OK);
	char ike_line[1024], esp_line[1024];
	assert_int_equal(ds_keylog_ikev2_line(SPI_I, SPI_R, &k, encr, bits, integ, ike_line,
					      sizeof ike_line), DS_OK);
	/* ESP SA keys from a CHILD_SA KEYMAT */
	ds_child_keys ck;
	size_t eel = ds_cipher_encr_keymat(esp_encr, 128), eil = ds_cipher_integ_keymat(esp_integ);
	assert_int_equal(ds_ikev2_child_keys(DS_PRF_HMAC_SHA2_256, k.sk_d, k.prf_len, NULL, 0, ni, 32,
					     nr, 32, eel, eil, &ck), DS_OK);
	uint8_t a6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 1, [15] = 2 }, b6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 1, [15] = 1 };
	ds_addr src = ds_addr6(a6, 0), dst = ds_addr6(b6, 0);
	ds_esp_sa_params p = { .spi = 0xc0ffee01, .dir = DS_ESP_OUT, .mode = DS_ESP_TRANSPORT,
			       .encr = esp_encr, .encr_key_bits = esp_encr == DS_ENCR_NULL ? 0 : 128,
			       .integ = esp_integ, .encr_key = ck.ei, .integ_key = ck.ai };
	ds_esp_sa *sa = ds_esp_sa_new(&p, NULL);
	assert_non_null(sa);
	assert_int_equal(ds_keylog_esp_line(&src, &dst, 0xc0ffee01, esp_encr, p.encr_key_bits, ck.ei,
					    esp_integ, ck.ai, esp_line, sizeof esp_line), DS_OK);
	char dir[] = "/tmp/dsmip6-keylog-XXXXXX", cap[64], cmd[4096];
	assert_non_null(mkdtemp(dir));
	snprintf(cap, sizeof cap, "%s/c.pcap", dir);
	FILE *f = fopen(cap, "wb");
	assert_non_null(f);
	pcap_header(f);
	uint8_t ike[512], pkt[2048];
	size_t il = ike_auth(encr, bits, integ, &k, ike);
	pcap_record(f, pkt, ipv4_udp(pkt, ike, il), 1);
	pcap_record(f, pkt, ipv6_esp(sa, &src, &dst, pkt), 2);
	/* a third packet whose last ICV octet is flipped: Wireshark must call its ICV bad */
	size_t bad = ipv6_esp(sa, &src, &dst, pkt);
	pkt[bad - 1] ^= 1;
	pcap_record(f, pkt, bad, 3);
	fclose(f);
	snprintf(cmd, sizeof cmd,
		 "tshark -n -r %s -o 'uat:ikev2_decryption_table:%s' -o esp.enable_encryption_decode:TRUE -o esp.enable_authentication_check:TRUE "
		 "-o 'uat:esp_sa:%s' -T fields -E separator=, -e isakmp.notify.msgtype -e esp.sequence "
		 "-e udp.dstport -e data.data -e esp.icv_good 2>/dev/null",
		 cap, ike_line, esp_line);
	FILE *t = popen(cmd, "r");
	assert_non_null(t);
	char out[4096] = "";
	size_t n = fread(out, 1, sizeof out - 1, t);
	out[n] = 0;
	pclose(t);
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
	/* IKE: the notify inside SK is decoded; ESP: both packets decrypt to UDP 5678, Wireshark's
	 * own ICV check passes on the first and fails on the one with the flipped octet */
	const char *exp = "16384,,500,,\n"
			  ",1,5678,68656c6c6f2064736d697036,1\n"
			  ",2,5678,68656c6c6f2064736d697036,0\n";
	if (strcmp(out, exp) != 0)
		print_error("tshark said:\n%s\nike: %s\nesp: %s\n", out, ike_line, esp_line);
	assert_string_equal(out, exp);
	ds_esp_sa_free(sa);
	ds_child_keys_wipe(&ck);
	ds_ike_keys_wipe(&k);
}

static void tshark_gcm(void **state)
{
	(void)state;
	run_case(DS_ENCR_AES_GCM_16, 256, DS_INTEG_NONE, DS_ENCR_AES_GCM_16, DS_INTEG_NONE);
}

static void tshark_cbc(void **state)
{
	(void)state;
	run_case(DS_ENCR_AES_CBC, 128, DS_INTEG_HMAC_SHA2_256_128, DS_ENCR_AES_CBC,
		 DS_INTEG_HMAC_SHA2_512_256);
}

static void tshark_null_esp(void **state)
{
	(void)state;
	run_case(DS_ENCR_AES_CBC, 256, DS_INTEG_HMAC_SHA2_384_192, DS_ENCR_NULL,
		 DS_INTEG_HMAC_SHA2_256_128);
}

static void line_format(void **state)
{
	(void)state;
	ds_ike_keys k = { .encr_len = 20, .integ_len = 0 };
	memset(k.sk_ei, 0xab, 20);
	memset(k.sk_er, 0xcd, 20);
	char line[512];
	assert_int_equal(ds_keylog_ikev2_line(SPI_I, SPI_R, &k, DS_ENCR_AES_GCM_16, 128, DS_INTEG_NONE,
					      line, sizeof line), DS_OK);
	assert_string_equal(line, "9a1b2c3d4e5f6071,8192a3b4c5d6e7f8,"
				  "abababababababababababababababababababab,"
				  "cdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcd,"
				  "\"AES-GCM-128 with 16 octet ICV [RFC5282]\",,,\"NONE [RFC4306]\"");
	assert_int_equal(ds_keylog_ikev2_line(SPI_I, SPI_R, &k, DS_ENCR_AES_GCM_16, 128, DS_INTEG_NONE,
					      line, 40), DS_E_NOSPACE);
	assert_int_equal(ds_keylog_ikev2_line(SPI_I, SPI_R, &k, 3, 192, DS_INTEG_NONE, line,
					      sizeof line), DS_E_UNSUPPORTED);
	uint8_t a[4] = { 192, 0, 2, 1 }, b[4] = { 198, 51, 100, 7 }, key[20];
	memset(key, 0x11, sizeof key);
	ds_addr s = ds_addr4(a, 4500), d = ds_addr4(b, 4500);
	assert_int_equal(ds_keylog_esp_line(&s, &d, 0x1234, DS_ENCR_AES_GCM_16, 128, key, DS_INTEG_NONE,
					    NULL, line, sizeof line), DS_OK);
	assert_string_equal(line, "\"IPv4\",\"192.0.2.1\",\"198.51.100.7\",\"0x00001234\","
				  "\"AES-GCM with 16 octet ICV [RFC4106]\","
				  "\"0x1111111111111111111111111111111111111111\",\"NULL\",\"\"");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(line_format),
		cmocka_unit_test(tshark_gcm),
		cmocka_unit_test(tshark_cbc),
		cmocka_unit_test(tshark_null_esp),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
