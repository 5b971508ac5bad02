// error.hpp: Errc, Error, and the one mapping between dialer errors and Python
// exceptions (both ways).
//
//   DialerError(Exception)          code, detail, category, rule
//     InvalidTransition             Errc::invalid_transition
//     NotFound                      Errc::not_found
//     Conflict                      Errc::conflict
//     Unavailable                   Errc::unavailable
//     Timeout                       Errc::timeout
//     InvalidArgument               Errc::invalid_argument
//     ProtocolError                 Errc::protocol_error
//     StorageError                  Errc::storage_error
//     PolicyViolation               Errc::refused_by_policy and every DialRule
//
// An error of any other category raises DialerError itself, with code
// "<category>:<value>".
#include <Python.h>

#include <array>
#include <optional>
#include <string>
#include <string_view>

#include "bindings.hpp"
#include "dialer/compliance.hpp"
#include "dialer/dial_prefix.hpp"
#include "dialer/error.hpp"

namespace dialer::python {
namespace {

struct ErrcClass {
  Errc code;
  const char* name;
  const char* doc;
};

constexpr std::array<ErrcClass, 9> kErrcClasses{{
    {Errc::invalid_transition, "InvalidTransition",
     "The input is not valid in the current state; nothing changed."},
    {Errc::not_found, "NotFound", "An id names nothing the engine or store knows."},
    {Errc::conflict, "Conflict", "The change conflicts with existing data."},
    {Errc::unavailable, "Unavailable", "A port (telephony, storage) cannot serve the request now."},
    {Errc::timeout, "Timeout", "An operation took too long."},
    {Errc::invalid_argument, "InvalidArgument", "A malformed value."},
    {Errc::protocol_error, "ProtocolError", "A peer broke its protocol."},
    {Errc::storage_error, "StorageError", "A store failed to read or write."},
    {Errc::refused_by_policy, "PolicyViolation",
     "The dial-prefix or compliance policy refused. `code` is \"refused_by_policy\" or the "
     "name of the DialRule that refused, which is also in `rule` (None for "
     "refused_by_policy)."},
}};

// The exception classes live as long as the interpreter; they are never
// released, so that nothing touches them after it is gone.
PyObject* g_base = nullptr;
std::array<PyObject*, kErrcClasses.size()> g_errc_classes{};

bool is_dialer(const std::error_code& ec) {
  return ec.category() == dialer_category();
}
// A rule of a policy that refused: a DialRule or a ComplianceRule. Both raise
// as PolicyViolation with the rule's name in `rule`.
bool is_dial_rule(const std::error_code& ec) {
  return ec.category() == dial_rule_category() || ec.category() == compliance_category();
}

/// The value of E whose to_string is `name`; values run from 1 up to the first
/// one without a name.
template <class E>
std::optional<E> enum_named(std::string_view name) {
  for (int i = 1;; ++i) {
    const auto e = static_cast<E>(i);
    const std::string_view n = to_string(e);
    if (n == "unknown") return std::nullopt;
    if (n == name) return e;
  }
}

/// "invalid_transition", "other_carrier_prefix": the code's name in Python.
std::optional<std::error_code> code_named(std::string_view name) {
  if (auto e = enum_named<Errc>(name)) return make_error_code(*e);
  if (auto r = enum_named<DialRule>(name)) return make_error_code(*r);
  if (auto r = enum_named<ComplianceRule>(name)) return make_error_code(*r);
  return std::nullopt;
}

std::string code_name(const std::error_code& ec) {
  if (is_dialer(ec)) return to_string(static_cast<Errc>(ec.value()));
  if (ec.category() == dial_rule_category()) return to_string(static_cast<DialRule>(ec.value()));
  if (ec.category() == compliance_category()) {
    return to_string(static_cast<ComplianceRule>(ec.value()));
  }
  return std::string(ec.category().name()) + ":" + std::to_string(ec.value());
}

py::handle class_for(const std::error_code& ec) {
  // Every DialRule raises as Errc::refused_by_policy does: PolicyViolation.
  const std::error_code errc = is_dial_rule(ec) ? make_error_code(Errc::refused_by_policy) : ec;
  if (is_dialer(errc)) {
    for (std::size_t i = 0; i < kErrcClasses.size(); ++i) {
      if (static_cast<int>(kErrcClasses[i].code) == errc.value()) return g_errc_classes[i];
    }
  }
  return g_base;
}

py::object make_exception(const Error& e) {
  py::handle cls = class_for(e.code);
  py::object exc = cls(e.detail, code_name(e.code));
  if (!is_dialer(e.code) && !is_dial_rule(e.code)) {
    exc.attr("category") = py::str(e.code.category().name());
  }
  return exc;
}

// DialerError.__init__(self, detail="", code=None): `code` defaults to the
// class's own; str(exc) is Error::message()'s "<code>: <detail>".
void init_exception(const py::object& self, const std::string& detail, const py::object& code) {
  if (!code.is_none()) self.attr("code") = py::str(code);
  self.attr("detail") = py::str(detail);
  const py::object c = self.attr("code");
  const std::string name = c.is_none() ? std::string() : std::string(py::str(c));
  if (auto ec = code_named(name)) {
    self.attr("category") = py::str(ec->category().name());
    self.attr("rule") = is_dial_rule(*ec) ? py::object(py::str(name)) : py::object(py::none());
  }
  const std::string message = name.empty() ? detail : detail.empty() ? name : name + ": " + detail;
  py::handle(PyExc_Exception).attr("__init__")(self, message);
}

PyObject* new_exception_class(py::module_& m, const char* name, const char* doc, PyObject* base,
                              const py::object& code, const py::object& category) {
  const std::string qualified = "dialer." + std::string(name);
  PyObject* cls = PyErr_NewExceptionWithDoc(qualified.c_str(), doc, base, nullptr);
  if (cls == nullptr) throw py::error_already_set();
  py::handle h(cls);
  h.attr("code") = code;
  h.attr("category") = category;
  h.attr("rule") = py::none();
  m.add_object(name, py::reinterpret_borrow<py::object>(h));
  return cls;
}

void bind_exceptions(py::module_& m) {
  g_base = new_exception_class(
      m, "DialerError",
      "Base of every dialer error. Attributes: code (the Errc or DialRule name, e.g. "
      "\"invalid_transition\" or \"other_carrier_prefix\"), detail (for people), category "
      "(\"dialer\" or \"dialer.dial_rule\"), rule (the DialRule name for policy refusals, "
      "else None).",
      PyExc_Exception, py::none(), py::none());
  // Named otherwise than __init__, which pybind11 would take for a constructor
  // of one of its own classes.
  py::handle(g_base).attr("__init__") =
      py::cpp_function(init_exception, py::name("init"), py::is_method(py::handle(g_base)),
                       py::arg("detail") = "", py::arg("code") = py::none());
  for (std::size_t i = 0; i < kErrcClasses.size(); ++i) {
    const ErrcClass& c = kErrcClasses[i];
    g_errc_classes[i] = new_exception_class(m, c.name, c.doc, g_base, py::str(to_string(c.code)),
                                            py::str(dialer_category().name()));
  }

  py::register_local_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const BadResultAccess& e) {
      try {
        py::object exc = make_exception(e.error());
        PyErr_SetObject(reinterpret_cast<PyObject*>(Py_TYPE(exc.ptr())), exc.ptr());
      } catch (py::error_already_set& failed) {
        failed.restore();  // raise whatever went wrong instead
      }
    }
  });
}

}  // namespace

