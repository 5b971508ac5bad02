// Password hashing and tokens, with libsodium: Argon2id (slow, salted, the
// parameters stored inside the hash string so they can be raised later) and
// session tokens from the OS's random generator. Token hashes, not tokens,
// are what is stored, so a copied database holds no usable session.
#pragma once

#include <string>
#include <string_view>

#include "config.hpp"
#include "dialer/error.hpp"

namespace dialerd {

/// Initialises libsodium; call once before anything else here. Errors: Errc::unavailable.
dialer::Result<void> init_crypto();

/// An Argon2id hash string ("$argon2id$v=19$m=...").
/// Errors: Errc::invalid_argument (empty or over 1024 bytes), Errc::unavailable (out of memory).
dialer::Result<std::string> hash_password(std::string_view password, HashCost cost);

/// Whether `password` matches `hash`. Constant work for a wrong password.
bool verify_password(std::string_view hash, std::string_view password);

/// 32 random bytes, hex-encoded (64 characters).
std::string random_token();

/// A hex digest of a token (BLAKE2b), for storage and lookups.
std::string token_digest(std::string_view token);

}  // namespace dialerd
