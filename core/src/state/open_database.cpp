#include "state/open_database.hpp"

#include <algorithm>
#include <cctype>
#include <regex>
#include <stdexcept>

#include "log/secrets.hpp"

#include "state/sqlite_db.hpp"
#include "util/text.hpp"

namespace regscan::state {

bool is_postgres_url(const std::string& location) {
    std::string head = util::ascii_lower(location.substr(0, 13));
    return head.rfind("postgresql://", 0) == 0 || head.rfind("postgres://", 0) == 0;
}

namespace {
PostgresOptions process_postgres_options;
}  // namespace

void set_default_postgres_options(const PostgresOptions& options) { process_postgres_options = options; }

const PostgresOptions& default_postgres_options() { return process_postgres_options; }

std::shared_ptr<Database> open_database(const std::string& location, const PostgresOptions& options) {
    if (is_postgres_url(location)) return std::make_shared<PostgresDb>(location, options);
    // What was meant for a server must not silently become a new SQLite file
    // of that name: another scheme (a typo, another database) or libpq's
    // "host=... dbname=..." form.
    static const std::regex other_url(R"(^[A-Za-z][A-Za-z0-9+.-]*://)");
    static const std::regex key_value(
        R"((^|\s)(host|hostaddr|port|dbname|user|password|sslmode|service|connect_timeout)\s*=)");
    if (std::regex_search(location, other_url) || std::regex_search(location, key_value))
        throw std::runtime_error(log::redact(log::mask_credential_fields(mask_database_url(location))) +
                                 ": not a state location: give a SQLite file path or a PostgreSQL URL "
                                 "(postgresql://user@host:port/database)");
    return std::make_shared<SqliteDb>(location);
}

std::string printable_location(const std::string& location) {
    return is_postgres_url(location) ? mask_database_url(location) : location;
}

}  // namespace regscan::state
