#include "state/state_prune.hpp"

#include <algorithm>
#include <vector>

#include <fmt/format.h>

#include "state/migrations.hpp"
#include "state/state_store.hpp"
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

// Removes the step's rows (with `batch`: at most batch_rows of them, and on
// SQLite only past rowid `*after`, which moves to the last one removed, so
// that each batch reads on from where the last stopped) and returns how many
// went, exactly on both backends. PostgreSQL picks a batch by ctid: a row
// changed meanwhile has moved and is left for a later batch.
int64_t remove(Database& db, const Step& step, bool batch, int64_t* after) {
    if (db.dialect() == Dialect::postgresql) {
        const std::string where =
            batch ? fmt::format("ctid IN (SELECT ctid FROM {} WHERE {} LIMIT {})", step.table, step.where, batch_rows)
                  : step.where;
        return as_int(
            db.query(fmt::format("WITH gone AS (DELETE FROM {} WHERE {} RETURNING 1) SELECT COUNT(*) FROM gone",
                                 step.table, where),
                     step.params)
                .at(0)
                .at(0));
    }
    if (!batch) {
        db.query(fmt::format("DELETE FROM {} WHERE {}", step.table, step.where), step.params);
        return as_int(db.query("SELECT changes()").at(0).at(0));
    }
    std::vector<Value> params{*after};
    params.insert(params.end(), step.params.begin(), step.params.end());
    const auto gone = db.query(fmt::format("DELETE FROM {0} WHERE rowid IN (SELECT rowid FROM {0} WHERE rowid > ? AND "
                                           "({1}) ORDER BY rowid LIMIT {2}) RETURNING rowid",
                                           step.table, step.where, batch_rows),
                               params);
    for (const auto& row : gone) *after = std::max(*after, as_int(row.at(0)));
    return static_cast<int64_t>(gone.size());
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

// The digest of the tag `r`'s result was last used under; rows written
// before migration 3 have none: their own digest (a single manifest's).
std::string tag_digest_of(const std::string& r) {
    return fmt::format("COALESCE(NULLIF((SELECT o.tag_digest FROM result_tag_digests o WHERE o.project = {0}.project "
                       "AND o.registry = {0}.registry AND o.repository = {0}.repository AND o.tag = {0}.tag AND "
                       "o.digest = {0}.digest AND o.platform = {0}.platform), ''), {0}.digest)",
                       r);
}

// In this order: each step's rows may be kept by rows an earlier one removes.
std::vector<Step> steps(Database& db, const PruneOptions& options) {
    const std::string cutoff = util::format_utc(options.cutoff);
    const bool serving = db.has_table("serve_images");
    auto unless_shown = [&](const std::string& t, const std::string& digest_condition) {
        return serving ? " AND NOT " + shown(t, digest_condition) : std::string();
    };
    auto tag_row_gone = [&](const std::string& t) {
        return unseen_since(t, t + ".digest") + unless_shown(t, "s.digest = " + t + ".digest");
    };
    const std::string tag_digest = tag_digest_of("results");
    // An index's platform result from before migration 3 names no digest a
    // run sees: it ages with the run that wrote it.
    const std::string untraceable_and_old =
        "NOT EXISTS (SELECT 1 FROM images i WHERE i.project = results.project AND i.registry = results.registry AND "
        "i.repository = results.repository AND i.tag = results.tag AND i.digest = " + tag_digest +
        ") AND EXISTS (SELECT 1 FROM scans r WHERE r.id = results.scan_id AND r.finished IS NOT NULL AND "
        "r.finished < ?)";
    // A side row whose row is gone.
    auto orphans = [](const std::string& table, const std::string& of, const std::vector<const char*>& key) {
        std::string match;
        for (const char* column : key)
            match += fmt::format("{}{}.{} = {}.{}", match.empty() ? "" : " AND ", of, column, table, column);
        return Step{table, fmt::format("NOT EXISTS (SELECT 1 FROM {} WHERE {})", of, match), {}, nullptr};
    };
    const std::vector<const char*> result_key = {"project", "registry", "repository", "tag", "digest", "platform"};

    std::vector<Step> out = {
        {"results",
         "(" + unseen_since("results", tag_digest) + " OR " + untraceable_and_old + ")" +
             unless_shown("results", "(s.digest = results.digest OR s.digest = " + tag_digest + ")"),
         {cutoff, cutoff},
         &PruneCounts::results},
        orphans("result_tag_digests", "results", result_key),
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
             " AND NOT EXISTS (SELECT 1 FROM results r WHERE r.project = images.project AND r.registry = "
             "images.registry AND r.repository = images.repository AND r.tag = images.tag AND " +
             tag_digest_of("r") + " = images.digest)",
         {cutoff},
         &PruneCounts::images},
        // Only a run that ended: one still going (a worker runs one for its
        // whole life) names itself in every result it writes.
        {"scans",
         "finished IS NOT NULL AND finished < ? AND NOT EXISTS (SELECT 1 FROM results r WHERE r.scan_id = scans.id)",
         {cutoff},
         &PruneCounts::scans},
        {"layer_facts",
         "analysis_version < ? OR NOT EXISTS (SELECT 1 FROM layer_facts_written w WHERE w.digest = layer_facts.digest "
         "AND w.analysis_version = layer_facts.analysis_version AND w.recorded >= ?)",
         {int64_t{options.analysis_version}, cutoff},
         &PruneCounts::layer_facts},
        orphans("layer_facts_written", "layer_facts", {"digest", "analysis_version"}),
        {"layer_malware",
         "NOT EXISTS (SELECT 1 FROM layer_malware_written w WHERE w.digest = layer_malware.digest AND "
         "w.signature_version = layer_malware.signature_version AND w.recorded >= ?)",
         {cutoff},
         &PruneCounts::layer_malware},
        orphans("layer_malware_written", "layer_malware", {"digest", "signature_version"}),
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
    PruneCounts counts;
    auto count = [&](const Step& step, int64_t removed) {
        if (step.count) counts.*step.count += removed;
    };
    if (options.dry_run) {
        try {
            db.transaction([&] {
                counts = {};  // a transaction run again after a lost connection starts over
                // Rolled back with the rest: an older state stays as it was.
                // Only then: the migration's lock (on PostgreSQL, held to the
                // end of this transaction) would stop every regscan starting.
                if (schema_version(db, "state") < StateStore::schema_version) migrate_state_tables(db);
                for (const auto& step : steps(db, options)) count(step, remove(db, step, false, nullptr));
                throw RollBack{};
            });
        } catch (const RollBack&) {
        }
        return counts;
    }
    migrate_state_tables(db);
    // Until a batch finds nothing: a short batch is not the end (on
    // PostgreSQL a row updated meanwhile has moved out of it). It ends: the
    // cutoff is fixed, and writers only make rows newer.
    for (const auto& step : steps(db, options)) {
        int64_t after = 0;
        for (int64_t removed = 1; removed > 0;) {
            db.transaction([&, start = after] {
                after = start;
                removed = remove(db, step, true, &after);
            });
            count(step, removed);
            counts.batches += removed > 0 ? 1 : 0;
        }
    }
    return counts;
}

}  // namespace regscan::state
