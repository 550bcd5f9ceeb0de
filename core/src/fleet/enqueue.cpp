#include "fleet/enqueue.hpp"

#include <iostream>
#include <thread>

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include "engine/run_observer.hpp"
#include "engine/run_pipeline.hpp"
#include "engine/scan_phase.hpp"
#include "fleet/fleet_state.hpp"
#include "fleet/job_grant.hpp"
#include "scan/matcher.hpp"
#include "util/json_text.hpp"

namespace regscan::fleet {

using app::ExitCode;
using app::Fatal;

nlohmann::json job_options(const engine::RunOptions& options, const engine::ImageRecord& image) {
    nlohmann::json job = {{"platform", options.platform},
            {"platform_given", options.platform_given},
            {"type", options.type},
            {"image_timeout", options.image_timeout.count()},
            {"malware", options.malware.enabled},
            {"pull_base", image.repository.pull_base},
            {"pull_name", image.repository.pull_name},
            {"reference", image.repository.reference}};
    if (options.connector_id) job["connector"] = options.connector_id;  // a reference: the secret stays in its store
    return job;
}

std::vector<state::NewWork> work_for(const engine::RunOptions& options, const std::string& registry_type,
                                     const std::vector<engine::ImageRecord>& images) {
    std::vector<state::NewWork> work;
    for (const auto& image : images) {
        if (image.skipped) continue;
        auto job = job_options(options, image);
        if (options.connector_id && options.seal_grant)
            job["grant"] = options.seal_grant(
                grant_subject(options.connector_id, {options.project, options.url, registry_type}, job));
        work.push_back({options.project, options.url, registry_type, image.repository.name, image.tag, image.digest,
                        util::json_text(job)});
    }
    return work;
}

namespace {

// How long a worker may stay silent and still count as alive.
constexpr std::chrono::seconds worker_silence{90};

// Waits until no row of the batch is queued or claimed, or the deadline.
state::BatchProgress wait_for_batch(state::WorkQueue& queue, const std::string& batch,
                                    std::chrono::seconds timeout, bool progress_line, engine::RunObserver* observer) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    auto next_worker_check = std::chrono::steady_clock::now();
    bool warned = false;
    while (true) {
        auto progress = queue.progress(batch);
        if (observer) observer->fleet_progress(progress.done + progress.failed, progress.total());
        if (progress_line)
            std::cerr << fmt::format("\r\x1b[Kfleet: {}/{} images done ({} failed, {} scanning, {} queued)",
                                     progress.done + progress.failed, progress.total(), progress.failed,
                                     progress.claimed, progress.queued)
                      << std::flush;
        if (progress.finished() || std::chrono::steady_clock::now() >= deadline ||
            (observer && observer->cancelled())) {
            if (progress_line) std::cerr << "\n";
            return progress;
        }
        if (std::chrono::steady_clock::now() >= next_worker_check) {
            size_t live = queue.live_workers(worker_silence);
            if (live == 0 && !warned) {
                spdlog::warn("No regscan worker is running on this state (none seen in the last {}s): the batch waits "
                             "for one ('regscan worker --state ... --db ...')",
                             worker_silence.count());
                warned = true;
            } else if (live > 0) {
                warned = false;
            }
            next_worker_check = std::chrono::steady_clock::now() + std::chrono::seconds(10);
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(500));  // a bounded poll of the queue
    }
}

}  // namespace

size_t live_workers(const std::string& state_location) {
    FleetState fleet(state_location);
    return fleet.queue().live_workers(worker_silence);
}

ExitCode enqueue_registry(const engine::RunOptions& options, const std::string& registry_type,
                          engine::Discovery& discovery) {
    if (options.mode != engine::Mode::scan)
        throw Fatal(ExitCode::bad_arguments, "--enqueue and --wait scan: they do not go with --mode dry-run");
    FleetState fleet(options.state_path);
    auto work = work_for(options, registry_type, discovery.images);
    std::string batch = fleet.queue().enqueue(work, options.queue_priority);
    spdlog::info("Enqueued {} images in batch {} (state {})", work.size(), batch, fleet.describe());
    // Before the "Enqueued" line, which scripts read as the last one.
    if (const size_t unlisted = discovery.listing.repositories_stopped; unlisted && !options.wait)
        std::cout << "Not listed: " << unlisted
                  << " repositories (the run was stopped; their images are not queued, the next run queues them)"
                  << std::endl;
    std::cout << "Enqueued " << work.size() << " images in batch " << batch << std::endl;
    if (!options.wait) return discovery.listing.failures.empty() ? ExitCode::ok : ExitCode::partial_failure;

    if (options.observer) options.observer->discovered(work.size(), discovery.images.size());
    auto progress = wait_for_batch(fleet.queue(), batch, options.wait_timeout, options.progress, options.observer);
    // A cancelled run (a serve import cancelled, or the server stopping: its
    // import runs again at the next start, as a new batch) leaves no work.
    if (options.observer && options.observer->cancelled() && !progress.finished())
        if (size_t withdrawn = fleet.queue().withdraw(batch))
            spdlog::info("Withdrew {} images of batch {} no worker had claimed: the run was cancelled", withdrawn,
                         batch);
    engine::RunOptions report = options;
    report.enqueue = report.wait = false;
    report.fleet_results = true;
    if (!progress.finished() && !(options.observer && options.observer->cancelled()))
        spdlog::warn("The fleet did not finish batch {} within --wait-timeout {}s ({} of {} images left): the rest "
                     "are scanned here",
                     batch, options.wait_timeout.count(), progress.queued + progress.claimed, progress.total());
    for (const auto& item : fleet.queue().failed(batch))
        report.fleet_failures[item.work.repository + (item.work.tag.empty() ? "@" + item.work.digest : ":" + item.work.tag)] =
            "the fleet gave up on this image: " + item.reason;
    for (auto& name : fleet.queue().new_images(batch)) report.fleet_new.insert(std::move(name));
    // Workers with other vulnerability data stored results under another
    // fingerprint: the rescan path does not find them and scans here.
    try {
        auto data = scan::open_vulnerability_data(options.db_path, {options.max_db_age, false});
        for (const auto& [fingerprint, count] : fleet.queue().fingerprints(batch)) {
            auto why = engine::fingerprint_difference(fingerprint, data->fingerprint(), options.malware.enabled);
            if (!why.empty())
                spdlog::warn("{} images of batch {} were scanned by workers with {} (fingerprint {}, this run has "
                             "{}): they are scanned again here; give the workers the same --db, --malware and "
                             "regscan version",
                             count, batch, why, fingerprint, data->fingerprint());
        }
    } catch (const std::exception& e) {
        spdlog::debug("Could not compare the fleet's data with this run's: {}", e.what());
    }
    engine::RunPipeline pipeline(report);
    return pipeline.run(discovery.images, discovery.listing);
}

}  // namespace regscan::fleet
