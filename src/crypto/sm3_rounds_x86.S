/* SPDX-License-Identifier: Apache-2.0 */
/*
 * SM3 rounds in x86-64 assembly (BMI1 + BMI2), on a message schedule computed
 * beforehand (sm3_core.c builds it eight blocks at a time in SIMD lanes).
 *
 *   void tlcp_sm3_rounds8_x86(uint32_t v[8], const uint32_t *ww,
 *                             const uint32_t *wp, size_t nblocks);
 *
 * Block b (b < nblocks <= 8) reads W_j at ww[8 * j + b] and W'_j at
 * wp[8 * j + b] and updates v. Why assembly: the bound is the serial chain
 * through E (E + (A<<<12 + T_j), <<< 7, the GG sum, P0: seven cycles), and
 * compilers lengthened it by reassociating the sums and spilling. Here the
 * eight state words stay in r8d..r15d, the names rotate by macro arguments
 * instead of moves, every operand that does not depend on E is summed
 * before E arrives (H + W_j, D + W'_j, A<<<12 + T_j with T_j <<< j an
 * immediate), and only the last add of each sum waits for the late value.
 * Add, rotate and xor only: the time does not depend on the data.
 */
        .text

/* T <<< n as a signed 32-bit displacement for LEA. */
.macro TJ_SET n
        .if \n < 16
        .set tj_u, ((0x79cc4519 << (\n % 32)) | (0x79cc4519 >> (32 - (\n % 32)))) & 0xffffffff
        .else
        .set tj_u, ((0x7a879d8a << (\n % 32)) | (0x7a879d8a >> (32 - (\n % 32)))) & 0xffffffff
        .endif
        .set tj, (tj_u ^ 0x80000000) - 0x80000000
.endm

/* One round j: D becomes the new A, H the new E; B <<< 9, F <<< 19.
 * eax: A<<<12 then SS2; ecx: SS1; ebx, ebp, edi: FF and GG terms.
 * W_j is at wo + ws * j bytes from wb, W'_j at po + ws * j from pb. */
.macro ROUND j, A, B, C, D, E, F, G, H, wb=%rsi, wo=0, pb=%rdx, po=0, ws=32
        TJ_SET \j
        rorxl   $20, \A, %eax            /* A <<< 12 */
        leal    tj(%rax), %ecx           /* + T_j, before E is known */
        addl    (\wo + \ws * \j)(\wb), \H /* H + W_j */
        addl    (\po + \ws * \j)(\pb), \D /* D + W'_j */
        .if \j < 16
        movl    \B, %ebx
        xorl    \C, %ebx
        xorl    \A, %ebx                 /* FF = A ^ B ^ C */
        movl    \F, %edi
        xorl    \G, %edi
        .else
        movl    \B, %ebx
        orl     \C, %ebx
        movl    \B, %ebp
        andl    \C, %ebp
        andl    \A, %ebx
        orl     %ebp, %ebx               /* FF = (A & (B | C)) | (B & C) */
        andnl   \G, \E, %edi             /* ~E & G */
        .endif
        addl    \E, %ecx
        addl    %ebx, \D
        rorxl   $25, %ecx, %ecx          /* SS1 */
        .if \j < 16
        xorl    \E, %edi                 /* GG = E ^ F ^ G */
        addl    %edi, \H
        .else
        movl    \F, %ebx
        andl    \E, %ebx                 /* E & F: no bit in common with ~E & G, */
        addl    %ebx, \H                 /* so the OR is an add */
        addl    %edi, \H
        .endif
        xorl    %ecx, %eax               /* SS2 */
        addl    %ecx, \H                 /* TT2 */
        addl    %eax, \D                 /* TT1: the new A */
        rorxl   $23, \H, %ebx
        rorxl   $15, \H, %ebp
        xorl    %ebx, \H
        xorl    %ebp, \H                 /* P0(TT2): the new E */
        rorxl   $23, \B, \B              /* B <<< 9 */
        rorxl   $13, \F, \F              /* F <<< 19 */
.endm

/* Round j in mode m: 0 reads the eight-block schedule at rsi/rdx, the
 * other modes the one-block schedule on the stack (W at 0, W' at WP). */
.macro RX m, j, A, B, C, D, E, F, G, H
        .if \m == 0
        ROUND \j, \A, \B, \C, \D, \E, \F, \G, \H
        .else
        ROUND \j, \A, \B, \C, \D, \E, \F, \G, \H, %rsp, 0, %rsp, WP, 4
        .endif
.endm

