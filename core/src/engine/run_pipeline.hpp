// What every run does once it knows its images, for `regscan registry` and
// `regscan image` alike: open the state and the vulnerability data, resolve
// and scan (or list) the images, write the reports, print the summary, and
// choose the exit code.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "app/exit_codes.hpp"
#include "auth/registry_auth.hpp"
#include "engine/image_record.hpp"
#include "engine/image_scanner.hpp"
#include "engine/run_options.hpp"
#include "engine/scan_phase.hpp"
#include "http/http_client.hpp"
#include "oci/distribution_client.hpp"
#include "regscan/reporter.hpp"
#include "scan/matcher.hpp"
#include "state/state_store.hpp"

namespace regscan::engine {

class RunPipeline {
public:
    explicit RunPipeline(const RunOptions& options);
    ~RunPipeline();

    [[nodiscard]] http::HttpClient& client() { return client_; }
    [[nodiscard]] auth::RegistryAuth& auth() { return auth_; }
    [[nodiscard]] const std::string& authority() const { return authority_; }

    // Reads manifests and blobs through `source` (not owned, outlives the
    // run) instead of the registry: a local input; null for the registry.
    void read_from(const oci::DistributionClient* source) { source_ = source; }

    // Takes each image's result from `listed` (its packages, matched by the
    // run) instead of resolving and scanning it: a local input that lists
    // packages (sbom:FILE); no registry, layer or stored result is read.
    void list_from(std::function<scan::ImageResult(const ImageRecord& image)> listed) { listed_ = std::move(listed); }

    // Opens the state, the vulnerability data and the malware signatures
    // (when asked for): what run() needs before its first image. run()
    // calls it when nothing did; `regscan registry` calls it on a thread of
    // its own while the registry is identified and listed.
    void prepare();
    // After prepare(): the state (null without one), and the key under
    // which this run reuses a tag's stored results.
    [[nodiscard]] state::StateStore* store() const { return store_.get(); }
    [[nodiscard]] std::string tag_results_key() const;

    // Resolves, scans (scan mode) and reports `images`, with what discovery
    // said beside them (`listing`) in the summary.
    app::ExitCode run(std::vector<ImageRecord>& images, const ListingReport& listing = {});

private:
    // Stores what a rescan needs of a freshly scanned tag when no reporter
    // needs its packages (state::TagRenderings); returns the renderings.
    std::vector<StoredResult> keep_renderings(const ImageRecord& image, std::vector<scan::ImageResult>& results,
                                              const std::string& data_fingerprint);
    // Stores where `reporter` (the JSON report, once finished) now holds the
    // rendered entries, so the next run copies them instead of reading them.
    void keep_entries_refs(const sdk::Reporter& reporter, const ScanEnvironment& env);

    const RunOptions& options_;
    http::HttpClient client_;
    auth::RegistryAuth auth_;
    std::string authority_;
    std::unique_ptr<state::StateStore> store_;
    std::unique_ptr<scan::VulnerabilityMatcher> matcher_;
    std::unique_ptr<malware::MalwareScanner> malware_;
    bool prepared_ = false;
    MalwareSetup malware_setup_;
    std::string data_fingerprint_;  // what stored results are valid for (data, signatures)
    const oci::DistributionClient* source_ = nullptr;
    std::function<scan::ImageResult(const ImageRecord& image)> listed_;
};

}  // namespace regscan::engine
