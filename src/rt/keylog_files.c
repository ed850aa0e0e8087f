#include "rt/keylog_files.h"

#include <fcntl.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/err.h"
#include "crypto/keylog.h"

static FILE *open_0600(const char *dir, const char *name)
{
	char p[512];
	snprintf(p, sizeof p, "%s/%s", dir, name);
	int fd = open(p, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	if (fd < 0)
		return NULL;
	FILE *f = fdopen(fd, "a");
	if (!f)
		close(fd);
	return f;
}

int ds_keylog_files_open(ds_keylog_files *k, const char *dir)
{
	k->ike = open_0600(dir, "ikev2_decryption_table");
	k->esp = open_0600(dir, "esp_sa");
	if (!k->ike || !k->esp) {
		ds_keylog_files_close(k);
		return DS_E_IO;
	}
	return DS_OK;
}

void ds_keylog_files_close(ds_keylog_files *k)
{
	if (k->ike)
		fclose(k->ike);
	if (k->esp)
		fclose(k->esp);
	k->ike = k->esp = NULL;
}

void ds_keylog_files_ike(ds_keylog_files *k, const char *line)
{
	if (!k->ike)
		return;
	fprintf(k->ike, "%s\n", line);
	fflush(k->ike);
}

static void esp_line(ds_keylog_files *k, const ds_esp_sa_params *p, bool inbound)
{
	char line[1024];
	/* A transport-mode MH SA is keyed on its selectors (HoA <-> HA), which is also what
	 * Wireshark shows as the addresses of a packet with a HAO or a Type 2 RH; other SAs on
	 * their outer endpoints. Inbound packets flow remote -> local. */
	ds_addr l = p->sel.local.family ? p->sel.local : p->local;
	ds_addr r = p->sel.remote.family ? p->sel.remote : p->remote;
	l.plen = r.plen = 0;
	l.port = r.port = 0;
	const ds_addr *src = inbound ? &r : &l, *dst = inbound ? &l : &r;
	if (ds_keylog_esp_line(src, dst, p->spi, p->encr, p->encr_key_bits, p->encr_key, p->integ,
			       p->integ_key, line, sizeof line) == DS_OK)
		fprintf(k->esp, "%s\n", line);
	OPENSSL_cleanse(line, sizeof line);
}

void ds_keylog_files_child(ds_keylog_files *k, const ds_ike_child *child)
{
	if (!k->esp)
		return;
	esp_line(k, &child->in, true);
	esp_line(k, &child->out, false);
	fflush(k->esp);
}
