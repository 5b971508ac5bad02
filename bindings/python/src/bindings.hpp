// What every binding file shares: the casters, one bind_<header>() per public
// header, Result unwrapping, and two small helpers that give enums and value
// structs the same Python shape everywhere.
#pragma once

#include <algorithm>
#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "casters.hpp"
#include "dialer/error.hpp"

namespace dialer::python {

namespace py = pybind11;

// ---- One function per public header, called from module.cpp in this order ----
// (ids.hpp needs none: ids are plain ints, see casters.hpp.)

void bind_errors(py::module_& m);        // error.hpp
void bind_clock(py::module_& m);         // clock.hpp
void bind_phone_number(py::module_& m);  // phone_number.hpp
void bind_carrier(py::module_& m);       // carrier.hpp
void bind_dial_prefix(py::module_& m);   // dial_prefix.hpp
void bind_campaign(py::module_& m);      // campaign.hpp
void bind_agent(py::module_& m);         // agent.hpp
void bind_call(py::module_& m);          // call.hpp
void bind_lead(py::module_& m);          // lead.hpp
void bind_queue(py::module_& m);         // queue.hpp
void bind_compliance(py::module_& m);    // calling_hours.hpp recycle.hpp abandonment.hpp
void bind_hopper(py::module_& m);        // hopper.hpp
void bind_pacer(py::module_& m);         // pacer.hpp
void bind_hangup_cause(py::module_& m);  // hangup_cause.hpp
void bind_lead_import(py::module_& m);   // lead_import.hpp
void bind_call_control(py::module_& m);  // call_control.hpp
void bind_event_sink(py::module_& m);    // event_sink.hpp
void bind_store(py::module_& m);         // store.hpp
void bind_engine(py::module_& m);        // engine.hpp
void bind_testing(py::module_& t);       // testing/*.hpp, into the submodule dialer.testing
void bind_sim(py::module_& s);           // sim/*.hpp, into the submodule dialer.sim

// ---- Errors (implemented in bind_errors.cpp, the one place that maps them) ----

/// The value of a Result, or a throw of BadResultAccess, which the module's
/// exception translator turns into the matching dialer.DialerError subclass.
template <class T>
T unwrap(Result<T>&& r) {
  return std::move(r).value();
}
inline void unwrap(Result<void>&& r) {
  r.value();
}

/// Wraps a member function returning Result<R> into one returning R or raising.
template <class R, class C, class... A>
auto unwrapped(Result<R> (C::*f)(A...)) {
  return [f](C& self, A... a) -> R { return unwrap((self.*f)(std::forward<A>(a)...)); };
}
template <class R, class C, class... A>
auto unwrapped(Result<R> (C::*f)(A...) const) {
  return [f](const C& self, A... a) -> R { return unwrap((self.*f)(std::forward<A>(a)...)); };
}
/// The same for a free function.
template <class R, class... A>
auto unwrapped(Result<R> (*f)(A...)) {
  return [f](A... a) -> R { return unwrap(f(std::forward<A>(a)...)); };
}

/// The Error a Python exception stands for, for trampolines that must return
/// one instead of unwinding into the core: a dialer.DialerError keeps its code
/// and detail; any other exception becomes `fallback` with "Type: message".
/// Requires: the GIL is held. Never throws.
Error error_from_python(const py::error_already_set& e, Errc fallback) noexcept;

// ---- Enums ----

/// A py::enum_ whose str() is the library's to_string name ("break" for
/// AgentState.on_break). Members are added with DIALER_PY_VALUE so that each
/// Python name is spelled by the C++ enumerator itself.
template <class E>
py::enum_<E> bind_enum(py::handle scope, const char* name, const char* doc) {
  py::enum_<E> e(scope, name, doc);
  e.attr("__str__") = py::cpp_function([](E v) { return std::string(to_string(v)); },
                                       py::name("__str__"), py::is_method(e));
  return e;
}

/// Adds E.from_string(text) for an enum whose header declares from_string.
template <class E>
void add_from_string(py::enum_<E>& e) {
  e.def_static(
      "from_string",
      [](std::string_view text) {
        E out{};
        if (!from_string(text, out)) {
          throw py::value_error("no " + std::string(py::str(py::type::of<E>().attr("__name__"))) +
                                " is named \"" + std::string(text) + "\"");
        }
        return out;
      },
      py::arg("text"), "The member whose to_string name is `text`; ValueError if none.");
}

#define DIALER_PY_VALUE(e, E, v) e.value(#v, E::v)

/// The union `a | b | ...` of bound classes, for a std::variant's Python
/// alias (Event, CallEvent): usable in annotations and in isinstance().
inline py::object union_of(const py::module_& m, std::initializer_list<const char*> names) {
  py::object u;
  for (const char* name : names) {
    py::object cls = m.attr(name);
    u = u ? py::reinterpret_steal<py::object>(PyNumber_Or(u.ptr(), cls.ptr())) : cls;
    if (!u) throw py::error_already_set();
  }
  return u;
}

// ---- Value structs ----

/// Binds a plain struct as a Python class with read/write attributes, a
/// constructor taking the fields by keyword (or position, in field order) with
/// the C++ defaults, and __repr__, __eq__, __copy__, __deepcopy__,
/// __match_args__ over the fields.
///
/// Attributes of class type (NumberPlan in Campaign, ...) are references into
/// the owner; attributes converted by value (lists, optionals, ids, times) are
/// copies: `campaign.break_types.append(x)` changes a copy, assign instead.
template <class T>
class ValueClass {
 public:
  ValueClass(py::handle scope, const char* name, const char* doc)
      : cls_(scope, name, doc), fields_(std::make_shared<std::vector<std::string>>()) {}

