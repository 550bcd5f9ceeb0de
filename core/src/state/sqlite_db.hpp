// A thin owner of one SQLite connection: WAL, a busy timeout, prepared
// statements with bound parameters. Several regscan processes may share a
// file; SQLite's locking does the rest.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "state/database.hpp"

struct sqlite3;
struct sqlite3_stmt;

namespace regscan::state {

class SqliteDb final : public Database {
public:
    // How long a statement waits for another process's write to end: long
    // enough for another run's commit, short enough to notice a stuck one.
    static constexpr std::chrono::milliseconds default_busy_timeout{30000};

    // Creates the file and its directory when missing. Throws
    // std::runtime_error naming the file on failure (a lock held by another
    // connection for longer than `busy_timeout` says so).
    explicit SqliteDb(const std::filesystem::path& path, bool read_only = false,
                      std::chrono::milliseconds busy_timeout = default_busy_timeout);
    ~SqliteDb() override;
    SqliteDb(const SqliteDb&) = delete;
    SqliteDb& operator=(const SqliteDb&) = delete;

    void exec(const std::string& sql) override;
    std::vector<Row> query(const std::string& sql, const std::vector<Value>& params = {}) override;
    // BEGIN IMMEDIATE ... COMMIT (ROLLBACK on exception); a nested call joins.
    void transaction(const std::function<void()>& body) override;
    [[nodiscard]] Dialect dialect() const override { return Dialect::sqlite; }
    [[nodiscard]] std::string describe() const override { return path_.string(); }

    [[nodiscard]] const std::filesystem::path& path() const { return path_; }

    // Past this, closing a writer truncates the WAL (when nobody else is in
    // it): the next open reads the whole WAL to rebuild its index, so a WAL
    // left at the autocheckpoint's 4 MiB cost every later run that read.
    static constexpr std::uintmax_t wal_truncate_size = 1 << 20;

private:
    // The message for the connection's last error, naming the file.
    [[nodiscard]] std::string error_text(const char* message) const;

    std::filesystem::path path_;
    std::chrono::milliseconds busy_timeout_;
    bool read_only_ = false;
    sqlite3* db_ = nullptr;
    std::recursive_mutex mutex_;
    int transaction_depth_ = 0;  // guarded by mutex_
    // query()'s statements by SQL text, prepared once per connection: a
    // rescan runs the same few statements for every image, and parsing
    // them cost more than running them. Reset after each use, so none holds
    // a read transaction open. Guarded by mutex_.
    std::unordered_map<std::string, sqlite3_stmt*> statements_;
};

}  // namespace regscan::state
