#ifndef ATTEST_COPENSSL_SHIM_H
#define ATTEST_COPENSSL_SHIM_H

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/ecdsa.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/core_names.h>
#include <openssl/params.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <openssl/bn.h>
#include <openssl/objects.h>

// Macros and variadic calls do not import into Swift: each gets a static inline function here.

static inline long attest_BIO_get_mem_data(BIO *bio, char **data) {
    return BIO_get_mem_data(bio, data);
}

static inline int attest_ERR_GET_LIB(unsigned long e) { return ERR_GET_LIB(e); }
static inline int attest_ERR_GET_REASON(unsigned long e) { return ERR_GET_REASON(e); }

/// Generates a key of a named algorithm: "ED25519", "X25519", "EC" with a curve name, "RSA" with bits.
static inline EVP_PKEY *attest_keygen(const char *alg, const char *curve, unsigned int rsa_bits) {
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, alg, NULL);
    EVP_PKEY *pkey = NULL;
    if (ctx == NULL) return NULL;
    if (EVP_PKEY_keygen_init(ctx) <= 0) goto done;
    if (curve != NULL) {
        OSSL_PARAM params[2];
        params[0] = OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, (char *)curve, 0);
        params[1] = OSSL_PARAM_construct_end();
        if (EVP_PKEY_CTX_set_params(ctx, params) <= 0) goto done;
    }
    if (rsa_bits > 0) {
        if (EVP_PKEY_CTX_set_rsa_keygen_bits(ctx, (int)rsa_bits) <= 0) goto done;
    }
    if (EVP_PKEY_generate(ctx, &pkey) <= 0) pkey = NULL;
done:
    EVP_PKEY_CTX_free(ctx);
    return pkey;
}

/// The curve name of an EC key ("prime256v1", "secp384r1"), written into buf.
static inline int attest_ec_group_name(const EVP_PKEY *pkey, char *buf, size_t len) {
    size_t out = 0;
    return EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_GROUP_NAME, buf, len, &out);
}

/// An Ed25519 or X25519 key read straight from its PKCS#8 structure (RFC 8410: no algorithm parameters, and
/// the privateKey field is an OCTET STRING holding the 32 raw bytes). EVP_PKCS82PKEY builds a decoder chain on
/// every call, which costs ten times the key arithmetic on a device that loads its key for every job. Returns
/// NULL, with the error queue as it was, for any other algorithm or shape: the caller then takes the general
/// path, which reports what is wrong.
static inline EVP_PKEY *attest_raw_pkcs8_key(const PKCS8_PRIV_KEY_INFO *info) {
    const ASN1_OBJECT *object = NULL;
    const unsigned char *data = NULL;
    int length = 0;
    const X509_ALGOR *algorithm = NULL;
    ERR_set_mark();
    EVP_PKEY *pkey = NULL;
    if (PKCS8_pkey_get0(&object, &data, &length, &algorithm, info) == 1 && data != NULL) {
        int nid = OBJ_obj2nid(object);
        int type = nid == NID_ED25519 ? EVP_PKEY_ED25519 : nid == NID_X25519 ? EVP_PKEY_X25519 : 0;
        int parameterType = 0;
        const void *parameter = NULL;
        X509_ALGOR_get0(NULL, &parameterType, &parameter, algorithm);
        if (type != 0 && parameterType == V_ASN1_UNDEF) {
            const unsigned char *cursor = data;
            ASN1_OCTET_STRING *raw = d2i_ASN1_OCTET_STRING(NULL, &cursor, length);
            if (raw != NULL && cursor == data + length && ASN1_STRING_length(raw) == 32) {
                pkey = EVP_PKEY_new_raw_private_key(type, NULL, ASN1_STRING_get0_data(raw), 32);
            }
            ASN1_OCTET_STRING_free(raw);
        }
    }
    if (pkey == NULL) {
        ERR_pop_to_mark();
    } else {
        ERR_clear_last_mark();
    }
    return pkey;
}

/// Encrypts a PKCS#8 key with AES-256-CBC under scrypt (N=2^14, r=8, p=1, as `openssl pkcs8 -scrypt`).
static inline X509_SIG *attest_pkcs8_encrypt_scrypt(PKCS8_PRIV_KEY_INFO *p8, const char *pass, int passlen) {
    X509_ALGOR *alg = PKCS5_pbe2_set_scrypt(EVP_aes_256_cbc(), NULL, 0, NULL, 16384, 8, 1);
    if (alg == NULL) return NULL;
    X509_SIG *sig = PKCS8_set0_pbe(pass, passlen, p8, alg);
    if (sig == NULL) X509_ALGOR_free(alg);
    return sig;
}

