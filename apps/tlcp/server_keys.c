/* SPDX-License-Identifier: Apache-2.0 */
/* tlcp server --key-server: the key server's socket in the poll loop, and
 * driving the connections whose delegated operation completed or timed out. */
#include <poll.h>
#include <stdint.h>

#include "server.h"

static void on_ready(void *arg, tlcp_conn *conn, void *owner)
{
    (void)owner;
    struct server *s = arg;
    for (size_t i = 0; i < s->num_conns; i++) {
        if (s->conns[i]->tc == conn)
            s->conns[i]->key_ready = 1;
    }
}

int srv_keys_setup(struct server *s, const struct cli_ks_opts *k, const struct cli_tls_opts *tls)
{
    if (!cli_ks_load("server", s->cfg, k, tls, &s->ks))
        return 0;
    kc_set_ready(s->ks.kc, on_ready, s);
    return 1;
}

size_t srv_keys_pollfd(const struct server *s, struct pollfd *p)
{
    if (s->ks.kc == NULL || kc_fd(s->ks.kc) < 0)
        return 0;
    *p = (struct pollfd){.fd = kc_fd(s->ks.kc), .events = kc_events(s->ks.kc)};
    return 1;
}

int srv_keys_wait_ms(const struct server *s, int wait_ms)
{
    for (size_t i = 0; s->ks.kc != NULL && i < s->num_conns; i++) {
        long w = tlcp_conn_key_operation_wait_ms(s->conns[i]->tc);
        if (w >= 0 && w < wait_ms)
            wait_ms = (int)w;
    }
    /* Requests queued by the last round wait for POLLOUT, reported at once. */
    return wait_ms;
}

void srv_keys_after_poll(struct server *s, short revents)
{
    if (s->ks.kc == NULL)
        return;
    if (revents != 0 || (kc_events(s->ks.kc) & POLLOUT) != 0)
        kc_io(s->ks.kc);
    (void)kc_tick(s->ks.kc, cli_now_ms());
    for (size_t i = 0; i < s->num_conns; i++) {
        struct srv_conn *c = s->conns[i];
        /* Answered, or over the library's operation timeout: the handshake
         * call goes on or fails with TLCP_R_KEY_OP_TIMEOUT. */
        if (c->key_ready || tlcp_conn_key_operation_wait_ms(c->tc) == 0) {
            c->key_ready = 0;
            srv_step(s, c);
        }
    }
}

void srv_keys_forget(struct server *s, struct srv_conn *c)
{
    if (s->ks.kc != NULL)
        kc_forget(s->ks.kc, c->tc);
}
