#include <doctest/doctest.h>

#include <filesystem>

#include <unistd.h>

#include "state/migrations.hpp"
#include "state/service_store.hpp"
#include "state/state_store.hpp"

using namespace regscan::state;

namespace {

struct TempDir {
    std::filesystem::path path;
    TempDir() {
        std::string pattern = (std::filesystem::temp_directory_path() / "regscan-servicestore-XXXXXX").string();
        path = mkdtemp(pattern.data());
    }
    ~TempDir() { std::filesystem::remove_all(path); }
};

ConnectorRecord connector(const std::string& name) {
    ConnectorRecord c;
    c.name = name;
    c.config = {{"url", "http://127.0.0.1:5000"}, {"schedule", {{"enabled", true}, {"every", "6h"}}}};
    c.created = c.updated = "2026-01-01T00:00:00Z";
    return c;
}

ImageIndexRow row(int64_t connector_id, const std::string& repository, const std::string& tag,
                  const std::string& platform, int64_t import_id) {
    ImageIndexRow r;
    r.connector_id = connector_id;
    r.connector = "prod";
    r.project = "default";
    r.registry = "127.0.0.1:5000";
    r.repository = repository;
    r.tag = tag;
    r.platform = platform;
    r.digest = "sha256:" + std::string(64, 'a');
    r.last_scanned = "2026-01-02T00:00:00Z";
    r.import_id = import_id;
    return r;
}

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

TEST_CASE("state::ServiceStore refuses a state file whose serve tables are newer") {
    TempDir dir;
    auto file = dir.path / "state.db";
    {
        ServiceStore store(file);
        store.db().exec("INSERT INTO schema_migrations VALUES ('serve', 99, 'later')");
    }
    CHECK_THROWS_WITH([&] { ServiceStore newer(file); }(), doctest::Contains("newer"));
}

TEST_CASE("state::ServiceStore keeps connectors by unique name") {
    TempDir dir;
    ServiceStore store(dir.path / "state.db");
    auto c = connector("prod");
    c.sealed_password = "v1:sealed";
    c.id = store.create_connector(c);
    CHECK_THROWS_AS(store.create_connector(connector("prod")), std::invalid_argument);
    store.create_connector(connector("another"));
    auto all = store.connectors();
    REQUIRE(all.size() == 2);
    CHECK(all[0].name == "another");
    auto read = store.connector(c.id);
    REQUIRE(read);
    CHECK(read->config["url"] == "http://127.0.0.1:5000");
    CHECK(read->sealed_password == "v1:sealed");
    read->config["url"] = "https://other:443";
    read->next_run = "2026-01-01T06:00:00Z";
    store.update_connector(*read);
    CHECK(store.connector("prod")->config["url"] == "https://other:443");
    CHECK(store.connector("prod")->next_run == "2026-01-01T06:00:00Z");
}

TEST_CASE("state::ServiceStore records imports and interrupts those left running") {
    TempDir dir;
    ServiceStore store(dir.path / "state.db");
    auto cid = store.create_connector(connector("prod"));
    auto a = store.create_import(cid, "prod", "manual", "2026-01-01T00:00:00Z");
    auto b = store.create_import(cid, "prod", "scheduled", "2026-01-01T00:01:00Z");
    store.start_import(a, "2026-01-01T00:00:05Z");
    store.set_import_discovered(a, "", 10);
    store.set_import_registry_type(a, "DEFAULT_V2");
    store.set_import_progress(a, 3, "127.0.0.1:5000/app:1");
    auto read = store.import(a);
    REQUIRE(read);
    CHECK(read->state == "running");
    CHECK(read->progress_total == 10);
    CHECK(read->progress_done == 3);
    CHECK(read->registry_type == "DEFAULT_V2");
    auto interrupted = store.interrupt_running("2026-01-01T00:02:00Z");
    REQUIRE(interrupted.size() == 1);
    CHECK(interrupted[0].id == a);
    CHECK(store.import(a)->state == "interrupted");
    CHECK(store.import(b)->state == "queued");
    store.start_import(b, "2026-01-01T00:03:00Z");
    store.finish_import(b, "succeeded", "2026-01-01T00:03:30Z", 4, 2, 0, "");
    auto list = store.imports("prod", 10);
    REQUIRE(list.size() == 2);
    CHECK(list[0].id == b);  // newest first
    CHECK(store.last_import(cid)->id == b);
    CHECK(store.imports("other", 10).empty());
    auto totals = store.totals();
    CHECK(totals.duration_count == 2);
    CHECK(totals.duration_seconds_sum == doctest::Approx(145.0));
}

TEST_CASE("state::ServiceStore writes a tag's platforms and history together, replacing a failure row") {
    TempDir dir;
    ServiceStore store(dir.path / "state.db");
    auto cid = store.create_connector(connector("prod"));
    auto failed = row(cid, "team/app", "1.0", "", 1);
    failed.status = "failed";
    failed.reason = "manifest unknown";
    auto first = store.record_tag({failed});
    REQUIRE(first.size() == 1);

    auto amd = row(cid, "team/app", "1.0", "linux/amd64", 2);
    amd.vulnerabilities.critical = 2;
    amd.vulnerabilities.low = 1;
    auto arm = row(cid, "team/app", "1.0", "linux/arm64", 2);
    auto ids = store.record_tag({amd, arm});
    REQUIRE(ids.size() == 2);
    CHECK_FALSE(store.image(first[0]));  // the row without a platform is gone, with its history
    CHECK(store.image_history(first[0], 10).empty());
    auto read = store.image(ids[0]);
    REQUIRE(read);
    CHECK(read->vulnerabilities.critical == 2);
    CHECK(read->vulnerabilities.total() == 3);

    amd.import_id = 3;
    arm.import_id = 3;
    amd.vulnerabilities.critical = 0;
    CHECK(store.record_tag({amd, arm}) == ids);  // same rows, updated
    CHECK(store.image(ids[0])->vulnerabilities.critical == 0);
    auto history = store.image_history(ids[0], 10);
    REQUIRE(history.size() == 2);
    CHECK(history[0].import_id == 3);
    CHECK(history[1].vulnerabilities.critical == 2);
    CHECK(store.record_tag({amd, arm}) == ids);  // the same import again: no third history row
    CHECK(store.image_history(ids[0], 10).size() == 2);

    auto other = row(cid, "team/gone", "1.0", "linux/amd64", 2);
    auto gone = store.record_tag({other});
    CHECK(store.remove_images_not_in(cid, 3) == 1);  // import 3 wrote team/app only
    CHECK_FALSE(store.image(gone[0]));
    CHECK(store.image(ids[0]));
    CHECK(store.image(ids[1]));

    store.remove_connector(cid);
    CHECK_FALSE(store.image(ids[0]));
    CHECK(store.record_tag({amd}).empty());  // a removed connector's late rows are dropped
    CHECK(store.images({}).total == 0);
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