/// Sets RSA-PSS with SHA-256, MGF1-SHA-256 and a 32-byte salt on a sign or verify context.
static inline int attest_set_rsa_pss(EVP_PKEY_CTX *pctx) {
    if (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) <= 0) return 0;
    if (EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, EVP_sha256()) <= 0) return 0;
    if (EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, 32) <= 0) return 0;
    return 1;
}

/// One HKDF-SHA256 derivation on `ctx` (from EVP_KDF "HKDF"). `mode` is an EVP_KDF_HKDF_MODE_* value;
/// `key` is the IKM, or the PRK in expand-only mode. The OSSL_PARAM array is built here because its
/// keys are macros and its entries must point into the caller's buffers only for this one call.
/// An empty salt or info is left out (HKDF then uses its defaults); `key` must not be NULL.
static inline int attest_hkdf_sha256(EVP_KDF_CTX *ctx, int mode,
                                     const unsigned char *salt, size_t salt_len,
                                     const unsigned char *key, size_t key_len,
                                     const unsigned char *info, size_t info_len,
                                     unsigned char *out, size_t out_len) {
    OSSL_PARAM params[6];
    size_t n = 0;
    params[n++] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, (char *)"SHA256", 0);
    params[n++] = OSSL_PARAM_construct_int(OSSL_KDF_PARAM_MODE, &mode);
    params[n++] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, (void *)key, key_len);
    if (salt != NULL && salt_len > 0)
        params[n++] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, (void *)salt, salt_len);
    if (info != NULL && info_len > 0)
        params[n++] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, (void *)info, info_len);
    params[n] = OSSL_PARAM_construct_end();
    return EVP_KDF_derive(ctx, out, out_len, params);
}

/// A new EC public key equal to `pkey` in its one canonical form: the named curve `group` and the uncompressed
/// point. A key read from a compressed, hybrid or explicit-parameter SPKI is the same key, and must get the same
/// key id. The point is checked to be on the curve. NULL when the key is not a valid point of that curve.
static inline EVP_PKEY *attest_ec_canonical(const EVP_PKEY *pkey, const char *group) {
    unsigned char encoded[256];
    size_t encoded_len = 0;
    EVP_PKEY *out = NULL;
    EC_GROUP *ec_group = NULL;
    EC_POINT *point = NULL;
    EVP_PKEY_CTX *ctx = NULL;
    unsigned char uncompressed[256];
    size_t uncompressed_len = 0;
    if (EVP_PKEY_get_octet_string_param(pkey, OSSL_PKEY_PARAM_PUB_KEY, encoded, sizeof(encoded), &encoded_len) != 1) return NULL;
    ec_group = EC_GROUP_new_by_curve_name(OBJ_sn2nid(group));
    if (ec_group == NULL) goto done;
    point = EC_POINT_new(ec_group);
    if (point == NULL || EC_POINT_oct2point(ec_group, point, encoded, encoded_len, NULL) != 1) goto done;
    if (EC_POINT_is_at_infinity(ec_group, point) || EC_POINT_is_on_curve(ec_group, point, NULL) != 1) goto done;
    uncompressed_len = EC_POINT_point2oct(ec_group, point, POINT_CONVERSION_UNCOMPRESSED, uncompressed, sizeof(uncompressed), NULL);
    if (uncompressed_len == 0) goto done;
    ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
    if (ctx == NULL || EVP_PKEY_fromdata_init(ctx) != 1) goto done;
    {
        OSSL_PARAM params[3];
        params[0] = OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, (char *)group, 0);
        params[1] = OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, uncompressed, uncompressed_len);
        params[2] = OSSL_PARAM_construct_end();
        if (EVP_PKEY_fromdata(ctx, &out, EVP_PKEY_PUBLIC_KEY, params) != 1) out = NULL;
    }
done:
    EVP_PKEY_CTX_free(ctx);
    EC_POINT_free(point);
    EC_GROUP_free(ec_group);
    return out;
}

/// 1 when the RSA key's public exponent is 65537, 0 when it is another, -1 when it cannot be read.
static inline int attest_rsa_exponent_is_f4(const EVP_PKEY *pkey) {
    BIGNUM *e = NULL;
    int result;
    if (EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_RSA_E, &e) != 1 || e == NULL) return -1;
    result = BN_is_word(e, 65537) ? 1 : 0;
    BN_free(e);
    return result;
}

#endif
