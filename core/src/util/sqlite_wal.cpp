#include "util/sqlite_wal.hpp"

#include <stdexcept>
#include <string>

#include <sqlite3.h>

namespace regscan::util {

void enter_wal_mode(sqlite3* db, const std::filesystem::path& path, std::chrono::milliseconds patience) {
    auto deadline = std::chrono::steady_clock::now() + patience;
    while (true) {
        char* error = nullptr;
        int status = sqlite3_exec(db, "PRAGMA journal_mode=WAL", nullptr, nullptr, &error);
        std::string message = error ? error : "unknown error";
        sqlite3_free(error);
        if (status == SQLITE_OK) return;
        if ((status & 0xff) != SQLITE_BUSY || std::chrono::steady_clock::now() >= deadline)
            throw std::runtime_error(path.string() + ": " + message);
        sqlite3_sleep(10);
    }
}

}  // namespace regscan::util
