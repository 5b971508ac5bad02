// Errors: one value type for failure, and the error codes the core reports.
//
// Every fallible public function returns `Result<T>`: either a `T` or an
// `Error` (a std::error_code plus a human-readable detail). No exception
// crosses the public API; `Result::value()` on an error is the only throw.
//
// Two error-code enums are registered with std::error_code:
//   - `Errc` (category "dialer"): what went wrong, in terms a caller acts on;
//   - `DialRule` (category "dialer.dial_rule", in dial_prefix.hpp): which rule of
//     the dial-prefix policy refused a number or a configuration;
//     `is_policy_refusal()` tells either kind apart from other failures.
//
// Thread-safety: all types here are values; the categories are immutable.
#pragma once

#include <string>
#include <string_view>
#include <system_error>
#include <type_traits>
#include <utility>
#include <variant>

namespace dialer {

/// What went wrong, in terms a caller can act on. Values are stable.
enum class Errc {
  /// The input is not valid in the current state; nothing changed.
  invalid_transition = 1,
  /// An id names nothing the engine or store knows.
  not_found,
  /// The change conflicts with existing data (duplicate id, prefix clash, ...).
  conflict,
  /// A port (telephony, storage) cannot serve the request now; retry later.
  unavailable,
  timeout,
  /// A malformed value (empty name, negative duration, unknown code, ...).
  invalid_argument,
  /// A peer (telephony, client) broke its protocol.
  protocol_error,
  storage_error,
  /// The dial-prefix or compliance policy refused; the code says which rule.
  refused_by_policy,
};

const std::error_category& dialer_category() noexcept;
std::error_code make_error_code(Errc e) noexcept;
std::error_condition make_error_condition(Errc e) noexcept;

/// Stable name of an Errc value ("invalid_transition", ...).
const char* to_string(Errc e) noexcept;
bool from_string(std::string_view s, Errc& out) noexcept;

/// A failure: a machine-checkable code and a detail for people.
struct Error {
  std::error_code code;
  std::string detail;

  Error() = default;
  Error(std::error_code c, std::string d) : code(c), detail(std::move(d)) {}
  template <class E, class = std::enable_if_t<std::is_error_code_enum_v<E>>>
  Error(E e, std::string d) : code(make_error_code(e)), detail(std::move(d)) {}

  /// "<code message>: <detail>", for logs and exception texts.
  std::string message() const;
};

/// True for Errc::refused_by_policy and for every DialRule and ComplianceRule code.
bool is_policy_refusal(const std::error_code& code) noexcept;

/// Thrown only by Result::value() when the Result holds an error.
class BadResultAccess : public std::system_error {
 public:
  explicit BadResultAccess(const Error& e) : std::system_error(e.code, e.detail), error_(e) {}
  const Error& error() const noexcept { return error_; }

 private:
  Error error_;
};

/// Either a T or an Error. Member names follow C++23 std::expected so this can
/// become an alias once the toolchain has <expected>.
template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::in_place_index<0>, std::move(value)) {}  // NOLINT: implicit by design
  Result(Error error) : v_(std::in_place_index<1>, std::move(error)) {}  // NOLINT

  bool has_value() const noexcept { return v_.index() == 0; }
  explicit operator bool() const noexcept { return has_value(); }

  T& value() & {
    throw_if_error();
    return std::get<0>(v_);
  }
  const T& value() const& {
    throw_if_error();
    return std::get<0>(v_);
  }
  T&& value() && {
    throw_if_error();
    return std::get<0>(std::move(v_));
  }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  /// Requires: !has_value().
  const Error& error() const& { return std::get<1>(v_); }
  Error&& error() && { return std::get<1>(std::move(v_)); }

 private:
  void throw_if_error() const {
    if (!has_value()) throw BadResultAccess(std::get<1>(v_));
  }
  std::variant<T, Error> v_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)), failed_(true) {}  // NOLINT

  bool has_value() const noexcept { return !failed_; }
  explicit operator bool() const noexcept { return !failed_; }
  void value() const {
    if (failed_) throw BadResultAccess(error_);
  }
  const Error& error() const& { return error_; }
  Error&& error() && { return std::move(error_); }

 private:
  Error error_;
  bool failed_ = false;
};

/// The success value of Result<void>, for symmetric returns.
inline Result<void> ok() { return {}; }

}  // namespace dialer

template <>
struct std::is_error_code_enum<dialer::Errc> : std::true_type {};
