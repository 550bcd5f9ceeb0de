#include "serve/import_runner.hpp"

#include <algorithm>

#include <spdlog/spdlog.h>

#include "app/exit_codes.hpp"
#include "auth/docker_config.hpp"
#include "engine/registry_run.hpp"
#include "engine/run_observer.hpp"
#include "fleet/enqueue.hpp"
#include "limits/limits.hpp"
#include "log/secrets.hpp"
#include "serve/connector_access.hpp"
#include "triage/policy.hpp"
#include "util/time.hpp"

namespace regscan::serve {
namespace {

std::vector<std::string> string_list(const nlohmann::json& value) {
    std::vector<std::string> out;
    if (value.is_array())
        for (const auto& item : value)
            if (item.is_string()) out.push_back(item.get<std::string>());
    return out;
}

std::string malware_verdict(scan::MalwareVerdict verdict) {
    return verdict == scan::MalwareVerdict::not_scanned ? "not scanned" : scan::to_string(verdict);
}

// Writes what the run reports into the import and the image index.
class ImportObserver final : public engine::RunObserver {
public:
    ImportObserver(state::ServiceStore& store, const state::ConnectorRecord& connector, int64_t import_id,
                   std::string project, const std::atomic<bool>& stopping, const std::atomic<bool>& cancelled,
                   Clock clock)
        : store_(store),
          connector_(connector),
          import_id_(import_id),
          project_(std::move(project)),
          stopping_(stopping),
          cancelled_(cancelled),
          clock_(std::move(clock)) {}

    void identified(const std::string& registry_type) override {
        guarded([&] { store_.set_import_registry_type(import_id_, registry_type); });
    }
    void discovered(size_t selected, size_t /*listed*/) override {
        // A listing a cancel reached may have been cut short: what it found
        // is not all there is.
        listing_whole_ = !cancelled();
        found_ = static_cast<int64_t>(selected);
        guarded([&] { store_.set_import_discovered(import_id_, "", found_); });
    }
    void image_started(const std::string& reference) override {
        guarded([&] { store_.set_import_progress(import_id_, done_.load(), reference); });
    }
    void image_done(const engine::ObservedImage& image) override {
        ++done_;
        new_ += image.is_new ? 1 : 0;
        auto rows = index_rows(image, connector_, project_, import_id_, util::format_utc(clock_()));
        bool failed = std::any_of(rows.begin(), rows.end(), [](const auto& r) { return r.status != "scanned"; });
        failed_ += failed ? 1 : 0;
        guarded([&] {
            store_.record_tag(rows);
            store_.set_import_progress(import_id_, done_.load(), image.reference);
        });
    }
    void fleet_progress(size_t finished, size_t total) override {
        guarded([&] {
            store_.set_import_progress(import_id_, static_cast<int64_t>(finished),
                                       "the fleet's workers: " + std::to_string(finished) + " of " +
                                           std::to_string(total) + " images done");
        });
    }
    [[nodiscard]] bool cancelled() const override { return stopping_.load() || cancelled_.load(); }
    // A server stopping gives the images in flight --shutdown-grace instead.
    [[nodiscard]] bool stop_in_flight() const override { return cancelled_.load(); }

    int64_t found() const { return found_; }
    int64_t done() const { return done_.load(); }
    int64_t is_new() const { return new_; }
    int64_t failed() const { return failed_; }
    bool listing_whole() const { return listing_whole_; }

private:
    // The index is the server's view; failing to write it must not fail the
    // scan (its results are in the state and the reports).
    template <class Fn>
    void guarded(Fn&& fn) {
        try {
            fn();
        } catch (const std::exception& e) {
            spdlog::error("serve: import {} could not update the index: {}", import_id_, log::redact(e.what()));
        }
    }

