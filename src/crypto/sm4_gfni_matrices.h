/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Internal to the GFNI SM4 kernels (sm4_core_gfni.c, sm4_core_gfni512.c):
 * the bit matrices and constants of GF2P8AFFINE(INV)QB that map bytes into
 * and out of the Z domain and compute the round's U, V, W pieces, printed
 * by scripts/derive_sm4_affine.py. Byte 7-i of a matrix is the row of
 * output bit i.
 */
#ifndef TLCP_CRYPTO_SM4_GFNI_MATRICES_H
#define TLCP_CRYPTO_SM4_GFNI_MATRICES_H

#define GFNI_ENTER_MATRIX   0x4c287db91a22505dull
#define GFNI_LEAVE_MATRIX   0xb3a4f5863284728bull
#define GFNI_ROUND_U_MATRIX 0x040db891e9a481b7ull
#define GFNI_ROUND_U_CONST  0x72
#define GFNI_ROUND_V_MATRIX 0x2c020425162040adull
#define GFNI_ROUND_V_CONST  0x63
#define GFNI_ROUND_W_MATRIX 0x280fbcb4ff84c11aull
#define GFNI_ROUND_W_CONST  0x11

#endif
