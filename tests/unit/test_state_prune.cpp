// state::prune_state against SQLite and a real PostgreSQL 15: what ages out,
// what a serve index row, a running worker or fleet batch keeps, dry runs,
// batches.
#include <doctest/doctest.h>

#include <chrono>

#include "scan/layer_facts.hpp"
#include "state/migrations.hpp"
#include "state/open_database.hpp"
#include "state/service_store.hpp"
#include "state/state_prune.hpp"
#include "state/state_store.hpp"
#include "state/work_queue.hpp"
#include "test_state_backends.hpp"
#include "test_state_records.hpp"
#include "util/time.hpp"

using namespace regscan::state;
using regscan::test::Postgres;
using regscan::test::Sqlite;

namespace {

constexpr const char* long_ago = "2020-01-01T00:00:00Z";
const std::string old_time = "2026-01-01T00:00:00Z";
const auto cutoff = regscan::util::parse_rfc3339("2026-06-01T00:00:00Z").value();
const std::string recent = "2026-11-01T00:00:00Z";

std::string digest(char c) { return "sha256:" + std::string(64, c); }

int64_t count(Database& db, const std::string& sql, const std::vector<Value>& params = {}) {
    return as_int(db.query("SELECT COUNT(*) FROM " + sql, params).at(0).at(0));
}

// Every table's row count, to compare a dry run's state with the one before.
std::vector<int64_t> sizes(Database& db) {
    std::vector<int64_t> out;
    for (const char* table : {"images", "results", "tag_results", "tag_renderings", "tag_report_refs", "scans",
                              "layer_facts", "layer_malware", "work_queue"})
        out.push_back(count(db, table));
    return out;
}

// The state of a registry scanned for a while:
// - app:1 moved from digest a (seen long ago) to b (seen recently);
// - app:gone was last seen long ago at c: its tag rows go too;
// - app:shown was last seen long ago at e, whose linux/amd64 result (digest
//   f) a serve index row still shows;
// - app:legacy: results written before tag digests were recorded, one of a
//   single manifest (d, its own tag digest) and one of an index's platform (g).
struct AgedState {
    std::shared_ptr<Database> db;
    StateStore store;
    int64_t old_scan = 0, kept_scan = 0, recent_scan = 0, running_scan = 0;

    explicit AgedState(const std::string& location) : db(open_database(location)), store(db) {
        old_scan = store.begin_scan("default", "r", "scan", long_ago);
        store.finish_scan(old_scan, long_ago, "{}");
        kept_scan = store.begin_scan("default", "r", "scan", old_time);
        store.finish_scan(kept_scan, old_time, "{}");
        recent_scan = store.begin_scan("default", "r", "scan", recent);
        store.finish_scan(recent_scan, recent, "{}");
        running_scan = store.begin_scan("default", "fleet:w1", "worker", long_ago);  // a worker's: never finished
        const ImageKey app1{"default", "r", "app", "1"}, gone{"default", "r", "app", "gone"},
            shown{"default", "r", "app", "shown"}, legacy{"default", "r", "app", "legacy"};
        store.record_seen(app1, digest('a'), old_time);
        store.put_result(app1, digest('a'), "linux/amd64", "fp", kept_scan, "scanned", "{}", digest('a'));
        store.record_seen(app1, digest('b'), recent);
        store.put_result(app1, digest('b'), "linux/amd64", "fp", recent_scan, "scanned", "{}", digest('b'));
        store.put_tag_results(app1, digest('b'), "fp", "[]");
        // An index's platform manifest scanned under a, reused under b.
        store.put_result(app1, digest('h'), "linux/arm64", "fp", kept_scan, "scanned", "{}", digest('a'));
        store.set_result_tag_digest(app1, digest('h'), "linux/arm64", digest('b'));
        store.put_tag_renderings(app1, digest('b'), "fp", 1, {"[]", "{}", ""});
        store.record_seen(gone, digest('c'), old_time);
        store.put_result(gone, digest('c'), "linux/amd64", "fp", kept_scan, "scanned", "{}", digest('c'));
        store.put_tag_results(gone, digest('c'), "fp", "[]");
        auto ref = store.put_tag_renderings(gone, digest('c'), "fp", 1, {"[]", "{}", ""});
        store.put_report_refs("default", "r", "fp", 1, {{"app", "gone", digest('c'), ref, "json1 x 0"}});
        store.record_seen(shown, digest('e'), old_time);
        store.put_result(shown, digest('f'), "linux/amd64", "fp", kept_scan, "scanned", "{}", digest('e'));
        // Scanned by digest (no tag), long ago; a serve index row shows it as "@<digest>".
        const ImageKey untagged{"default", "r", "app", ""};
        store.record_seen(untagged, digest('u'), old_time);
        store.put_result(untagged, digest('u'), "linux/amd64", "fp", kept_scan, "scanned", "{}", digest('u'));
        store.record_seen(legacy, digest('d'), old_time);
        store.put_result(legacy, digest('d'), "linux/amd64", "fp", kept_scan, "scanned", "{}", "");
        store.put_result(legacy, digest('g'), "linux/arm64", "fp", kept_scan, "scanned", "{}", "");

        store.put_layer_facts(digest('1'), regscan::scan::layer_analysis_version, "{}");  // written now
        store.put_layer_facts(digest('2'), regscan::scan::layer_analysis_version, "{}");
        store.put_layer_facts(digest('1'), regscan::scan::layer_analysis_version - 1, "{}");
        db->query("UPDATE layer_facts_written SET recorded = ? WHERE digest = ?", {old_time, digest('2')});
        store.put_layer_malware(digest('1'), "sigs-2", "{}");
        store.put_layer_malware(digest('1'), "sigs-1", "{}");
        db->query("UPDATE layer_malware_written SET recorded = ? WHERE signature_version = 'sigs-1'", {old_time});

        ServiceStore serve(db);
        auto cid = serve.create_connector(regscan::test::connector("prod"));
        auto index_row = regscan::test::row(cid, "app", "shown", "linux/amd64", 1);
        index_row.registry = "r";
        index_row.digest = digest('f');
        serve.record_tag({index_row});
        auto untagged_row = regscan::test::row(cid, "app", "@" + digest('u'), "linux/amd64", 1);
        untagged_row.registry = "r";
        untagged_row.digest = digest('u');
        serve.record_tag({untagged_row});

        // Fleet batches: one ended long ago, one with an item still queued, one ended recently.
        migrate_fleet_tables(*db);
        const int64_t old_ms = 1767225600000;     // 2026-01-01
        const int64_t recent_ms = 1793491200000;  // 2026-11-01
        for (auto [batch, state, finished] : std::vector<std::tuple<const char*, const char*, Value>>{
                 {"ended", "done", old_ms}, {"ended", "failed", old_ms}, {"running", "done", old_ms},
                 {"running", "queued", nullptr}, {"recent", "done", recent_ms}})
            db->query("INSERT INTO work_queue (batch, project, registry_url, registry_type, repository, tag, digest, "
                      "options, priority, state, attempts, enqueued, finished) VALUES (?,'default','u','t','app','1',"
                      "'',  '{}', 0, ?, 1, 0, ?)",
                      {batch, state, finished});
    }
};

PruneOptions at_cutoff(bool dry_run = false) {
    PruneOptions options;
    options.cutoff = cutoff;
    options.analysis_version = regscan::scan::layer_analysis_version;
    options.dry_run = dry_run;
    return options;
}

}  // namespace

