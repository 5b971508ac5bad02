#include "passwords.hpp"

#include <array>

#include <sodium.h>

namespace dialerd {
using dialer::Errc;
using dialer::Error;
using dialer::Result;

namespace {

std::string to_hex(const unsigned char* data, std::size_t size) {
  std::string out(size * 2 + 1, '\0');
  sodium_bin2hex(out.data(), out.size(), data, size);
  out.pop_back();
  return out;
}

}  // namespace

Result<void> init_crypto() {
  if (sodium_init() < 0) return Error{Errc::unavailable, "libsodium failed to initialise"};
  return {};
}

Result<std::string> hash_password(std::string_view password, HashCost cost) {
  if (password.empty()) return Error{Errc::invalid_argument, "password must not be empty"};
  if (password.size() > 1024) return Error{Errc::invalid_argument, "password is longer than 1024 bytes"};
  unsigned long long ops = crypto_pwhash_OPSLIMIT_INTERACTIVE;
  std::size_t mem = crypto_pwhash_MEMLIMIT_INTERACTIVE;
  if (cost == HashCost::moderate) {
    ops = crypto_pwhash_OPSLIMIT_MODERATE;
    mem = crypto_pwhash_MEMLIMIT_MODERATE;
  } else if (cost == HashCost::minimal) {
    ops = crypto_pwhash_OPSLIMIT_MIN;
    mem = crypto_pwhash_MEMLIMIT_MIN;
  }
  std::array<char, crypto_pwhash_STRBYTES> out{};
  if (crypto_pwhash_str_alg(out.data(), password.data(), password.size(), ops, mem,
                            crypto_pwhash_ALG_ARGON2ID13) != 0) {
    return Error{Errc::unavailable, "out of memory while hashing a password"};
  }
  return std::string(out.data());
}

bool verify_password(std::string_view hash, std::string_view password) {
  std::string h(hash);  // NUL-terminated for libsodium
  return crypto_pwhash_str_verify(h.c_str(), password.data(), password.size()) == 0;
}

std::string random_token() {
  std::array<unsigned char, 32> bytes{};
  randombytes_buf(bytes.data(), bytes.size());
  return to_hex(bytes.data(), bytes.size());
}

std::string token_digest(std::string_view token) {
  std::array<unsigned char, 32> out{};
  crypto_generichash(out.data(), out.size(), reinterpret_cast<const unsigned char*>(token.data()),
                     token.size(), nullptr, 0);
  return to_hex(out.data(), out.size());
}

}  // namespace dialerd
