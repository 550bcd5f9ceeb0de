// The state's conformance suite: the same test bodies against SQLite and
// against a real PostgreSQL 15 this binary starts (test_state_postgres_server.hpp).
// Every StateStore and ServiceStore behaviour, the Database mapping of values
// and placeholders, transactions, and the migrations (run once, adopted,
// refused when newer, concurrent).
#include <doctest/doctest.h>

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <mutex>
#include <set>
#include <thread>

#include "state/migrations.hpp"
#include "state/open_database.hpp"
#include "state/service_store.hpp"
#include "state/sqlite_db.hpp"
#include "state/state_store.hpp"
#include "test_state_backends.hpp"
#include "test_state_records.hpp"
#include "temp_dir.hpp"

using namespace regscan::state;
using regscan::test::connector;
using regscan::test::Postgres;
using regscan::test::Sqlite;
using regscan::test::row;
using regscan::test::TempDir;

namespace {

std::vector<std::string> repositories(const ImagePage& page) {
    std::vector<std::string> out;
    for (const auto& r : page.rows) out.push_back(r.repository + ":" + r.tag);
    return out;
}

}  // namespace

TEST_SUITE_BEGIN("state");

// ---- Database: values, placeholders, transactions ----

TEST_CASE_TEMPLATE("state::Database maps values and placeholders the same on both backends", B, Sqlite, Postgres) {
    B backend;
    auto db = open_database(backend.location());
    CHECK(db->dialect() == B::dialect);
    db->exec(db->ddl("CREATE TABLE v (id INTEGER PRIMARY KEY AUTOINCREMENT, i INTEGER, d REAL, t TEXT)"));
    const std::string bytes = std::string("tab\there, newline\n, quote ' and \" and ? and \x01, UTF-8 \xc3\xa9") +
                              std::string(1 << 20, 'x');
    auto id = db->query("INSERT INTO v (i, d, t) VALUES (?, ?, ?) RETURNING id",
                        {int64_t{9007199254740993}, 0.25, bytes});
    REQUIRE(id.size() == 1);
    auto rows = db->query("SELECT i, d, t, NULL, '?' FROM v WHERE id = ?", {id[0][0]});
    REQUIRE(rows.size() == 1);
    CHECK(std::get<int64_t>(rows[0][0]) == 9007199254740993);
    CHECK(std::get<double>(rows[0][1]) == 0.25);
    CHECK(std::get<std::string>(rows[0][2]) == bytes);
    CHECK(std::holds_alternative<std::nullptr_t>(rows[0][3]));
    CHECK(as_text(rows[0][4]) == "?");  // a ? inside a string is not a placeholder
    db->query("INSERT INTO v (i, d, t) VALUES (?, ?, ?)", {int64_t{-1}, nullptr, nullptr});
    CHECK(as_int(db->query("SELECT COUNT(*) FROM v WHERE d IS NULL AND t IS NULL AND i = ?", {int64_t{-1}})
                     .at(0)
                     .at(0)) == 1);
    CHECK(db->has_table("v"));
    CHECK_FALSE(db->has_table("nothing_here"));
}

TEST_CASE_TEMPLATE("state::Database transactions commit, roll back on an exception, and nest by joining", B, Sqlite,
                   Postgres) {
    B backend;
    auto db = open_database(backend.location());
    db->exec("CREATE TABLE t (k TEXT PRIMARY KEY)");
    db->transaction([&] { db->query("INSERT INTO t VALUES (?)", {std::string("a")}); });
    CHECK_THROWS_WITH(db->transaction([&] {
        db->query("INSERT INTO t VALUES (?)", {std::string("b")});
        throw std::runtime_error("body failed");
    }),
                      "body failed");
    CHECK(db->query("SELECT k FROM t WHERE k = 'b'").empty());
    // The inner call joins the outer: the outer's failure undoes both.
    CHECK_THROWS(db->transaction([&] {
        db->transaction([&] { db->query("INSERT INTO t VALUES (?)", {std::string("c")}); });
        throw std::runtime_error("outer failed");
    }));
    CHECK(db->query("SELECT k FROM t WHERE k = 'c'").empty());
    db->transaction([&] {
        db->transaction([&] { db->query("INSERT INTO t VALUES (?)", {std::string("d")}); });
    });
    CHECK(db->query("SELECT k FROM t ORDER BY k").size() == 2);
    // An SQL error names where the data is and leaves the connection usable.
    CHECK_THROWS_WITH(db->query("SELECT * FROM no_such_table"), doctest::Contains("no_such_table"));
    CHECK(db->query("SELECT 1").size() == 1);
}

// ---- StateStore ----

