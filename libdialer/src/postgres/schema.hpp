// The PostgreSQL schema as an ordered list of forward migrations: migration i
// takes a database from version i to version i + 1. Never edit a released
// migration; append a new one and raise PostgresStore::kSchemaVersion.
//
// Conventions (same as the SQLite schema): ids are 64-bit integers, zero
// is stored as NULL where a foreign key would otherwise refuse it; instants
// are nanoseconds since the Unix epoch (*_ns); enum columns hold the
// to_string names and a CHECK keeps every other text out; lists are netstrings
// (sql_common.hpp).
#pragma once

#include <array>

namespace dialer::postgres::schema {

inline constexpr std::array<const char*, 3> kMigrations{
    // 1: the first schema.
    R"sql(
CREATE TABLE carriers (
  id            BIGINT PRIMARY KEY CHECK (id > 0),
  name          TEXT NOT NULL UNIQUE,
  dial_prefix   TEXT NOT NULL UNIQUE,
  dial_template TEXT NOT NULL,
  number_format TEXT NOT NULL CHECK (number_format IN ('e164', 'national', 'from_region'))
);

CREATE TABLE campaigns (
  id                          BIGINT PRIMARY KEY CHECK (id > 0),
  name                        TEXT NOT NULL UNIQUE,
  dial_mode                   TEXT NOT NULL CHECK (dial_mode IN ('manual', 'autodial', 'predictive')),
  carrier_id                  BIGINT REFERENCES carriers (id),
  dial_prefix                 TEXT NOT NULL,
  plan_region                 TEXT NOT NULL,
  plan_allowed_regions        TEXT NOT NULL,
  plan_require_valid          INTEGER NOT NULL CHECK (plan_require_valid IN (0, 1)),
  manual_dial_allowed         INTEGER NOT NULL CHECK (manual_dial_allowed IN (0, 1)),
  wrapup_timeout_s            BIGINT CHECK (wrapup_timeout_s >= 0),
  wrapup_timeout_disposition  TEXT NOT NULL,
  break_after_wrapup_timeout  TEXT NOT NULL,
  hopper_size                 BIGINT NOT NULL CHECK (hopper_size >= 0),
  ring_timeout_s              BIGINT NOT NULL CHECK (ring_timeout_s >= 0),
  caller_id                   TEXT NOT NULL,
  break_types                 TEXT NOT NULL,
  dispositions                TEXT NOT NULL,
  script                      TEXT NOT NULL
);
CREATE INDEX campaigns_carrier ON campaigns (carrier_id);

CREATE TABLE agents (
  id       BIGINT PRIMARY KEY CHECK (id > 0),
  login    TEXT NOT NULL UNIQUE,
  name     TEXT NOT NULL,
  endpoint TEXT NOT NULL
);

CREATE TABLE leads (
  id          BIGINT PRIMARY KEY CHECK (id > 0),
  campaign_id BIGINT NOT NULL REFERENCES campaigns (id),
  e164        TEXT NOT NULL CHECK (e164 <> ''),
  region      TEXT NOT NULL,
  last_ten    TEXT NOT NULL,
  time_zone   TEXT NOT NULL,
  priority    INTEGER NOT NULL,
  fields      TEXT NOT NULL
);
CREATE INDEX leads_last_ten ON leads (last_ten, id);
CREATE INDEX leads_campaign ON leads (campaign_id);

CREATE TABLE queue (
  lead_id        BIGINT PRIMARY KEY REFERENCES leads (id) ON DELETE CASCADE,
  campaign_id    BIGINT NOT NULL REFERENCES campaigns (id),
  status         TEXT NOT NULL CHECK (status IN ('pending', 'dialing', 'answered', 'completed',
                   'busy', 'no_answer', 'failed', 'invalid_number', 'dropped', 'machine')),
  attempts       INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  ready_at_ns    BIGINT,
  lease_owner    TEXT NOT NULL DEFAULT '',
  lease_until_ns BIGINT NOT NULL DEFAULT 0,
  last_call      BIGINT NOT NULL DEFAULT 0 CHECK (last_call >= 0),
  CHECK (lease_owner <> '' OR lease_until_ns = 0)
);
-- The claim is a range scan of one campaign's unleased ready rows in ready
-- order (lead_id last, as the ORDER BY ends with it): a claimed row leaves these indexes (lease_owner is set), so claimers
-- never walk over the rows claimed before them. Expired leases are found
-- through queue_leases and ended by the claim first.
CREATE INDEX queue_ready ON queue (campaign_id, ready_at_ns, lead_id)
  WHERE ready_at_ns IS NOT NULL AND lease_owner = '';
CREATE INDEX queue_attempts ON queue (campaign_id, attempts, ready_at_ns, lead_id)
  WHERE ready_at_ns IS NOT NULL AND lease_owner = '';
CREATE INDEX queue_leases ON queue (campaign_id, lease_until_ns) WHERE lease_owner <> '';

-- campaign_id 0 is the global list (no foreign key: 0 names no campaign).
CREATE TABLE do_not_call (
  e164        TEXT NOT NULL CHECK (e164 <> ''),
  campaign_id BIGINT NOT NULL CHECK (campaign_id >= 0),
  PRIMARY KEY (e164, campaign_id)
);

-- The call log is history: agent, lead and carrier ids are kept as written
-- (zero for none) without foreign keys, so that a lead re-imported or an
-- agent removed never rewrites or blocks a past call; the campaign, when set,
-- must be a saved one.
CREATE TABLE call_log (
  id               BIGINT PRIMARY KEY CHECK (id > 0),
  campaign_id      BIGINT REFERENCES campaigns (id),
  agent_id         BIGINT NOT NULL CHECK (agent_id >= 0),
  lead_id          BIGINT NOT NULL CHECK (lead_id >= 0),
  carrier_id       BIGINT NOT NULL CHECK (carrier_id >= 0),
  number           TEXT NOT NULL,
  dialled          TEXT NOT NULL,
  dial_string      TEXT NOT NULL,
  state            TEXT NOT NULL CHECK (state IN ('originating', 'ringing', 'answered', 'bridged',
                     'ended', 'dispositioned')),
  outcome          TEXT NOT NULL CHECK (outcome IN ('none', 'completed', 'busy', 'no_answer',
                     'failed', 'invalid_number', 'dropped', 'machine', 'cancelled', 'lost',
                     'refused')),
  created_at_ns    BIGINT NOT NULL,
  ringing_at_ns    BIGINT NOT NULL,
  answered_at_ns   BIGINT NOT NULL,
  bridged_at_ns    BIGINT NOT NULL,
  ended_at_ns      BIGINT NOT NULL,
  dispositioned_at_ns BIGINT NOT NULL,
  hangup_cause     INTEGER NOT NULL,
  hangup_reason    TEXT NOT NULL,
  hung_up_by       TEXT NOT NULL CHECK (hung_up_by IN ('none', 'customer', 'agent', 'dialer')),
  disposition      TEXT NOT NULL,
  notes            TEXT NOT NULL,
  auto_disposition INTEGER NOT NULL CHECK (auto_disposition IN (0, 1))
);
CREATE INDEX call_log_number ON call_log (number, created_at_ns);
CREATE INDEX call_log_campaign ON call_log (campaign_id);
)sql",
    // 2: the campaign settings and the agent field the first schema left out,
    // so that a restart (or another dialer server) sees the same campaign:
    // calling hours and attempt caps, recycling, lead order, pacing; an
    // agent's persistent leg. Existing rows get the defaults of Campaign
    // and Agent.
    R"sql(
ALTER TABLE campaigns ADD COLUMN calling_hours_start_min BIGINT NOT NULL DEFAULT 480
  CHECK (calling_hours_start_min BETWEEN 0 AND 1440);
ALTER TABLE campaigns ADD COLUMN calling_hours_end_min BIGINT NOT NULL DEFAULT 1260
  CHECK (calling_hours_end_min BETWEEN 0 AND 1440);
ALTER TABLE campaigns ADD COLUMN max_attempts_per_lead BIGINT NOT NULL DEFAULT 0
  CHECK (max_attempts_per_lead >= 0);
ALTER TABLE campaigns ADD COLUMN max_calls_per_number_per_day BIGINT NOT NULL DEFAULT 3
  CHECK (max_calls_per_number_per_day >= 0);
ALTER TABLE campaigns ADD COLUMN recycle TEXT NOT NULL DEFAULT '';
ALTER TABLE campaigns ADD COLUMN lead_order TEXT NOT NULL DEFAULT 'oldest_first'
  CHECK (lead_order IN ('oldest_first', 'fewest_attempts_first', 'priority_first'));
ALTER TABLE campaigns ADD COLUMN pacing_policy TEXT NOT NULL DEFAULT 'predictive';
ALTER TABLE campaigns ADD COLUMN pacing_abandon_cap DOUBLE PRECISION NOT NULL DEFAULT 0.03
  CHECK (pacing_abandon_cap >= 0 AND pacing_abandon_cap <= 1);
ALTER TABLE campaigns ADD COLUMN pacing_max_wait_ms BIGINT NOT NULL DEFAULT 2000
  CHECK (pacing_max_wait_ms >= 0);
ALTER TABLE campaigns ADD COLUMN pacing_safe_harbour_media TEXT NOT NULL DEFAULT '';
ALTER TABLE campaigns ADD COLUMN pacing_day_offset_min BIGINT NOT NULL DEFAULT 0;
ALTER TABLE agents ADD COLUMN persistent_leg BIGINT NOT NULL DEFAULT 0
  CHECK (persistent_leg IN (0, 1));
)sql",
    // 3: a campaign's live answers by time, for CallLogStore::abandonment_by_day,
    // which engines sharing a store read every few seconds: without it each
    // read walked every call-log row of the campaign, unanswered ones included.
    R"sql(
CREATE INDEX call_log_answers ON call_log (campaign_id, answered_at_ns) INCLUDE (outcome, agent_id)
  WHERE answered_at_ns > 0;
)sql",
};

}  // namespace dialer::postgres::schema
