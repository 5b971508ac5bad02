// The core of libdialer in one include: the engine, its domain types and its
// ports. Optional parts (test doubles, storage and telephony adapters) have
// their own headers.
#pragma once

#include "dialer/agent.hpp"
#include "dialer/call.hpp"
#include "dialer/call_control.hpp"
#include "dialer/campaign.hpp"
#include "dialer/carrier.hpp"
#include "dialer/clock.hpp"
#include "dialer/dial_prefix.hpp"
#include "dialer/engine.hpp"
#include "dialer/error.hpp"
#include "dialer/event_sink.hpp"
#include "dialer/hangup_cause.hpp"
#include "dialer/ids.hpp"
#include "dialer/lead.hpp"
#include "dialer/phone_number.hpp"
#include "dialer/store.hpp"
#include "dialer/version.hpp"
