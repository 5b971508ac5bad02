// The storage conformance suite on testing::MemoryStore.
#include "dialer/testing/memory_store.hpp"

#include "store_suite.hpp"

namespace {

// Forwards to a shared store: the memory store's "other connection".
class SharedLeads final : public dialer::LeadStore {
 public:
  explicit SharedLeads(dialer::LeadStore& store) : store_(store) {}
  dialer::Result<dialer::Lead> find_lead(dialer::LeadId id) override { return store_.find_lead(id); }
  dialer::Result<dialer::Lead> find_lead_by_phone(std::string_view last_ten,
                                                  dialer::CampaignId campaign) override {
    return store_.find_lead_by_phone(last_ten, campaign);
  }
  dialer::Result<std::vector<dialer::Lead>> search_leads(const dialer::LeadSearch& search) override {
    return store_.search_leads(search);
  }
  dialer::Result<std::vector<dialer::LeadId>> add_leads(std::span<const dialer::Lead> leads,
                                                        dialer::WallTime now) override {
    return store_.add_leads(leads, now);
  }
  dialer::Result<std::vector<dialer::ClaimedLead>> claim_leads(
      const dialer::ClaimRequest& request) override {
    return store_.claim_leads(request);
  }
  dialer::Result<std::size_t> renew_leases(std::string_view owner,
                                           std::span<const dialer::LeadId> leads,
                                           dialer::WallTime until) override {
    return store_.renew_leases(owner, leads, until);
  }
  dialer::Result<void> release_leads(std::string_view owner,
                                     std::span<const dialer::LeadId> leads) override {
    return store_.release_leads(owner, leads);
  }
  dialer::Result<void> update_queue(const dialer::QueueUpdate& update) override {
    return store_.update_queue(update);
  }
  dialer::Result<dialer::QueueEntry> queue_entry(dialer::LeadId lead) override {
    return store_.queue_entry(lead);
  }

 private:
  dialer::LeadStore& store_;
};

struct MemoryFixture {
  static constexpr const char* kName = "memory";
  dialer::testing::MemoryStore store;
  dialer::LeadStore& leads() { return store; }
  dialer::DoNotCallStore& do_not_call() { return store; }
  dialer::CallLogStore& call_log() { return store; }
  void flush() {}
  std::shared_ptr<dialer::LeadStore> another_connection() {
    return std::make_shared<SharedLeads>(store);
  }
};

}  // namespace

TEST_CASE_TEMPLATE_INVOKE(store_conformance, MemoryFixture);