/* The vector work after round n (0..3) of the four from j: in mode 1 a
 * quarter of the expansion of W[j+16..j+19] (X0..X3 hold W[j..j+15]), in
 * mode 2 the next block's first sixteen words, in modes 0 and 3 nothing. */
.macro VX m, n, j, X0, X1, X2, X3
        .if \m == 1
        .if \n == 0
        SCHED_A \X0, \X1, \X2, \X3
        .elseif \n == 1
        SCHED_B
        .elseif \n == 2
        SCHED_C \X0, \X1, \X2, \X3
        .else
        SCHED_D \X0, \X1, \X2, \X3, (\j + 16)
        .endif
        .elseif \m == 2
        .if \n == 0
        LOAD_HALF 0, %xmm0, %xmm1
        .elseif \n == 1
        LOAD_HALF 32, %xmm2, %xmm3
        .elseif \n == 2
        LOAD_WP
        .endif
        .endif
.endm

/* Four rounds: after them the state names are back in place. */
.macro FOUR j, m=0, X0=%xmm0, X1=%xmm1, X2=%xmm2, X3=%xmm3
        RX \m, (\j),     %r8d,  %r9d,  %r10d, %r11d, %r12d, %r13d, %r14d, %r15d
        VX \m, 0, \j, \X0, \X1, \X2, \X3
        RX \m, (\j + 1), %r11d, %r8d,  %r9d,  %r10d, %r15d, %r12d, %r13d, %r14d
        VX \m, 1, \j, \X0, \X1, \X2, \X3
        RX \m, (\j + 2), %r10d, %r11d, %r8d,  %r9d,  %r14d, %r15d, %r12d, %r13d
        VX \m, 2, \j, \X0, \X1, \X2, \X3
        RX \m, (\j + 3), %r9d,  %r10d, %r11d, %r8d,  %r13d, %r14d, %r15d, %r12d
        VX \m, 3, \j, \X0, \X1, \X2, \X3
.endm

/* Save the callee-saved registers and v. */
.macro SAVE_REGS
        pushq   %rbx
        .cfi_adjust_cfa_offset 8
        .cfi_rel_offset %rbx, 0
        pushq   %rbp
        .cfi_adjust_cfa_offset 8
        .cfi_rel_offset %rbp, 0
        pushq   %r12
        .cfi_adjust_cfa_offset 8
        .cfi_rel_offset %r12, 0
        pushq   %r13
        .cfi_adjust_cfa_offset 8
        .cfi_rel_offset %r13, 0
        pushq   %r14
        .cfi_adjust_cfa_offset 8
        .cfi_rel_offset %r14, 0
        pushq   %r15
        .cfi_adjust_cfa_offset 8
        .cfi_rel_offset %r15, 0
        pushq   %rdi                     /* v; edi is a temporary in the rounds */
        .cfi_adjust_cfa_offset 8
.endm

/* Clear the scalar temporaries (message and state words), restore, return. */
.macro RESTORE_REGS
        xorl    %eax, %eax
        xorl    %ecx, %ecx
        xorl    %edi, %edi
        xorl    %r8d, %r8d
        xorl    %r9d, %r9d
        xorl    %r10d, %r10d
        xorl    %r11d, %r11d
        popq    %r15
        .cfi_adjust_cfa_offset -8
        .cfi_restore %r15
        popq    %r14
        .cfi_adjust_cfa_offset -8
        .cfi_restore %r14
        popq    %r13
        .cfi_adjust_cfa_offset -8
        .cfi_restore %r13
        popq    %r12
        .cfi_adjust_cfa_offset -8
        .cfi_restore %r12
        popq    %rbp
        .cfi_adjust_cfa_offset -8
        .cfi_restore %rbp
        popq    %rbx
        .cfi_adjust_cfa_offset -8
        .cfi_restore %rbx
        ret
.endm

/* The state from v (at rdi) into r8d..r15d, and v ^= it back. */
.macro LOAD_WORD r, reg
        movl    (4 * (\r - 8))(%rdi), \reg
.endm

.macro UPDATE_WORD r, reg
        xorl    (4 * (\r - 8))(%rdi), \reg
        movl    \reg, (4 * (\r - 8))(%rdi)
.endm

.macro LOAD_STATE
        LOAD_WORD 8, %r8d
        LOAD_WORD 9, %r9d
        LOAD_WORD 10, %r10d
        LOAD_WORD 11, %r11d
        LOAD_WORD 12, %r12d
        LOAD_WORD 13, %r13d
        LOAD_WORD 14, %r14d
        LOAD_WORD 15, %r15d
.endm

