// Putting an SQLite file into WAL mode when several processes may open it at
// once: the switch takes an exclusive lock and SQLite reports SQLITE_BUSY at
// once instead of calling the busy handler, so it is retried here.
#pragma once

#include <chrono>
#include <filesystem>

struct sqlite3;

namespace regscan::util {

// Retries while the file is busy, up to `patience`; throws
// std::runtime_error naming `path` on any other failure or when time is up.
void enter_wal_mode(sqlite3* db, const std::filesystem::path& path, std::chrono::milliseconds patience);

}  // namespace regscan::util