  template <class M, class... Extra>
  ValueClass& field(const char* name, M T::*member, const Extra&... extra) {
    cls_.def_readwrite(name, member, extra...);
    fields_->emplace_back(name);
    return *this;
  }

  /// Adds the generic methods; the class is then complete unless the caller
  /// adds methods of its own to the returned py::class_.
  py::class_<T>& done() {
    auto fields = fields_;
    cls_.def(py::init([fields](const py::args& args, const py::kwargs& kwargs) {
               return construct(*fields, args, kwargs);
             }),
             "Takes the fields by keyword (or by position, in field order); omitted ones "
             "keep the C++ defaults.");
    cls_.def("__repr__", [fields](const py::object& self) { return repr(*fields, self); });
    cls_.def("__eq__", [fields](const py::object& self, const py::object& other) -> py::object {
      if (!py::type::of(other).is(py::type::of(self)))
        return py::reinterpret_borrow<py::object>(Py_NotImplemented);
      return py::bool_(values(*fields, self).equal(values(*fields, other)));
    });
    cls_.def("__copy__", [](const T& self) { return T(self); });
    cls_.def(
        "__deepcopy__", [](const T& self, const py::dict&) { return T(self); }, py::arg("memo"));
    py::tuple names(fields->size());
    for (std::size_t i = 0; i < fields->size(); ++i) names[i] = py::str((*fields)[i]);
    cls_.attr("__match_args__") = names;
    return cls_;
  }

 private:
  static T construct(const std::vector<std::string>& fields, const py::args& args,
                     const py::kwargs& kwargs) {
    if (args.size() > fields.size()) {
      throw py::type_error("takes at most " + std::to_string(fields.size()) +
                           " positional arguments (" + std::to_string(args.size()) + " given)");
    }
    // Build through the Python attributes so that each value is checked and
    // converted exactly as an assignment would be.
    py::object obj = py::cast(T{});
    for (std::size_t i = 0; i < args.size(); ++i) py::setattr(obj, fields[i].c_str(), args[i]);
    for (const auto& [key, value] : kwargs) {
      const std::string name = py::str(key);
      auto it = std::find(fields.begin(), fields.end(), name);
      if (it == fields.end()) throw py::type_error("unexpected keyword argument '" + name + "'");
      if (static_cast<std::size_t>(it - fields.begin()) < args.size()) {
        throw py::type_error("got multiple values for argument '" + name + "'");
      }
      py::setattr(obj, name.c_str(), value);
    }
    return obj.cast<T>();
  }

  static py::tuple values(const std::vector<std::string>& fields, const py::object& obj) {
    py::tuple out(fields.size());
    for (std::size_t i = 0; i < fields.size(); ++i) out[i] = obj.attr(fields[i].c_str());
    return out;
  }

  static std::string repr(const std::vector<std::string>& fields, const py::object& self) {
    std::string out = py::str(py::type::of(self).attr("__name__"));
    out += '(';
    for (std::size_t i = 0; i < fields.size(); ++i) {
      if (i > 0) out += ", ";
      out += fields[i] + '=' + std::string(py::repr(self.attr(fields[i].c_str())));
    }
    return out + ')';
  }

  py::class_<T> cls_;
  std::shared_ptr<std::vector<std::string>> fields_;
};

}  // namespace dialer::python
