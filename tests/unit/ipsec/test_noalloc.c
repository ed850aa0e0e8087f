/* Allocations on the ESP packet path, counted by replacing OpenSSL's allocator (before OpenSSL
 * allocates anything). SAs are created and warmed up with one packet, then 4000 seal/open calls
 * run, for SAs with their own contexts and for compact SAs whose shared context is re-keyed on
 * every packet (two SAs alternate).
 *   AES-GCM: no allocation at all, also when re-keyed.
 *   HMAC suites: exactly what OpenSSL 3.0's HMAC needs: re-initialising a keyed HMAC
 *   duplicates its inner digest context (2 small blocks per ICV), and re-keying copies the key
 *   and pads (4 more). dsmip6 itself allocates nothing per packet. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <openssl/crypto.h>

#include "core/err.h"
#include "crypto/crypto.h"
#include "ipsec/esp.h"
#include "ipsec/sad.h"

static unsigned long allocs;

static void *count_malloc(size_t n, const char *file, int line)
{
	(void)file;
	(void)line;
	allocs++;
	return malloc(n);
}

static void *count_realloc(void *p, size_t n, const char *file, int line)
{
	(void)file;
	(void)line;
	allocs++;
	return realloc(p, n);
}

static void count_free(void *p, const char *file, int line)
{
	(void)file;
	(void)line;
	free(p);
}

static const uint8_t KEY[100] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18 };

static void path_allocates_nothing(void **state)
{
	(void)state;
	/* per_op[compact]: allocations allowed per seal or open */
	static const struct { uint16_t encr, bits, integ; bool esn; unsigned per_op[2]; } s[] = {
		{ DS_ENCR_AES_GCM_16, 128, DS_INTEG_NONE, false, { 0, 0 } },
		{ DS_ENCR_AES_GCM_16, 256, DS_INTEG_NONE, true, { 0, 0 } },
		{ DS_ENCR_AES_CBC, 128, DS_INTEG_HMAC_SHA2_256_128, false, { 2, 6 } },
		{ DS_ENCR_AES_CBC, 256, DS_INTEG_HMAC_SHA2_512_256, true, { 2, 6 } },
		{ DS_ENCR_NULL, 0, DS_INTEG_HMAC_SHA2_384_192, false, { 2, 6 } },
	};
	for (size_t i = 0; i < sizeof s / sizeof s[0]; i++) {
		for (int compact = 0; compact < 2; compact++) {
			ds_sad *sad = ds_sad_new();
			ds_esp_sa *o[2], *in[2];
			uint8_t keys[2][100];
			for (int k = 0; k < 2; k++) {
				memcpy(keys[k], KEY, sizeof KEY);
				keys[k][0] = (uint8_t)k;
				ds_esp_sa_params p = { .spi = 0x100 + (uint32_t)k, .mode = DS_ESP_TUNNEL,
						       .encr = s[i].encr, .encr_key_bits = s[i].bits,
						       .integ = s[i].integ, .encr_key = keys[k],
						       .integ_key = keys[k] + 36, .esn = s[i].esn,
						       .compact = compact };
				p.dir = DS_ESP_OUT;
				o[k] = ds_esp_sa_new(&p, NULL);
				p.dir = DS_ESP_IN;
				in[k] = ds_esp_sa_new(&p, NULL);
				assert_non_null(o[k]);
				assert_non_null(in[k]);
				assert_int_equal(ds_sad_add(sad, o[k], (uint64_t)k), DS_OK);
				assert_int_equal(ds_sad_add(sad, in[k], 0), DS_OK);
			}
			uint8_t pl[1400], pkt[1500], back[1500], nh;
			memset(pl, 0x42, sizeof pl);
			pl[0] = 0x60;
			size_t n, bl;
			for (int round = 0; round < 1001; round++) {
				if (round == 1)
					allocs = 0; /* the first round may create the shared contexts */
				for (int k = 0; k < 2; k++) {
					assert_int_equal(ds_esp_seal(o[k], 41, pl, sizeof pl, pkt, sizeof pkt, &n),
							 DS_OK);
					assert_int_equal(ds_esp_open(in[k], pkt, n, back, sizeof back, &bl, &nh),
							 DS_OK);
				}
			}
			if (allocs > 4000ul * s[i].per_op[compact])
				print_error("suite %zu compact %d: %lu allocations for 4000 calls\n", i,
					    compact, allocs);
			assert_true(allocs <= 4000ul * s[i].per_op[compact]);
			ds_sad_free(sad);
		}
	}
}

int main(void)
{
	/* must precede every OpenSSL call */
	if (!CRYPTO_set_mem_functions(count_malloc, count_realloc, count_free))
		return 1;
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(path_allocates_nothing),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
