#include "state/work_queue.hpp"

#include <random>

#include <fmt/format.h>

#include "state/migrations.hpp"

namespace regscan::state {
namespace {

constexpr const char* item_columns =
    "id, batch, project, registry_url, registry_type, repository, tag, digest, options, priority, state, attempts, "
    "lease_owner, lease_token, lease_expires, reason";

WorkItem read_item(const Row& row) {
    WorkItem item;
    item.id = as_int(row.at(0));
    item.batch = as_text(row.at(1));
    item.work = {as_text(row.at(2)), as_text(row.at(3)), as_text(row.at(4)), as_text(row.at(5)),
                 as_text(row.at(6)), as_text(row.at(7)), as_text(row.at(8))};
    item.priority = static_cast<int>(as_int(row.at(9)));
    item.state = as_text(row.at(10));
    item.attempts = static_cast<int>(as_int(row.at(11)));
    item.lease_owner = as_text(row.at(12));
    item.lease_token = as_text(row.at(13));
    item.lease_expires = as_int(row.at(14));
    item.reason = as_text(row.at(15));
    return item;
}

// Reasons and errors come from registries: bounded.
std::string bounded(std::string text) {
    constexpr size_t max_reason = 2000;
    if (text.size() > max_reason) text = text.substr(0, max_reason) + "...";
    return text;
}

}  // namespace

int64_t database_now(Database& db) {
    const char* sql = db.dialect() == Dialect::postgresql
                          ? "SELECT CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000 AS BIGINT)"
                          : "SELECT CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER)";
    return as_int(db.query(sql).at(0).at(0));
}

void migrate_fleet_tables(Database& db) {
    // Step 1 of component "fleet"; never edit a shipped step: append one.
    run_migrations(db, "fleet", {{R"(
CREATE TABLE work_queue (
  id INTEGER PRIMARY KEY AUTOINCREMENT, batch TEXT NOT NULL, project TEXT NOT NULL, registry_url TEXT NOT NULL,
  registry_type TEXT NOT NULL, repository TEXT NOT NULL, tag TEXT NOT NULL, digest TEXT NOT NULL,
  options TEXT NOT NULL, priority INTEGER NOT NULL, state TEXT NOT NULL, attempts INTEGER NOT NULL,
  lease_owner TEXT, lease_token TEXT, lease_expires INTEGER, reason TEXT,
  enqueued INTEGER NOT NULL, finished INTEGER, data_fingerprint TEXT, new_image INTEGER);
CREATE INDEX work_queue_claim ON work_queue (state, priority, id);
CREATE INDEX work_queue_batch ON work_queue (batch, state);
CREATE TABLE fleet_workers (
  worker_id TEXT PRIMARY KEY, host TEXT NOT NULL, pid INTEGER NOT NULL, started INTEGER NOT NULL,
  last_seen INTEGER NOT NULL);
CREATE TABLE layer_claims (
  digest TEXT NOT NULL, analysis_version INTEGER NOT NULL, owner TEXT NOT NULL, token TEXT NOT NULL,
  expires INTEGER NOT NULL, PRIMARY KEY (digest, analysis_version));
)", ""}});
}

std::string random_token() {
    std::random_device random;
    std::string token;
    for (int i = 0; i < 4; ++i) token += fmt::format("{:08x}", random());
    return token;
}

WorkQueue::WorkQueue(Database& db, QueueOptions options, Clock clock)
    : db_(db), options_(options), clock_(std::move(clock)) {
    if (options_.max_attempts < 1) options_.max_attempts = 1;
    migrate_fleet_tables(db_);
}

int64_t WorkQueue::now() { return clock_ ? clock_() : database_now(db_); }

std::string WorkQueue::enqueue(const std::vector<NewWork>& items, int priority) {
    const std::string batch = random_token().substr(0, 16);
    db_.transaction([&] {
        const int64_t at = now();
        for (const auto& w : items)
            db_.query("INSERT INTO work_queue (batch, project, registry_url, registry_type, repository, tag, digest, "
                      "options, priority, state, attempts, enqueued) VALUES (?,?,?,?,?,?,?,?,?,'queued',0,?)",
                      {batch, w.project, w.registry_url, w.registry_type, w.repository, w.tag, w.digest, w.options,
                       int64_t{priority}, at});
    });
    return batch;
}

void WorkQueue::fail_exhausted(int64_t at) {
    db_.query("UPDATE work_queue SET state='failed', lease_token=NULL, finished=?, "
              "reason='worker lost while scanning (' || CAST(attempts AS TEXT) || ' attempts)' "
              "WHERE state='claimed' AND lease_expires < ? AND attempts >= ?",
              {at, at, int64_t{options_.max_attempts}});
}

std::optional<WorkItem> WorkQueue::claim(const std::string& owner) {
    std::optional<WorkItem> claimed;
    const std::string skip_locked = db_.dialect() == Dialect::postgresql ? " FOR UPDATE SKIP LOCKED" : "";
    db_.transaction([&] {
        claimed.reset();
        const int64_t at = now();
        fail_exhausted(at);
        auto rows = db_.query(
            fmt::format("UPDATE work_queue SET state='claimed', lease_owner=?, lease_token=?, lease_expires=?, "
                        "attempts=attempts+1 WHERE id = (SELECT id FROM work_queue WHERE state='queued' OR "
                        "(state='claimed' AND lease_expires < ?) ORDER BY priority DESC, id LIMIT 1{}) "
                        "RETURNING {}",
                        skip_locked, item_columns),
            {owner, random_token(), at + options_.lease.count(), at});
        if (!rows.empty()) claimed = read_item(rows[0]);
    });
    return claimed;
}

bool WorkQueue::renew(const WorkItem& item) {
    return !db_.query("UPDATE work_queue SET lease_expires=? WHERE id=? AND lease_token=? AND state='claimed' "
                      "RETURNING id",
                      {now() + options_.lease.count(), item.id, item.lease_token})
                .empty();
}

void WorkQueue::complete(const WorkItem& item, const std::string& data_fingerprint) {
    auto rows = db_.query("UPDATE work_queue SET state='done', lease_token=NULL, finished=?, reason=NULL, "
                          "data_fingerprint=? WHERE id=? AND lease_token=? AND state='claimed' RETURNING id",
                          {now(), data_fingerprint, item.id, item.lease_token});
    if (rows.empty())
        throw LeaseLost(fmt::format("the lease on queue row {} was lost (it expired and was claimed again)", item.id));
}

bool WorkQueue::fail_attempt(const WorkItem& item, const std::string& error) {
    return !db_.query("UPDATE work_queue SET state=CASE WHEN attempts >= ? THEN 'failed' ELSE 'queued' END, "
                      "lease_token=NULL, lease_owner=NULL, reason=?, "
                      "finished=CASE WHEN attempts >= ? THEN ? ELSE NULL END "
                      "WHERE id=? AND lease_token=? AND state='claimed' RETURNING id",
                      {int64_t{options_.max_attempts}, bounded(error), int64_t{options_.max_attempts}, now(), item.id,
                       item.lease_token})
                .empty();
}

bool WorkQueue::fail(const WorkItem& item, const std::string& error) {
    return !db_.query("UPDATE work_queue SET state='failed', lease_token=NULL, lease_owner=NULL, reason=?, finished=? "
                      "WHERE id=? AND lease_token=? AND state='claimed' RETURNING id",
                      {bounded(error), now(), item.id, item.lease_token})
                .empty();
}

bool WorkQueue::release(const WorkItem& item) {
    return !db_.query("UPDATE work_queue SET state='queued', attempts=attempts-1, lease_token=NULL, lease_owner=NULL "
                      "WHERE id=? AND lease_token=? AND state='claimed' RETURNING id",
                      {item.id, item.lease_token})
                .empty();
}

BatchProgress WorkQueue::progress(const std::string& batch) {
    BatchProgress progress;
    db_.transaction([&] {
        progress = {};
        fail_exhausted(now());
        for (const auto& row :
             db_.query("SELECT state, COUNT(*) FROM work_queue WHERE batch=? GROUP BY state", {batch})) {
            auto state = as_text(row.at(0));
            auto count = static_cast<size_t>(as_int(row.at(1)));
            if (state == "queued") progress.queued = count;
            else if (state == "claimed") progress.claimed = count;
            else if (state == "done") progress.done = count;
            else if (state == "failed") progress.failed = count;
        }
    });
    return progress;
}

std::vector<WorkItem> WorkQueue::failed(const std::string& batch) {
    std::vector<WorkItem> out;
    for (const auto& row : db_.query(fmt::format("SELECT {} FROM work_queue WHERE batch=? AND state='failed' "
                                                 "ORDER BY id",
                                                 item_columns),
                                     {batch}))
        out.push_back(read_item(row));
    return out;
}

std::vector<WorkItem> WorkQueue::items(const std::string& batch) {
    std::vector<WorkItem> out;
    for (const auto& row :
         db_.query(fmt::format("SELECT {} FROM work_queue WHERE batch=? ORDER BY id", item_columns), {batch}))
        out.push_back(read_item(row));
    return out;
}

std::vector<std::pair<std::string, size_t>> WorkQueue::fingerprints(const std::string& batch) {
    std::vector<std::pair<std::string, size_t>> out;
    for (const auto& row : db_.query("SELECT data_fingerprint, COUNT(*) FROM work_queue WHERE batch=? AND "
                                     "state='done' AND data_fingerprint IS NOT NULL AND data_fingerprint <> '' "
                                     "GROUP BY data_fingerprint",
                                     {batch}))
        out.emplace_back(as_text(row.at(0)), static_cast<size_t>(as_int(row.at(1))));
    return out;
}

void WorkQueue::mark_new(const WorkItem& item) {
    db_.query("UPDATE work_queue SET new_image=1 WHERE id=?", {item.id});
}

std::vector<std::string> WorkQueue::new_images(const std::string& batch) {
    std::vector<std::string> out;
    for (const auto& row : db_.query("SELECT repository, tag, digest FROM work_queue WHERE batch=? AND new_image=1 "
                                     "AND state='done'",
                                     {batch})) {
        auto tag = as_text(row.at(1));
        out.push_back(as_text(row.at(0)) + (tag.empty() ? "@" + as_text(row.at(2)) : ":" + tag));
    }
    return out;
}

size_t WorkQueue::pending() {
    return static_cast<size_t>(
        as_int(db_.query("SELECT COUNT(*) FROM work_queue WHERE state IN ('queued','claimed')").at(0).at(0)));
}

size_t WorkQueue::withdraw(const std::string& batch) {
    return db_.query("DELETE FROM work_queue WHERE batch=? AND state='queued' RETURNING id", {batch}).size();
}

void WorkQueue::heartbeat(const std::string& worker_id, const std::string& host, int64_t pid) {
    const int64_t at = now();
    db_.query("INSERT INTO fleet_workers (worker_id, host, pid, started, last_seen) VALUES (?,?,?,?,?) "
              "ON CONFLICT (worker_id) DO UPDATE SET last_seen=excluded.last_seen, host=excluded.host, "
              "pid=excluded.pid",
              {worker_id, host, pid, at, at});
}

void WorkQueue::remove_worker(const std::string& worker_id) {
    db_.query("DELETE FROM fleet_workers WHERE worker_id=?", {worker_id});
}

size_t WorkQueue::live_workers(std::chrono::milliseconds within) {
    return static_cast<size_t>(as_int(
        db_.query("SELECT COUNT(*) FROM fleet_workers WHERE last_seen >= ?", {now() - within.count()}).at(0).at(0)));
}

}  // namespace regscan::state
