// queue.hpp: the outbound queue's rows, updates and claims.
#include "bindings.hpp"
#include "dialer/queue.hpp"

namespace dialer::python {

void bind_queue(py::module_& m) {
  auto status = bind_enum<QueueStatus>(m, "QueueStatus",
                                       "Where a lead stands in its campaign's outbound queue.");
  DIALER_PY_VALUE(status, QueueStatus, pending);
  DIALER_PY_VALUE(status, QueueStatus, dialing);
  DIALER_PY_VALUE(status, QueueStatus, answered);
  DIALER_PY_VALUE(status, QueueStatus, completed);
  DIALER_PY_VALUE(status, QueueStatus, busy);
  DIALER_PY_VALUE(status, QueueStatus, no_answer);
  DIALER_PY_VALUE(status, QueueStatus, failed);
  DIALER_PY_VALUE(status, QueueStatus, invalid_number);
  DIALER_PY_VALUE(status, QueueStatus, dropped);
  DIALER_PY_VALUE(status, QueueStatus, machine);
  add_from_string(status);

  auto order = bind_enum<LeadOrder>(m, "LeadOrder", "The order in which leads are claimed.");
  DIALER_PY_VALUE(order, LeadOrder, oldest_first);
  DIALER_PY_VALUE(order, LeadOrder, fewest_attempts_first);
  DIALER_PY_VALUE(order, LeadOrder, priority_first);
  add_from_string(order);

  m.def("queue_status_for", &queue_status_for, py::arg("outcome"),
        "The queue status a lead takes when its call ends with `outcome`.");

  ValueClass<QueueEntry>(m, "QueueEntry", "A lead's queue row, as stored.")
      .field("campaign", &QueueEntry::campaign)
      .field("lead", &QueueEntry::lead)
      .field("status", &QueueEntry::status)
      .field("attempts", &QueueEntry::attempts, "Calls placed to this lead.")
      .field("ready_at", &QueueEntry::ready_at, "Claimable from then on; None when final.")
      .field("lease_owner", &QueueEntry::lease_owner, "The dialer holding the lead, or ''.")
      .field("lease_until", &QueueEntry::lease_until)
      .field("last_call", &QueueEntry::last_call)
      .done();

  ValueClass<QueueUpdate>(m, "QueueUpdate", "A change of a lead's queue row.")
      .field("campaign", &QueueUpdate::campaign)
      .field("lead", &QueueUpdate::lead)
      .field("status", &QueueUpdate::status)
      .field("call", &QueueUpdate::call, "The call that caused the change.")
      .field("at", &QueueUpdate::at)
      .field("owner", &QueueUpdate::owner, "The dialer making the change.")
      .field("attempted", &QueueUpdate::attempted, "A call was placed.")
      .field("ready_at", &QueueUpdate::ready_at, "When claimable again; None when final.")
      .done();

  ValueClass<ClaimRequest>(m, "ClaimRequest", "What a dialer asks for when it refills a hopper.")
      .field("campaign", &ClaimRequest::campaign)
      .field("owner", &ClaimRequest::owner)
      .field("limit", &ClaimRequest::limit)
      .field("now", &ClaimRequest::now)
      .field("lease", &ClaimRequest::lease)
      .field("order", &ClaimRequest::order)
      .field("max_attempts", &ClaimRequest::max_attempts, "0: no cap.")
      .field("time_zones", &ClaimRequest::time_zones,
             "None: any; else only leads in these IANA time zones.")
      .done();

  ValueClass<ClaimedLead>(m, "ClaimedLead", "A lead won by a claim.")
      .field("lead", &ClaimedLead::lead)
      .field("attempts", &ClaimedLead::attempts)
      .field("lease_until", &ClaimedLead::lease_until)
      .done();
}

}  // namespace dialer::python
