/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Everything the library knows about a cipher suite, in one table
 * (suite.c): its number, its GB/T 38636-2020 name and the OpenSSL-style
 * name Tongsuo uses, the key exchange, cipher and MAC, the record
 * protection and its key-block lengths, and whether we implement it and
 * offer it by default. This folder sits below src/record and src/handshake
 * so both read the same facts; it depends on nothing but the C library.
 */
#ifndef TLCP_SUITE_H
#define TLCP_SUITE_H

#include <stddef.h>
#include <stdint.h>

/* Record protection of a cipher suite. */
enum tlcp_bulk_cipher { TLCP_BULK_NULL = 0, TLCP_BULK_SM4_CBC_SM3 = 1, TLCP_BULK_SM4_GCM = 2 };

enum tlcp_key_exchange {
    TLCP_KX_NONE = 0, /* a signalling value such as the renegotiation SCSV */
    TLCP_KX_ECC,      /* SM2 encryption of the pre-master secret */
    TLCP_KX_ECDHE,    /* SM2 key exchange: SKE carries params, CKE a point */
    TLCP_KX_IBSDH,
    TLCP_KX_IBC,
    TLCP_KX_RSA
};

/* A record protection and the key block it is cut from (tlcp-protocol.md
 * §3): client and server MAC keys, then keys, then IVs (GCM: 4-byte salts). */
typedef struct tlcp_protection {
    int bulk;          /* enum tlcp_bulk_cipher */
    const char *label; /* for traces: "SM4-CBC + HMAC-SM3" */
    uint8_t mac_key_len;
    uint8_t key_len;
    uint8_t iv_len;
} tlcp_protection;

typedef struct tlcp_suite {
    uint16_t code;
    const char *name;      /* GB/T 38636-2020: "ECC_SM4_CBC_SM3" */
    const char *ossl_name; /* OpenSSL/Tongsuo style: "ECC-SM2-SM4-CBC-SM3"; NULL if none */
    int kx;                /* enum tlcp_key_exchange */
    const char *cipher;    /* "SM4-CBC", "SM4-GCM", "SM1", ... */
    const char *mac;       /* "SM3", "SHA1", ... (GCM suites: the PRF hash) */
    int bulk;              /* enum tlcp_bulk_cipher; TLCP_BULK_NULL when not implemented */
    uint8_t default_rank;  /* 1 = most preferred default, 0 = not a default */
} tlcp_suite;

/* The row for `code`, or NULL for a number we know nothing about. */
const tlcp_suite *tlcp_suite_find(uint16_t code);
/* 1 when we implement the suite (its protection exists). */
int tlcp_suite_implemented(uint16_t code);
int tlcp_suite_is_ecdhe(uint16_t code);
/* The record protection of a suite, or TLCP_BULK_NULL. */
int tlcp_suite_bulk(uint16_t code);
/* The default suites in preference order; returns how many (at most cap). */
size_t tlcp_suite_defaults(uint16_t *out, size_t cap);

/* The protection for `bulk`, or NULL for TLCP_BULK_NULL / unknown. */
const tlcp_protection *tlcp_protection_find(int bulk);
/* 2 x (MAC key + key + IV): 128 for SM4-CBC + HMAC-SM3, 40 for SM4-GCM; 0 if unknown. */
size_t tlcp_protection_key_block_len(int bulk);

#endif
