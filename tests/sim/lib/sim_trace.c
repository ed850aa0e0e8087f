#include "sim_trace.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>

#include <openssl/evp.h>

struct sim_trace {
	EVP_MD_CTX *md;
	FILE *f;
	uint64_t lines;
};

sim_trace *sim_trace_new(void)
{
	sim_trace *t = calloc(1, sizeof *t);
	if (!t)
		return NULL;
	t->md = EVP_MD_CTX_new();
	if (!t->md || EVP_DigestInit_ex(t->md, EVP_sha256(), NULL) != 1) {
		EVP_MD_CTX_free(t->md);
		free(t);
		return NULL;
	}
	return t;
}

void sim_trace_free(sim_trace *t)
{
	if (!t)
		return;
	EVP_MD_CTX_free(t->md);
	free(t);
}

void sim_trace_set_file(sim_trace *t, FILE *f) { t->f = f; }

void sim_trace_line(sim_trace *t, ds_time now, const char *fmt, ...)
{
	char line[512];
	int n = snprintf(line, sizeof line, "%" PRIu64 ".%03" PRIu64 " ", now / 1000, now % 1000);
	va_list ap;
	va_start(ap, fmt);
	int m = vsnprintf(line + n, sizeof line - (size_t)n - 1, fmt, ap);
	va_end(ap);
	size_t len = (size_t)n + (m < 0 ? 0 : (size_t)m);
	if (len > sizeof line - 2)
		len = sizeof line - 2;  /* truncated lines still hash deterministically */
	line[len++] = '\n';
	line[len] = '\0';
	EVP_DigestUpdate(t->md, line, len);
	if (t->f)
		fputs(line, t->f);
	t->lines++;
}

uint64_t sim_trace_lines(const sim_trace *t) { return t->lines; }

void sim_trace_digest(const sim_trace *t, char hex[65])
{
	unsigned char d[EVP_MAX_MD_SIZE];
	unsigned int dl = 0;
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	hex[0] = '\0';
	if (!c)
		return;
	if (EVP_MD_CTX_copy_ex(c, t->md) == 1 && EVP_DigestFinal_ex(c, d, &dl) == 1)
		for (unsigned i = 0; i < dl && i < 32; i++)
			snprintf(hex + 2 * i, 3, "%02x", d[i]);
	EVP_MD_CTX_free(c);
}
