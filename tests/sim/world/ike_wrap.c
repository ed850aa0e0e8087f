#include "ike_wrap.h"

#include <string.h>

static void established(void *ctx, ds_ike_sa *sa, const ds_ike_info *info)
{
	ike_wrap *w = ctx;
	if (w->on_established)
		w->on_established(w->host, sa, info);
	w->glue.established(w->glue.ctx, sa, info);
}

static void child_up(void *ctx, ds_ike_sa *sa, const ds_ike_child *c)
{
	ike_wrap *w = ctx;
	if (w->on_child_up)
		w->on_child_up(w->host, sa, c);
	w->glue.child_up(w->glue.ctx, sa, c);
}

static void child_down(void *ctx, ds_ike_sa *sa, uint32_t spi_in, uint32_t spi_out)
{
	ike_wrap *w = ctx;
	w->glue.child_down(w->glue.ctx, sa, spi_in, spi_out);
}

static void closed(void *ctx, ds_ike_sa *sa, int reason, const ds_ike_info *info)
{
	ike_wrap *w = ctx;
	if (w->on_closed)
		w->on_closed(w->host, sa, reason, info);
	w->glue.closed(w->glue.ctx, sa, reason, info);
}

static void redirected(void *ctx, ds_ike_sa *sa, const ds_addr *gw, const char *fqdn)
{
	ike_wrap *w = ctx;
	if (w->on_redirected)
		w->on_redirected(w->host, sa, gw, fqdn);
	w->glue.redirected(w->glue.ctx, sa, gw, fqdn);
}

static int assign_prefix(void *ctx, const char *nai, const char *apn, ds_ike_assignment *out)
{
	ike_wrap *w = ctx;
	return w->glue.assign_prefix(w->glue.ctx, nai, apn, out);
}

static bool redirect_at_init(void *ctx, const ds_addr *peer, ds_addr *gw)
{
	ike_wrap *w = ctx;
	return w->glue.redirect_at_init(w->glue.ctx, peer, gw);
}

static int alloc_spi(void *ctx, uint32_t *spi)
{
	ike_wrap *w = ctx;
	return w->glue.alloc_spi(w->glue.ctx, spi);
}

static void keylog(void *ctx, const char *line)
{
	ike_wrap *w = ctx;
	w->glue.keylog(w->glue.ctx, line);
}

void ike_wrap_events(ike_wrap *w, ds_ike_events *ev)
{
	memset(ev, 0, sizeof *ev);
	ev->ctx = w;
	const ds_ike_events *g = &w->glue;
	/* a hook without a glue handler still needs the event */
	ev->established = g->established ? established : NULL;
	ev->child_up = g->child_up ? child_up : NULL;
	ev->child_down = g->child_down ? child_down : NULL;
	ev->closed = g->closed ? closed : NULL;
	ev->redirected = g->redirected ? redirected : NULL;
	ev->assign_prefix = g->assign_prefix ? assign_prefix : NULL;
	ev->redirect_at_init = g->redirect_at_init ? redirect_at_init : NULL;
	ev->alloc_spi = g->alloc_spi ? alloc_spi : NULL;
	ev->keylog = g->keylog ? keylog : NULL;
}
