// The scan state: every image seen (per project and registry), every scan and
// each image's result, and the per-layer facts cache, in a SQLite file or a
// PostgreSQL database (state::Database), shared safely by concurrent regscan
// processes. Malware verdicts are cached per layer and signature-set version
// beside the layer facts.
#pragma once

#include <memory>
#include <optional>
#include <string>

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
};

class StateStore {
public:
    // `location`: a SQLite file or a postgresql:// URL (open_database).
    explicit StateStore(const std::string& location);
    // Migrates the state's tables in `db` once (component "state").
    explicit StateStore(std::shared_ptr<Database> db);

    // Has this project seen this repository:tag at this digest in this registry?
    bool seen(const ImageKey& key, const std::string& digest);
    void record_seen(const ImageKey& key, const std::string& digest, const std::string& now);

    // A stored result for this image at this digest, platform and
    // vulnerability-data fingerprint, as JSON text.
    std::optional<std::string> result(const ImageKey& key, const std::string& digest, const std::string& platform,
                                      const std::string& data_fingerprint);
    void put_result(const ImageKey& key, const std::string& digest, const std::string& platform,
                    const std::string& data_fingerprint, int64_t scan_id, const std::string& status,
                    const std::string& json);

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
    std::optional<TagRenderings> tag_renderings(const ImageKey& key, const std::string& digest,
                                                const std::string& data_fingerprint, int version);
    void put_tag_renderings(const ImageKey& key, const std::string& digest, const std::string& data_fingerprint,
                            int version, const TagRenderings& renderings);

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

}  // namespace regscan::state
