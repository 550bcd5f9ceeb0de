// The scan state: every image seen (per project and registry), every scan and
// each image's result, and the per-layer facts cache, in a SQLite file or a
// PostgreSQL database (state::Database), shared safely by concurrent regscan
// processes. Malware verdicts are cached per layer and signature-set version
// beside the layer facts.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "state/database.hpp"

namespace regscan::state {

struct ImageKey {
    std::string project;
    std::string registry;  // host[:port]
    std::string repository;
    std::string tag;
};

// What a rescan needs of a tag's results when no reporter needs their
// packages: the results without packages (a JSON array whose objects also
// carry "package_count") and the JSON report's entries, rendered, separated
// by '\x1e' (a byte JSON text never holds).
struct TagRenderings {
    std::string summaries;
    std::string entries;
    // Where a JSON report last written from this very row holds its entries
    // (report::JsonReport's reference), or a token no report matches; a
    // rescan whose report still holds them copies them from there instead
    // of reading `entries` (which is then left empty).
    std::string report_ref;
};

// A report's new reference to a tag's rendered entries, stored only if the
// row still carries `old_ref` (it was not rewritten since it was read).
struct ReportRefUpdate {
    std::string repository;
    std::string tag;
    std::string digest;
    std::string old_ref;
    std::string new_ref;
};

class StateStore {
public:
    // The number of migration steps of component "state".
    static constexpr int schema_version = 4;

    // `location`: a SQLite file or a postgresql:// URL (open_database).
    explicit StateStore(const std::string& location);
    // Migrates the state's tables in `db` once (component "state").
    explicit StateStore(std::shared_ptr<Database> db);

    // Has this project seen this repository:tag at this digest in this registry?
    bool seen(const ImageKey& key, const std::string& digest);
    void record_seen(const ImageKey& key, const std::string& digest, const std::string& now);

    // A stored result for this image at this digest, platform and
    // vulnerability-data fingerprint, as JSON text. `tag_digest` is the
    // digest the tag was at when it was scanned (an index's, or `digest`
    // itself): how old the result is (state_prune).
    std::optional<std::string> result(const ImageKey& key, const std::string& digest, const std::string& platform,
                                      const std::string& data_fingerprint);
    void put_result(const ImageKey& key, const std::string& digest, const std::string& platform,
                    const std::string& data_fingerprint, int64_t scan_id, const std::string& status,
                    const std::string& json, const std::string& tag_digest);
    // A stored result reused under another tag digest (the tag moved to an
    // index holding the same platform manifest).
    void set_result_tag_digest(const ImageKey& key, const std::string& digest, const std::string& platform,
                               const std::string& tag_digest);

    // Every platform's result of repository:tag at the tag's own digest (an
    // index's or a single manifest's), as a JSON array: lets a rescan skip even
    // the manifest request for an unchanged image.
    std::optional<std::string> tag_results(const ImageKey& key, const std::string& digest,
                                           const std::string& data_fingerprint);
    // The digest whose results tag_results holds for this tag and data, if any.
    std::optional<std::string> tag_results_digest(const ImageKey& key, const std::string& data_fingerprint);
    void put_tag_results(const ImageKey& key, const std::string& digest, const std::string& data_fingerprint,
                         const std::string& json);

    // Stored beside tag_results, keyed also by the rendering's `version`.
    // With `needs_entries`, the entries are read only when it says so for the
    // row's report_ref (else TagRenderings::entries stays empty).
    std::optional<TagRenderings> tag_renderings(
        const ImageKey& key, const std::string& digest, const std::string& data_fingerprint, int version,
        const std::function<bool(const std::string& report_ref)>& needs_entries = {});
    // Returns the row's new report_ref: a fresh token, which no report holds.
    std::string put_tag_renderings(const ImageKey& key, const std::string& digest,
                                   const std::string& data_fingerprint, int version, const TagRenderings& renderings);
    // In one transaction; each row must still be at `digest`, this data and
    // version, and `old_ref`.
    void put_report_refs(const std::string& project, const std::string& registry, const std::string& data_fingerprint,
                         int version, const std::vector<ReportRefUpdate>& updates);

    int64_t begin_scan(const std::string& project, const std::string& registry, const std::string& mode,
                       const std::string& started);
    void finish_scan(int64_t scan_id, const std::string& finished, const std::string& summary_json);

    std::optional<std::string> layer_facts(const std::string& digest, int analysis_version);
    void put_layer_facts(const std::string& digest, int analysis_version, const std::string& json);

    // A layer's malware verdict under one signature-set version (--malware).
    std::optional<std::string> layer_malware(const std::string& digest, const std::string& signature_version);
    void put_layer_malware(const std::string& digest, const std::string& signature_version, const std::string& json);

    [[nodiscard]] Database& db() { return *db_; }
    [[nodiscard]] const std::shared_ptr<Database>& database() const { return db_; }

private:
    std::shared_ptr<Database> db_;
};

// Brings the state's tables in `db` to this release's version (component
// "state"), once: what constructing a StateStore does.
void migrate_state_tables(Database& db);

}  // namespace regscan::state
