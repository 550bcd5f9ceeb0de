#include "engine/run_pipeline.hpp"

#include <algorithm>
#include <iostream>
#include <optional>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "engine/image_inspector.hpp"
#include "engine/image_scanner.hpp"
#include "engine/progress.hpp"
#include "engine/run_observer.hpp"
#include "engine/scan_phase.hpp"
#include "engine/summary.hpp"
#include "log/secrets.hpp"
#include "oci/distribution_client.hpp"
#include "report/inventory_csv.hpp"
#include "report/report_name.hpp"
#include "report/reporter_registry.hpp"
#include "report/result_reporter.hpp"
#include "scan/model_json.hpp"
#include "triage/fail_on.hpp"
#include "triage/policy.hpp"
#include "util/time.hpp"
#include "util/json_text.hpp"

namespace regscan::engine {

using app::ExitCode;
using app::Fatal;

namespace {

// A cancelled run stops its transfers too, not only the images not started:
// an image in flight may be a multi-gigabyte pull from a slow registry.
http::ClientOptions stopped_with_the_run(http::ClientOptions http, const RunObserver* observer) {
    if (observer) http.stopped = [observer] { return observer->stop_in_flight(); };
    return http;
}

}  // namespace

RunPipeline::RunPipeline(const RunOptions& options)
    : options_(options),
      client_(stopped_with_the_run(options.http, options.observer)),
      auth_(client_, options.credentials),
      authority_(sdk::parse_url(options.url).authority()) {}

RunPipeline::~RunPipeline() = default;

std::vector<StoredResult> RunPipeline::keep_renderings(const ImageRecord& image,
                                                       std::vector<scan::ImageResult>& results,
                                                       const std::string& data_fingerprint) {
    std::vector<StoredResult> rendered;
    state::TagRenderings renderings;
    auto summaries = nlohmann::json::array();
    for (size_t i = 0; i < results.size(); ++i) {
        auto& result = results[i];
        auto packages = std::move(result.packages);  // the summary leaves them out
        nlohmann::json summary = result;
        summary["package_count"] = packages.size();
        summaries.push_back(std::move(summary));
        result.packages = std::move(packages);
        rendered.push_back({report::json_entry(result), result.packages.size(), "", i, results.size()});
        renderings.entries += (i ? "\x1e" : "") + rendered.back().json_entry;
    }
    renderings.summaries = util::json_text(summaries);
    try {
        auto token = store_->put_tag_renderings({options_.project, authority_, image.repository.name, image.tag},
                                                image.digest, data_fingerprint, report::json_entry_version, renderings);
        for (size_t i = 0; i < rendered.size(); ++i) {
            rendered[i].report_ref = token;
            rendered[i].index_in_tag = i;
            rendered[i].entries_in_tag = rendered.size();
        }
    } catch (const std::exception& e) {  // a later run renders again: not worth failing this one
        for (auto& stored : rendered) stored.entries_in_tag = 0;  // no row for a report to refer to
        spdlog::warn("Could not keep the rendered results of image={}: {}", image.reference(authority_), e.what());
    }
    return rendered;
}

void RunPipeline::keep_entries_refs(const sdk::Reporter& reporter, const ScanEnvironment& env) {
    const auto* own = dynamic_cast<const report::ResultReporter*>(&reporter);
    if (!store_ || !env.rendering_version || !own) return;
    std::vector<state::ReportRefUpdate> updates;
    for (auto& ref : own->entries_refs())
        updates.push_back({ref.repository, ref.tag, ref.tag_digest, ref.old_ref, ref.new_ref});
    try {
        store_->put_report_refs(options_.project, authority_, env.rendering_fingerprint, env.rendering_version, updates);
    } catch (const std::exception& e) {  // the next run reads the entries back: not worth failing this one
        spdlog::warn("Could not record where the JSON report holds its entries: {}", e.what());
    }
}

void RunPipeline::prepare() {
    if (prepared_) return;
    prepared_ = true;
    const bool scanning = options_.mode == Mode::scan;
    try {
        if (!options_.state_path.empty()) store_ = std::make_unique<state::StateStore>(options_.state_path);
    } catch (const std::exception& e) {
        throw Fatal(ExitCode::bad_arguments, std::string("cannot open the state file: ") + e.what());
    }
    if (scanning) matcher_ = scan::open_vulnerability_data(options_.db_path, {options_.max_db_age, options_.strict});
    if (scanning && options_.malware.enabled) {
        // Loaded once, before any image, and only when asked for: the full
        // ClamAV database takes seconds and a GiB.
        try {
            malware_ = std::make_unique<malware::MalwareScanner>(options_.malware, options_.limits);
            malware_setup_.scanner = malware_.get();
        } catch (const malware::SignatureSetError& e) {
            throw Fatal(ExitCode::bad_arguments, e.what());
        } catch (const std::exception& e) {
            spdlog::warn("Malware is not examined: {}", e.what());
            malware_setup_.not_scanned_reason = e.what();
        }
    }
    std::optional<std::string> malware_version;
    if (options_.malware.enabled) malware_version = malware_ ? malware_->version() : "none";
    if (scanning) data_fingerprint_ = data_fingerprint(matcher_ ? matcher_->fingerprint() : "", malware_version);
}

std::string RunPipeline::tag_results_key() const {
    ScanEnvironment env;
    env.data_fingerprint = data_fingerprint_;
    env.platform = options_.platform;
    env.platform_given = options_.platform_given;
    return tag_fingerprint(env);
}

ExitCode RunPipeline::run(std::vector<ImageRecord>& images, const ListingReport& listing) {
    const auto& failures = listing.failures;
    const bool scanning = options_.mode == Mode::scan;
    const std::string started = util::now_utc();
    prepare();
    const MalwareSetup& malware = malware_setup_;

    const std::string mode = scanning ? "scan" : "dry-run";
    int64_t scan_id = store_ ? store_->begin_scan(options_.project, authority_, mode, started) : 0;

    oci::DistributionClient registry_reads(auth_);
    const oci::DistributionClient& distribution = source_ ? *source_ : registry_reads;
    ImageInspector inspector(distribution, sdk::registry_base(options_.url),
                             oci::PlatformSelector::parse(options_.platform), options_.limits);
    inspector.require_platform(options_.platform_given);
    scan::LayerCache cache(store_.get(), malware_ ? malware_->version() : "");
    ScanCounters counters;
    ImageScanner scanner(inspector, distribution, cache, matcher_.get(), counters, malware, options_.concurrency);

    ScanEnvironment env;
    env.inspector = &inspector;
    env.scanner = scanning ? &scanner : nullptr;
    env.store = store_.get();
    env.project = options_.project;
    env.registry = authority_;
    env.data_fingerprint = data_fingerprint_;
    // Triage marks results as they are reported, never what is stored; the
    // JSON entries kept for a rescan carry the marks, so they are kept under
    // the policy's fingerprint too.
    const triage::Policy* policy = scanning ? options_.triage.get() : nullptr;
    if (policy) {
        for (const auto& warning : policy->warnings()) spdlog::warn("{}", warning);
        spdlog::info("Triage: {}", policy->describe());
    }
    env.platform = options_.platform;
    env.platform_given = options_.platform_given;
    env.rendering_fingerprint = tag_fingerprint(env);
    if (policy && !policy->suppresses_nothing()) env.rendering_fingerprint += "+triage:" + policy->fingerprint();
    env.scan_id = scan_id;
    env.image_timeout = options_.image_timeout;
    env.concurrency = options_.concurrency;
    env.observer = options_.observer;
    env.listed = listed_;
    env.fleet_results = options_.fleet_results;
    if (!options_.fleet_failures.empty())
        env.failed_elsewhere = [this](const ImageRecord& image) -> std::optional<std::string> {
            auto it = options_.fleet_failures.find(image.name());
            return it == options_.fleet_failures.end() ? std::nullopt : std::optional<std::string>(it->second);
        };
    if (options_.fleet_results)
        env.new_elsewhere = [this](const ImageRecord& image) { return options_.fleet_new.count(image.name()) > 0; };

    size_t selected = 0;
    for (const auto& image : images) selected += image.skipped ? 0 : 1;
    if (options_.observer) options_.observer->discovered(selected, images.size());
    // Reporters take each result as its image finishes, so no result is kept
    // for the end of the run.
    sdk::ReportRun run{options_.url, mode, options_.output_dir, started};
    std::vector<std::unique_ptr<sdk::Reporter>> reporters;
    if (scanning)
        for (const auto& format : options_.formats) reporters.push_back(report::make_reporter(format, run, std::cout));
    // A rescan reads reused results back without their packages when no
    // reporter needs them (CycloneDX and plugin reporters do).
    env.rendering_version =
        scanning && store_ && std::all_of(reporters.begin(), reporters.end(), [](const auto& reporter) {
            const auto* own = dynamic_cast<const report::ResultReporter*>(reporter.get());
            return own && own->takes_stored();
        }) ? report::json_entry_version : 0;
    // Only the JSON report reads the entries back, and not those its
    // previous file still holds.
    if (env.rendering_version)
        env.needs_entries = [&reporters](const std::string& report_ref) {
            return std::any_of(reporters.begin(), reporters.end(), [&](const auto& reporter) {
                const auto* own = dynamic_cast<const report::ResultReporter*>(reporter.get());
                return own && own->needs_entry_text(report_ref);
            });
        };
    Totals findings;
    std::string report_error;
    Progress progress(options_.progress, selected, counters);
    auto outcome = run_scan_phase(images, env, [&](const ImageRecord& image, ImageOutcome done) {
        progress.image_done();
        if (policy)
            for (auto& result : done.results) policy->apply(result);
        // Fresh results are rendered once, for the state and the reporters alike.
        if ((done.stored_for_reuse || done.renderings_missing) && env.rendering_version)
            done.stored = keep_renderings(image, done.results, env.rendering_fingerprint);
        if (options_.observer) {
            const std::string reference = image.reference(authority_);
            options_.observer->image_done({image, reference, done.results, done.is_new, done.timed_out});
        }
        for (size_t i = 0; i < done.results.size(); ++i) {
            const auto& result = done.results[i];
            findings.count_findings(result);
            if (!report_error.empty()) continue;
            try {
                std::optional<nlohmann::json> json;  // for plugin reporters only
                for (auto& reporter : reporters) {
                    if (auto* own = dynamic_cast<report::ResultReporter*>(reporter.get())) {
                        if (done.stored.empty())
                            own->result(result);
                        else
                            own->stored_result(result, {done.stored[i].json_entry, done.stored[i].package_count,
                                                        image.digest,
                                                        done.stored[i].report_ref, done.stored[i].index_in_tag,
                                                        done.stored[i].entries_in_tag});
                        continue;
                    }
                    if (!json) json = nlohmann::json(result);
                    reporter->image(*json);
                }
            } catch (const std::exception& e) {
                report_error = e.what();
            }
        }
    });
    progress.finish();
    if (!report_error.empty()) throw Fatal(ExitCode::internal_error, "cannot write the reports: " + report_error);

    Totals totals = count_totals(images, outcome, listing, findings);
    totals.malware = scanning && options_.malware.enabled;
    totals.malware_layers_examined = counters.layers_malware_examined;
    if (matcher_) totals.data = matcher_->info();
    for (const auto& [ecosystem, images] : totals.missing_data)
        spdlog::warn("The vulnerability database has no data for {} ({} images): their {} packages were not "
                     "checked for vulnerabilities; import that ecosystem ('regscan db update' or 'regscan db import')",
                     ecosystem, images.images, ecosystem);
    nlohmann::json summary = summary_json(totals, authority_, mode, started, util::now_utc(), failures);

    ReportPaths paths;
    report::InventoryCsv inventory(run);
    for (const auto& image : images)
        inventory.image({{"reference_repository", image.reference_repository(authority_)},
                         {"tag", image.tag},
                         {"build_time", image.build_time},
                         {"skipped", image.skipped}});
    paths.inventory = inventory.finish(summary).front();
    spdlog::info("Output report: {}", std::filesystem::path(paths.inventory).filename().string());

    if (scanning) {
        for (auto& reporter : reporters) {
            for (const auto& written : reporter->finish(summary)) {
                paths.all.push_back(written);
                spdlog::info("Output report: {}", std::filesystem::path(written).filename().string());
            }
            keep_entries_refs(*reporter, env);
        }
        reporters.clear();  // removes their scratch files
        paths.choose_details(report::registry_file_stem(options_.url));
    }
    if (store_) store_->finish_scan(scan_id, util::now_utc(), util::json_text(summary));

    print_summary(std::cout, totals, paths, scanning);

    if (scanning && !options_.fail_on.empty()) {
        // Counted findings only: suppressed ones never fail a run. Malware has
        // no severity: any finding fails when its category is asked for.
        triage::FailOn fail_on;
        try {
            fail_on = triage::parse_fail_on(options_.fail_on);
        } catch (const triage::InputError& e) {
            throw Fatal(ExitCode::bad_arguments, e.what());
        }
        std::string reason = triage::fail_on_reason(fail_on, {totals.vulnerabilities, totals.misconfigurations, 0});
        if (!reason.empty()) {
            spdlog::error("Findings: {}: failing as --fail-on {} asks", reason, options_.fail_on);
            return ExitCode::findings;
        }
        if (fail_on.malware && totals.malware_found > 0) {
            spdlog::error("Malware found in {} images: failing as --fail-on asks", totals.malware_images);
            return ExitCode::findings;
        }
    }
    return failures.empty() && totals.failed_images == 0 ? ExitCode::ok : ExitCode::partial_failure;
}

}  // namespace regscan::engine
