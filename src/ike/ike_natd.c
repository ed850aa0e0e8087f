/* NAT_DETECTION_*_IP data (RFC 7296 cl. 2.23). The digest comes from OpenSSL (EVP); the
 * crypto wrappers expose only keyed PRFs, and NAT detection needs the plain SHA-1 digest. */
#include "ike/ike_natd.h"

#include <openssl/evp.h>

#include "core/buf.h"
#include "core/err.h"

int ike_natd_hash(uint64_t spi_i, uint64_t spi_r, const ds_addr *a, uint8_t out[IKE_NATD_LEN])
{
	uint8_t in[16 + 16 + 2];
	ds_wr w = ds_wr_init(in, sizeof(in));
	ds_wr_u64(&w, spi_i);
	ds_wr_u64(&w, spi_r);
	ds_wr_bytes(&w, a->ip, ds_addr_iplen(a));
	ds_wr_u16(&w, a->port);
	if (w.err || ds_addr_iplen(a) == 0)
		return DS_E_PARAM;
	unsigned int n = 0;
	if (EVP_Digest(in, w.off, out, &n, EVP_sha1(), NULL) != 1 || n != IKE_NATD_LEN)
		return DS_E_CRYPTO;
	return DS_OK;
}
