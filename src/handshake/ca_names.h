/* SPDX-License-Identifier: Apache-2.0 */
/* Subject names of trusted CAs for CertificateRequest (see ca_names.c). */
#ifndef TLCP_HANDSHAKE_CA_NAMES_H
#define TLCP_HANDSHAKE_CA_NAMES_H

#include <stddef.h>
#include <stdint.h>

#include "util/bytes.h"

/* The subject Name of a DER certificate, as a whole DER element (tag,
 * length, contents) pointing into `der`. 0 when the structure is not the
 * expected one. */
TLCP_MUST_CHECK int tlcp_cert_subject_name(const uint8_t *der, size_t len, tlcp_cursor *out_name);

#endif
