#include "vulndb/sqlite_handle.hpp"

#include <sqlite3.h>

namespace regscan::vulndb {

Connection::Connection(const std::filesystem::path& path, bool read_only) : path_(path) {
    int flags = read_only ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
    flags |= SQLITE_OPEN_NOMUTEX;  // one thread at a time per connection
    if (sqlite3_open_v2(path.c_str(), &db_, flags, nullptr) != SQLITE_OK) {
        std::string message = db_ ? sqlite3_errmsg(db_) : "out of memory";
        sqlite3_close(db_);
        db_ = nullptr;
        throw DbError(path.string() + ": cannot open the vulnerability database: " + message);
    }
    // Several processes (scans, an import) may share the file.
    sqlite3_busy_timeout(db_, 60000);
}

Connection::~Connection() { sqlite3_close(db_); }

void Connection::exec(const char* sql) {
    char* error = nullptr;
    if (sqlite3_exec(db_, sql, nullptr, nullptr, &error) != SQLITE_OK) {
        std::string message = error ? error : sqlite3_errmsg(db_);
        sqlite3_free(error);
        throw DbError(path_.string() + ": " + message + " (in: " + std::string(sql).substr(0, 60) + ")");
    }
}

void Connection::fail(const std::string& what) const {
    throw DbError(path_.string() + ": " + what + ": " + sqlite3_errmsg(db_));
}

Statement::Statement(Connection& connection, const char* sql) : connection_(connection) {
    if (sqlite3_prepare_v3(connection.handle(), sql, -1, SQLITE_PREPARE_PERSISTENT, &statement_, nullptr) != SQLITE_OK)
        connection.fail(std::string("cannot prepare \"") + sql + "\"");
}

Statement::~Statement() { sqlite3_finalize(statement_); }

Statement& Statement::bind(int index, std::string_view text) {
    if (sqlite3_bind_text(statement_, index, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT) != SQLITE_OK)
        connection_.fail("bind");
    return *this;
}

Statement& Statement::bind(int index, long long value) {
    if (sqlite3_bind_int64(statement_, index, value) != SQLITE_OK) connection_.fail("bind");
    return *this;
}

Statement& Statement::bind(int index, double value) {
    if (sqlite3_bind_double(statement_, index, value) != SQLITE_OK) connection_.fail("bind");
    return *this;
}

bool Statement::step() {
    int rc = sqlite3_step(statement_);
    if (rc == SQLITE_ROW) return true;
    sqlite3_reset(statement_);
    if (rc != SQLITE_DONE) connection_.fail("query");
    sqlite3_clear_bindings(statement_);
    return false;
}

void Statement::reset() {
    sqlite3_reset(statement_);
    sqlite3_clear_bindings(statement_);
}

void Statement::run() {
    while (step()) {
    }
}

std::string Statement::text(int column) const {
    const auto* data = sqlite3_column_text(statement_, column);
    if (!data) return {};
    return std::string(reinterpret_cast<const char*>(data), static_cast<size_t>(sqlite3_column_bytes(statement_, column)));
}

long long Statement::integer(int column) const { return sqlite3_column_int64(statement_, column); }

double Statement::real(int column) const { return sqlite3_column_double(statement_, column); }

bool Statement::is_null(int column) const { return sqlite3_column_type(statement_, column) == SQLITE_NULL; }

}  // namespace regscan::vulndb
