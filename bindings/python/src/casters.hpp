// Type casters shared by every binding file. Include this header (through
// bindings.hpp) in every translation unit of the module, before anything is
// bound: casters must be the same everywhere (pybind11's ODR rule).
//
//   dialer::Id<Tag> (AgentId, CallId, ...)  <->  int (0 means "none")
//   dialer::WallTime                        <->  naive datetime in UTC; the zero
//                                                instant (WallTime{}, "has not
//                                                happened") <-> None
//   std::chrono durations                   <->  datetime.timedelta (pybind11/chrono.h);
//                                                seconds and nanoseconds also take a
//                                                number of seconds (int or float)
//   dialer::SteadyTime                      <->  datetime.timedelta since the
//                                                steady clock's epoch (pybind11/chrono.h)
//   std::optional, std::vector, std::variant, std::pair  <->  None|T, list, T, tuple
#pragma once

#include <pybind11/chrono.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <chrono>
#include <cstdint>

#include "dialer/clock.hpp"
#include "dialer/ids.hpp"

namespace pybind11::detail {

template <class Tag>
struct type_caster<dialer::Id<Tag>> {
  PYBIND11_TYPE_CASTER(dialer::Id<Tag>, const_name("int"));

  bool load(handle src, bool convert) {
    // bool is an int in Python; an id is never a truth value.
    if (!src || PyBool_Check(src.ptr())) return false;
    make_caster<std::uint64_t> raw;
    if (!raw.load(src, convert)) return false;
    value = dialer::Id<Tag>{cast_op<std::uint64_t>(raw)};
    return true;
  }

  static handle cast(dialer::Id<Tag> id, return_value_policy, handle) {
    return PyLong_FromUnsignedLongLong(id.value);
  }
};

/// Wall time as a naive datetime in UTC (pybind11's own caster would use the
/// local time zone). An aware datetime is converted to UTC on the way in.
template <>
class type_caster<dialer::WallTime> {
 public:
  PYBIND11_TYPE_CASTER(dialer::WallTime, const_name("datetime.datetime | None"));

  bool load(handle src, bool) {
    if (!src) return false;
    if (src.is_none()) {
      value = dialer::WallTime{};
      return true;
    }
    if (!PyDateTimeAPI) PyDateTime_IMPORT;
    if (!PyDateTime_Check(src.ptr())) return false;
    const bool aware = !getattr(src, "tzinfo").is_none();
    object epoch = reinterpret_steal<object>(
        aware ? PyDateTimeAPI->DateTime_FromDateAndTime(
                    1970, 1, 1, 0, 0, 0, 0, PyDateTime_TimeZone_UTC, PyDateTimeAPI->DateTimeType)
              : PyDateTime_FromDateAndTime(1970, 1, 1, 0, 0, 0, 0));
    if (!epoch) throw error_already_set();
    object delta = reinterpret_steal<object>(PyNumber_Subtract(src.ptr(), epoch.ptr()));
    if (!delta) throw error_already_set();
    using namespace std::chrono;
    // The PyDateTime_DELTA_GET_* macros, without their C casts.
    const auto* d = reinterpret_cast<const PyDateTime_Delta*>(delta.ptr());
    const auto since = days{d->days} + seconds{d->seconds} + microseconds{d->microseconds};
    value = dialer::WallTime{duration_cast<dialer::WallTime::duration>(since)};
    return true;
  }

  static handle cast(dialer::WallTime t, return_value_policy, handle) {
    if (t == dialer::WallTime{}) return none().release();
    if (!PyDateTimeAPI) PyDateTime_IMPORT;
    using namespace std::chrono;
    // datetime has microseconds; round toward the past, also before 1970.
    const auto us = floor<microseconds>(t.time_since_epoch());
    const auto d = floor<days>(us);
    const auto s = floor<seconds>(us - d);
    const auto rest = us - d - s;
    object epoch = reinterpret_steal<object>(PyDateTime_FromDateAndTime(1970, 1, 1, 0, 0, 0, 0));
    object delta = reinterpret_steal<object>(PyDelta_FromDSU(
        static_cast<int>(d.count()), static_cast<int>(s.count()), static_cast<int>(rest.count())));
    if (!epoch || !delta) throw error_already_set();
    return PyNumber_Add(epoch.ptr(), delta.ptr());  // nullptr + Python error on overflow
  }
};

/// pybind11's duration caster takes a timedelta or a float; also take an int
/// number of seconds (`advance(engine, clock, 120)`).
template <class Duration>
class number_or_timedelta_caster : public duration_caster<Duration> {
 public:
  bool load(handle src, bool convert) {
    if (src && PyLong_Check(src.ptr()) && !PyBool_Check(src.ptr())) {
      object seconds = reinterpret_steal<object>(PyNumber_Float(src.ptr()));
      if (!seconds) {
        PyErr_Clear();
        return false;
      }
      return duration_caster<Duration>::load(seconds, convert);
    }
    return duration_caster<Duration>::load(src, convert);
  }
};

template <>
class type_caster<std::chrono::seconds> : public number_or_timedelta_caster<std::chrono::seconds> {
};
template <>
class type_caster<std::chrono::nanoseconds>
    : public number_or_timedelta_caster<std::chrono::nanoseconds> {};

}  // namespace pybind11::detail
