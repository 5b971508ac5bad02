// The storage conformance suite on the SQLite store, one temporary file per case.
#include "dialer/sqlite/sqlite_store.hpp"

#include "../sqlite/sqlite_fixture.hpp"
#include "config_suite.hpp"
#include "store_suite.hpp"

TEST_CASE_TEMPLATE_INVOKE(store_conformance, dialer::test::SqliteFixture);
TEST_CASE_TEMPLATE_INVOKE(config_conformance, dialer::test::SqliteFixture);