    state::ServiceStore& store_;
    const state::ConnectorRecord& connector_;
    int64_t import_id_;
    std::string project_;
    const std::atomic<bool>& stopping_;
    const std::atomic<bool>& cancelled_;
    Clock clock_;
    // done_ is read by image_started on any worker thread; the rest only under
    // the run's one-at-a-time image_done.
    std::atomic<int64_t> done_{0};
    int64_t found_ = 0, new_ = 0, failed_ = 0;
    bool listing_whole_ = false;
};

}  // namespace

engine::RunOptions import_run_options(const engine::RunOptions& defaults, const state::ConnectorRecord& connector,
                                      const SecretBox& secrets, const std::filesystem::path& output_dir) {
    const auto& c = connector.config;
    engine::RunOptions run = defaults;
    run.mode = engine::Mode::scan;
    run.progress = false;
    run.observer = nullptr;
    run.url = c.value("url", "");
    run.type = c.value("type", "");
    connector_access(connector, secrets).apply_to(run);
    run.allow = string_list(c.value("allow", nlohmann::json::array()));
    run.deny = string_list(c.value("deny", nlohmann::json::array()));
    if (auto platform = c.value("platform", ""); !platform.empty()) run.platform = platform;
    run.max_tags_per_repo = c.value("max_tags_per_repo", size_t{0});
    run.max_tag_age_days = c.value("max_tag_age_days", 0);
    if (auto timeout = c.value("image_timeout", ""); !timeout.empty())
        run.image_timeout = limits::parse_duration(timeout);
    // The table goes to standard output, which is the server's log here.
    run.formats.erase(std::remove(run.formats.begin(), run.formats.end(), "table"), run.formats.end());
    if (std::find(run.formats.begin(), run.formats.end(), "json") == run.formats.end())
        run.formats.insert(run.formats.begin(), "json");
    run.output_dir = output_dir.string();
    return run;
}

std::shared_ptr<const triage::Policy> import_policy(const engine::RunOptions& defaults,
                                                   std::chrono::sys_seconds now) {
    if (!defaults.triage_options) return defaults.triage;
    return triage::load_policy(*defaults.triage_options, util::format_utc(now).substr(0, 10));
}

std::vector<state::ImageIndexRow> index_rows(const engine::ObservedImage& image, const state::ConnectorRecord& connector,
                                             const std::string& project, int64_t import_id,
                                             const std::string& scanned_at) {
    std::vector<state::ImageIndexRow> rows;
    auto base = [&] {
        state::ImageIndexRow row;
        row.connector_id = connector.id;
        row.connector = connector.name;
        row.project = project;
        row.repository = image.image.repository.name;
        // An untagged image is indexed under "@digest", as logs name it, so
        // two untagged images of a repository are two rows.
        row.tag = image.image.tag.empty() ? "@" + image.image.digest : image.image.tag;
        row.digest = image.image.digest;
        row.last_scanned = scanned_at;
        row.import_id = import_id;
        return row;
    };
    for (const auto& result : image.results) {
        auto row = base();
        row.registry = result.registry;
        row.platform = result.platform;
        if (!result.digest.empty()) row.digest = result.digest;
        if (result.status == scan::ScanStatus::scan_failed) {
            row.status = image.timed_out ? "scan_failed" : "failed";
            row.reason = image.timed_out ? "ran past the image timeout: " + result.error : result.error;
        } else {
            row.status = "scanned";
            for (const auto& v : result.vulnerabilities) {
                if (v.suppressed) continue;  // triage: it does not count, as in the run's summary
                switch (v.severity) {
                    case scan::Severity::critical: ++row.vulnerabilities.critical; break;
                    case scan::Severity::high: ++row.vulnerabilities.high; break;
                    case scan::Severity::medium: ++row.vulnerabilities.medium; break;
                    case scan::Severity::low: ++row.vulnerabilities.low; break;
                    case scan::Severity::unknown: ++row.vulnerabilities.unknown; break;
                }
            }
            row.malware_verdict = malware_verdict(result.malware.verdict);
            row.malware_found = std::count_if(result.malware.findings.begin(), result.malware.findings.end(),
                                              [](const auto& f) { return !f.suppressed; });
            row.malware_incomplete = static_cast<int64_t>(result.malware.incomplete.size());
        }
        row.reason = log::redact(row.reason);
        rows.push_back(std::move(row));
    }
    if (rows.empty() && !image.image.error.empty()) {  // not even its manifest could be read
        auto row = base();
        row.status = image.timed_out ? "scan_failed" : "failed";
        row.reason = log::redact((image.timed_out ? "ran past the image timeout: " : "") + image.image.error);
        rows.push_back(std::move(row));
    }
    // The same platform twice (an index listing it twice) would break the
    // one-row-per-platform key: the first wins.
    std::vector<state::ImageIndexRow> unique;
    for (auto& row : rows)
        if (std::none_of(unique.begin(), unique.end(), [&](const auto& u) { return u.platform == row.platform; }))
            unique.push_back(std::move(row));
    return unique;
}

ImportEnd import_end(bool cancelled, bool stopping, bool listing_whole, int64_t done, int64_t found, bool clean) {
    const bool cut_short = !listing_whole || done < found;
    if (cancelled && cut_short)
        return {"cancelled",
                "cancelled on request after " + std::to_string(done) + " of " + std::to_string(found) + " images"};
    if (stopping && cut_short) return {"interrupted", "the server stopped during this import"};
    return {clean ? "succeeded" : "partial", ""};
}

ImportRunner::ImportRunner(state::ServiceStore& store, const engine::RunOptions& defaults,
                           const plugin::PluginSet& plugins, const SecretBox& secrets,
                           const std::map<std::string, std::string>& environment, std::filesystem::path imports_dir,
                           Clock clock)
    : store_(store),
      defaults_(defaults),
      plugins_(plugins),
      secrets_(secrets),
      environment_(environment),
      imports_dir_(std::move(imports_dir)),
      clock_(std::move(clock)) {}

std::filesystem::path ImportRunner::reports_dir(int64_t import_id) const {
    return imports_dir_ / std::to_string(import_id);
}

void ImportRunner::run(int64_t import_id, const std::atomic<bool>& stopping, const std::atomic<bool>& cancelled) {
    auto now = [&] { return util::format_utc(clock_()); };
    std::string state = "failed", error;
    int64_t found = 0, is_new = 0, failed = 0;
    try {
        auto import = store_.import(import_id);
        if (!import) return;
        auto connector = store_.connector(import->connector_id);
        if (!connector) {
            store_.finish_import(import_id, "failed", now(), 0, 0, 0, "the connector was removed");
            return;
        }
        store_.start_import(import_id, now());
        spdlog::info("serve: import {} of connector {} started ({})", import_id, connector->name, import->trigger);
        try {
            auto dir = reports_dir(import_id);
            std::filesystem::create_directories(dir);
            auto options = import_run_options(defaults_, *connector, secrets_, dir);
            // Neither a username nor a password stored: docker's, looked up
            // at each import so that a helper's rotated ones are used; not
            // where a plugin option would take them to another host.
            const auto withheld = docker_credentials_withheld(options.url, plain_plugin_options(*connector));
            if (withheld && options.credentials.same_as({}))
                spdlog::warn("serve: connector {} uses no docker credentials: {}; give the connector its own "
                             "credentials",
                             connector->name, *withheld);
            else if (auth::docker_credentials_unless_given(options.credentials, options.url, environment_))
                spdlog::info("serve: connector credentials from {}", options.credentials.source);
            options.triage = import_policy(defaults_, clock_());
            ImportObserver observer(store_, *connector, import_id, options.project, stopping, cancelled, clock_);
            options.observer = &observer;
            // With a fleet on this state, its workers scan: the import queues
            // its images (manual ahead of scheduled) and ends when they are done.
            if (size_t workers = fleet::live_workers(options.state_path)) {
                options.wait = true;
                options.queue_priority =
                    import->trigger == "scheduled" ? state::priority_scheduled : state::priority_user;
                options.connector_id = connector->id;
                options.seal_grant = [this](std::string_view subject) { return secrets_.seal(subject); };
                options.wait_timeout = std::chrono::hours(24);
                spdlog::info("serve: import {} goes to the fleet's queue ({} workers alive)", import_id, workers);
            }
            auto code = engine::run_registry(options, plugins_);
            found = observer.found();
            is_new = observer.is_new();
            failed = observer.failed();
            auto end = import_end(cancelled.load(), stopping.load(), observer.listing_whole(), observer.done(),
                                  found, code == app::ExitCode::ok && failed == 0);
            state = end.state;
            error = end.error;
            if (cancelled.load() && end.state != "cancelled")
                spdlog::info("serve: import {} was cancelled after its last image: it ended as it would have",
                             import_id);
            // Only a complete import knows which images are gone: a partial one
            // may have missed a repository it could not list.
            if (state == "succeeded")
                if (auto gone = store_.remove_images_not_in(connector->id, import_id))
                    spdlog::info("serve: import {}: {} images no longer in the registry (or selected) left the index",
                                 import_id, gone);
        } catch (const std::exception& e) {
            // Stopped while it identified the registry or listed its repositories.
            state = cancelled.load() ? "cancelled" : "failed";
            error = cancelled.load() ? "cancelled on request before its images were listed" : log::redact(e.what());
        }
        store_.finish_import(import_id, state, now(), found, is_new, failed, error);
        spdlog::info("serve: import {} of connector {} {}: images={} new={} failed={}{}", import_id, connector->name,
                     state, found, is_new, failed, error.empty() ? "" : " error=" + error);
    } catch (const std::exception& e) {
        spdlog::error("serve: import {} could not be recorded: {}", import_id, log::redact(e.what()));
    }
}

}  // namespace regscan::serve
