// A thin owner of one SQLite connection: WAL, a busy timeout, prepared
// statements with bound parameters. Several regscan processes may share a
// file; SQLite's locking does the rest.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <variant>
#include <vector>

struct sqlite3;

namespace regscan::state {

using Value = std::variant<std::nullptr_t, int64_t, double, std::string>;
using Row = std::vector<Value>;

class SqliteDb {
public:
    // Creates the file and its directory when missing. Throws
    // std::runtime_error naming the file on failure.
    explicit SqliteDb(const std::filesystem::path& path, bool read_only = false);
    ~SqliteDb();
    SqliteDb(const SqliteDb&) = delete;
    SqliteDb& operator=(const SqliteDb&) = delete;

    void exec(const std::string& sql);
    // Runs one statement with `params`; returns every row.
    std::vector<Row> query(const std::string& sql, const std::vector<Value>& params = {});
    // Runs `body` inside BEGIN IMMEDIATE ... COMMIT (ROLLBACK on exception).
    void transaction(const std::function<void()>& body);

    [[nodiscard]] const std::filesystem::path& path() const { return path_; }

private:
    std::filesystem::path path_;
    sqlite3* db_ = nullptr;
    std::recursive_mutex mutex_;
};

std::string as_text(const Value& value);
int64_t as_int(const Value& value);

}  // namespace regscan::state
