/* The UE's USIM credentials file (YAML, mode 0600):
 *     k:   465b5ce8b199b49faa5f0a2ee238a6bc      # subscriber key K, 128 bits
 *     opc: cd63cb71954a9f4e48a5994e37a02baf      # OPc, 128 bits
 *     sqn: 0                                      # highest SQN accepted (48 bits)
 * The daemon rewrites sqn (atomically: temporary file + rename) after every successful
 * authentication: the USIM's SQN is non-volatile state (TS 33.102 Annex C.2), and a UE that
 * forgot it would accept replayed challenges after a restart. */
#ifndef DSMIP6_RT_USIM_FILE_H
#define DSMIP6_RT_USIM_FILE_H

#include <stddef.h>
#include <stdint.h>

typedef struct ds_usim_file {
	uint8_t k[16];
	uint8_t opc[16];
	uint64_t sqn;
} ds_usim_file;

int ds_usim_file_load(const char *path, ds_usim_file *u, char *err, size_t errlen);
/* Rewrite the file with a new SQN (keeps K and OPc). */
int ds_usim_file_save(const char *path, const ds_usim_file *u);
void ds_usim_file_wipe(ds_usim_file *u);

#endif