.macro UPDATE_STATE
        UPDATE_WORD 8, %r8d
        UPDATE_WORD 9, %r9d
        UPDATE_WORD 10, %r10d
        UPDATE_WORD 11, %r11d
        UPDATE_WORD 12, %r12d
        UPDATE_WORD 13, %r13d
        UPDATE_WORD 14, %r14d
        UPDATE_WORD 15, %r15d
.endm

        .globl  tlcp_sm3_rounds8_x86
        .hidden tlcp_sm3_rounds8_x86
        .type   tlcp_sm3_rounds8_x86, @function
        .p2align 5
tlcp_sm3_rounds8_x86:
        .cfi_startproc
        SAVE_REGS
        pushq   %rcx                     /* blocks left */
        .cfi_adjust_cfa_offset 8
        testq   %rcx, %rcx
        jz      .Ldone
        LOAD_STATE
.Lblock:
        FOUR 0
        FOUR 4
        FOUR 8
        FOUR 12
        FOUR 16
        FOUR 20
        FOUR 24
        FOUR 28
        FOUR 32
        FOUR 36
        FOUR 40
        FOUR 44
        FOUR 48
        FOUR 52
        FOUR 56
        FOUR 60
        movq    8(%rsp), %rdi
        UPDATE_STATE
        addq    $4, %rsi                 /* the next block's lane */
        addq    $4, %rdx
        decq    (%rsp)
        jnz     .Lblock
.Ldone:
        xorl    %edx, %edx
        xorl    %esi, %esi
        addq    $16, %rsp                /* the count and v */
        .cfi_adjust_cfa_offset -16
        RESTORE_REGS
        .cfi_endproc
        .size   tlcp_sm3_rounds8_x86, .-tlcp_sm3_rounds8_x86

/* ---- one block at a time, the schedule in xmm registers ---------------
 *
 *   void tlcp_sm3_blocks_avx2_x86(uint32_t v[8], const uint8_t *data,
 *                                 size_t nblocks);
 *
 * The same rounds, with the message expansion of the block computed inside
 * them in AVX2 (VEX xmm) instructions, four words per four rounds: the
 * rounds keep the integer ports busy and leave the vector ones idle, so the
 * schedule costs almost nothing (apart, it added 12 % to the rounds). X0..X3
 * hold W[j-16..j-1]; W[j..j+2] come straight from the recurrence
 *   W[i] = P1(W[i-16] ^ W[i-9] ^ (W[i-3] <<< 15)) ^ (W[i-13] <<< 7) ^ W[i-6],
 * W[j+3] first without its W[j] term, which P1 being linear lets us add
 * afterwards: P1(W[j] <<< 15) = W[j] <<< 15 ^ W[j] <<< 30 ^ W[j] <<< 6.
 * W and W' = W[i] ^ W[i+4] go to a stack buffer the rounds read; the next
 * block's words are loaded during the last twelve rounds (their slots are
 * free by then). The buffer and the vector registers are cleared on exit.
 */
        .set    WP, 4 * 68               /* W' after W[0..67] */
        .set    FRAME, WP + 4 * 64       /* 528: keeps rsp 16-aligned */

/* d = s <<< n, through xmm7 (the shifted halves have no common bit). */
.macro ROL s, n, d
        vpslld  $\n, \s, %xmm7
        vpsrld  $(32 - \n), \s, \d
        vpxor   %xmm7, \d, \d
.endm

/* A = W[j-16] ^ W[j-9] ^ (W[j-3] <<< 15), the last lane without W[j]. */
.macro SCHED_A X0, X1, X2, X3
        vpalignr $12, \X1, \X2, %xmm4     /* W[j-9..j-6] */
        vpsrldq $4, \X3, %xmm5           /* W[j-3..j-1], 0 */
        vpxor   \X0, %xmm4, %xmm4
        ROL     %xmm5, 15, %xmm5
        vpxor   %xmm5, %xmm4, %xmm4
.endm

/* P1(A) = A ^ A <<< 15 ^ A <<< 23. */
.macro SCHED_B
        ROL     %xmm4, 15, %xmm5
        ROL     %xmm4, 23, %xmm6
        vpxor   %xmm5, %xmm6, %xmm5
        vpxor   %xmm5, %xmm4, %xmm4
.endm

/* ^ W[j-13] <<< 7 ^ W[j-6]. */
.macro SCHED_C X0, X1, X2, X3
        vpalignr $12, \X0, \X1, %xmm5     /* W[j-13..j-10] */
        vpalignr $8, \X2, \X3, %xmm6      /* W[j-6..j-3] */
        ROL     %xmm5, 7, %xmm5
        vpxor   %xmm6, %xmm4, %xmm4
        vpxor   %xmm5, %xmm4, %xmm4
