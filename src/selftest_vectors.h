/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Known-answer vectors for tlcp_selftest(), as hex strings. Sources: GB/T
 * 32905 (SM3), GB/T 32907 (SM4), RFC 8998 A.1 (SM4-GCM), Wycheproof
 * hmac_sm3_test tc2, GM/T 0003.5 / GB/T 32918.5 Annex A (SM2 signature,
 * encryption and key exchange) and the project's own PRF regression values;
 * all collected in tlcp-protocol.md section 9.
 */
#ifndef TLCP_SELFTEST_VECTORS_H
#define TLCP_SELFTEST_VECTORS_H

/* SM3("abc") */
#define KAT_SM3_MSG    "abc"
#define KAT_SM3_DIGEST "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"

/* SM4: key = plaintext; one block. */
#define KAT_SM4_KEY    "0123456789abcdeffedcba9876543210"
#define KAT_SM4_PLAIN  "0123456789abcdeffedcba9876543210"
#define KAT_SM4_CIPHER "681edf34d206965e86b3e94f536e4246"

/* SM4-GCM, RFC 8998 A.1 */
#define KAT_GCM_KEY "0123456789ABCDEFFEDCBA9876543210"
#define KAT_GCM_IV  "00001234567800000000ABCD"
#define KAT_GCM_AAD "FEEDFACEDEADBEEFFEEDFACEDEADBEEFABADDAD2"
#define KAT_GCM_PLAIN                                                                              \
    "AAAAAAAAAAAAAAAABBBBBBBBBBBBBBBBCCCCCCCCCCCCCCCCDDDDDDDDDDDDDDDD"                             \
    "EEEEEEEEEEEEEEEEFFFFFFFFFFFFFFFFEEEEEEEEEEEEEEEEAAAAAAAAAAAAAAAA"
#define KAT_GCM_CIPHER                                                                             \
    "17F399F08C67D5EE19D0DC9969C4BB7D5FD46FD3756489069157B282BB200735"                             \
    "D82710CA5C22F0CCFA7CBF93D496AC15A56834CBCF98C397B4024A2691233B8D"
#define KAT_GCM_TAG "83DE3541E4C2B58177E065A9BF7B62EC"

/* HMAC-SM3, Wycheproof tc2 */
#define KAT_HMAC_KEY "8159fd15133cd964c9a6964c94f0ea269a806fd9f43f0da58b6cd1b33d189b2a"
#define KAT_HMAC_MSG "77"
#define KAT_HMAC_TAG "51aaf64843b6d2fc7a244ab9cda9b7b57164ce6a865f9808c01931b46195411d"

/* PRF: master secret from the TLCP key-schedule vector. */
#define KAT_PRF_PRE_MASTER                                                                         \
    "010102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"                             \
    "202122232425262728292a2b2c2d2e2f"
#define KAT_PRF_CLIENT_RANDOM "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
#define KAT_PRF_SERVER_RANDOM "202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f"
#define KAT_PRF_MASTER                                                                             \
    "2f4441f8438f07b18b2bf73eeafed437fafbdb8eace17433816c6617a8a327cd"                             \
    "c3748d92d98d07aeb532acee5882c12b"

/* SM2 Annex A key pair (signature and encryption examples). */
#define KAT_SM2_D "3945208F7B2144B13F36E38AC6D39F95889393692860B51A42FB81EF4DF7C5B8"
#define KAT_SM2_POINT                                                                              \
    "04"                                                                                           \
    "09F9DF311E5421A150DD7D161E4BC5C672179FAD1833FC076BB08FF356F35020"                             \
    "CCEA490CE26775A52DC6EA718CC1AA600AED05FBF35E084A6632F6072DA9AD13"
#define KAT_SM2_SIG_MSG "message digest"
/* DER SEQUENCE { r, s }; both integers have the top bit set, hence the 00. */
#define KAT_SM2_SIG                                                                                \
    "3046"                                                                                         \
    "022100F5A03B0648D2C4630EEAC513E1BB81A15944DA3827D5B74143AC7EACEEE720B3"                       \
    "022100B1B6AA29DF212FD8763182BC0D421CA1BB9038FD1F7F42D4840B69C485BBC1AA"
#define KAT_SM2_ENC_MSG "encryption standard"
/* GM/T 0009 DER SEQUENCE { x, y, C3, C2 } */
#define KAT_SM2_CIPHERTEXT                                                                         \
    "307C022004EBFC718E8D1798620432268E77FEB6415E2EDE0E073C0F4F640ECD2E"                           \
    "149A73022100E858F9D81E5430A57B36DAAB8F950A3C64E6EE6A63094D99283AFF"                           \
    "767E124DF0042059983C18F809E262923C53AEC295D30383B54E39D609D160AFCB"                           \
    "1908D0BD8766041321886CA989CA9C7D58087307CA93092D651EFA"

/* SM2 key exchange, Annex A, klen = 128 bits, both IDs the default. */
#define KAT_KX_DA "81EB26E941BB5AF16DF116495F90695272AE2CD63D6C4AE1678418BE48230029"
#define KAT_KX_RA "D4DE15474DB74D06491C440D305E012400990F3E390C7E87153C12DB2EA60BB3"
#define KAT_KX_DB "785129917D45A9EA5437A59356B82338EAADDA6CEB199088F14AE10DEFA229B5"
#define KAT_KX_RB "7E07124814B309489125EAED101113164EBF0F3458C5BD88335C1F9D596243D6"
#define KAT_KX_PB                                                                                  \
    "04"                                                                                           \
    "6AE848C57C53C7B1B5FA99EB2286AF078BA64C64591B8B566F7357D576F16DFB"                             \
    "EE489D771621A27B36C5C7992062E9CD09A9264386F3FBEA54DFF69305621C4D"
#define KAT_KX_RB_POINT                                                                            \
    "04"                                                                                           \
    "ACC27688A6F7B706098BC91FF3AD1BFF7DC2802CDB14CCCCDB0A90471F9BD707"                             \
    "2FEDAC0494B2FFC4D6853876C79B8F301C6573AD0AA50F39FC87181E1A1B46FE"
#define KAT_KX_PA                                                                                  \
    "04"                                                                                           \
    "160E12897DF4EDB61DD812FEB96748FBD3CCF4FFE26AA6F6DB9540AF49C94232"                             \
    "4A7DAD08BB9A459531694BEB20AA489D6649975E1BFCF8C4741B78B4B223007F"
#define KAT_KX_RA_POINT                                                                            \
    "04"                                                                                           \
    "64CED1BDBC99D590049B434D0FD73428CF608A5DB8FE5CE07F15026940BAE40E"                             \
    "376629C7AB21E7DB260922499DDB118F07CE8EAAE3E7720AFEF6A5CC062070C0"
#define KAT_KX_K16 "6C89347354DE2484C60B4AB1FDE4C6E5"

#endif
