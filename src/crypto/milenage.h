/* MILENAGE, the 3GPP example authentication and key generation functions f1, f1*, f2, f3, f4,
 * f5 and f5* (TS 35.206), with AES-128 as the kernel function (OpenSSL). Test data: TS 35.208.
 *
 * All functions return DS_OK or DS_E_CRYPTO; output pointers that are NULL are not computed. */
#ifndef DSMIP6_CRYPTO_MILENAGE_H
#define DSMIP6_CRYPTO_MILENAGE_H

#include <stdint.h>

#define DS_MILENAGE_K_LEN 16
#define DS_MILENAGE_RAND_LEN 16
#define DS_MILENAGE_SQN_LEN 6
#define DS_MILENAGE_AMF_LEN 2
#define DS_MILENAGE_MAC_LEN 8
#define DS_MILENAGE_RES_LEN 8
#define DS_MILENAGE_AK_LEN 6
#define DS_MILENAGE_AUTN_LEN 16   /* SQN xor AK || AMF || MAC-A (TS 33.102 cl. 6.3.2) */
#define DS_MILENAGE_AUTS_LEN 14   /* SQN_MS xor AK* || MAC-S (TS 33.102 cl. 6.3.3) */

/* OPc = OP xor E_K(OP) (TS 35.206 cl. 4.1). */
int ds_milenage_opc(const uint8_t k[16], const uint8_t op[16], uint8_t opc[16]);

/* f1 (MAC-A) and f1* (MAC-S) over SQN and AMF (TS 35.206 cl. 4.1, OUT1). */
int ds_milenage_f1(const uint8_t k[16], const uint8_t opc[16], const uint8_t rand[16],
		   const uint8_t sqn[6], const uint8_t amf[2], uint8_t mac_a[8], uint8_t mac_s[8]);

/* f2 (RES), f3 (CK), f4 (IK), f5 (AK) and f5* (AK*) (TS 35.206 cl. 4.1, OUT2..OUT5). */
int ds_milenage_f2345(const uint8_t k[16], const uint8_t opc[16], const uint8_t rand[16],
		      uint8_t res[8], uint8_t ck[16], uint8_t ik[16], uint8_t ak[6],
		      uint8_t ak_star[6]);

/* Authentication vector for one RAND and SQN on the network side (TS 33.102 cl. 6.3.2):
 * AUTN = SQN xor AK || AMF || MAC-A, XRES = f2, CK = f3, IK = f4. */
int ds_milenage_generate(const uint8_t k[16], const uint8_t opc[16], const uint8_t rand[16],
			 const uint8_t sqn[6], const uint8_t amf[2], uint8_t autn[16],
			 uint8_t xres[8], uint8_t ck[16], uint8_t ik[16]);

#endif
