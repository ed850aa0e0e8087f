/* Wireshark key tables written by the daemons when keylog.dir is set (debugging only: these
 * lines disclose traffic keys). Two files in the directory, appended to, one line per SA:
 *   ikev2_decryption_table  from the IKE engine's key-log event;
 *   esp_sa                  one line per ESP SA of every CHILD_SA (both directions).
 * Wireshark/tshark read them as UAT tables (see crypto/keylog.h for the formats). */
#ifndef DSMIP6_RT_KEYLOG_FILES_H
#define DSMIP6_RT_KEYLOG_FILES_H

#include <stdio.h>

#include "ike/ike.h"

typedef struct ds_keylog_files {
	FILE *ike;
	FILE *esp;
} ds_keylog_files;

/* Open both files (mode 0600) in dir; returns DS_OK or DS_E_IO (errno set). */
int ds_keylog_files_open(ds_keylog_files *k, const char *dir);
void ds_keylog_files_close(ds_keylog_files *k);
void ds_keylog_files_ike(ds_keylog_files *k, const char *line);
void ds_keylog_files_child(ds_keylog_files *k, const ds_ike_child *child);

#endif