TEST_CASE_TEMPLATE("state::StateStore keeps images seen, results and tag results", B, Sqlite, Postgres) {
    B backend;
    ImageKey key{"default", "127.0.0.1:5000", "library/app", "1.0"};
    {
        StateStore store(backend.location());
        CHECK_FALSE(store.seen(key, "sha256:a"));
        store.record_seen(key, "sha256:a", "2026-11-23T00:00:00Z");
        store.record_seen(key, "sha256:a", "2026-11-24T00:00:00Z");  // again: last_seen moves
        int64_t scan = store.begin_scan("default", "127.0.0.1:5000", "scan", "2026-11-23T00:00:00Z");
        int64_t second = store.begin_scan("default", "127.0.0.1:5000", "scan", "2026-11-23T00:00:01Z");
        CHECK(second > scan);
        store.finish_scan(scan, "2026-11-23T00:01:00Z", R"({"images":1})");
        store.put_result(key, "sha256:a", "linux/amd64", "fp1", scan, "scanned", R"({"ok":1})", "sha256:a");
        store.put_result(key, "sha256:a", "linux/amd64", "fp1", scan, "scanned", R"({"ok":2})",
                         "sha256:a");  // replaces
        store.put_result(key, "sha256:a", "linux/arm64", "fp1", scan, "failed", R"({"ok":3})", "sha256:a");
        store.put_tag_results(key, "sha256:a", "fp1", "[1]");
        auto scans = store.db().query("SELECT finished, summary FROM scans WHERE id = ?", {scan});
        CHECK(as_text(scans.at(0).at(0)) == "2026-11-23T00:01:00Z");
        CHECK(as_text(scans.at(0).at(1)) == R"({"images":1})");
        auto seen = store.db().query("SELECT first_seen, last_seen FROM images");
        REQUIRE(seen.size() == 1);
        CHECK(as_text(seen[0][0]) == "2026-11-23T00:00:00Z");
        CHECK(as_text(seen[0][1]) == "2026-11-24T00:00:00Z");
    }
    StateStore reopened(backend.location());
    CHECK(reopened.seen(key, "sha256:a"));
    CHECK_FALSE(reopened.seen(key, "sha256:b"));
    CHECK_FALSE(reopened.seen({"other", key.registry, key.repository, key.tag}, "sha256:a"));  // per project
    CHECK(reopened.result(key, "sha256:a", "linux/amd64", "fp1") == R"({"ok":2})");
    CHECK_FALSE(reopened.result(key, "sha256:a", "linux/amd64", "fp2").has_value());  // other data: stale
    CHECK_FALSE(reopened.result(key, "sha256:a", "linux/arm64", "fp1").has_value());  // only scanned ones
    CHECK(reopened.tag_results_digest(key, "fp1") == "sha256:a");
    CHECK_FALSE(reopened.tag_results_digest(key, "fp2").has_value());
    CHECK(reopened.tag_results(key, "sha256:a", "fp1") == "[1]");
    CHECK_FALSE(reopened.tag_results(key, "sha256:b", "fp1").has_value());
    reopened.put_tag_results(key, "sha256:b", "fp1", "[2]");  // a re-pushed tag replaces its row
    CHECK_FALSE(reopened.tag_results(key, "sha256:a", "fp1").has_value());
    CHECK(reopened.tag_results(key, "sha256:b", "fp1") == "[2]");
}

TEST_CASE_TEMPLATE("state::StateStore tag renderings, layer facts and malware verdicts", B, Sqlite, Postgres) {
    B backend;
    StateStore store(backend.location());
    ImageKey key{"default", "reg:5000", "team/app", "1.0"};
    store.put_tag_renderings(key, "sha256:a", "fp1", 1, {"[{}]", "entry\x1e" "entry2"});
    auto found = store.tag_renderings(key, "sha256:a", "fp1", 1);
    REQUIRE(found.has_value());
    CHECK(found->summaries == "[{}]");
    CHECK(found->entries == "entry\x1e" "entry2");
    CHECK_FALSE(store.tag_renderings(key, "sha256:b", "fp1", 1).has_value());
    CHECK_FALSE(store.tag_renderings(key, "sha256:a", "fp2", 1).has_value());
    CHECK_FALSE(store.tag_renderings(key, "sha256:a", "fp1", 2).has_value());
    store.put_tag_renderings(key, "sha256:b", "fp1", 1, {"[]", ""});
    CHECK_FALSE(store.tag_renderings(key, "sha256:a", "fp1", 1).has_value());
    CHECK(store.tag_renderings(key, "sha256:b", "fp1", 1).has_value());

    CHECK_FALSE(store.layer_facts("sha256:l", 3).has_value());
    store.put_layer_facts("sha256:l", 3, "{\"files\":1}");
    store.put_layer_facts("sha256:l", 3, "{\"files\":2}");
    store.put_layer_facts("sha256:l", 4, "{\"files\":4}");
    CHECK(store.layer_facts("sha256:l", 3) == "{\"files\":2}");
    CHECK(store.layer_facts("sha256:l", 4) == "{\"files\":4}");
    CHECK_FALSE(store.layer_malware("sha256:l", "sigs-1").has_value());
    store.put_layer_malware("sha256:l", "sigs-1", "clean");
    store.put_layer_malware("sha256:l", "sigs-1", "found");
    CHECK(store.layer_malware("sha256:l", "sigs-1") == "found");
    CHECK_FALSE(store.layer_malware("sha256:l", "sigs-2").has_value());
}

