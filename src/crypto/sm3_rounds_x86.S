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
 * eax: A<<<12 then SS2; ecx: SS1; ebx, ebp, edi: FF and GG terms. */
.macro ROUND j, A, B, C, D, E, F, G, H
        TJ_SET \j
        rorxl   $20, \A, %eax            /* A <<< 12 */
        leal    tj(%rax), %ecx           /* + T_j, before E is known */
        addl    (32 * \j)(%rsi), \H      /* H + W_j */
        addl    (32 * \j)(%rdx), \D      /* D + W'_j */
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

.macro FOUR j
        ROUND (\j),     %r8d,  %r9d,  %r10d, %r11d, %r12d, %r13d, %r14d, %r15d
        ROUND (\j + 1), %r11d, %r8d,  %r9d,  %r10d, %r15d, %r12d, %r13d, %r14d
        ROUND (\j + 2), %r10d, %r11d, %r8d,  %r9d,  %r14d, %r15d, %r12d, %r13d
        ROUND (\j + 3), %r9d,  %r10d, %r11d, %r8d,  %r13d, %r14d, %r15d, %r12d
.endm

        .globl  tlcp_sm3_rounds8_x86
        .hidden tlcp_sm3_rounds8_x86
        .type   tlcp_sm3_rounds8_x86, @function
        .p2align 5
tlcp_sm3_rounds8_x86:
        .cfi_startproc
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
        pushq   %rcx                     /* blocks left */
        .cfi_adjust_cfa_offset 8
        testq   %rcx, %rcx
        jz      .Ldone
        .irp    r, 8, 9, 10, 11, 12, 13, 14, 15
        movl    (4 * (\r - 8))(%rdi), %r\r\()d
        .endr
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
        .irp    r, 8, 9, 10, 11, 12, 13, 14, 15
        xorl    (4 * (\r - 8))(%rdi), %r\r\()d
        movl    %r\r\()d, (4 * (\r - 8))(%rdi)
        .endr
        addq    $4, %rsi                 /* the next block's lane */
        addq    $4, %rdx
        decq    (%rsp)
        jnz     .Lblock
.Ldone:
        /* The temporaries held message and state words: clear them. */
        xorl    %eax, %eax
        xorl    %ecx, %ecx
        xorl    %edx, %edx
        xorl    %esi, %esi
        popq    %rdi
        .cfi_adjust_cfa_offset -8
        popq    %rdi
        .cfi_adjust_cfa_offset -8
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
        .cfi_endproc
        .size   tlcp_sm3_rounds8_x86, .-tlcp_sm3_rounds8_x86

        .section .note.GNU-stack,"",@progbits
