/* Placeholder until the crypto KATs land (replaced by the crypto work). */
#include "tlcp/tlcp.h"

tlcp_result tlcp_selftest(void (*report)(void *arg, const char *line), void *arg)
{
    if (report != NULL)
        report(arg, "selftest: no primitives yet");
    return TLCP_ERROR;
}