// ---- ServiceStore ----

TEST_CASE_TEMPLATE("state::StateStore report references: read without the entries, kept only on the row they were taken from",
                   B, Sqlite, Postgres) {
    B backend;
    StateStore store(backend.location());
    ImageKey key{"default", "reg:5000", "team/app", "1.0"};
    auto token = store.put_tag_renderings(key, "sha256:a", "fp1", 3, {"[{}]", "entry", "ignored"});
    CHECK(token.rfind("new:", 0) == 0);
    CHECK(store.put_tag_renderings(key, "sha256:a", "fp1", 3, {"[{}]", "entry"}) != token);  // fresh per write
    token = store.tag_renderings(key, "sha256:a", "fp1", 3)->report_ref;

    // The predicate sees the row's reference and decides whether the entries are read.
    std::string seen;
    auto without = store.tag_renderings(key, "sha256:a", "fp1", 3, [&](const std::string& ref) {
        seen = ref;
        return false;
    });
    REQUIRE(without.has_value());
    CHECK(seen == token);
    CHECK(without->summaries == "[{}]");
    CHECK(without->entries.empty());
    auto with = store.tag_renderings(key, "sha256:a", "fp1", 3, [](const std::string&) { return true; });
    REQUIRE(with.has_value());
    CHECK(with->entries == "entry");

    // Stored over the token it was read with; another row, data or version is left alone.
    store.put_report_refs("default", "reg:5000", "fp1", 3,
                          {{"team/app", "1.0", "sha256:a", token, "json1 report-1"},
                           {"team/app", "2.0", "sha256:a", "", "json1 nothing"}});
    CHECK(store.tag_renderings(key, "sha256:a", "fp1", 3)->report_ref == "json1 report-1");
    store.put_report_refs("default", "reg:5000", "fp2", 3, {{"team/app", "1.0", "sha256:a", "json1 report-1", "x"}});
    store.put_report_refs("default", "reg:5000", "fp1", 4, {{"team/app", "1.0", "sha256:a", "json1 report-1", "x"}});
    store.put_report_refs("default", "reg:5000", "fp1", 3, {{"team/app", "1.0", "sha256:b", "json1 report-1", "x"}});
    CHECK(store.tag_renderings(key, "sha256:a", "fp1", 3)->report_ref == "json1 report-1");
    // A row rewritten after it was read (another process, a rescan) keeps its
    // new token: the stale reference is not stored over it.
    auto rewritten = store.put_tag_renderings(key, "sha256:a", "fp1", 3, {"[{}]", "other entry"});
    store.put_report_refs("default", "reg:5000", "fp1", 3,
                          {{"team/app", "1.0", "sha256:a", "json1 report-1", "json1 report-2"}});
    CHECK(store.tag_renderings(key, "sha256:a", "fp1", 3)->report_ref == rewritten);
    // A row kept before references existed has none: the first one is stored.
    store.db().query("DELETE FROM tag_report_refs");
    CHECK(store.tag_renderings(key, "sha256:a", "fp1", 3)->report_ref.empty());
    store.put_report_refs("default", "reg:5000", "fp1", 3, {{"team/app", "1.0", "sha256:a", "", "json1 report-3"}});
    CHECK(store.tag_renderings(key, "sha256:a", "fp1", 3)->report_ref == "json1 report-3");
}

TEST_CASE_TEMPLATE("state::ServiceStore keeps connectors by unique name", B, Sqlite, Postgres) {
    B backend;
    ServiceStore store(backend.location());
    auto id = store.create_connector(connector("prod"));
    CHECK(id > 0);
    CHECK_THROWS_AS(store.create_connector(connector("prod")), std::invalid_argument);
    auto c = store.connector("prod");
    REQUIRE(c);
    CHECK(c->config["schedule"]["every"] == "6h");
    c->config["url"] = "http://127.0.0.1:6000";
    c->sealed_password = "sealed";
    c->updated = "2026-01-02T00:00:00Z";
    store.update_connector(*c);
    store.set_next_run(id, "2026-01-03T00:00:00Z");
    auto again = store.connector(id);
    REQUIRE(again);
    CHECK(again->config["url"] == "http://127.0.0.1:6000");
    CHECK(again->sealed_password == "sealed");
    CHECK(again->next_run == "2026-01-03T00:00:00Z");
    again->next_run = "2026-01-04T00:00:00Z";
    store.update_connector(*again);
    CHECK(store.connector("prod")->next_run == "2026-01-04T00:00:00Z");
    again->config["url"] = "http://127.0.0.1:7000";
    store.update_connector_erasing_old(*again);  // SQLite's pragmas or PostgreSQL's VACUUM FULL, outside a transaction
    CHECK(store.connector("prod")->config["url"] == "http://127.0.0.1:7000");
    store.create_connector(connector("Beta"));
    store.create_connector(connector("alpha"));
    std::vector<std::string> names;
    for (const auto& each : store.connectors()) names.push_back(each.name);
    CHECK(names == std::vector<std::string>{"Beta", "alpha", "prod"});  // bytewise, as SQLite sorts
    store.remove_connector(id);
    CHECK_FALSE(store.connector("prod"));
    CHECK_FALSE(store.connector(id));
}

