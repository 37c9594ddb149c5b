/* SPDX-License-Identifier: Apache-2.0 */
/* Alert names for logs and metrics of connections that may speak TLCP or
 * TLS. The library names the TLCP alerts (GB/T 38636 plus the TLS 1.1 ones it
 * inherits); a TLS 1.2/1.3 connection handed to libssl can also carry alerts
 * TLCP never defined, and an unassigned number must still get a label of its
 * own: metrics with two series both called "unknown" would be one series
 * counted twice. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

/* TLS alerts newer than TLS 1.1 (RFC 7507, 8446, 6066 registry). */
static const char *tls_only_name(int alert)
{
    switch (alert) {
    case 86:
        return "inappropriate_fallback";
    case 109:
        return "missing_extension";
    case 111:
        return "certificate_unobtainable";
    case 113:
        return "bad_certificate_status_response";
    case 115:
        return "unknown_psk_identity";
    case 116:
        return "certificate_required";
    default:
        return NULL;
    }
}

const char *cli_alert_name(int alert, char buf[CLI_ALERT_NAME_MAX])
{
    if (alert < 0)
        return "-";
    const char *name = tlcp_alert_string(alert);
    if (strcmp(name, "unknown") != 0)
        return name;
    name = tls_only_name(alert);
    if (name != NULL)
        return name;
    snprintf(buf, CLI_ALERT_NAME_MAX, "alert_%d", alert & 0xff);
    return buf;
}
