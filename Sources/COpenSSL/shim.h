#ifndef AGENTMESH_COPENSSL_SHIM_H
#define AGENTMESH_COPENSSL_SHIM_H
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include <string.h>

/* HMAC-SHA256 (RFC 2104) keyed once: the SHA-256 states after absorbing the inner and the
 * outer key pad. A tag then costs two struct copies plus the hashing itself, with no
 * allocation, provider dispatch or lock (the EVP_MAC path spends about as long on those as
 * on hashing a 1 KiB message). The SHA256_* calls are libcrypto's own block functions (SHA-NI
 * where the CPU has it); they are deprecated in 3.0 only in favour of EVP, hence the pragma. */
#pragma clang diagnostic push
#pragma clang diagnostic ignored "-Wdeprecated-declarations"
typedef struct {
    SHA256_CTX inner;
    SHA256_CTX outer;
} agentmesh_hmac_sha256_key;

static inline int agentmesh_hmac_sha256_key_init(agentmesh_hmac_sha256_key *key,
                                                 const unsigned char *secret, size_t length) {
    unsigned char block[SHA256_CBLOCK];
    unsigned char pad[SHA256_CBLOCK];
    int ok = 1;
    memset(block, 0, sizeof block);
    if (length > SHA256_CBLOCK) {
        ok = SHA256(secret, length, block) != NULL;
    } else if (length > 0) {
        memcpy(block, secret, length);
    }
    for (size_t i = 0; i < SHA256_CBLOCK; i++) pad[i] = block[i] ^ 0x36;
    ok = ok && SHA256_Init(&key->inner) && SHA256_Update(&key->inner, pad, sizeof pad);
    for (size_t i = 0; i < SHA256_CBLOCK; i++) pad[i] = block[i] ^ 0x5c;
    ok = ok && SHA256_Init(&key->outer) && SHA256_Update(&key->outer, pad, sizeof pad);
    OPENSSL_cleanse(block, sizeof block);
    OPENSSL_cleanse(pad, sizeof pad);
    return ok;
}

static inline int agentmesh_hmac_sha256(const agentmesh_hmac_sha256_key *key, const void *message,
                                        size_t length, unsigned char tag[SHA256_DIGEST_LENGTH]) {
    SHA256_CTX context = key->inner;
    unsigned char inner[SHA256_DIGEST_LENGTH];
    int ok = SHA256_Update(&context, message, length) && SHA256_Final(inner, &context);
    context = key->outer;
    ok = ok && SHA256_Update(&context, inner, sizeof inner) && SHA256_Final(tag, &context);
    OPENSSL_cleanse(&context, sizeof context);
    OPENSSL_cleanse(inner, sizeof inner);
    return ok;
}
/* SHA-256 of one message with a context on the stack: the same block functions, without the
 * EVP_Digest one-shot's context allocation and provider dispatch per call (audit records take
 * three or more digests each). */
static inline int agentmesh_sha256(const void *message, size_t length,
                                   unsigned char digest[SHA256_DIGEST_LENGTH]) {
    SHA256_CTX context;
    int ok = SHA256_Init(&context) && SHA256_Update(&context, message, length) && SHA256_Final(digest, &context);
    OPENSSL_cleanse(&context, sizeof context);
    return ok;
}
#pragma clang diagnostic pop

#endif