TEST_CASE_TEMPLATE("state::ServiceStore records imports, their totals, and interrupts those left running", B, Sqlite,
                   Postgres) {
    B backend;
    ServiceStore store(backend.location());
    auto cid = store.create_connector(connector("prod"));
    auto first = store.create_import(cid, "prod", "manual", "2026-01-01T00:00:00Z");
    store.start_import(first, "2026-01-01T00:00:01Z");
    store.set_import_discovered(first, "distribution", 10);
    store.set_import_discovered(first, "", 12);  // "" keeps the type
    store.set_import_progress(first, 4, "team/app:1");
    auto running = store.import(first);
    REQUIRE(running);
    CHECK(running->state == "running");
    CHECK(running->registry_type == "distribution");
    CHECK(running->progress_total == 12);
    CHECK(running->progress_done == 4);
    CHECK(running->current == "team/app:1");
    store.finish_import(first, "succeeded", "2026-01-01T00:01:31Z", 12, 3, 1, "");
    auto second = store.create_import(cid, "prod", "scheduled", "2026-01-01T01:00:00Z");
    store.start_import(second, "2026-01-01T01:00:00Z");
    store.set_import_registry_type(second, "harbor");
    CHECK(store.last_import(cid)->id == first);  // newest finished
    auto listed = store.imports("prod", 10);
    REQUIRE(listed.size() == 2);
    CHECK(listed[0].id == second);  // newest first
    CHECK(store.imports("", 1).size() == 1);
    CHECK(store.imports("other", 10).empty());
    CHECK(store.imports_in_state("running").size() == 1);

    auto totals = store.totals();
    CHECK(totals.duration_count == 1);
    CHECK(totals.duration_seconds_sum == doctest::Approx(90.0));
    CHECK(totals.by_state == std::vector<std::pair<std::string, int64_t>>{{"running", 1}, {"succeeded", 1}});

    auto queued = store.create_import(cid, "prod", "manual", "2026-01-01T01:30:00Z");
    auto interrupted = store.interrupt_running("2026-01-01T02:00:00Z");
    REQUIRE(interrupted.size() == 1);
    CHECK(interrupted[0].id == second);
    auto after = store.import(second);
    CHECK(after->state == "interrupted");
    CHECK(after->registry_type == "harbor");
    CHECK(after->error == "the server stopped during this import");
    CHECK(store.import(queued)->state == "queued");  // only running imports are interrupted
    CHECK(store.imports_in_state("running").empty());
}

TEST_CASE_TEMPLATE("state::ServiceStore writes a tag's platforms and history, replaces and removes rows", B, Sqlite,
                   Postgres) {
    B backend;
    ServiceStore store(backend.location());
    auto cid = store.create_connector(connector("prod"));
    auto failed = row(cid, "team/app", "1.0", "", 1);
    failed.status = "failed";
    failed.reason = "manifest unknown";
    auto ids = store.record_tag({failed});
    REQUIRE(ids.size() == 1);
    auto amd = row(cid, "team/app", "1.0", "linux/amd64", 2);
    amd.vulnerabilities = {1, 2, 3, 4, 5};
    auto arm = row(cid, "team/app", "1.0", "linux/arm64", 2);
    auto scanned = store.record_tag({amd, arm});
    REQUIRE(scanned.size() == 2);
    CHECK_FALSE(store.image(ids[0]));  // the failure row without a platform is gone, with its history
    CHECK(store.image_history(ids[0], 10).empty());
    auto image = store.image(scanned[0]);
    REQUIRE(image);
    CHECK(image->vulnerabilities.total() == 15);
    CHECK(image->vulnerabilities.medium == 3);
    // The same import again replaces its history row; another adds one.
    store.record_tag({amd, arm});
    CHECK(store.record_tag({amd, arm}) == scanned);
    amd.import_id = 3;
    amd.vulnerabilities.critical = 0;
    store.record_tag({amd, arm});
    auto history = store.image_history(scanned[0], 10);
    REQUIRE(history.size() == 2);
    CHECK(history[0].import_id == 3);
    CHECK(history[0].vulnerabilities.critical == 0);
    CHECK(history[1].import_id == 2);
    CHECK(history[1].vulnerabilities.critical == 1);
    store.record_tag({amd});  // arm64 dropped from the tag: removed with its history
    CHECK_FALSE(store.image(scanned[1]));
    auto other = row(cid, "team/old", "0.1", "linux/amd64", 2);
    store.record_tag({other});
    // After a full import 3, the rows it did not write are images gone.
    CHECK(store.remove_images_not_in(cid, 3) == 1);
    CHECK(store.images({}).total == 1);
    // No row for a connector that is gone.
    CHECK(store.record_tag({row(cid + 100, "x", "y", "z", 1)}).empty());

    auto totals = store.totals();
    CHECK(totals.images_scanned == 1);
    CHECK(totals.image_failures == 0);
    store.remove_connector(cid);
    CHECK(store.images({}).total == 0);
    CHECK(store.image_history(scanned[0], 10).empty());
    CHECK(store.record_tag({amd}).empty());  // a removed connector's late rows are dropped
}

