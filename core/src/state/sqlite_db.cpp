#include "state/sqlite_db.hpp"

#include <stdexcept>

#include <sqlite3.h>

#include "util/sqlite_wal.hpp"

namespace regscan::state {
namespace {

// Far more than the distinct statements a run uses.
constexpr size_t max_cached_statements = 256;

}  // namespace

SqliteDb::SqliteDb(const std::filesystem::path& path, bool read_only, std::chrono::milliseconds busy_timeout)
    : path_(path), busy_timeout_(busy_timeout), read_only_(read_only) {
    if (!read_only && path.has_parent_path()) std::filesystem::create_directories(path.parent_path());
    int flags = (read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) |
                SQLITE_OPEN_FULLMUTEX;
    if (sqlite3_open_v2(path.c_str(), &db_, flags, nullptr) != SQLITE_OK) {
        std::string error = db_ ? sqlite3_errmsg(db_) : "out of memory";
        sqlite3_close(db_);
        db_ = nullptr;
        throw std::runtime_error("cannot open " + path.string() + ": " + error);
    }
    sqlite3_busy_timeout(db_, static_cast<int>(busy_timeout.count()));
    if (!read_only) {
        util::enter_wal_mode(db_, path_, busy_timeout);
        exec("PRAGMA synchronous=NORMAL");
        // No checkpoint when the connection closes: it costs two fdatasyncs
        // and rewrites the pages a run just wrote, at the end of every run.
        // Durability is that of synchronous=NORMAL either way; the next
        // writer's automatic checkpoint (wal_autocheckpoint) bounds the WAL,
        // and the destructor truncates a large one.
        sqlite3_db_config(db_, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, nullptr);
    }
    // Pages read through a mapping instead of one pread each: a rescan reads
    // back every stored rendering (hundreds of KiB per image, in 4 KiB
    // overflow pages).
    exec("PRAGMA mmap_size=268435456");
    exec("PRAGMA foreign_keys=ON");
}

SqliteDb::~SqliteDb() {
    for (auto& [sql, statement] : statements_) sqlite3_finalize(statement);
    std::error_code error;
    auto wal_size = std::filesystem::file_size(path_.string() + "-wal", error);
    if (!read_only_ && !error && wal_size > wal_truncate_size) {
        // Never wait for another process here: it truncates when it can.
        sqlite3_busy_timeout(db_, 0);
        sqlite3_wal_checkpoint_v2(db_, nullptr, SQLITE_CHECKPOINT_TRUNCATE, nullptr, nullptr);
    }
    sqlite3_close(db_);
}

std::string SqliteDb::error_text(const char* message) const {
    // Only the waits that ran out: a snapshot or a recovery is busy at once.
    if (const int code = sqlite3_extended_errcode(db_); code == SQLITE_BUSY || code == SQLITE_BUSY_TIMEOUT)
        return path_.string() + ": locked by another connection for more than " +
               (busy_timeout_.count() % 1000 == 0 ? std::to_string(busy_timeout_.count() / 1000) + " s"
                                                  : std::to_string(busy_timeout_.count()) + " ms") +
               " (another regscan run writing it, or a program holding a transaction open): " + message;
    return path_.string() + ": " + message;
}

void SqliteDb::exec(const std::string& sql) {
    std::lock_guard lock(mutex_);
    char* error = nullptr;
    if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &error) != SQLITE_OK) {
        std::string message = error_text(error ? error : "unknown error");
        sqlite3_free(error);
        throw std::runtime_error(message);
    }
}

std::vector<Row> SqliteDb::query(const std::string& sql, const std::vector<Value>& params) {
    std::lock_guard lock(mutex_);
    sqlite3_stmt* statement = nullptr;
    if (auto found = statements_.find(sql); found != statements_.end()) {
        statement = found->second;
    } else {
        if (sqlite3_prepare_v3(db_, sql.c_str(), -1, SQLITE_PREPARE_PERSISTENT, &statement, nullptr) != SQLITE_OK)
            throw std::runtime_error(error_text(sqlite3_errmsg(db_)));
        if (statements_.size() >= max_cached_statements) {  // SQL built from data: keep the cache bounded
            for (auto& [text, cached] : statements_) sqlite3_finalize(cached);
            statements_.clear();
        }
        statements_.emplace(sql, statement);
    }
    // Whatever happens below, the statement is reset (its read transaction
    // ends) and its parameters unbound, ready for the next call.
    struct Reset {
        sqlite3_stmt* statement;
        ~Reset() {
            sqlite3_reset(statement);
            sqlite3_clear_bindings(statement);
        }
    } reset{statement};
    for (size_t i = 0; i < params.size(); ++i) {
        int index = static_cast<int>(i + 1);
        std::visit(
            [&](const auto& v) {
                using T = std::decay_t<decltype(v)>;
                if constexpr (std::is_same_v<T, std::nullptr_t>) sqlite3_bind_null(statement, index);
                else if constexpr (std::is_same_v<T, int64_t>) sqlite3_bind_int64(statement, index, v);
                else if constexpr (std::is_same_v<T, double>) sqlite3_bind_double(statement, index, v);
                else sqlite3_bind_text(statement, index, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
            },
            params[i]);
    }
    std::vector<Row> rows;
    while (true) {
        int status = sqlite3_step(statement);
        if (status == SQLITE_DONE) break;
        if (status != SQLITE_ROW) throw std::runtime_error(error_text(sqlite3_errmsg(db_)));
        Row row;
        for (int c = 0; c < sqlite3_column_count(statement); ++c) {
            switch (sqlite3_column_type(statement, c)) {
                case SQLITE_INTEGER: row.emplace_back(static_cast<int64_t>(sqlite3_column_int64(statement, c))); break;
                case SQLITE_FLOAT: row.emplace_back(sqlite3_column_double(statement, c)); break;
                case SQLITE_NULL: row.emplace_back(nullptr); break;
                default: {
                    const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(statement, c));
                    row.emplace_back(std::string(text ? text : "", static_cast<size_t>(sqlite3_column_bytes(statement, c))));
                }
            }
        }
        rows.push_back(std::move(row));
    }
    return rows;
}

void SqliteDb::transaction(const std::function<void()>& body) {
    std::lock_guard lock(mutex_);
    if (transaction_depth_ > 0) {  // joins the outer transaction, which commits or rolls back
        body();
        return;
    }
    exec("BEGIN IMMEDIATE");
    transaction_depth_ = 1;
    try {
        body();
        transaction_depth_ = 0;
        exec("COMMIT");
    } catch (...) {
        transaction_depth_ = 0;
        try {
            exec("ROLLBACK");
        } catch (...) {
        }
        throw;
    }
}

}  // namespace regscan::state
