// The state's location as the CLI takes it (--state): a postgresql:// or
// postgres:// URL is a PostgreSQL server, anything else a SQLite file.
#pragma once

#include <memory>
#include <string>

#include "state/database.hpp"
#include "state/postgres_db.hpp"

namespace regscan::state {

bool is_postgres_url(const std::string& location);

// The PostgreSQL options of the states this process opens when the caller
// gives none (--state-reconnect-timeout): set once, at start-up, before the
// first state is opened and before any other thread reads them.
void set_default_postgres_options(const PostgresOptions& options);
const PostgresOptions& default_postgres_options();

// Opens (and for SQLite creates) the database at `location`. Throws
// std::runtime_error naming it, with any password masked.
std::shared_ptr<Database> open_database(const std::string& location,
                                        const PostgresOptions& options = default_postgres_options());

// `location` as messages may show it: a URL's password replaced by ***.
std::string printable_location(const std::string& location);

}  // namespace regscan::state
