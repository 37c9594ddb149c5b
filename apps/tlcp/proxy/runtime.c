/* SPDX-License-Identifier: Apache-2.0 */
/* A generation: one loaded configuration with its libtlcp configs. A reload
 * builds the next one; connections keep theirs until they end. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proxy.h"

static void generation_free(struct px_generation *g)
{
    size_t n = g->cfg.num_services * g->num_workers;
    for (size_t i = 0; g->tls != NULL && i < n; i++)
        tlcp_config_free(g->tls[i]);
    free(g->tls);
    px_config_free(&g->cfg);
    free(g);
}

struct px_generation *px_generation_build(struct px_config *cfg, size_t num_workers, unsigned id,
                                          char *err, size_t errlen)
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
    g->num_workers = num_workers;
    size_t n = g->cfg.num_services * num_workers;
    g->tls = calloc(n, sizeof(*g->tls));
    if (g->tls == NULL) {
        snprintf(err, errlen, "out of memory");
        generation_free(g);
        return NULL;
    }
    for (size_t s = 0; s < g->cfg.num_services; s++) {
        for (size_t w = 0; w < num_workers; w++) {
            g->tls[s * num_workers + w] = px_tls_build(&g->cfg.services[s], err, errlen);
            if (g->tls[s * num_workers + w] == NULL) {
                generation_free(g);
                return NULL;
            }
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