Error error_from_python(const py::error_already_set& e, Errc fallback) noexcept {
  try {
    const py::object value = e.value();
    if (g_base != nullptr && e.matches(g_base)) {
      const py::object code = py::getattr(value, "code", py::none());
      const py::object detail = py::getattr(value, "detail", py::none());
      std::string text = py::str(detail.is_none() ? value : detail);
      if (!code.is_none()) {
        if (auto ec = code_named(std::string(py::str(code)))) return Error{*ec, std::move(text)};
      }
      for (std::size_t i = 0; i < kErrcClasses.size(); ++i) {
        if (e.matches(g_errc_classes[i])) return Error{kErrcClasses[i].code, std::move(text)};
      }
      return Error{fallback, std::move(text)};
    }
    const std::string type = py::str(e.type().attr("__name__"));
    const std::string text = py::str(value);
    return Error{fallback, text.empty() ? type : type + ": " + text};
  } catch (...) {
    return Error{fallback, "a Python exception that could not be read"};
  }
}

void bind_errors(py::module_& m) {
  auto errc = bind_enum<Errc>(m, "Errc", "What went wrong (error category \"dialer\").");
  DIALER_PY_VALUE(errc, Errc, invalid_transition);
  DIALER_PY_VALUE(errc, Errc, not_found);
  DIALER_PY_VALUE(errc, Errc, conflict);
  DIALER_PY_VALUE(errc, Errc, unavailable);
  DIALER_PY_VALUE(errc, Errc, timeout);
  DIALER_PY_VALUE(errc, Errc, invalid_argument);
  DIALER_PY_VALUE(errc, Errc, protocol_error);
  DIALER_PY_VALUE(errc, Errc, storage_error);
  DIALER_PY_VALUE(errc, Errc, refused_by_policy);

  bind_exceptions(m);

  py::class_<Error>(m, "Error",
                    "A failure as a value (in events, and for the test doubles' failure "
                    "plans): a code and a detail for people.")
      .def(py::init([](const py::object& code, std::string detail) {
             const std::string name = py::str(code);
             auto ec = code_named(name);
             if (!ec) throw py::value_error("\"" + name + "\" is not an Errc or DialRule name");
             return Error{*ec, std::move(detail)};
           }),
           py::arg("code"), py::arg("detail") = "",
           "code: an Errc or DialRule member, or its name (\"unavailable\").")
      .def_property_readonly(
          "code", [](const Error& e) { return code_name(e.code); },
          "The Errc or DialRule name: \"unavailable\", \"other_carrier_prefix\".")
      .def_property_readonly(
          "category", [](const Error& e) { return std::string(e.code.category().name()); },
          "\"dialer\" or \"dialer.dial_rule\".")
      .def_readwrite("detail", &Error::detail)
      .def("message", &Error::message, "\"<code>: <detail>\".")
      .def(
          "is_policy_refusal", [](const Error& e) { return is_policy_refusal(e.code); },
          "True for refused_by_policy and every DialRule.")
      .def("to_exception", &make_exception,
           "The DialerError subclass instance this error raises as.")
      .def("__repr__",
           [](const Error& e) {
             return "Error(code=" + std::string(py::repr(py::str(code_name(e.code)))) +
                    ", detail=" + std::string(py::repr(py::str(e.detail))) + ")";
           })
      .def(
          "__eq__",
          [](const Error& a, const Error& b) { return a.code == b.code && a.detail == b.detail; },
          py::is_operator());
}

}  // namespace dialer::python