TEST_CASE_TEMPLATE("state::ServiceStore retention: the imports past the newest, but none an index row names", B,
                   Sqlite, Postgres) {
    B backend;
    ServiceStore store(backend.location());
    auto cid = store.create_connector(connector("prod"));
    auto other = store.create_connector(connector("other"));
    std::vector<int64_t> finished;
    for (int i = 0; i < 5; ++i) {
        finished.push_back(store.create_import(cid, "prod", "scheduled", "2026-01-01T00:00:00Z"));
        store.start_import(finished.back(), "2026-01-01T00:00:01Z");
        store.finish_import(finished.back(), i == 1 ? "failed" : "succeeded", "2026-01-01T00:01:00Z", 1, 0, 0, "");
        store.record_tag({row(cid, "team/app", "1.0", "linux/amd64", finished.back())});
    }
    store.record_tag({row(cid, "team/old", "0.1", "linux/amd64", finished[1])});  // last seen by the second
    auto others = store.create_import(other, "other", "manual", "2026-01-01T00:00:00Z");
    store.finish_import(others, "succeeded", "2026-01-01T00:01:00Z", 0, 0, 0, "");
    auto running = store.create_import(cid, "prod", "manual", "2026-01-01T02:00:00Z");
    store.start_import(running, "2026-01-01T02:00:01Z");
    store.create_import(cid, "prod", "manual", "2026-01-01T03:00:00Z");  // queued

    // Newest first: the 5th and 4th stay; the 2nd is still named by team/old:0.1.
    auto past = store.imports_past(cid, 2);
    CHECK(past == std::vector<int64_t>{finished[2], finished[0]});
    CHECK(store.imports_past(cid, 5).empty());
    const auto before = store.totals();
    CHECK(before.duration_count == 5);
    CHECK(before.duration_seconds_sum == doctest::Approx(5 * 59.0));
    for (auto id : past) CHECK(store.remove_import(id));
    CHECK_FALSE(store.remove_import(past[0]));  // gone already
    CHECK_FALSE(store.remove_import(finished[1]));  // named by team/old:0.1
    // /metrics' totals count the removed ones still: they never go down.
    const auto after = store.totals();
    CHECK(after.by_state == before.by_state);
    CHECK(after.duration_count == before.duration_count);
    CHECK(after.duration_seconds_sum == doctest::Approx(before.duration_seconds_sum));
    std::vector<int64_t> left;
    for (const auto& i : store.imports("prod", 100)) left.push_back(i.id);
    CHECK(left.size() == 5);  // the queued and running ones, the 5th, 4th and 2nd
    CHECK(std::find(left.begin(), left.end(), finished[2]) == left.end());
    CHECK(std::find(left.begin(), left.end(), finished[0]) == left.end());
    CHECK(store.import(others));  // another connector's are its own
    // The history rows of the removed imports went with them.
    auto app = store.images({}).rows;
    auto current = std::find_if(app.begin(), app.end(), [](const auto& r) { return r.repository == "team/app"; });
    REQUIRE(current != app.end());
    std::vector<int64_t> history;
    for (const auto& h : store.image_history(current->id, 10)) history.push_back(h.import_id);
    CHECK(history == std::vector<int64_t>{finished[4], finished[3], finished[1]});
    // Only finished imports are removed, whatever is asked.
    CHECK_FALSE(store.remove_import(running));
    CHECK(store.import(running));
    CHECK(store.imports_past(cid, 0).size() == 1);  // only the 4th: the 5th and 2nd are named by rows
    // Nor do a connector's imports leave the totals with it.
    store.remove_connector(cid);
    auto gone = store.totals();
    CHECK(gone.duration_count == before.duration_count);
    CHECK(gone.duration_seconds_sum == doctest::Approx(before.duration_seconds_sum));
    auto succeeded = [](const ImportTotals& t) {
        for (const auto& [state, count] : t.by_state)
            if (state == "succeeded") return count;
        return int64_t{0};
    };
    CHECK(succeeded(gone) == succeeded(before));
}

