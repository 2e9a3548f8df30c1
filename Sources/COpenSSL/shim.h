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

/* AES-256-GCM in one call each way, for secrets at rest (a console user's signing key sealed
 * under a key derived from their password). The GCM control codes are macros Swift cannot
 * import reliably, hence C. Returns 1 on success; open returns 0 when the tag does not match
 * (wrong key or altered data) and writes nothing usable. */
static inline int agentmesh_aes256gcm_seal(const unsigned char key[32], const unsigned char iv[12],
                                           const unsigned char *plain, int length,
                                           unsigned char *cipher, unsigned char tag[16]) {
    EVP_CIPHER_CTX *context = EVP_CIPHER_CTX_new();
    int written = 0, final = 0;
    int ok = context != NULL
        && EVP_EncryptInit_ex(context, EVP_aes_256_gcm(), NULL, key, iv)
        && EVP_EncryptUpdate(context, cipher, &written, plain, length)
        && EVP_EncryptFinal_ex(context, cipher + written, &final)
        && EVP_CIPHER_CTX_ctrl(context, EVP_CTRL_GCM_GET_TAG, 16, tag);
    EVP_CIPHER_CTX_free(context);
    return ok;
}

static inline int agentmesh_aes256gcm_open(const unsigned char key[32], const unsigned char iv[12],
                                           const unsigned char *cipher, int length,
                                           const unsigned char tag[16], unsigned char *plain) {
    EVP_CIPHER_CTX *context = EVP_CIPHER_CTX_new();
    int written = 0, final = 0;
    int ok = context != NULL
        && EVP_DecryptInit_ex(context, EVP_aes_256_gcm(), NULL, key, iv)
        && EVP_DecryptUpdate(context, plain, &written, cipher, length)
        && EVP_CIPHER_CTX_ctrl(context, EVP_CTRL_GCM_SET_TAG, 16, (void *)tag)
        && EVP_DecryptFinal_ex(context, plain + written, &final) > 0;
    EVP_CIPHER_CTX_free(context);
    if (!ok) OPENSSL_cleanse(plain, (size_t)length);
    return ok;
}

#endif
