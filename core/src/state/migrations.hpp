// Versioned schema migrations, run once per database whatever the number of
// processes starting at the same moment. Each component (the CLI's state, the
// server's tables, the work queue) has its own ordered list of steps; the
// table schema_migrations records (component, version) for each step run.
// Never edit a step that has shipped: append another.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "state/database.hpp"

namespace regscan::state {

struct MigrationStep {
    std::string sql;         // as SQLite runs it; PostgreSQL gets Database::ddl(sql)...
    std::string postgresql;  // ...unless the dialects differ more than that: then this
};

// Brings `component` up to version steps.size(): runs, in order, every step
// not yet recorded, all in one transaction under a lock every connection
// honours (PostgreSQL: pg_advisory_xact_lock; SQLite: BEGIN IMMEDIATE), so
// concurrent starts migrate once and the others see the result.
// `adopt` runs when the component has no recorded version yet: it returns the
// version a database made before schema_migrations existed is at (0 for
// none), which is recorded without running those steps.
// Throws std::runtime_error when the database is at a newer version than
// this regscan knows.
void run_migrations(Database& db, const std::string& component, const std::vector<MigrationStep>& steps,
             const std::function<int64_t(Database&)>& adopt = {});

// The component's recorded version (0 when none), outside any lock.
int64_t schema_version(Database& db, const std::string& component);

}  // namespace regscan::state
