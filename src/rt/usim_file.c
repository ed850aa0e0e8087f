#include "rt/usim_file.h"

#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "core/err.h"
#include "rt/ycfg.h"

int ds_usim_file_load(const char *path, ds_usim_file *u, char *err, size_t errlen)
{
	static const char *const keys[] = { "k", "opc", "sqn", NULL };
	memset(u, 0, sizeof *u);
	ds_ycfg c;
	int rc = ds_ycfg_load_file(&c, path, path);
	ds_ynode root;
	if (rc == DS_OK && ds_ycfg_root(&c, &root)) {
		ds_ymap_only(&root, keys);
		ds_yget_hex(&root, "k", u->k, sizeof u->k, true);
		ds_yget_hex(&root, "opc", u->opc, sizeof u->opc, true);
		ds_ynode v;
		if (ds_ymap_get(&root, "sqn", &v, false)) {
			const char *s = ds_ynode_str(&v);
			char *end = NULL;
			unsigned long long x = s ? strtoull(s, &end, 0) : 0;
			if (!s || !*s || *end || x > 0xffffffffffffull)
				ds_yerr(&v, "must be a 48-bit sequence number");
			else
				u->sqn = x;
		}
	}
	if (c.nerr)
		rc = DS_E_CONFIG;
	if (rc != DS_OK) {
		ds_ycfg_errors(&c, err, errlen);
		ds_usim_file_wipe(u);
	}
	ds_ycfg_free(&c);
	return rc;
}

static void hex(char *out, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", p[i]);
}

int ds_usim_file_save(const char *path, const ds_usim_file *u)
{
	char tmp[512];
	int n = snprintf(tmp, sizeof tmp, "%s.new", path);
	if (n < 0 || (size_t)n >= sizeof tmp)
		return DS_E_PARAM;
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return DS_E_IO;
	char k[33], opc[33], text[256];
	hex(k, u->k, 16);
	hex(opc, u->opc, 16);
	int len = snprintf(text, sizeof text,
			   "# USIM of dsmip6-ue; sqn is rewritten by the daemon\nk: %s\nopc: %s\nsqn: %" PRIu64 "\n",
			   k, opc, u->sqn);
	OPENSSL_cleanse(k, sizeof k);
	OPENSSL_cleanse(opc, sizeof opc);
	bool ok = len > 0 && write(fd, text, (size_t)len) == len && fsync(fd) == 0;
	OPENSSL_cleanse(text, sizeof text);
	if (close(fd) != 0)
		ok = false;
	if (!ok || rename(tmp, path) != 0) {
		unlink(tmp);
		return DS_E_IO;
	}
	return DS_OK;
}

void ds_usim_file_wipe(ds_usim_file *u)
{
	OPENSSL_cleanse(u, sizeof *u);
}
