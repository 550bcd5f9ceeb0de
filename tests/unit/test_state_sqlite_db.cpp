#include <doctest/doctest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <vector>

#include "state/sqlite_db.hpp"
#include "state/state_store.hpp"
#include "temp_dir.hpp"

namespace fs = std::filesystem;
using regscan::state::ImageKey;
using regscan::state::SqliteDb;
using regscan::state::StateStore;
using regscan::test::TempDir;

TEST_SUITE_BEGIN("state");

namespace {

// Each child opens the same fresh file and writes one row; the exit status
// says whether it managed. The children wait on a pipe that the parent closes
// once all are forked, so they race for the new file together.
int open_in_children(const fs::path& file, int children) {
    int gate[2];
    REQUIRE(pipe(gate) == 0);
    std::vector<pid_t> pids;
    for (int i = 0; i < children; ++i) {
        pid_t pid = fork();
        if (pid == 0) {
            close(gate[1]);
            char byte;
            while (read(gate[0], &byte, 1) > 0) {
            }
            try {
                StateStore store(file);
                store.record_seen({"p", "r", "repo", "t" + std::to_string(i)}, "sha256:x", "now");
                _exit(0);
            } catch (...) {
                _exit(1);
            }
        }
        pids.push_back(pid);
    }
    close(gate[0]);
    close(gate[1]);
    int failures = 0;
    for (pid_t pid : pids) {
        int status = 0;
        waitpid(pid, &status, 0);
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) ++failures;
    }
    return failures;
}

}  // namespace

TEST_CASE("processes creating one state file together all open it") {
    TempDir dir;
    // The race (one process switching a new file to WAL while another opens
    // it) is hit in a few rounds of four; forty rounds make a regression show.
    for (int round = 0; round < 40; ++round) {
        fs::path file = dir.path / ("state" + std::to_string(round) + ".db");
        CHECK(open_in_children(file, 4) == 0);
        StateStore store(file);
        for (int i = 0; i < 4; ++i)
            CHECK(store.seen({"p", "r", "repo", "t" + std::to_string(i)}, "sha256:x"));
    }
}

TEST_CASE("a state file is in WAL mode and keeps what was written") {
    TempDir dir;
    fs::path file = dir.path / "nested" / "state.db";
    ImageKey key{"default", "127.0.0.1:5000", "library/app", "1.0"};
    {
        StateStore store(file);
        CHECK_FALSE(store.seen(key, "sha256:a"));
        store.record_seen(key, "sha256:a", "2026-11-23T00:00:00Z");
        int64_t scan = store.begin_scan("default", "127.0.0.1:5000", "scan", "2026-11-23T00:00:00Z");
        store.put_result(key, "sha256:a", "linux/amd64", "fp1", scan, "scanned", R"({"ok":true})", "sha256:a");
        store.put_tag_results(key, "sha256:a", "fp1", "[1]");
    }
    StateStore reopened(file);
    auto mode = reopened.db().query("PRAGMA journal_mode");
    REQUIRE(mode.size() == 1);
    CHECK(regscan::state::as_text(mode[0][0]) == "wal");
    CHECK(reopened.seen(key, "sha256:a"));
    CHECK_FALSE(reopened.seen(key, "sha256:b"));
    CHECK(reopened.result(key, "sha256:a", "linux/amd64", "fp1") == R"({"ok":true})");
    // Another vulnerability-data fingerprint means the stored result is stale.
    CHECK_FALSE(reopened.result(key, "sha256:a", "linux/amd64", "fp2").has_value());
    CHECK(reopened.tag_results_digest(key, "fp1") == "sha256:a");
    CHECK(reopened.tag_results(key, "sha256:a", "fp1") == "[1]");
    CHECK_FALSE(reopened.tag_results(key, "sha256:b", "fp1").has_value());
}

TEST_CASE("a state file another process keeps locked past the busy timeout says so") {
    TempDir dir;
    fs::path file = dir.path / "state.db";
    SqliteDb holder(file);
    holder.exec("CREATE TABLE t (x INTEGER)");
    holder.exec("BEGIN IMMEDIATE");  // as another run's writer would, forever
    SqliteDb waiting(file, false, std::chrono::milliseconds(50));
    const std::string locked = file.string() + ": locked by another connection for more than 50 ms (another "
                                               "regscan run writing it, or a program holding a transaction open)";
    CHECK_THROWS_WITH_AS(waiting.query("INSERT INTO t VALUES (1)"), doctest::Contains(locked.c_str()),
                         std::runtime_error);
    CHECK_THROWS_WITH_AS(waiting.exec("INSERT INTO t VALUES (1)"), doctest::Contains("locked by another connection"),
                         std::runtime_error);
    holder.exec("COMMIT");
    waiting.query("INSERT INTO t VALUES (1)");
    CHECK(waiting.query("SELECT count(*) FROM t").size() == 1);
}

TEST_CASE("closing a writer truncates a WAL past wal_truncate_size, and only then") {
    TempDir dir;
    fs::path file = dir.path / "state.db";
    fs::path wal = file.string() + "-wal";
    const std::string big(SqliteDb::wal_truncate_size / 4, 'x');
    {
        SqliteDb db(file);
        db.exec("CREATE TABLE t(v TEXT)");
        db.query("INSERT INTO t VALUES(?)", {std::string("small")});
    }
    // A small WAL stays: truncating it at every close costs more than reading it back.
    REQUIRE(fs::exists(wal));
    CHECK(fs::file_size(wal) > 0);
    CHECK(fs::file_size(wal) < SqliteDb::wal_truncate_size);
    {
        SqliteDb db(file);
        for (int i = 0; i < 6; ++i) db.query("INSERT INTO t VALUES(?)", {big});
        CHECK(fs::file_size(wal) > SqliteDb::wal_truncate_size);
    }
    CHECK(fs::file_size(wal) == 0);
    SqliteDb reopened(file);
    auto rows = reopened.query("SELECT count(*), sum(length(v)) FROM t");
    REQUIRE(rows.size() == 1);
    CHECK(std::get<int64_t>(rows[0][0]) == 7);
    CHECK(std::get<int64_t>(rows[0][1]) == static_cast<int64_t>(6 * big.size() + 5));
}

TEST_CASE("a state file that cannot be created names the path") {
    TempDir dir;
    fs::path blocker = dir.path / "file";
    { std::ofstream(blocker) << "x"; }
    CHECK_THROWS_WITH_AS(SqliteDb(blocker / "state.db"), doctest::Contains("file"), std::exception);
}

TEST_SUITE_END();
