// JSON for the domain types, with the library's field names (docs/api.md).
// Reading is strict: an unknown key, a wrong type or a bad value refuses the
// whole object with Errc::invalid_argument naming the field, so a typo in an
// admin request never saves a half-understood campaign.
#pragma once

#include <string>

#include <boost/json.hpp>

#include "dialer/agent.hpp"
#include "dialer/call.hpp"
#include "dialer/campaign.hpp"
#include "dialer/carrier.hpp"
#include "dialer/clock.hpp"
#include "dialer/error.hpp"
#include "dialer/lead.hpp"

namespace dialerd {

/// RFC 3339 UTC with milliseconds; null for the zero instant.
boost::json::value time_json(dialer::WallTime t);
std::string format_time(dialer::WallTime t);

boost::json::object campaign_json(const dialer::Campaign& c);
boost::json::object carrier_json(const dialer::Carrier& c);
/// Agents never carry their password (nor its hash).
boost::json::object agent_json(const dialer::Agent& a);
boost::json::object call_json(const dialer::CallRecord& r);
boost::json::object lead_json(const dialer::Lead& l);

/// Applies the keys present in `in` onto `c` (a POST starts from defaults, a
/// PUT from the stored campaign). "id" is ignored here; the path names it.
dialer::Result<void> read_campaign(const boost::json::object& in, dialer::Campaign& c);
dialer::Result<void> read_carrier(const boost::json::object& in, dialer::Carrier& c);
/// "password" is taken out by the caller before this sees the object.
dialer::Result<void> read_agent(const boost::json::object& in, dialer::Agent& a);

/// {"error": {"code", "message"}}.
std::string error_body(std::string_view code, std::string_view message);
/// The code name of an error: a DialRule or ComplianceRule name, else the Errc name.
std::string error_code_name(const dialer::Error& e);

}  // namespace dialerd
