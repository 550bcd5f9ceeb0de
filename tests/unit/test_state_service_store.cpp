#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <iterator>

#include <unistd.h>

#include "state/migrations.hpp"
#include "state/service_store.hpp"
#include "state/state_store.hpp"
#include "test_state_records.hpp"
#include "temp_dir.hpp"

using namespace regscan::state;
using regscan::test::connector;
using regscan::test::TempDir;

namespace {

// The same fill bench/serve_images.py may use: one INSERT ... SELECT.
void fill(Database& db, int64_t connector_id, int64_t count) {
    db.query(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?) "
        "INSERT INTO serve_images (connector_id, connector, project, registry, repository, tag, platform, digest, "
        "last_scanned, import_id, critical, high, medium, low, unknown, total, malware_verdict, malware_found, "
        "malware_incomplete, status, reason) "
        "SELECT ?, 'bulk', 'default', 'reg:5000', printf('team%03d/app%04d', i % 100, i / 100), printf('v%d', i), "
        "'linux/amd64', printf('sha256:%064d', i), printf('2026-01-01T%02d:%02d:%02dZ', i / 3600 % 24, i / 60 % 60, "
        "i % 60), 1, i % 7, i % 5, i % 3, i % 2, 0, i % 7 + i % 5 + i % 3 + i % 2, 'not scanned', 0, 0, "
        "CASE WHEN i % 50 = 0 THEN 'scan_failed' ELSE 'scanned' END, '' FROM n",
        {count, connector_id});
}

std::string plan(Database& db, const std::string& sql) {
    std::string out;
    for (const auto& r : db.query("EXPLAIN QUERY PLAN " + sql)) out += as_text(r.back()) + "\n";
    return out;
}

}  // namespace

TEST_SUITE_BEGIN("state");

TEST_CASE("state::ServiceStore adds its tables to the CLI's state file once, beside the CLI's") {
    TempDir dir;
    auto file = dir.path / "state.db";
    { StateStore cli(file); }
    int64_t id = 0;
    {
        ServiceStore store(file);
        id = store.create_connector(connector("prod"));
        CHECK(schema_version(store.db(), "serve") == ServiceStore::schema_version);
    }
    ServiceStore again(file);  // the migration does not run twice (it would fail: CREATE TABLE)
    REQUIRE(again.connector("prod"));
    CHECK(again.connector("prod")->id == id);
    CHECK(again.db().query("SELECT 1 FROM results LIMIT 1").empty());  // the CLI's tables are intact
    StateStore cli_again(file);
    CHECK_FALSE(cli_again.seen({"default", "r", "a", "b"}, "sha256:x"));
}

TEST_CASE("state::ServiceStore::update_connector_erasing_old leaves no byte of the former configuration") {
    // Whether `text` is anywhere in the state's files (the database and its WAL).
    auto on_disk = [](const std::filesystem::path& file, const std::string& text) {
        for (const auto& path : {file, std::filesystem::path(file.string() + "-wal")}) {
            std::ifstream in(path, std::ios::binary);
            std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
            if (bytes.find(text) != std::string::npos) return true;
        }
        return false;
    };
    TempDir dir;
    // A connector stored with `secret` in clear, then updated without it (erasing or not).
    auto drop_clear_secret = [&](const std::filesystem::path& file, const std::string& secret, bool erasing) {
        ServiceStore store(file);
        auto record = connector("prod");
        record.config["options"] = {{"quay-token", secret}};
        record.id = store.create_connector(record);
        record.config["options"] = nlohmann::json::object();
        erasing ? store.update_connector_erasing_old(record) : store.update_connector(record);
        CHECK(store.connector("prod")->config["options"] == nlohmann::json::object());
    };
    // The control: a plain update leaves the former value in the files, as an older server's clear text is.
    drop_clear_secret(dir.path / "plain.db", "tok-clear-0123456789", false);
    CHECK(on_disk(dir.path / "plain.db", "tok-clear-0123456789"));
    drop_clear_secret(dir.path / "erased.db", "tok-clear-9876543210", true);
    CHECK_FALSE(on_disk(dir.path / "erased.db", "tok-clear-9876543210"));
}

TEST_CASE("state::ServiceStore refuses a state file whose serve tables are newer") {
    TempDir dir;
    auto file = dir.path / "state.db";
    {
        ServiceStore store(file);
        store.db().exec("INSERT INTO schema_migrations VALUES ('serve', 99, 'later')");
    }
    CHECK_THROWS_WITH([&] { ServiceStore newer(file); }(), doctest::Contains("newer"));
}

TEST_CASE("state::ServiceStore pages, filters and sorts 100,000 images through its indexes") {
    TempDir dir;
    ServiceStore store(dir.path / "state.db");
    auto cid = store.create_connector(connector("bulk"));
    fill(store.db(), cid, 100000);

    ImageFilter all;
    all.limit = 50;
    auto page = store.images(all);
    CHECK(page.total == 100000);
    REQUIRE(page.rows.size() == 50);
    CHECK(page.rows[0].repository == "team000/app0001");
    CHECK(page.rows[0].repository <= page.rows[49].repository);

    all.offset = 99990;
    page = store.images(all);
    CHECK(page.rows.size() == 10);

    ImageFilter critical;
    critical.sort = "critical";
    critical.descending = true;
    critical.limit = 5;
    page = store.images(critical);
    REQUIRE(page.rows.size() == 5);
    CHECK(page.rows[0].vulnerabilities.critical == 6);

    ImageFilter failed;
    failed.status = "scan_failed";
    CHECK(store.images(failed).total == 2000);
    failed.severity = "critical";  // i % 50 == 0 and i % 7 != 0
    CHECK(store.images(failed).total == 2000 - 2000 / 7);

    ImageFilter search;
    search.search = "app0999";
    page = store.images(search);
    CHECK(page.total == 100);
    search.search = "%";  // a wildcard is a character like any other
    CHECK(store.images(search).total == 0);

    ImageFilter repository;
    repository.repository = "team001/app0000";
    CHECK(store.images(repository).total == 1);

    // Every sort the page offers is served by an index, not by sorting
    // 100,000 rows for each page.
    for (const char* order : {"repository ASC, tag ASC, platform ASC, id ASC", "critical DESC, id DESC",
                              "last_scanned DESC, id DESC", "tag ASC, repository ASC, id ASC"}) {
        auto p = plan(store.db(), std::string("SELECT id FROM serve_images ORDER BY ") + order + " LIMIT 50");
        CHECK_MESSAGE(p.find("TEMP B-TREE") == std::string::npos, order, "\n", p);
    }
    auto by_connector = plan(store.db(), "SELECT id FROM serve_images WHERE connector='bulk' "
                                         "ORDER BY connector, repository, tag, id LIMIT 50");
    CHECK_MESSAGE(by_connector.find("serve_images_by_connector") != std::string::npos, by_connector);
}

TEST_SUITE_END();
