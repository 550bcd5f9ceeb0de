// Thin RAII over the SQLite C API for the vulnerability database: a
// connection and prepared statements that reset themselves, errors as
// exceptions naming the database file.
#pragma once

#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>

struct sqlite3;
struct sqlite3_stmt;

namespace regscan::vulndb {

class DbError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

class Connection {
public:
    // read_only: opens an existing file without creating it.
    Connection(const std::filesystem::path& path, bool read_only);
    ~Connection();
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;

    void exec(const char* sql);
    [[nodiscard]] sqlite3* handle() const { return db_; }
    [[nodiscard]] const std::filesystem::path& path() const { return path_; }
    // "<path>: <what>: <sqlite message>"
    [[noreturn]] void fail(const std::string& what) const;

private:
    sqlite3* db_ = nullptr;
    std::filesystem::path path_;
};

class Statement {
public:
    Statement(Connection& connection, const char* sql);
    ~Statement();
    Statement(const Statement&) = delete;
    Statement& operator=(const Statement&) = delete;

    Statement& bind(int index, std::string_view text);
    Statement& bind(int index, long long value);
    Statement& bind(int index, double value);
    // True while a row is available; false when done (and the statement is
    // reset so it can be bound and run again).
    bool step();
    // Runs to completion, for statements that return no rows.
    void run();
    // Ends a query read only partly, so it holds no read transaction open.
    void reset();
    [[nodiscard]] std::string text(int column) const;
    [[nodiscard]] long long integer(int column) const;
    [[nodiscard]] double real(int column) const;
    [[nodiscard]] bool is_null(int column) const;

private:
    Connection& connection_;
    sqlite3_stmt* statement_ = nullptr;
};

}  // namespace regscan::vulndb
