#include "state/state_prune.hpp"

#include <optional>
#include <vector>

#include <fmt/format.h>

#include "state/work_queue.hpp"
#include "util/time.hpp"

namespace regscan::state {
namespace {

// Thrown out of a dry run's transaction so that it rolls back.
struct RollBack {};

// One kind of row to remove: those of `table` matching `where`.
struct Step {
    std::string table;
    std::string where;
    std::vector<Value> params;
    int64_t PruneCounts::*count;
};

// A real prune removes at most this many rows per transaction: another writer
// of a SQLite state waits for one batch, not for the whole prune.
constexpr int64_t batch_rows = 2000;

// Removes the step's rows (at most `limit` when given) and returns how many
// went: exact on both backends (SQLite's changes() on the transaction's own
// connection; a counting CTE on PostgreSQL). A batch is picked by row
// address, rowid or ctid: a row changed meanwhile is left for a later batch.
int64_t remove(Database& db, const Step& step, std::optional<int64_t> limit) {
    const bool postgres = db.dialect() == Dialect::postgresql;
    std::string where = step.where;
    if (limit) {
        const char* address = postgres ? "ctid" : "rowid";
        where = fmt::format("{0} IN (SELECT {0} FROM {1} WHERE {2} LIMIT {3})", address, step.table, step.where, *limit);
    }
    if (postgres)
        return as_int(
            db.query(fmt::format("WITH gone AS (DELETE FROM {} WHERE {} RETURNING 1) SELECT COUNT(*) FROM gone",
                                 step.table, where),
                     step.params)
                .at(0)
                .at(0));
    db.query(fmt::format("DELETE FROM {} WHERE {}", step.table, where), step.params);
    return as_int(db.query("SELECT changes()").at(0).at(0));
}

// `t`'s tag digest (`digest_column`) has an images row last seen before the
// cutoff: no run saw the tag there since.
std::string unseen_since(const std::string& t, const std::string& digest_column) {
    return fmt::format("EXISTS (SELECT 1 FROM images i WHERE i.project = {0}.project AND i.registry = {0}.registry "
                       "AND i.repository = {0}.repository AND i.tag = {0}.tag AND i.digest = {1} AND "
                       "i.last_seen < ?)",
                       t, digest_column);
}

// A 'regscan serve' index row of any connector shows `t`'s digest (as a
// platform's or as the tag's): its detail page reads the stored result. An
// untagged index row ("@digest") reads the results stored with tag ''.
std::string shown(const std::string& t, const std::string& digest_condition) {
    return fmt::format("EXISTS (SELECT 1 FROM serve_images s WHERE s.project = {0}.project AND s.registry = "
                       "{0}.registry AND s.repository = {0}.repository AND (s.tag = {0}.tag OR ({0}.tag = '' AND "
                       "substr(s.tag, 1, 1) = '@')) AND {1})",
                       t, digest_condition);
}

// In this order: each step's rows may be kept by rows an earlier one removes.
std::vector<Step> steps(Database& db, const PruneOptions& options) {
    const std::string cutoff = util::format_utc(options.cutoff);
    const bool serving = db.has_table("serve_images");
    // Rows written before migration 3 name no tag digest: their own digest is
    // the tag's unless the tag is an index (then they stay).
    const std::string result_tag_digest = "CASE WHEN results.tag_digest <> '' THEN results.tag_digest ELSE "
                                          "results.digest END";
    auto unless_shown = [&](const std::string& t, const std::string& digest_condition) {
        return serving ? " AND NOT " + shown(t, digest_condition) : std::string();
    };
    auto tag_row_gone = [&](const std::string& t) {
        return unseen_since(t, t + ".digest") + unless_shown(t, "s.digest = " + t + ".digest");
    };

    std::vector<Step> out = {
        {"results",
         unseen_since("results", result_tag_digest) +
             unless_shown("results", "(s.digest = results.digest OR s.digest = results.tag_digest)"),
         {cutoff},
         &PruneCounts::results},
        // A report reference is only worth the rendering it points into.
        {"tag_report_refs",
         "EXISTS (SELECT 1 FROM tag_renderings r WHERE r.project = tag_report_refs.project AND r.registry = "
         "tag_report_refs.registry AND r.repository = tag_report_refs.repository AND r.tag = tag_report_refs.tag AND " +
             tag_row_gone("r") + ")",
         {cutoff},
         &PruneCounts::tag_rows},
        {"tag_renderings", tag_row_gone("tag_renderings"), {cutoff}, &PruneCounts::tag_rows},
        {"tag_results", tag_row_gone("tag_results"), {cutoff}, &PruneCounts::tag_rows},
        // A record goes with its results: one a kept result names stays, so
        // that the result can age out by it once no index row shows it.
        {"images",
         "last_seen < ?" + unless_shown("images", "s.digest = images.digest") +
             " AND NOT EXISTS (SELECT 1 FROM results WHERE results.project = images.project AND results.registry = "
             "images.registry AND results.repository = images.repository AND results.tag = images.tag AND " +
             result_tag_digest + " = images.digest)",
         {cutoff},
         &PruneCounts::images},
        // Only a run that ended: one still going (a worker runs one for its
        // whole life) names itself in every result it writes.
        {"scans",
         "finished IS NOT NULL AND finished < ? AND NOT EXISTS (SELECT 1 FROM results r WHERE r.scan_id = scans.id)",
         {cutoff},
         &PruneCounts::scans},
        {"layer_facts",
         "analysis_version < ? OR recorded < ?",
         {int64_t{options.analysis_version}, cutoff},
         &PruneCounts::layer_facts},
        {"layer_malware", "recorded < ?", {cutoff}, &PruneCounts::layer_malware},
    };
    if (db.has_table("work_queue")) {
        // `finished` is in ms of the database's clock: the cutoff moved to it.
        // A batch some 'registry --wait' may still be reading has an item not
        // ended, or one ended after the cutoff.
        const int64_t offset_ms =
            database_now(db) - std::chrono::duration_cast<std::chrono::milliseconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count();
        const int64_t cutoff_ms =
            std::chrono::duration_cast<std::chrono::milliseconds>(options.cutoff.time_since_epoch()).count() +
            offset_ms;
        out.push_back({"work_queue",
                       "batch IN (SELECT batch FROM work_queue GROUP BY batch HAVING COUNT(finished) = COUNT(*) AND "
                       "MAX(finished) < ?)",
                       {cutoff_ms},
                       &PruneCounts::queue_items});
    }
    return out;
}

}  // namespace

PruneCounts prune_state(Database& db, const PruneOptions& options) {
    const auto plan = steps(db, options);
    PruneCounts counts;
    if (options.dry_run) {
        try {
            db.transaction([&] {
                counts = {};  // a transaction run again after a lost connection starts over
                for (const auto& step : plan) counts.*step.count += remove(db, step, std::nullopt);
                throw RollBack{};
            });
        } catch (const RollBack&) {
        }
        return counts;
    }
    // Until a batch finds nothing: a short batch is not the end (on
    // PostgreSQL a row updated meanwhile has moved out of it). It ends: the
    // cutoff is fixed, and writers only make rows newer.
    for (const auto& step : plan)
        for (int64_t removed = 1; removed > 0;) {
            db.transaction([&] { removed = remove(db, step, batch_rows); });
            counts.*step.count += removed;
            counts.batches += removed > 0 ? 1 : 0;
        }
    return counts;
}

}  // namespace regscan::state
