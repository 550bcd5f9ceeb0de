#include "state/open_database.hpp"

#include <algorithm>
#include <cctype>

#include "state/sqlite_db.hpp"

namespace regscan::state {

bool is_postgres_url(const std::string& location) {
    std::string head = location.substr(0, 13);
    std::transform(head.begin(), head.end(), head.begin(), [](unsigned char c) { return std::tolower(c); });
    return head.rfind("postgresql://", 0) == 0 || head.rfind("postgres://", 0) == 0;
}

std::shared_ptr<Database> open_database(const std::string& location, const PostgresOptions& options) {
    if (is_postgres_url(location)) return std::make_shared<PostgresDb>(location, options);
    return std::make_shared<SqliteDb>(location);
}

std::string printable_location(const std::string& location) {
    return is_postgres_url(location) ? mask_database_url(location) : location;
}

}  // namespace regscan::state
