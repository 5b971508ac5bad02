// Calling a port method implemented in Python from the core: the helper the
// trampolines of CallControl, LeadStore and CallLogStore share.
//
// The core must never see an exception, so every outcome becomes a Result:
// a return value is converted, a raised dialer.DialerError keeps its code, any
// other exception becomes the port's own error code (Errc::unavailable for
// telephony, Errc::storage_error for stores). A method the Python class does
// not define is an error of that code too.
#pragma once

#include <exception>
#include <string>
#include <type_traits>

#include "bindings.hpp"

namespace dialer::python {

/// Calls the Python override `name` of `self` (a Base the Python class
/// derives from) with `args`. For a non-void T, a None result is
/// Errc::not_found ("nothing by that id") and anything else is cast to T.
/// Acquires the GIL; never throws.
template <class T, class Base, class... Args>
Result<T> call_python(const Base* self, const char* port, const char* name, Errc on_error,
                      const Args&... args) noexcept {
  py::gil_scoped_acquire gil;
  try {
    py::function override = py::get_override(self, name);
    if (!override) {
      return Error{on_error, std::string("the Python ") + port + " does not implement " + name};
    }
    py::object result = override(args...);
    if constexpr (std::is_void_v<T>) {
      return ok();
    } else {
      if (result.is_none()) {
        return Error{Errc::not_found, std::string(port) + "." + name + " returned None"};
      }
      return result.template cast<T>();
    }
  } catch (const py::error_already_set& e) {
    return error_from_python(e, on_error);
  } catch (const std::exception& e) {
    // A result of the wrong type (py::cast_error), or an argument that could not be converted.
    return Error{on_error, std::string(port) + "." + name + ": " + e.what()};
  } catch (...) {
    return Error{on_error, std::string(port) + "." + name + ": unknown exception"};
  }
}

}  // namespace dialer::python
