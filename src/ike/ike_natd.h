/* NAT detection data (RFC 7296 cl. 2.23): SHA-1(SPIi | SPIr | IP address | port). */
#ifndef DSMIP6_IKE_NATD_H
#define DSMIP6_IKE_NATD_H

#include <stdint.h>

#include "core/addr.h"

#define IKE_NATD_LEN 20

int ike_natd_hash(uint64_t spi_i, uint64_t spi_r, const ds_addr *a, uint8_t out[IKE_NATD_LEN]);

#endif
