// The per-image part of a run, in parallel: resolve each selected image
// (manifest, platforms, config), tell whether it is new to this project, and
// in scan mode reuse a stored result when neither the image nor the
// vulnerability data changed, else scan it. One image's failure or timeout
// is recorded on that image; the others go on.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "engine/image_scanner.hpp"
#include "engine/run_observer.hpp"
#include "state/state_store.hpp"

namespace regscan::engine {

struct ScanEnvironment {
    const ImageInspector* inspector = nullptr;
    const ImageScanner* scanner = nullptr;  // null in dry-run
    state::StateStore* store = nullptr;
    std::string project;
    std::string registry;  // host[:port], as in reports
    std::string data_fingerprint;
    // How this run selects platforms (--platform, and whether it was given):
    // a tag's stored results are those of one selection, so they are reused
    // only by a run selecting the same way. See tag_fingerprint().
    std::string platform = "linux/amd64";
    bool platform_given = false;
    int64_t scan_id = 0;
    std::chrono::seconds image_timeout{3600};
    size_t concurrency = 1;
    // Non-zero when no reporter needs the packages of a reused result: an
    // unchanged tag then takes its stored renderings of this version
    // instead of its full results.
    int rendering_version = 0;
    // The key of those renderings: the data fingerprint and the triage
    // policy's, since a rendered JSON entry marks the findings the policy
    // suppresses (results themselves are stored and reused unmarked).
    std::string rendering_fingerprint;
    // Whether the rendered entries of a tag whose row carries this
    // report_ref must be read (a reporter needs their text); empty: always.
    std::function<bool(const std::string& report_ref)> needs_entries;
    RunObserver* observer = nullptr;  // told each image it starts; asked before each whether to stop
    // A fleet worker's hook: run inside the transaction that writes an
    // image's results (`complete`: the image was scanned whole); throwing
    // rolls that transaction back (the worker lost its lease on the image).
    std::function<void(bool complete)> in_commit;
    // `regscan registry --wait`: results the fleet stored for this run are
    // reported as scanned, not as reused from an earlier run; an image the
    // fleet gave up on fails with the fleet's reason instead of being
    // scanned here.
    bool fleet_results = false;
    std::function<std::optional<std::string>(const ImageRecord& image)> failed_elsewhere;
    // With fleet_results: whether the fleet found the image new to the project.
    std::function<bool(const ImageRecord& image)> new_elsewhere;
    // A local input that lists the image's packages instead of its layers
    // (sbom:FILE): the image's one result is this, matched by the scanner;
    // nothing is resolved, pulled, reused or stored.
    std::function<scan::ImageResult(const ImageRecord& image)> listed;
};

// What a stored result was made with, so that only a run making it the same
// way reuses it: the vulnerability data's fingerprint, the malware signatures'
// version when malware is examined (`malware_version`: "none" when the
// signatures failed to load), and the layer analysis' version, so a new one
// (a cataloger added, a value capped) analyses unchanged images again. The
// fleet compares fingerprints by their prefix up to "+malware:".
std::string data_fingerprint(const std::string& vulnerability_data,
                             const std::optional<std::string>& malware_version);

// What in `theirs` (a fleet worker's data_fingerprint) keeps a run with this
// vulnerability data, examining malware or not, from reusing its results:
// "other vulnerability data", "malware examined differently" or "another
// layer analysis (another regscan version)"; empty when nothing does (the
// malware signatures' version is not compared: a run without them loaded
// does not know it).
std::string fingerprint_difference(const std::string& theirs, const std::string& vulnerability_data,
                                   bool malware);

// The key of a tag's stored results (all its platforms at once): the data
// fingerprint, plus the platform selection when it is not the default one
// (so states written before it was part of the key keep being reused).
std::string tag_fingerprint(const ScanEnvironment& env);

struct PhaseOutcome {
    size_t new_images = 0;
    size_t failed_images = 0;
    size_t reused = 0;
    size_t stopped = 0;  // skipped because the run was stopped (RunObserver), in flight or not started
};

// A reused result read back without its packages.
struct StoredResult {
    std::string json_entry;  // the JSON report's entry, rendered; empty when left unread (needs_entries)
    size_t package_count = 0;
    // The renderings row's report_ref (state::TagRenderings), and which of
    // its entries this is (entries_in_tag 0: no row was stored).
    std::string report_ref;
    size_t index_in_tag = 0;
    size_t entries_in_tag = 1;
};

struct ImageOutcome {
    std::vector<scan::ImageResult> results;  // one per platform; none in dry-run
    // Empty, or one per result: the renderings they were read back from
    // (a rescan), or, set by the caller, those just made for the state.
    std::vector<StoredResult> stored;
    // The results were just stored for later runs to reuse.
    bool stored_for_reuse = false;
    // Reused from the stored results because no rendering under this
    // rendering_fingerprint was kept: the caller may keep one now.
    bool renderings_missing = false;
    bool is_new = false;     // the digest was new to the project
    bool timed_out = false;  // it ran past the image timeout
};

// Called from worker threads, never two at once, after each selected image.
// The phase keeps no result: a registry's worth need not fit in memory.
using ImageDone = std::function<void(const ImageRecord& image, ImageOutcome outcome)>;

PhaseOutcome run_scan_phase(std::vector<ImageRecord>& images, const ScanEnvironment& env,
                            const ImageDone& on_done = {});

}  // namespace regscan::engine
