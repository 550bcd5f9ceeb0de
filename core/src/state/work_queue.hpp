// The fleet's work queue: one row per image to scan, claimed by `regscan
// worker` processes under a lease. The same SQL on SQLite and PostgreSQL; a
// claim is one statement in one transaction (PostgreSQL: FOR UPDATE SKIP
// LOCKED, so two workers never wait on, nor take, the same row; SQLite:
// BEGIN IMMEDIATE serialises claims). Lease times come from the database's
// clock, so workers on machines with skewed clocks agree.
//
// A row's life: queued -> claimed (attempts + 1, a lease token) -> done, or
// back to queued (its lease expired, a scan error, or a release on shutdown,
// which gives the attempt back), or failed once attempts reach the maximum
// (reason: "worker lost while scanning (N attempts)" or the last error).
// Rows hold no credential: at most a reference to one (a connector's name).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "state/database.hpp"

namespace regscan::state {

// Priorities: a user's request goes ahead of scheduled work.
constexpr int priority_scheduled = 0;
constexpr int priority_user = 1;

struct NewWork {
    std::string project;
    std::string registry_url;
    std::string registry_type;
    std::string repository;
    std::string tag;
    std::string digest;   // from the listing, "" when it gave none
    std::string options;  // the run's scan options as JSON, never a credential
};

struct WorkItem {
    int64_t id = 0;
    std::string batch;
    NewWork work;
    int priority = 0;
    std::string state;
    int attempts = 0;
    std::string lease_owner;
    std::string lease_token;
    int64_t lease_expires = 0;  // ms since the epoch, database clock
    std::string reason;
};

struct BatchProgress {
    size_t queued = 0, claimed = 0, done = 0, failed = 0;
    [[nodiscard]] size_t total() const { return queued + claimed + done + failed; }
    [[nodiscard]] bool finished() const { return queued == 0 && claimed == 0; }
};

struct QueueOptions {
    std::chrono::milliseconds lease{60000};
    int max_attempts = 3;
};

// A worker's write found its lease taken by another (it expired and the
// image was claimed again): the transaction is rolled back.
class LeaseLost : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// Creates the fleet's tables when missing (versioned, once).
void migrate_fleet_tables(Database& db);

// Now on the database's clock, in ms since the epoch: what the queue's times are.
int64_t database_now(Database& db);

class WorkQueue {
public:
    // Milliseconds since the epoch. Default: the database's clock.
    using Clock = std::function<int64_t()>;

    explicit WorkQueue(Database& db, QueueOptions options = {}, Clock clock = {});

    // Queues `items` as one new batch, in one transaction; returns its id.
    std::string enqueue(const std::vector<NewWork>& items, int priority);

    // The next claimable row (highest priority, then oldest), now leased to
    // `owner`; nullopt when there is none. Expired leases past the maximum
    // attempts end `failed` first.
    std::optional<WorkItem> claim(const std::string& owner);
    // Moves the lease's expiry on; false when it was lost.
    bool renew(const WorkItem& item);
    // Marks the row done, noting the vulnerability data's fingerprint the
    // results were stored under: call inside the transaction that writes the
    // image's results. Throws LeaseLost when the token no longer holds, so
    // that transaction rolls back.
    void complete(const WorkItem& item, const std::string& data_fingerprint = {});
    // A scan error: back to queued (attempt counted) or failed with `error`
    // at the maximum. False when the lease was lost.
    bool fail_attempt(const WorkItem& item, const std::string& error);
    // An error no other attempt can mend (the row itself is refused): failed
    // at once with `error`. False when the lease was lost.
    bool fail(const WorkItem& item, const std::string& error);
    // Gives the row back, attempt not counted (a worker shutting down).
    bool release(const WorkItem& item);

    BatchProgress progress(const std::string& batch);
    // Every failed row of the batch, with its reason.
    std::vector<WorkItem> failed(const std::string& batch);
    std::vector<WorkItem> items(const std::string& batch);
    // The fingerprints the batch's done rows were stored under, with counts.
    std::vector<std::pair<std::string, size_t>> fingerprints(const std::string& batch);
    // The image was new to its project when scanned (for the --wait report).
    void mark_new(const WorkItem& item);
    // "repository:tag" (or "repository@digest") of the batch's done rows marked new.
    std::vector<std::string> new_images(const std::string& batch);
    // Rows of any batch still queued or claimed.
    size_t pending();
    // Takes the batch's rows no worker has claimed out of the queue (its run
    // was cancelled); claimed rows finish. How many were taken.
    size_t withdraw(const std::string& batch);

    // Worker presence: a row per worker, its last sign of life.
    void heartbeat(const std::string& worker_id, const std::string& host, int64_t pid);
    void remove_worker(const std::string& worker_id);
    // Workers seen within `within`.
    size_t live_workers(std::chrono::milliseconds within);

    // Now by this queue's clock, ms since the epoch.
    int64_t now();
    [[nodiscard]] const QueueOptions& options() const { return options_; }

private:
    // Rows whose lease expired with no attempt left: failed, with why.
    void fail_exhausted(int64_t now);

    Database& db_;
    QueueOptions options_;
    Clock clock_;
};

// A token no other lease holds: 128 random bits in hex.
std::string random_token();

}  // namespace regscan::state
