// The two state backends a conformance test runs its body against
// (TEST_CASE_TEMPLATE(..., B, Sqlite, Postgres)): each gives the test a
// location of its own, empty.
#pragma once

#include <string>

#include "state/database.hpp"
#include "temp_dir.hpp"
#include "test_state_postgres_server.hpp"

namespace regscan::test {

struct Sqlite {
    static constexpr state::Dialect dialect = state::Dialect::sqlite;
    TempDir dir;
    std::string location() { return (dir.path / "state.db").string(); }
};

struct Postgres {
    static constexpr state::Dialect dialect = state::Dialect::postgresql;
    std::string url = PostgresServer::shared().fresh_database();
    std::string location() const { return url; }
};

}  // namespace regscan::test
