/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The suite table (see suite.h). Numbers and names from GB/T 38636-2020,
 * plus the legacy GM/T 0024-2014 SM1 suites still seen on the wire and the
 * renegotiation SCSV that Tongsuo and GmSSL 2 offer, so traces can name
 * them; only rows with a protection are implemented.
 */
#include "suite/suite.h"

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))

static const tlcp_protection protections[] = {
    {TLCP_BULK_SM4_CBC_SM3, "SM4-CBC + HMAC-SM3", 32, 16, 16},
    {TLCP_BULK_SM4_GCM, "SM4-GCM", 0, 16, 4},
};

#define CBC TLCP_BULK_SM4_CBC_SM3
#define GCM TLCP_BULK_SM4_GCM
#define NO  TLCP_BULK_NULL

static const tlcp_suite suites[] = {
    {0x00FF, "EMPTY_RENEGOTIATION_INFO_SCSV", NULL, TLCP_KX_NONE, NULL, NULL, NO, 0},
    {0xE001, "ECDHE_SM1_SM3", NULL, TLCP_KX_ECDHE, "SM1", "SM3", NO, 0},
    {0xE003, "ECC_SM1_SM3", NULL, TLCP_KX_ECC, "SM1", "SM3", NO, 0},
    {0xE005, "IBSDH_SM1_SM3", NULL, TLCP_KX_IBSDH, "SM1", "SM3", NO, 0},
    {0xE007, "IBC_SM1_SM3", NULL, TLCP_KX_IBC, "SM1", "SM3", NO, 0},
    {0xE009, "RSA_SM1_SM3", NULL, TLCP_KX_RSA, "SM1", "SM3", NO, 0},
    {0xE00A, "RSA_SM1_SHA1", NULL, TLCP_KX_RSA, "SM1", "SHA1", NO, 0},
    {0xE011, "ECDHE_SM4_CBC_SM3", "ECDHE-SM2-SM4-CBC-SM3", TLCP_KX_ECDHE, "SM4-CBC", "SM3", CBC, 0},
    {0xE013, "ECC_SM4_CBC_SM3", "ECC-SM2-SM4-CBC-SM3", TLCP_KX_ECC, "SM4-CBC", "SM3", CBC, 2},
    {0xE015, "IBSDH_SM4_CBC_SM3", NULL, TLCP_KX_IBSDH, "SM4-CBC", "SM3", NO, 0},
    {0xE017, "IBC_SM4_CBC_SM3", NULL, TLCP_KX_IBC, "SM4-CBC", "SM3", NO, 0},
    {0xE019, "RSA_SM4_CBC_SM3", NULL, TLCP_KX_RSA, "SM4-CBC", "SM3", NO, 0},
    {0xE01A, "RSA_SM4_CBC_SHA1", NULL, TLCP_KX_RSA, "SM4-CBC", "SHA1", NO, 0},
    {0xE01C, "RSA_SM4_CBC_SHA256", NULL, TLCP_KX_RSA, "SM4-CBC", "SHA256", NO, 0},
    {0xE051, "ECDHE_SM4_GCM_SM3", "ECDHE-SM2-SM4-GCM-SM3", TLCP_KX_ECDHE, "SM4-GCM", "SM3", GCM, 0},
    {0xE053, "ECC_SM4_GCM_SM3", "ECC-SM2-SM4-GCM-SM3", TLCP_KX_ECC, "SM4-GCM", "SM3", GCM, 1},
    {0xE055, "IBSDH_SM4_GCM_SM3", NULL, TLCP_KX_IBSDH, "SM4-GCM", "SM3", NO, 0},
    {0xE057, "IBC_SM4_GCM_SM3", NULL, TLCP_KX_IBC, "SM4-GCM", "SM3", NO, 0},
    {0xE059, "RSA_SM4_GCM_SM3", NULL, TLCP_KX_RSA, "SM4-GCM", "SM3", NO, 0},
    {0xE05A, "RSA_SM4_GCM_SHA256", NULL, TLCP_KX_RSA, "SM4-GCM", "SHA256", NO, 0},
};

const tlcp_suite *tlcp_suite_find(uint16_t code)
{
    for (size_t i = 0; i < N_ELEMS(suites); i++)
        if (suites[i].code == code)
            return &suites[i];
    return NULL;
}

int tlcp_suite_bulk(uint16_t code)
{
    const tlcp_suite *s = tlcp_suite_find(code);
    return s == NULL ? TLCP_BULK_NULL : s->bulk;
}

int tlcp_suite_implemented(uint16_t code)
{
    return tlcp_suite_bulk(code) != TLCP_BULK_NULL;
}

int tlcp_suite_is_ecdhe(uint16_t code)
{
    const tlcp_suite *s = tlcp_suite_find(code);
    return s != NULL && s->kx == TLCP_KX_ECDHE;
}

size_t tlcp_suite_defaults(uint16_t *out, size_t cap)
{
    size_t n = 0;
    for (uint8_t rank = 1; rank <= N_ELEMS(suites); rank++) {
        for (size_t i = 0; i < N_ELEMS(suites); i++) {
            if (suites[i].default_rank != rank)
                continue;
            if (n < cap)
                out[n] = suites[i].code;
            n++;
        }
    }
    return n < cap ? n : cap;
}

const tlcp_protection *tlcp_protection_find(int bulk)
{
    for (size_t i = 0; i < N_ELEMS(protections); i++)
        if (protections[i].bulk == bulk)
            return &protections[i];
    return NULL;
}

size_t tlcp_protection_key_block_len(int bulk)
{
    const tlcp_protection *p = tlcp_protection_find(bulk);
    if (p == NULL)
        return 0;
    return 2 * ((size_t)p->mac_key_len + p->key_len + p->iv_len);
}
