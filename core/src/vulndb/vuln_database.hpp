// The offline OSV vulnerability database as the scan engine uses it: opened
// read-only, matched from several threads at once (each call borrows one of
// a pool of SQLite connections), fingerprinted so a stored scan result can
// be reused until the data changes.
#pragma once

#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "scan/model.hpp"
#include "vulndb/sqlite_handle.hpp"

namespace regscan::vulndb {

struct EcosystemStatus {
    std::string ecosystem;        // as the records write it: "Debian:12", "PyPI"
    size_t records = 0;           // records naming a package in it (withdrawn ones excluded)
    std::string newest_modified;  // the most recent `modified` among them
    std::string last_import;      // when an import last read records of it
};

struct DatabaseStatus {
    std::filesystem::path path;
    std::string fingerprint;
    std::string last_import;  // "" when nothing was ever imported
    size_t records = 0;       // every stored record, withdrawn included
    size_t withdrawn = 0;
    std::vector<EcosystemStatus> ecosystems;  // by name
    size_t statuses = 0;         // release statuses (will_not_fix, ...) stored
    std::string status_source;   // what they came from, "" when never imported
    std::string status_import;   // when
};

// What a scan reports of the data, read quickly at the start of a run.
struct DatabaseOverview {
    std::string fingerprint;
    std::string last_import;
    std::string newest_record;            // max `modified` of the usable records
    size_t records = 0;                   // usable (not withdrawn)
    std::vector<std::string> ecosystems;  // every ecosystem an import has read, sorted
};

class VulnDatabase {
public:
    // Throws DbError when the file is missing or is not a regscan database
    // (the message says to run 'regscan db import' or 'regscan db update').
    explicit VulnDatabase(std::filesystem::path path);
    ~VulnDatabase();
    VulnDatabase(const VulnDatabase&) = delete;
    VulnDatabase& operator=(const VulnDatabase&) = delete;

    [[nodiscard]] const std::filesystem::path& path() const { return path_; }

    // Changes whenever the stored data changes ("sha256:<hex>").
    [[nodiscard]] std::string fingerprint() const;

    // The vulnerabilities affecting one package, by the OSV evaluation rules;
    // records that alias one another (or share an upstream CVE) become one
    // Vulnerability. Sorted by id. Thread-safe. Answers are remembered (up to
    // result_cache_size packages), so images sharing base layers do not
    // repeat the lookups: an open database answers from the data it first saw
    // for a package, as the fingerprint read at the start of a run promises.
    [[nodiscard]] std::vector<scan::Vulnerability> match(const scan::Package& package) const;

    [[nodiscard]] DatabaseStatus status() const;
    [[nodiscard]] DatabaseOverview overview() const;

    static constexpr size_t result_cache_size = 50000;

private:
    struct Reader;
    std::vector<scan::Vulnerability> lookup(const scan::Package& package) const;
    void add_statuses(Reader& reader, const std::string& ecosystem, const std::string& name,
                      std::vector<scan::Vulnerability>& found) const;
    struct Lease;
    Lease borrow() const;
    void give_back(std::unique_ptr<Reader> reader) const;

    std::filesystem::path path_;
    mutable std::mutex pool_mutex_;
    mutable std::vector<std::unique_ptr<Reader>> idle_;
    mutable std::mutex cache_mutex_;
    mutable std::unordered_map<std::string, std::vector<scan::Vulnerability>> results_;
};

}  // namespace regscan::vulndb