TEST_SUITE_BEGIN("state");

TEST_CASE_TEMPLATE("state::prune_state removes what no run saw since the cutoff and keeps the rest", B, Sqlite,
                   Postgres) {
    B backend;
    AgedState aged(backend.location());
    auto& db = *aged.db;

    const auto before = sizes(db);
    const auto would = prune_state(db, at_cutoff(true));
    CHECK(sizes(db) == before);  // a dry run removes nothing

    const auto removed = prune_state(db, at_cutoff());
    // app:1 at a, app:gone at c, app:legacy at d and g (an index's platform written before tag digests
    // were recorded: aged by the run that wrote it); not app:shown's f nor u (shown), nor h (reused under b).
    CHECK(removed.results == 4);
    CHECK(count(db, "results WHERE digest IN (?, ?, ?, ?)", {digest('a'), digest('c'), digest('d'), digest('g')}) ==
          0);
    // Their tag digests went with them.
    CHECK(count(db, "result_tag_digests") == count(db, "results"));
    CHECK(count(db, "results WHERE digest IN (?, ?, ?, ?)", {digest('b'), digest('f'), digest('h'), digest('u')}) ==
          4);
    // app:gone's tag results, rendering and report reference; app:1's (at b) stay.
    CHECK(removed.tag_rows == 3);
    CHECK(count(db, "tag_results WHERE tag = 'gone'") == 0);
    CHECK(count(db, "tag_renderings WHERE tag = 'gone'") == 0);
    CHECK(count(db, "tag_report_refs WHERE tag = 'gone'") == 0);
    CHECK(count(db, "tag_results WHERE tag = '1' AND digest = ?", {digest('b')}) == 1);
    CHECK(count(db, "tag_renderings WHERE tag = '1'") == 1);
    // a, c, d; app:shown at e and the untagged u stay with the results they keep.
    CHECK(removed.images == 3);
    CHECK(count(db, "images") == 3);
    CHECK(count(db, "images WHERE tag = 'shown' AND digest = ?", {digest('e')}) == 1);
    CHECK(count(db, "images WHERE tag = '' AND digest = ?", {digest('u')}) == 1);
    // The run that finished long ago; not the one the kept results name, nor the one still running
    // since long ago (a worker writes its results under it).
    CHECK(removed.scans == 1);
    CHECK(count(db, "scans WHERE id = ?", {aged.old_scan}) == 0);
    CHECK(count(db, "scans WHERE id IN (?, ?, ?)", {aged.kept_scan, aged.recent_scan, aged.running_scan}) == 3);
    // Written before the cutoff, or of an older analysis version.
    CHECK(removed.layer_facts == 2);
    CHECK(count(db, "layer_facts") == 1);
    CHECK(count(db, "layer_facts_written") == 1);
    CHECK(aged.store.layer_facts(digest('1'), regscan::scan::layer_analysis_version).has_value());
    CHECK(removed.layer_malware == 1);
    CHECK(aged.store.layer_malware(digest('1'), "sigs-2").has_value());
    CHECK_FALSE(aged.store.layer_malware(digest('1'), "sigs-1").has_value());
    CHECK(count(db, "layer_malware_written") == 1);
    CHECK(removed.queue_items == 2);
    CHECK(count(db, "work_queue WHERE batch = 'ended'") == 0);
    CHECK(count(db, "work_queue") == 3);

    // The dry run counted exactly this.
    CHECK(would.results == removed.results);
    CHECK(would.tag_rows == removed.tag_rows);
    CHECK(would.images == removed.images);
    CHECK(would.scans == removed.scans);
    CHECK(would.layer_facts == removed.layer_facts);
    CHECK(would.layer_malware == removed.layer_malware);
    CHECK(would.queue_items == removed.queue_items);

    // Nothing more to remove at the same cutoff.
    const auto again = prune_state(db, at_cutoff());
    CHECK(again.results + again.tag_rows + again.images + again.scans + again.layer_facts + again.layer_malware +
              again.queue_items ==
          0);

    // Once no index row shows app:shown or u, their results and records go at the next prune.
    ServiceStore serve(aged.db);
    serve.remove_connector(serve.connectors().at(0).id);
    const auto unshown = prune_state(db, at_cutoff());
    CHECK(unshown.results == 2);
    CHECK(unshown.images == 2);
    CHECK(count(db, "images") == 1);
}