TEST_CASE_TEMPLATE("state::ServiceStore pages, filters, searches and sorts the image index", B, Sqlite, Postgres) {
    B backend;
    ServiceStore store(backend.location());
    auto cid = store.create_connector(connector("prod"));
    std::vector<std::string> repos = {"team/Zeta", "team/alpha", "team/beta_1", "team/beta%2", "Team/gamma"};
    int n = 0;
    for (const auto& repo : repos) {
        for (int t = 0; t < 3; ++t) {
            auto r = row(cid, repo, "v" + std::to_string(t), "linux/amd64", 1);
            r.vulnerabilities.critical = n % 4;
            r.vulnerabilities.high = n % 3;
            r.status = n % 5 == 0 ? "scan_failed" : "scanned";
            r.last_scanned = "2026-01-01T00:00:" + std::string(n < 10 ? "0" : "") + std::to_string(n) + "Z";
            ++n;
            store.record_tag({r});
        }
    }
    ImageFilter all;
    all.limit = 100;
    auto page = store.images(all);
    CHECK(page.total == 15);
    REQUIRE(page.rows.size() == 15);
    // Bytewise: upper case before lower case, '%' before '_'.
    CHECK(page.rows.front().repository == "Team/gamma");
    CHECK(page.rows[3].repository == "team/Zeta");
    CHECK(page.rows[6].repository == "team/alpha");
    CHECK(page.rows[9].repository == "team/beta%2");
    CHECK(page.rows[12].repository == "team/beta_1");

    ImageFilter paged = all;
    paged.limit = 4;
    paged.offset = 12;
    auto tail = store.images(paged);
    CHECK(tail.total == 15);
    CHECK(tail.rows.size() == 3);

    ImageFilter search = all;
    search.search = "BETA_";  // case-insensitive; '_' is literal, not a wildcard
    CHECK(repositories(store.images(search)) ==
          std::vector<std::string>{"team/beta_1:v0", "team/beta_1:v1", "team/beta_1:v2"});
    search.search = "%";
    CHECK(store.images(search).total == 3);
    search.search = "v2";
    CHECK(store.images(search).total == 5);

    ImageFilter critical = all;
    critical.severity = "critical";
    int64_t expected_critical = 0;
    for (int i = 0; i < 15; ++i) expected_critical += i % 4 > 0;
    CHECK(store.images(critical).total == expected_critical);
    ImageFilter failed = all;
    failed.status = "scan_failed";
    CHECK(store.images(failed).total == 3);
    ImageFilter by_repo = all;
    by_repo.repository = "team/alpha";
    CHECK(store.images(by_repo).total == 3);
    ImageFilter by_connector = all;
    by_connector.connector = "nobody";
    CHECK(store.images(by_connector).total == 0);

    ImageFilter newest = all;
    newest.sort = "last_scanned";
    newest.descending = true;
    newest.limit = 2;
    auto latest = store.images(newest);
    REQUIRE(latest.rows.size() == 2);
    CHECK(latest.rows[0].last_scanned == "2026-01-01T00:00:14Z");
    ImageFilter by_tag = all;
    by_tag.sort = "tag";
    auto tags = store.images(by_tag);
    CHECK(tags.rows.front().tag == "v0");
    CHECK(tags.rows.front().repository == "Team/gamma");
    CHECK(tags.rows.back().tag == "v2");
    CHECK(tags.rows.back().repository == "team/beta_1");
}

TEST_CASE_TEMPLATE("state::ServiceStore finds the CLI's stored result of an index row", B, Sqlite, Postgres) {
    B backend;
    auto db = open_database(backend.location());
    ServiceStore store(db);
    auto cid = store.create_connector(connector("prod"));
    auto r = row(cid, "team/app", "1.0", "linux/amd64", 1);
    CHECK_FALSE(store.stored_result(r));  // no CLI tables yet: nothing, no error
    StateStore cli(db);
    int64_t scan = cli.begin_scan("default", r.registry, "scan", "2026-01-01T00:00:00Z");
    cli.put_result({"default", r.registry, "team/app", "1.0"}, r.digest, "linux/amd64", "fp", scan, "scanned",
                   R"({"r":1})", r.digest);
    CHECK(store.stored_result(r) == R"({"r":1})");
    auto untagged = r;
    untagged.tag = "@" + r.digest;
    CHECK_FALSE(store.stored_result(untagged));
}

// ---- migrations ----

