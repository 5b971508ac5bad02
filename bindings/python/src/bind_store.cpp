// store.hpp: the storage ports, implementable in Python.
#include <string_view>
#include <vector>

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
  Result<std::vector<LeadId>> add_leads(std::span<const Lead> leads, WallTime now) override {
    return call<std::vector<LeadId>>("add_leads", std::vector<Lead>(leads.begin(), leads.end()),
                                     now);
  }
  Result<std::vector<ClaimedLead>> claim_leads(const ClaimRequest& request) override {
    return call<std::vector<ClaimedLead>>("claim_leads", request);
  }
  Result<std::size_t> renew_leases(std::string_view owner, std::span<const LeadId> leads,
                                   WallTime until) override {
    return call<std::size_t>("renew_leases", owner,
                             std::vector<LeadId>(leads.begin(), leads.end()), until);
  }
  Result<void> release_leads(std::string_view owner, std::span<const LeadId> leads) override {
    return call<void>("release_leads", owner, std::vector<LeadId>(leads.begin(), leads.end()));
  }
  Result<void> update_queue(const QueueUpdate& update) override {
    return call<void>("update_queue", update);
  }
  Result<QueueEntry> queue_entry(LeadId lead) override {
    return call<QueueEntry>("queue_entry", lead);
  }

 private:
  template <class T, class... Args>
  Result<T> call(const char* name, const Args&... args) const {
    return call_python<T>(static_cast<const LeadStore*>(this), "LeadStore", name,
                          Errc::storage_error, args...);
  }
};

class PyDoNotCallStore final : public DoNotCallStore {
 public:
  Result<void> add_do_not_call(std::string_view e164, CampaignId campaign) override {
    return call<void>("add_do_not_call", e164, campaign);
  }
  Result<bool> is_do_not_call(std::string_view e164, CampaignId campaign) override {
    return call<bool>("is_do_not_call", e164, campaign);
  }

 private:
  template <class T, class... Args>
  Result<T> call(const char* name, const Args&... args) const {
    return call_python<T>(static_cast<const DoNotCallStore*>(this), "DoNotCallStore", name,
                          Errc::storage_error, args...);
  }
};

class PyCallLogStore final : public CallLogStore {
 public:
  Result<void> save_call(const CallRecord& record) override {
    return call<void>("save_call", record);
  }
  Result<CallRecord> find_call(CallId id) override { return call<CallRecord>("find_call", id); }
  Result<std::uint32_t> count_calls_to(std::string_view e164, WallTime since) override {
    return call<std::uint32_t>("count_calls_to", e164, since);
  }
  Result<std::uint64_t> max_call_id() override { return call<std::uint64_t>("max_call_id"); }

 private:
  template <class T, class... Args>
  Result<T> call(const char* name, const Args&... args) const {
    return call_python<T>(static_cast<const CallLogStore*>(this), "CallLogStore", name,
                          Errc::storage_error, args...);
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
      .def(
          "search_leads",
          [](LeadStore& s, CampaignId campaign, std::string text, std::size_t limit, LeadId after) {
            return unwrap(s.search_leads(LeadSearch{campaign, std::move(text), limit, after}));
          },
          py::arg("campaign"), py::arg("text") = "", py::arg("limit") = 50, py::arg("after") = LeadId{},
          release,
          "Leads of the campaign whose number contains the text's digits, or with a field value "
          "containing the text (ASCII case ignored), in id order, at most min(limit, 500); "
          "`after` pages. Stores that cannot search raise Unavailable.")
      .def(
          "add_leads",
          [](LeadStore& s, const std::vector<Lead>& leads, WallTime now) {
            return unwrap(s.add_leads(leads, now));
          },
          py::arg("leads"), py::arg("now"), release)
      .def("claim_leads", unwrapped(&LeadStore::claim_leads), py::arg("request"), release)
      .def(
          "renew_leases",
          [](LeadStore& s, std::string_view owner, const std::vector<LeadId>& leads,
             WallTime until) { return unwrap(s.renew_leases(owner, leads, until)); },
          py::arg("owner"), py::arg("leads"), py::arg("until"), release)
      .def(
          "release_leads",
          [](LeadStore& s, std::string_view owner, const std::vector<LeadId>& leads) {
            unwrap(s.release_leads(owner, leads));
          },
          py::arg("owner"), py::arg("leads"), release)
      .def("update_queue", unwrapped(&LeadStore::update_queue), py::arg("update"), release)
      .def("queue_entry", unwrapped(&LeadStore::queue_entry), py::arg("lead"), release);

  py::class_<DoNotCallStore, PyDoNotCallStore>(
      m, "DoNotCallStore",
      "The do-not-call lists: global (campaign 0) and per campaign. Subclass it in Python.")
      .def(py::init<>())
      .def("add_do_not_call", unwrapped(&DoNotCallStore::add_do_not_call), py::arg("e164"),
           py::arg("campaign"), release)
      .def("is_do_not_call", unwrapped(&DoNotCallStore::is_do_not_call), py::arg("e164"),
           py::arg("campaign"), release);

  py::class_<CallLogStore, PyCallLogStore>(
      m, "CallLogStore",
      "Where the call log lives. Subclass it in Python: save_call(record) inserts or "
      "replaces the row with record.id and returns None.")
      .def(py::init<>())
      .def("save_call", unwrapped(&CallLogStore::save_call), py::arg("record"), release)
      .def("find_call", unwrapped(&CallLogStore::find_call), py::arg("id"), release)
      .def("count_calls_to", unwrapped(&CallLogStore::count_calls_to), py::arg("e164"),
           py::arg("since"), release)
      .def("max_call_id", unwrapped(&CallLogStore::max_call_id), release);
}

}  // namespace dialer::python
