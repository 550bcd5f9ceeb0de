#include "engine/scan_phase.hpp"

#include <mutex>

#include <spdlog/spdlog.h>

#include "engine/image_timeout.hpp"
#include "log/secrets.hpp"
#include "oci/manifest.hpp"
#include "oci/reference_grammar.hpp"
#include "report/json_report.hpp"
#include "scan/layer_facts.hpp"
#include "scan/model_json.hpp"
#include "util/parallel.hpp"
#include "util/time.hpp"
#include "util/json_text.hpp"
#include "regscan/digest.hpp"

namespace regscan::engine {
namespace {

scan::ImageResult failed_result(const ImageRecord& image, const std::string& registry, const std::string& platform,
                                const std::string& error) {
    scan::ImageResult result;
    result.registry = registry;
    result.repository = image.repository.name;
    result.tag = image.tag;
    result.digest = image.digest;
    result.platform = platform;
    result.build_time = image.build_time;
    result.status = scan::ScanStatus::scan_failed;
    // Reports, the state and serve's pages keep it: a registry's answer it
    // quotes may echo the credentials it was sent.
    result.error = log::redact(error);
    return result;
}

constexpr const char* run_stopped = "the run was stopped";

// An image that fails once its transfers are stopped (RunObserver::
// stop_in_flight) failed because of it: it is left for the next run, like
// the images not started, instead of being recorded as a failure.
bool left_for_the_next_run(ImageRecord& image, const ScanEnvironment& env, const std::string& reference) {
    if (!env.observer || !env.observer->stop_in_flight()) return false;
    image.skipped = true;
    image.skip_reason = run_stopped;
    image.error.clear();
    spdlog::info("Stopped image image={} (the run was stopped; the next run scans it)", reference);
    return true;
}

void count_stopped(PhaseOutcome& outcome, std::mutex& mutex) {
    std::lock_guard lock(mutex);
    ++outcome.stopped;
}

// The stored renderings of a tag as results without packages, or false when
// they are missing or do not add up.
bool read_renderings(state::TagRenderings&& stored, bool entries_read, ImageOutcome& outcome) {
    auto summaries = nlohmann::json::parse(stored.summaries, nullptr, false);
    if (!summaries.is_array()) return false;
    std::vector<std::string> entries;
    if (!entries_read) {
        // Left in the previous JSON report, which must hold one per result.
        auto ref = report::parse_entries_ref(stored.report_ref);
        if (!ref || ref->entries.size() != summaries.size()) return false;
        entries.resize(summaries.size());
    } else if (stored.entries.find('\x1e') == std::string::npos) {
        // One platform, the usual case: its entry (hundreds of KiB with the
        // packages) is taken as read, not copied.
        entries.push_back(std::move(stored.entries));
    } else {
        for (size_t start = 0; start <= stored.entries.size();) {
            size_t end = stored.entries.find('\x1e', start);
            if (end == std::string::npos) end = stored.entries.size();
            entries.push_back(stored.entries.substr(start, end - start));
            start = end + 1;
        }
    }
    if (entries.size() != summaries.size()) return false;
    for (size_t i = 0; i < entries.size(); ++i) {
        outcome.results.push_back(summaries[i].get<scan::ImageResult>());
        outcome.stored.push_back({std::move(entries[i]), summaries[i].value("package_count", size_t{0}),
                                  stored.report_ref, i, entries.size()});
    }
    return true;
}

// An unchanged tag (same digest, same vulnerability data) takes its stored
// results without a single GET: the digest comes from the listing or a HEAD.
bool reuse_whole_tag(ImageRecord& image, const ScanEnvironment& env, const state::ImageKey& key,
                     const std::string& reference, ImageOutcome& outcome, ImageInspector::Deadline deadline) {
    // Ask the registry (a HEAD when the listing gave no digest) only when
    // there is a stored result to reuse: a first scan pays no extra request.
    auto stored_digest = env.store->tag_results_digest(key, tag_fingerprint(env));
    if (!stored_digest) return false;
    std::string digest = env.inspector->current_digest(image, deadline);
    if (digest != *stored_digest) return false;
    std::optional<state::TagRenderings> renderings;
    bool entries_read = true;
    if (env.rendering_version)
        renderings = env.store->tag_renderings(
            key, digest, env.rendering_fingerprint, env.rendering_version,
            env.needs_entries ? [&](const std::string& ref) { return entries_read = env.needs_entries(ref); }
                              : std::function<bool(const std::string&)>());
    if (!renderings || !read_renderings(std::move(*renderings), entries_read, outcome)) {
        outcome = {};
        auto stored = env.store->tag_results(key, digest, tag_fingerprint(env));
        if (!stored) return false;
        outcome.results = nlohmann::json::parse(*stored).get<std::vector<scan::ImageResult>>();
        outcome.renderings_missing = env.rendering_version != 0;
    }
    image.digest = digest;
    std::string newest_config;  // wins over the listing's time, as in a scan
    for (auto& result : outcome.results) {
        if (!env.fleet_results) result.status = scan::ScanStatus::reused;
        result.registry = env.registry;
        image.platforms.push_back(result.platform);
        newest_config = std::max(newest_config, result.build_time);
    }
    if (!newest_config.empty()) image.build_time = newest_config;
    env.store->record_seen(key, digest, util::now_utc());
    spdlog::info("Scanned image image={} (unchanged at {}, result reused)", reference, digest);
    return true;
}

struct PlatformResult {
    std::string digest;
    std::string platform;
    std::string json;  // empty: a stored result reused, only its tag digest is updated
};

// One transaction per image: it is marked seen together with its results,
// so an image a killed run marked seen always has them, and vice versa.
void commit_image(const ScanEnvironment& env, const state::ImageKey& key, const std::string& digest,
                  const std::vector<PlatformResult>& results, const std::string& tag_results, bool complete) {
    if (!env.store || digest.empty()) return;
    env.store->db().transaction([&] {
        if (env.in_commit) env.in_commit(complete);
        env.store->record_seen(key, digest, util::now_utc());
        for (const auto& r : results)
            if (r.json.empty())
                env.store->set_result_tag_digest(key, r.digest, r.platform, digest);
            else
                env.store->put_result(key, r.digest, r.platform, env.data_fingerprint, env.scan_id, "scanned", r.json,
                                      digest);
        if (!tag_results.empty()) env.store->put_tag_results(key, digest, tag_fingerprint(env), tag_results);
    });
}

// A dry run's inventory gives every row its build time, skipped ones too (as
// the tool regscan replaces does): an image skipped by the filters, tag limits
// or --max-images is read as any row is (manifest and config), but neither
// counted nor recorded. A scan does not read the images it skips.
void read_skipped_build_time(ImageRecord& image, const ScanEnvironment& env) {
    if (!image.build_time.empty()) return;  // the plugin's "created"
    ImageRecord copy = image;
    copy.skipped = false;
    try {
        env.inspector->resolve(copy, std::chrono::steady_clock::now() + env.image_timeout);
        image.build_time = copy.build_time;
    } catch (const std::exception& e) {
        spdlog::warn("Could not read the build time of a skipped image image={} error={}",
                     image.reference(env.registry), e.what());
    }
}

// A dry run needs nothing more of an image whose listing gave its digest,
// its build time and an image manifest's media type (Harbor's artifacts,
// for example): no request is made for it.
bool listing_describes_image(const ImageRecord& image) {
    return !image.build_time.empty() && sdk::valid_digest(image.digest) &&
           (image.media_type == oci::media::oci_manifest || image.media_type == oci::media::docker_manifest);
}

}  // namespace

std::string data_fingerprint(const std::string& vulnerability_data,
                             const std::optional<std::string>& malware_version) {
    return vulnerability_data + (malware_version ? "+malware:" + *malware_version : "") +
           "+analysis:" + std::to_string(scan::layer_analysis_version);
}

std::string fingerprint_difference(const std::string& theirs, const std::string& vulnerability_data,
                                   bool malware) {
    if (theirs.rfind(vulnerability_data, 0) != 0 ||
        (theirs.size() > vulnerability_data.size() && theirs[vulnerability_data.size()] != '+'))
        return "other vulnerability data";
    const std::string rest = theirs.substr(vulnerability_data.size());
    if ((rest.rfind("+malware:", 0) == 0) != malware) return "malware examined differently";
    const std::string analysis = "+analysis:" + std::to_string(scan::layer_analysis_version);
    if (rest.size() < analysis.size() || rest.compare(rest.size() - analysis.size(), analysis.size(), analysis) != 0)
        return "another layer analysis (another regscan version)";
    return {};
}

std::string tag_fingerprint(const ScanEnvironment& env) {
    if (env.platform == "linux/amd64" && !env.platform_given) return env.data_fingerprint;
    return env.data_fingerprint + "+platform:" + env.platform + (env.platform_given ? ":given" : "");
}

PhaseOutcome run_scan_phase(std::vector<ImageRecord>& images, const ScanEnvironment& env, const ImageDone& on_done) {
    PhaseOutcome outcome;
    std::mutex mutex;

    util::parallel_for(images.size(), env.concurrency, [&](size_t i) {
        auto& image = images[i];
        if (image.skipped) {
            if (!env.scanner) read_skipped_build_time(image, env);
            return;
        }
        if (env.observer && env.observer->cancelled()) {
            image.skipped = true;
            image.skip_reason = run_stopped;
            count_stopped(outcome, mutex);
            return;
        }
        if (env.observer) env.observer->image_started(image.reference(env.registry));
        const auto deadline = std::chrono::steady_clock::now() + env.image_timeout;
        const std::string reference = image.reference(env.registry);
        const state::ImageKey key{env.project, env.registry, image.repository.name, image.tag};
        ImageOutcome done;
        auto& results = done.results;
        bool failed = false, is_new = false;
        size_t reused = 0;
        std::vector<PlatformResult> to_store;
        try {
            if (env.failed_elsewhere)
                if (auto reason = env.failed_elsewhere(image)) throw std::runtime_error(*reason);
            if (env.scanner && env.listed) {
                scan::ImageResult result = env.listed(image);
                env.scanner->match(result);
                result.registry = env.registry;
                spdlog::info("Scanned image image={} packages={} vulnerabilities={} (listed, not pulled)", reference,
                             result.packages.size(), result.vulnerabilities.size());
                results.push_back(std::move(result));
                std::lock_guard lock(mutex);
                if (on_done) on_done(image, std::move(done));
                return;
            }
            if (env.scanner && env.store && !image.tag.empty() && reuse_whole_tag(image, env, key, reference, done, deadline)) {
                std::lock_guard lock(mutex);
                if (!env.fleet_results) outcome.reused += results.size();
                if (env.fleet_results && env.new_elsewhere) done.is_new = env.new_elsewhere(image);
                outcome.new_images += done.is_new ? 1 : 0;
                if (on_done) on_done(image, std::move(done));
                return;
            }
            const bool listed_whole = !env.scanner && listing_describes_image(image);
            std::vector<ResolvedImage> platforms;
            if (!listed_whole) platforms = env.inspector->resolve(image, deadline);
            // Marked seen only together with its results (commit_image), so a
            // run killed halfway loses nothing and counts nothing twice.
            if (env.store && !image.digest.empty()) is_new = !env.store->seen(key, image.digest);
            if (image.skipped) {
                spdlog::info("Skipping image image={} reason={}", reference, image.skip_reason);
            } else if (listed_whole) {
                spdlog::info("Image details from the listing image={}", reference);
            } else if (!env.scanner) {
                spdlog::info("Fetched image discovery details image={}", reference);
            } else if (platforms.empty()) {
                results.push_back(failed_result(image, env.registry, "",
                                                "schema 1 manifests are not scanned; re-push the image"));
                failed = true;
            }
            for (const auto& platform : env.scanner && !image.skipped ? platforms : std::vector<ResolvedImage>{}) {
                std::optional<std::string> stored;
                if (env.store) stored = env.store->result(key, platform.digest, platform.platform, env.data_fingerprint);
                scan::ImageResult result;
                if (stored) {
                    result = nlohmann::json::parse(*stored).get<scan::ImageResult>();
                    result.status = scan::ScanStatus::reused;
                    ++reused;
                    // Under this tag digest now (the tag moved): the result ages by it (state_prune).
                    to_store.push_back({platform.digest, platform.platform, {}});
                } else {
                    try {
                        result = env.scanner->scan(image, platform, deadline);
                    } catch (const std::exception& e) {
                        if (env.observer && env.observer->stop_in_flight()) throw;  // not this image's failure
                        result = failed_result(image, env.registry, platform.platform, e.what());
                        result.digest = platform.digest;
                        // Past the deadline a request fails as a transport error: a timeout too.
                        if (dynamic_cast<const ImageTimeout*>(&e) || std::chrono::steady_clock::now() >= deadline)
                            done.timed_out = true;
                    }
                }
                result.registry = env.registry;
                result.build_time = platform.build_time;
                if (result.status == scan::ScanStatus::scan_failed) {
                    failed = true;
                    spdlog::error("Failed to scan image image={} platform={} error={}", reference, platform.platform,
                                  result.error);
                } else {
                    if (env.store && result.status == scan::ScanStatus::scanned)
                        to_store.push_back({platform.digest, platform.platform, util::json_text(nlohmann::json(result))});
                    spdlog::info("Scanned image image={} platform={} packages={} vulnerabilities={} "
                                 "misconfigurations={}{}",
                                 reference, platform.platform, result.packages.size(), result.vulnerabilities.size(),
                                 result.misconfigurations.size(), stored ? " (unchanged, result reused)" : "");
                }
                results.push_back(std::move(result));
            }
            std::string tag_results;
            if (env.scanner && env.store && !failed && !results.empty() && !image.tag.empty())
                tag_results = util::json_text(nlohmann::json(results));
            commit_image(env, key, image.digest, to_store, tag_results, !failed && !results.empty());
            done.stored_for_reuse = !tag_results.empty();
        } catch (const std::exception& e) {
            if (left_for_the_next_run(image, env, reference)) return count_stopped(outcome, mutex);
            // Masked once, in failed_result(), for the image and its result alike.
            auto failure = failed_result(image, env.registry, "", e.what());
            image.error = failure.error;
            if (const auto* refused = dynamic_cast<const sdk::Error*>(&e))
                image.auth_refused = refused->status() == REGSCAN_AUTH_FAILED;
            failed = true;
            if (dynamic_cast<const ImageTimeout*>(&e) || std::chrono::steady_clock::now() >= deadline)
                done.timed_out = true;
            spdlog::error("Failed to fetch image details image={} error={}", reference, e.what());
            if (env.scanner) results.push_back(std::move(failure));
            try {
                commit_image(env, key, image.digest, {}, {}, false);
            } catch (const std::exception& state_error) {
                spdlog::error("Could not record image={} in the state: {}", reference, state_error.what());
            }
        }
        std::lock_guard lock(mutex);
        outcome.new_images += is_new ? 1 : 0;
        outcome.failed_images += failed ? 1 : 0;
        outcome.reused += reused;
        done.is_new = is_new;
        if (on_done) on_done(image, std::move(done));
    });
    return outcome;
}

}  // namespace regscan::engine
