#include <sqlite3.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <string>

#include "catalog/rpmdb.hpp"

namespace regscan::catalog::rpm {

namespace {

struct CloseDb {
    void operator()(sqlite3* db) const { sqlite3_close(db); }
};
struct FinalizeStatement {
    void operator()(sqlite3_stmt* statement) const { sqlite3_finalize(statement); }
};

// Bytes 18 and 19 of the SQLite header are the write and read format
// versions: 2 means WAL. An in-memory image cannot be opened in WAL mode,
// so such a database is copied with both set to 1 (legacy journal), which
// changes nothing else in how its pages read.
bool is_wal(std::string_view database) {
    return database.size() > 19 && (database[18] == 2 || database[19] == 2);
}

// The database is the image's: its schema may make "Packages" a view with a
// recursive CTE, or give it a generated column of zeroblob(1e9), so that one
// small file runs or allocates without end. Reading a real table takes a few
// VM instructions per row and no value is larger than the file: anything
// beyond these bounds is not an rpm database.
constexpr int progress_interval = 1000;  // VM instructions between checks
uint64_t instruction_budget(std::string_view database) { return 100000 + 16 * uint64_t{database.size()}; }

}  // namespace

void for_each_sqlite_blob(std::string_view database, const BlobSink& sink) {
    if (database.size() < 100 || std::memcmp(database.data(), "SQLite format 3", 16) != 0) {
        throw std::runtime_error("not an SQLite database");
    }
    sqlite3* raw = nullptr;
    if (sqlite3_open_v2(":memory:", &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nullptr) != SQLITE_OK) {
        sqlite3_close(raw);
        throw std::runtime_error("sqlite3_open_v2(:memory:) failed");
    }
    std::unique_ptr<sqlite3, CloseDb> db(raw);

    unsigned char* image = nullptr;
    unsigned flags = SQLITE_DESERIALIZE_READONLY;
    if (is_wal(database)) {
        image = static_cast<unsigned char*>(sqlite3_malloc64(database.size()));
        if (!image) throw std::bad_alloc();
        std::memcpy(image, database.data(), database.size());
        image[18] = image[19] = 1;
        flags |= SQLITE_DESERIALIZE_FREEONCLOSE;
    } else {
        // Read-only: SQLite never writes through this pointer.
        image = reinterpret_cast<unsigned char*>(const_cast<char*>(database.data()));
    }
    // The bounds above; a non-zero return interrupts the statement.
    sqlite3_limit(db.get(), SQLITE_LIMIT_LENGTH, static_cast<int>(std::min<size_t>(database.size(), INT32_MAX)));
    uint64_t checks_left = instruction_budget(database) / progress_interval;
    sqlite3_progress_handler(
        db.get(), progress_interval,
        [](void* left) {
            auto& n = *static_cast<uint64_t*>(left);
            return n == 0 || --n == 0 ? 1 : 0;
        },
        &checks_left);
    auto size = static_cast<sqlite3_int64>(database.size());
    if (sqlite3_deserialize(db.get(), "main", image, size, size, flags) != SQLITE_OK) {
        throw std::runtime_error(std::string("sqlite3_deserialize: ") + sqlite3_errmsg(db.get()));
    }

    sqlite3_stmt* raw_statement = nullptr;
    if (sqlite3_prepare_v2(db.get(), "SELECT blob FROM Packages ORDER BY hnum", -1, &raw_statement, nullptr) !=
        SQLITE_OK) {
        throw std::runtime_error(std::string("no rpm Packages table: ") + sqlite3_errmsg(db.get()));
    }
    std::unique_ptr<sqlite3_stmt, FinalizeStatement> statement(raw_statement);
    BlobBudget budget(database);
    int step = SQLITE_ROW;
    while ((step = sqlite3_step(statement.get())) == SQLITE_ROW) {
        const void* blob = sqlite3_column_blob(statement.get(), 0);
        int length = sqlite3_column_bytes(statement.get(), 0);
        budget.spend(static_cast<uint64_t>(length));
        sink(std::string_view(static_cast<const char*>(blob), static_cast<size_t>(length)));
    }
    if (checks_left == 0)
        throw std::runtime_error("reading Packages took more than " + std::to_string(instruction_budget(database)) +
                                 " SQLite instructions: not a table of rpm headers");
    if (step != SQLITE_DONE) throw std::runtime_error(std::string("reading Packages: ") + sqlite3_errmsg(db.get()));
}

}  // namespace regscan::catalog::rpm