TEST_CASE_TEMPLATE("state::prune_state works in batches on a state no server or fleet ever used", B, Sqlite,
                   Postgres) {
    B backend;
    auto db = open_database(backend.location());
    StateStore store(db);
    const int64_t scan = store.begin_scan("default", "r", "scan", old_time);
    store.finish_scan(scan, old_time, "{}");
    // More than a batch (2000 rows), not a multiple of it.
    constexpr int tags = 4321;
    db->transaction([&] {
        for (int i = 0; i < tags; ++i) {
            const ImageKey key{"default", "r", "app", std::to_string(i)};
            store.record_seen(key, digest('a'), old_time);
            store.put_result(key, digest('a'), "linux/amd64", "fp", scan, "scanned", "{}", digest('a'));
        }
    });
    const auto would = prune_state(*db, at_cutoff(true));
    CHECK(would.results == tags);
    CHECK(would.batches == 0);
    CHECK(count(*db, "results") == tags);
    const auto removed = prune_state(*db, at_cutoff());
    CHECK(removed.results == tags);
    CHECK(removed.images == tags);
    CHECK(removed.batches == 3 + 3 + 3 + 1);  // results, their tag digests, images (2000, 2000, 321), the run
    CHECK(count(*db, "results") == 0);
    CHECK(count(*db, "images") == 0);
    CHECK(removed.scans == 1);
    CHECK(removed.queue_items == 0);
    CHECK_FALSE(db->has_table("serve_images"));
    CHECK_FALSE(db->has_table("work_queue"));
}

TEST_CASE_TEMPLATE("state::prune_state: a dry run leaves an older state as it was, a prune migrates it", B, Sqlite,
                   Postgres) {
    B backend;
    auto db = open_database(backend.location());
    StateStore store(db);
    store.put_layer_facts(digest('1'), regscan::scan::layer_analysis_version, "{}");
    store.put_layer_malware(digest('1'), "sigs-1", "{}");
    // Back to version 2, as an earlier regscan left it.
    db->exec("DROP TABLE result_tag_digests; DROP TABLE layer_facts_written; DROP TABLE layer_malware_written");
    db->query("DELETE FROM schema_migrations WHERE component = 'state' AND version >= 3");
    REQUIRE(schema_version(*db, "state") == 2);
    prune_state(*db, at_cutoff(true));
    CHECK(schema_version(*db, "state") == 2);
    CHECK_FALSE(db->has_table("result_tag_digests"));
    prune_state(*db, at_cutoff());
    CHECK(schema_version(*db, "state") == StateStore::schema_version);
    CHECK(db->has_table("result_tag_digests"));
    // The layer rows an earlier regscan wrote age from the migration: kept.
    CHECK(count(*db, "layer_facts") == 1);
    CHECK(count(*db, "layer_malware") == 1);
    CHECK(count(*db, "layer_facts_written WHERE recorded >= ?", {regscan::util::format_utc(cutoff)}) == 1);
}

TEST_SUITE_END();
