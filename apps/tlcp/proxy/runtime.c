/* SPDX-License-Identifier: Apache-2.0 */
/* A generation: one loaded configuration with its libtlcp configs. A reload
 * builds the next one; connections keep theirs until they end. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../tls_io.h"
#include "proxy.h"

static void generation_free(struct px_generation *g)
{
    for (size_t i = 0; g->tls != NULL && i < g->cfg.num_services; i++)
        tlcp_config_free(g->tls[i]);
    free(g->tls);
    for (size_t i = 0; g->tls_ctx != NULL && i < g->cfg.num_services; i++)
        cli_tls_ctx_free(g->tls_ctx[i]);
    free(g->tls_ctx);
    px_config_free(&g->cfg);
    free(g);
}

/* TLS on the service's port (tls_side.c): its libssl context. */
static int one_port(struct px_generation *g, size_t s, char *err, size_t errlen)
{
    return px_tls_side_ctx(&g->cfg.services[s], &g->tls_ctx[s], err, errlen);
}

struct px_generation *px_generation_build(struct px_config *cfg, unsigned id, char *err,
                                          size_t errlen)
{
    struct px_generation *g = calloc(1, sizeof(*g));
    if (g == NULL) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    atomic_init(&g->refs, 1);
    g->id = id;
    g->cfg = *cfg; /* takes ownership */
    memset(cfg, 0, sizeof(*cfg));
    g->tls = calloc(g->cfg.num_services, sizeof(*g->tls));
    g->tls_ctx = calloc(g->cfg.num_services, sizeof(*g->tls_ctx));
    if (g->tls == NULL || g->tls_ctx == NULL) {
        snprintf(err, errlen, "out of memory");
        generation_free(g);
        return NULL;
    }
    for (size_t s = 0; s < g->cfg.num_services; s++) {
        /* Terminating services share sessions through Redis when it is
         * configured (the in-process cache otherwise). */
        g->tls[s] =
            px_tls_build(&g->cfg.services[s], g->cfg.have_redis ? px_redis_store_ops() : NULL,
                         &g->cfg, err, errlen);
        if (g->tls[s] == NULL || !one_port(g, s, err, errlen)) {
            generation_free(g);
            return NULL;
        }
    }
    return g;
}

struct px_generation *px_generation_ref(struct px_generation *g)
{
    atomic_fetch_add(&g->refs, 1);
    return g;
}

void px_generation_unref(struct px_generation *g)
{
    if (g != NULL && atomic_fetch_sub(&g->refs, 1) == 1)
        generation_free(g);
}
