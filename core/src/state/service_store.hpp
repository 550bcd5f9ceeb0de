// What `regscan serve` keeps beside the CLI's scan state, in the same
// database (a SQLite file or PostgreSQL): connectors (their options as JSON, the password sealed), imports, an
// index of images (one row per connector x repository x tag x platform with
// its counts, so the dashboard's list is one indexed query) and each image's
// scan history. Its tables carry the prefix serve_ and are migrated once as
// the component "serve" of schema_migrations (state/migrations.hpp); a file
// made before that, with its serve_schema table, is adopted at its version.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "state/database.hpp"

namespace regscan::state {

struct ConnectorRecord {
    int64_t id = 0;
    std::string name;
    nlohmann::json config = nlohmann::json::object();  // everything but the password
    std::string sealed_password;                          // "" when none
    std::string created;
    std::string updated;
    std::string next_run;  // UTC ISO-8601, "" when the schedule is off
};

struct ImportRecord {
    int64_t id = 0;
    int64_t connector_id = 0;
    std::string connector;
    std::string trigger;  // manual|scheduled|startup
    std::string state;    // queued|running|succeeded|partial|failed|interrupted|cancelled
    std::string queued_at, started_at, finished_at;
    std::string registry_type;
    int64_t images_found = 0, images_new = 0, images_failed = 0;
    int64_t progress_done = 0, progress_total = 0;
    std::string current;
    std::string error;
};

struct SeverityCounts {
    int64_t critical = 0, high = 0, medium = 0, low = 0, unknown = 0;
    [[nodiscard]] int64_t total() const { return critical + high + medium + low + unknown; }
};

// One platform of one tag, as an import left it.
struct ImageIndexRow {
    int64_t id = 0;
    int64_t connector_id = 0;
    std::string connector;
    std::string project;   // where its full result lives in `results`
    std::string registry;  // host[:port]
    std::string repository, tag, platform, digest;  // an untagged image's tag is "@<digest>"
    std::string last_scanned;
    int64_t import_id = 0;
    SeverityCounts vulnerabilities;
    std::string malware_verdict = "not scanned";  // not scanned|clean|found|incomplete
    int64_t malware_found = 0, malware_incomplete = 0;
    std::string status = "scanned";  // scanned|failed|scan_failed
    std::string reason;
};

struct ImageHistoryRow {
    int64_t import_id = 0;
    std::string scanned_at, status, digest, reason;
    SeverityCounts vulnerabilities;
};

// Filters of the images list; empty means any.
struct ImageFilter {
    std::string connector, repository, severity, status, search;
    std::string sort = "repository";
    bool descending = false;
    size_t limit = 50, offset = 0;
};

struct ImagePage {
    int64_t total = 0;
    std::vector<ImageIndexRow> rows;
};

// Imports ever recorded: those removed since (retention, a connector's
// removal) still count, so that /metrics' totals never go down.
struct ImportTotals {
    std::vector<std::pair<std::string, int64_t>> by_state;  // by name
    double duration_seconds_sum = 0;                         // of imports with a start and an end
    int64_t duration_count = 0;
    int64_t images_scanned = 0;  // index rows with status scanned
    int64_t image_failures = 0;  // index rows failed or scan_failed
};

class ServiceStore {
public:
    static constexpr int schema_version = 2;

    // `location`: a SQLite file or a postgresql:// URL (open_database).
    explicit ServiceStore(const std::string& location);
    explicit ServiceStore(std::shared_ptr<Database> db);

    // Connectors. create throws std::invalid_argument when the name is taken.
    int64_t create_connector(const ConnectorRecord& connector);
    void update_connector(const ConnectorRecord& connector);  // by id
    // update_connector leaving nothing of the former configuration readable
    // in the database's files (a secret an older server stored in clear):
    // SQLite zeroes the space the update frees (secure_delete) and writes it
    // back to the file at once (checkpoint, WAL truncated); PostgreSQL
    // rewrites the table (VACUUM FULL; the server's own WAL segments, backups
    // and replicas keep what they hold until they are recycled). Costly: for
    // a rare, one-time change.
    void update_connector_erasing_old(const ConnectorRecord& connector);
    void set_next_run(int64_t connector_id, const std::string& next_run);
    // Removes the connector, its images, their history and its imports (their
    // counts stay in totals()).
    void remove_connector(int64_t connector_id);
    std::optional<ConnectorRecord> connector(const std::string& name);
    std::optional<ConnectorRecord> connector(int64_t id);
    std::vector<ConnectorRecord> connectors();

    // Imports.
    int64_t create_import(int64_t connector_id, const std::string& connector, const std::string& trigger,
                          const std::string& queued_at);
    void start_import(int64_t id, const std::string& started_at);
    void set_import_discovered(int64_t id, const std::string& registry_type, int64_t total);
    void set_import_registry_type(int64_t id, const std::string& registry_type);
    void set_import_progress(int64_t id, int64_t done, const std::string& current);
    void finish_import(int64_t id, const std::string& state, const std::string& finished_at, int64_t found,
                       int64_t is_new, int64_t failed, const std::string& error);
    std::optional<ImportRecord> import(int64_t id);
    std::vector<ImportRecord> imports(const std::string& connector, size_t limit);  // newest first
    std::optional<ImportRecord> last_import(int64_t connector_id);  // newest finished
    std::vector<ImportRecord> imports_in_state(const std::string& state);
    // Imports left 'running' by a server that died become 'interrupted';
    // returns them.
    std::vector<ImportRecord> interrupt_running(const std::string& finished_at);
    // Retention. The finished imports of a connector past its `keep` newest,
    // leaving out any an index row still names as its last import (that
    // image's result and reports are still that import's): oldest last.
    // Never a queued or running one.
    std::vector<int64_t> imports_past(int64_t connector_id, size_t keep);
    // Removes one such import with the history rows it wrote, in one
    // transaction, adding it to what totals() counts; false (nothing done)
    // unless it is finished and no index row names it. Its report files are
    // the caller's.
    bool remove_import(int64_t id);

    // Writes one tag's rows (every platform) and their history in one
    // transaction; rows of the same tag with other platforms are removed
    // (a failure row without a platform is replaced once it scans). Returns
    // the ids of the rows, in order. No row is written when the connector is
    // gone.
    std::vector<int64_t> record_tag(const std::vector<ImageIndexRow>& rows);
    // After an import that saw every image of its connector: the rows it did
    // not write are images gone from the registry (or no longer selected).
    // Removes them with their history; returns how many.
    int64_t remove_images_not_in(int64_t connector_id, int64_t import_id);
    std::optional<ImageIndexRow> image(int64_t id);
    std::vector<ImageHistoryRow> image_history(int64_t image_id, size_t limit);
    ImagePage images(const ImageFilter& filter);

    ImportTotals totals();

    // The full result (JSON text) the CLI's state keeps for this row's image
    // (`results`), if any: what an image's detail page shows.
    std::optional<std::string> stored_result(const ImageIndexRow& row);

    [[nodiscard]] Database& db() { return *db_; }

private:
    // Adds removed imports (rows of state, started_at, finished_at) to
    // serve_import_totals.
    void add_to_totals(const std::vector<Row>& removed);

    std::shared_ptr<Database> db_;
};

}  // namespace regscan::state