.endm

/* The W[j] term of W[j+3]; store W[n..n+3] (n = j) and W'[n-4..n-1]. */
.macro SCHED_D X0, X1, X2, X3, n
        vpslldq $12, %xmm4, %xmm5        /* W[j] in the last lane */
        ROL     %xmm5, 15, %xmm6
        ROL     %xmm5, 30, %xmm8
        ROL     %xmm5, 6, %xmm9
        vpxor   %xmm6, %xmm8, %xmm6
        vpxor   %xmm9, %xmm4, %xmm4
        vpxor   %xmm6, %xmm4, \X0        /* W[j..j+3]: X0 is free now */
        vmovdqa \X0, (4 * \n)(%rsp)
        vpxor   \X0, \X3, %xmm6
        vmovdqa %xmm6, (WP + 4 * (\n - 4))(%rsp)
.endm

/* Rounds j..j+15 expanding W[j+16..j+31]; the window's names rotate. */
.macro SIXTEEN j
        FOUR (\j), 1, %xmm0, %xmm1, %xmm2, %xmm3
        FOUR (\j + 4), 1, %xmm1, %xmm2, %xmm3, %xmm0
        FOUR (\j + 8), 1, %xmm2, %xmm3, %xmm0, %xmm1
        FOUR (\j + 12), 1, %xmm3, %xmm0, %xmm1, %xmm2
.endm

/* The block at rsi: W[0..15] into xmm0..xmm3 and the buffer, W'[0..11]. */
.macro LOAD_HALF o, Xa, Xb
        vmovdqu \o(%rsi), \Xa
        vmovdqu (\o + 16)(%rsi), \Xb
        vpshufb %xmm15, \Xa, \Xa
        vpshufb %xmm15, \Xb, \Xb
        vmovdqa \Xa, \o(%rsp)
        vmovdqa \Xb, (\o + 16)(%rsp)
.endm

.macro LOAD_WP
        vpxor   %xmm0, %xmm1, %xmm4
        vpxor   %xmm1, %xmm2, %xmm5
        vpxor   %xmm2, %xmm3, %xmm6
        vmovdqa %xmm4, (WP)(%rsp)
        vmovdqa %xmm5, (WP + 16)(%rsp)
        vmovdqa %xmm6, (WP + 32)(%rsp)
.endm

        .section .rodata
        .p2align 4
.Lbswap32:
        .byte   3, 2, 1, 0, 7, 6, 5, 4, 11, 10, 9, 8, 15, 14, 13, 12
        .text

        .globl  tlcp_sm3_blocks_avx2_x86
        .hidden tlcp_sm3_blocks_avx2_x86
        .type   tlcp_sm3_blocks_avx2_x86, @function
        .p2align 5
tlcp_sm3_blocks_avx2_x86:
        .cfi_startproc
        SAVE_REGS
        subq    $FRAME, %rsp
        .cfi_adjust_cfa_offset FRAME
        testq   %rdx, %rdx
        jz      .Lv_done
        vmovdqa .Lbswap32(%rip), %xmm15
        LOAD_STATE
        LOAD_HALF 0, %xmm0, %xmm1
        LOAD_HALF 32, %xmm2, %xmm3
        LOAD_WP
.Lv_block:
        /* rsi to the next block, or (last block) to this one again: the
         * load in rounds 52..55 then stays inside the input. */
        leaq    64(%rsi), %rax
        cmpq    $1, %rdx
        cmovneq %rax, %rsi
        SIXTEEN 0
        SIXTEEN 16
        SIXTEEN 32
        FOUR 48, 1, %xmm0, %xmm1, %xmm2, %xmm3
        FOUR 52, 2
        FOUR 56, 3
        FOUR 60, 3
        movq    FRAME(%rsp), %rdi
        UPDATE_STATE
        decq    %rdx
        jnz     .Lv_block
.Lv_done:
        /* The buffer, the vector registers and the scalar temporaries held
         * message and state words: clear them. */
        vpxor   %xmm0, %xmm0, %xmm0
        .set    off, 0
        .rept   FRAME / 16
        vmovdqa %xmm0, off(%rsp)
        .set    off, off + 16
        .endr
        vzeroall
        addq    $(FRAME + 8), %rsp
        .cfi_adjust_cfa_offset -(FRAME + 8)
        RESTORE_REGS
        .cfi_endproc
        .size   tlcp_sm3_blocks_avx2_x86, .-tlcp_sm3_blocks_avx2_x86

        .section .note.GNU-stack,"",@progbits