TEST_CASE_TEMPLATE("state migrations run once, record their versions and refuse a newer database", B, Sqlite,
                   Postgres) {
    B backend;
    auto db = open_database(backend.location());
    int runs = 0;
    std::vector<MigrationStep> steps = {{"CREATE TABLE m1 (a INTEGER)", ""}};
    run_migrations(*db, "test", steps);
    run_migrations(*db, "test", steps);
    CHECK(schema_version(*db, "test") == 1);
    steps.push_back({"CREATE TABLE m2 (b TEXT)", "CREATE TABLE m2 (b TEXT, pg_only BIGINT)"});
    run_migrations(*db, "test", steps, [&](Database&) {
        ++runs;
        return int64_t{0};
    });
    CHECK(runs == 0);  // adopt only runs when nothing is recorded
    CHECK(schema_version(*db, "test") == 2);
    CHECK(db->has_table("m2"));
    if (db->dialect() == Dialect::postgresql) CHECK(db->query("SELECT pg_only FROM m2").empty());
    // A failing step leaves nothing behind: the whole migration is one transaction.
    steps.push_back({"CREATE TABLE m3 (c TEXT); CREATE TABLE m1 (again TEXT)", ""});
    CHECK_THROWS(run_migrations(*db, "test", steps));
    CHECK(schema_version(*db, "test") == 2);
    CHECK_FALSE(db->has_table("m3"));
    steps.pop_back();
    db->query("INSERT INTO schema_migrations VALUES ('test', 7, 'later')");
    CHECK_THROWS_WITH(run_migrations(*db, "test", steps), doctest::Contains("newer"));
    // Components are apart: the state's and serve's are unaffected.
    { StateStore state(db); }
    { ServiceStore serve(db); }
    CHECK(schema_version(*db, "state") == StateStore::schema_version);
    CHECK(schema_version(*db, "serve") == ServiceStore::schema_version);
    db->query("INSERT INTO schema_migrations VALUES ('serve', 99, 'later')");
    CHECK_THROWS_WITH(ServiceStore{db}, doctest::Contains("newer"));
}

TEST_CASE_TEMPLATE("state migrations run once when connections start together", B, Sqlite, Postgres) {
    B backend;
    const std::string location = backend.location();
    for (int round = 0; round < 3; ++round) {
        const std::string here = B::dialect == Dialect::sqlite
                                     ? location + std::to_string(round)
                                     : regscan::test::PostgresServer::shared().fresh_database();
        constexpr int threads = 4;
        std::vector<std::thread> workers;
        std::atomic<int> ready{0}, failures{0};
        std::mutex error_mutex;
        std::string first_error;
        for (int i = 0; i < threads; ++i) {
            workers.emplace_back([&, i] {
                try {
                    auto db = open_database(here);  // a connection each
                    ++ready;
                    while (ready.load() < threads) std::this_thread::yield();
                    StateStore state(db);
                    ServiceStore serve(db);
                    state.record_seen({"p", "r", "repo", "t" + std::to_string(i)}, "sha256:x", "now");
                } catch (const std::exception& e) {
                    std::lock_guard lock(error_mutex);
                    if (first_error.empty()) first_error = e.what();
                    ++failures;
                }
            });
        }
        for (auto& t : workers) t.join();
        INFO(first_error);
        CHECK(failures == 0);
        auto db = open_database(here);
        auto rows = db->query("SELECT component, version FROM schema_migrations ORDER BY component, version");
        // One row per step run, each step once.
        REQUIRE(rows.size() == static_cast<size_t>(ServiceStore::schema_version + StateStore::schema_version));
        CHECK(as_text(rows.front()[0]) == "serve");
        CHECK(as_text(rows.back()[0]) == "state");
        CHECK(as_int(rows.back()[1]) == StateStore::schema_version);
        CHECK(as_int(db->query("SELECT COUNT(*) FROM images").at(0).at(0)) == threads);
    }
}

