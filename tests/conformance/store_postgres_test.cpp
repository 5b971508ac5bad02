// The storage conformance suite on the PostgreSQL store, one database per case.
#include "dialer/postgres/postgres_store.hpp"

#include "../postgres/pg_server.hpp"
#include "config_suite.hpp"
#include "store_suite.hpp"

TEST_CASE_TEMPLATE_INVOKE(store_conformance, dialer::test::PostgresFixture);
TEST_CASE_TEMPLATE_INVOKE(config_conformance, dialer::test::PostgresFixture);
