// store.hpp: the storage ports, implementable in Python.
#include <string_view>

#include "bindings.hpp"
#include "dialer/store.hpp"
#include "python_port.hpp"

namespace dialer::python {
namespace {

// Stores implemented by Python subclasses. A raised exception becomes
// Errc::storage_error, or the code of a raised dialer.DialerError; a find that
// returns None is Errc::not_found.
class PyLeadStore final : public LeadStore {
 public:
  Result<Lead> find_lead(LeadId id) override { return call<Lead>("find_lead", id); }
  Result<Lead> find_lead_by_phone(std::string_view last_ten, CampaignId campaign) override {
    return call<Lead>("find_lead_by_phone", last_ten, campaign);
  }
  Result<void> update_queue(const QueueUpdate& update) override {
    return call<void>("update_queue", update);
  }

 private:
  template <class T, class... Args>
  Result<T> call(const char* name, const Args&... args) const {
    return call_python<T>(static_cast<const LeadStore*>(this), "LeadStore", name,
                          Errc::storage_error, args...);
  }
};

class PyCallLogStore final : public CallLogStore {
 public:
  Result<void> save_call(const CallRecord& record) override {
    return call_python<void>(static_cast<const CallLogStore*>(this), "CallLogStore", "save_call",
                             Errc::storage_error, record);
  }
};

}  // namespace

void bind_store(py::module_& m) {
  // The methods release the GIL: a C++ store may block on I/O.
  const auto release = py::call_guard<py::gil_scoped_release>();
  py::class_<LeadStore, PyLeadStore>(
      m, "LeadStore",
      "Where leads and queue rows live. Subclass it in Python: find_lead and "
      "find_lead_by_phone return a Lead, or None (or raise NotFound) when there is none; "
      "update_queue returns None. Any other exception reaches the engine as StorageError "
      "(a DialerError keeps its code).")
      .def(py::init<>())
      .def("find_lead", unwrapped(&LeadStore::find_lead), py::arg("id"), release)
      .def("find_lead_by_phone", unwrapped(&LeadStore::find_lead_by_phone), py::arg("last_ten"),
           py::arg("campaign"), release)
      .def("update_queue", unwrapped(&LeadStore::update_queue), py::arg("update"), release);

  py::class_<CallLogStore, PyCallLogStore>(
      m, "CallLogStore",
      "Where the call log lives. Subclass it in Python: save_call(record) inserts or "
      "replaces the row with record.id and returns None.")
      .def(py::init<>())
      .def("save_call", unwrapped(&CallLogStore::save_call), py::arg("record"), release);
}

}  // namespace dialer::python