TEST_CASE("state migrations adopt a SQLite file made before schema_migrations, keeping its rows") {
    TempDir dir;
    auto file = (dir.path / "old.db").string();
    {
        // The DDL and rows of the release before schema_migrations.
        SqliteDb old(file);
        old.exec(R"(
CREATE TABLE images (project TEXT NOT NULL, registry TEXT NOT NULL, repository TEXT NOT NULL, tag TEXT NOT NULL,
  digest TEXT NOT NULL, first_seen TEXT NOT NULL, last_seen TEXT NOT NULL,
  PRIMARY KEY (project, registry, repository, tag, digest));
CREATE TABLE scans (id INTEGER PRIMARY KEY AUTOINCREMENT, project TEXT NOT NULL, registry TEXT NOT NULL,
  mode TEXT NOT NULL, started TEXT NOT NULL, finished TEXT, summary TEXT);
CREATE TABLE results (project TEXT NOT NULL, registry TEXT NOT NULL, repository TEXT NOT NULL, tag TEXT NOT NULL,
  digest TEXT NOT NULL, platform TEXT NOT NULL, data_fingerprint TEXT NOT NULL,
  scan_id INTEGER NOT NULL REFERENCES scans(id), status TEXT NOT NULL, result TEXT NOT NULL,
  PRIMARY KEY (project, registry, repository, tag, digest, platform));
CREATE TABLE layer_facts (digest TEXT NOT NULL, analysis_version INTEGER NOT NULL, facts TEXT NOT NULL,
  PRIMARY KEY (digest, analysis_version));
CREATE TABLE serve_schema (id INTEGER PRIMARY KEY CHECK (id = 1), version INTEGER NOT NULL);
INSERT INTO serve_schema VALUES (1, 1);
CREATE TABLE serve_connectors (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL UNIQUE,
  config TEXT NOT NULL, password TEXT NOT NULL DEFAULT '', created TEXT NOT NULL, updated TEXT NOT NULL,
  next_run TEXT NOT NULL DEFAULT '');
CREATE TABLE serve_imports (id INTEGER PRIMARY KEY AUTOINCREMENT, connector_id INTEGER NOT NULL,
  connector TEXT NOT NULL, trigger TEXT NOT NULL, state TEXT NOT NULL, queued_at TEXT NOT NULL,
  started_at TEXT NOT NULL DEFAULT '', finished_at TEXT NOT NULL DEFAULT '', registry_type TEXT NOT NULL DEFAULT '',
  images_found INTEGER NOT NULL DEFAULT 0, images_new INTEGER NOT NULL DEFAULT 0,
  images_failed INTEGER NOT NULL DEFAULT 0, progress_done INTEGER NOT NULL DEFAULT 0,
  progress_total INTEGER NOT NULL DEFAULT 0, current TEXT NOT NULL DEFAULT '', error TEXT NOT NULL DEFAULT '');
CREATE TABLE serve_images (id INTEGER PRIMARY KEY AUTOINCREMENT, connector_id INTEGER NOT NULL,
  connector TEXT NOT NULL, project TEXT NOT NULL, registry TEXT NOT NULL, repository TEXT NOT NULL, tag TEXT NOT NULL,
  platform TEXT NOT NULL, digest TEXT NOT NULL, last_scanned TEXT NOT NULL, import_id INTEGER NOT NULL,
  critical INTEGER NOT NULL, high INTEGER NOT NULL, medium INTEGER NOT NULL, low INTEGER NOT NULL,
  unknown INTEGER NOT NULL, total INTEGER NOT NULL, malware_verdict TEXT NOT NULL, malware_found INTEGER NOT NULL,
  malware_incomplete INTEGER NOT NULL, status TEXT NOT NULL, reason TEXT NOT NULL,
  UNIQUE (connector_id, repository, tag, platform));
CREATE TABLE serve_image_history (id INTEGER PRIMARY KEY AUTOINCREMENT, image_id INTEGER NOT NULL,
  import_id INTEGER NOT NULL, scanned_at TEXT NOT NULL, status TEXT NOT NULL, digest TEXT NOT NULL,
  reason TEXT NOT NULL, critical INTEGER NOT NULL, high INTEGER NOT NULL, medium INTEGER NOT NULL,
  low INTEGER NOT NULL, unknown INTEGER NOT NULL);
INSERT INTO images VALUES ('default', 'reg', 'team/app', '1.0', 'sha256:a', 't0', 't1');
INSERT INTO scans (project, registry, mode, started) VALUES ('default', 'reg', 'scan', 't0');
INSERT INTO results VALUES ('default', 'reg', 'team/app', '1.0', 'sha256:a', 'linux/amd64', 'fp', 1, 'scanned', '{"old":1}');
INSERT INTO layer_facts VALUES ('sha256:l', 1, '{"f":1}');
INSERT INTO serve_connectors (name, config, created, updated) VALUES ('prod', '{}', 't0', 't0');
)");
    }
    StateStore state(file);
    ServiceStore serve(file);  // at serve version 1: adopted, not created again (CREATE TABLE would fail)
    ImageKey key{"default", "reg", "team/app", "1.0"};
    CHECK(state.seen(key, "sha256:a"));
    CHECK(state.result(key, "sha256:a", "linux/amd64", "fp") == R"({"old":1})");
    CHECK(state.layer_facts("sha256:l", 1) == R"({"f":1})");
    REQUIRE(serve.connector("prod"));
    CHECK(schema_version(state.db(), "state") == StateStore::schema_version);  // adopted at 1, then step 2
    CHECK(schema_version(state.db(), "serve") == ServiceStore::schema_version);  // adopted at 1, then step 2
    // Tables the old file lacked are there now, and new ids follow the old ones.
    state.put_tag_results(key, "sha256:a", "fp", "[]");
    state.put_layer_malware("sha256:l", "v", "clean");
    auto token = state.put_tag_renderings(key, "sha256:a", "fp", 3, {"[]", "entry"});
    CHECK(state.tag_renderings(key, "sha256:a", "fp", 3)->report_ref == token);
    CHECK(state.begin_scan("default", "reg", "scan", "t2") == 2);
}

TEST_SUITE_END();
