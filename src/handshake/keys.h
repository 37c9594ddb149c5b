/* SPDX-License-Identifier: Apache-2.0 */
/* Master secret, key block and the pending record keys (tlcp-protocol.md §3). */
#ifndef TLCP_HANDSHAKE_KEYS_H
#define TLCP_HANDSHAKE_KEYS_H

#include "handshake/context.h"

/* master_secret from hs->pre_master (then wiped), the key block cut into
 * both directions' keys in hs->pending_keys; emits the NSS key log line when
 * a keylog callback is set. The status asks the driver to install the keys
 * as pending in the record layer (TLCP_HS_DO_INSTALL_KEYS). */
TLCP_MUST_CHECK tlcp_status tlcp_hs_derive_keys(tlcp_hs_ctx *ctx);
/* The second half: key block from hs->master, pending keys cut (same status). */
TLCP_MUST_CHECK tlcp_status tlcp_hs_install_key_block(tlcp_hs_ctx *ctx);

/* ECC key exchange, server: `out` = the decrypted pre-master when the
 * decryption worked (decrypted == 1), gave 48 bytes and starts with our
 * version, else the random `fallback`; chosen with masks, so nothing about
 * the outcome shows in time (a Bleichenbacher-style oracle). */
void tlcp_hs_select_pre_master(uint8_t out[TLCP_PRE_MASTER_LEN], size_t decrypted,
                               const uint8_t plain[TLCP_PRE_MASTER_LEN], size_t plain_len,
                               const uint8_t fallback[TLCP_PRE_MASTER_LEN]);

/* The key log line for hs->master (no-op without a keylog callback). */
void tlcp_hs_emit_keylog(const tlcp_hs_ctx *ctx);

/* "CLIENT_RANDOM <hex> <hex>" into out (at least TLCP_KEYLOG_LINE_LEN bytes). */
#define TLCP_KEYLOG_LINE_LEN (14 + 64 + 1 + 96 + 1)
void tlcp_keylog_line(const uint8_t client_random[32], const uint8_t master[48], char *out);

#endif
