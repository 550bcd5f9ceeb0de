#include "fleet/worker.hpp"

#include <condition_variable>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <thread>

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include "auth/docker_config.hpp"
#include "auth/session_credentials.hpp"
#include "engine/image_inspector.hpp"
#include "engine/image_scanner.hpp"
#include "engine/registry_probe.hpp"
#include "engine/scan_phase.hpp"
#include "fleet/fleet_state.hpp"
#include "fleet/job_grant.hpp"
#include "http/plain_url.hpp"
#include "oci/distribution_client.hpp"
#include "plugin/registry_session.hpp"
#include "regscan/url.hpp"
#include "scan/layer_cache.hpp"
#include "scan/matcher.hpp"
#include "log/secrets.hpp"
#include "serve/connector_access.hpp"
#include "serve/secret_box.hpp"
#include "state/layer_claims.hpp"
#include "state/service_store.hpp"
#include "util/time.hpp"

namespace regscan::fleet {

using app::ExitCode;
using app::Fatal;

std::string default_worker_id() {
    char host[256] = {};
    if (gethostname(host, sizeof host - 1) != 0) std::snprintf(host, sizeof host, "unknown");
    return fmt::format("{}:{}", host, getpid());
}

namespace {

std::string host_name() {
    char host[256] = {};
    if (gethostname(host, sizeof host - 1) != 0) return "unknown";
    return host;
}

// A queue row this worker will not scan whatever the attempt (its grant,
// its pull base, its connector removed or moved): failed at once.
class RowRefused : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// Runs a check of the row (fleet/job_grant), its refusal a RowRefused.
template <typename Check>
void refused_unless(Check check) {
    try {
        check();
    } catch (const std::runtime_error& e) {
        throw RowRefused(e.what());
    }
}

// One registry as this worker reaches it: kept across jobs, so a token, a
// connection and a plugin session serve every image of that registry.
struct Registry {
    // The options this registry's parts were made from, kept here: some keep
    // a reference (the inspector its limits), so they must outlive the
    // caller's copy.
    const engine::RunOptions run;
    // The job's connector's access (none: the worker's own), and when
    // docker's credentials were last looked up for it: a later job of the
    // registry reuses this Registry only while the access is the same and,
    // without credentials of their own, docker's are unchanged.
    std::optional<serve::ConnectorAccess> given;
    std::chrono::steady_clock::time_point checked = std::chrono::steady_clock::now();
    http::HttpClient client;
    auth::RegistryAuth auth;
    std::unique_ptr<plugin::RegistrySession> session;
    oci::DistributionClient distribution;
    engine::ImageInspector inspector;
    engine::ImageScanner scanner;
    std::string authority;

    Registry(engine::RunOptions options, const std::string& url, const std::string& type,
             const std::string& platform, const plugin::PluginSet& plugins, scan::LayerCache& cache,
             const scan::VulnerabilityMatcher* matcher, engine::ScanCounters& counters, engine::MalwareSetup malware)
        : run(std::move(options)),
          client(run.http),
          auth(client, run.credentials),
          distribution(auth),
          inspector(distribution, sdk::registry_base(url), oci::PlatformSelector::parse(platform), run.limits),
          scanner(inspector, distribution, cache, matcher, counters, std::move(malware)),
          authority(sdk::parse_url(url).authority()) {
        // A vendor plugin may need to authorise pulls (ECR, ACR), as for
        // `regscan image`: one session per registry.
        auto probe = engine::probe_registry(client, url);
        auto identified = plugin::identify_registry(plugins, client, probe, type);
        if (!identified.plugin) return;
        try {
            session = std::make_unique<plugin::RegistrySession>(
                identified.plugin, client, auth,
                auth::session_config(url, identified.type, run.credentials, run.plugin_options));
        } catch (const sdk::Error& e) {
            spdlog::warn("Plugin {} could not open a session for {} ({}); pulling with standard registry auth",
                         identified.plugin->id(), url, e.what());
        }
    }
};

class Worker {
public:
    Worker(const WorkerOptions& options, const plugin::PluginSet& plugins, const std::atomic<bool>& stop)
        : options_(options),
          plugins_(plugins),
          stop_(stop),
          fleet_(options.run.state_path, {options.lease, options.max_attempts}),
          claims_(fleet_.db(), options.worker_id, options.lease) {
        matcher_ = scan::open_vulnerability_data(options.run.db_path, {options.run.max_db_age, options.run.strict});
        if (options.run.malware.enabled) {
            try {
                malware_ = std::make_unique<malware::MalwareScanner>(options.run.malware, options.run.limits);
                malware_setup_.scanner = malware_.get();
            } catch (const malware::SignatureSetError& e) {
                throw Fatal(ExitCode::bad_arguments, e.what());
            } catch (const std::exception& e) {
                spdlog::warn("Malware is not examined: {}", e.what());
                malware_setup_.not_scanned_reason = e.what();
            }
        }
        // As the pipeline keys it: a result is reused only by a run that makes it the same way.
        std::optional<std::string> malware_version;
        if (options.run.malware.enabled) malware_version = malware_ ? malware_->version() : "none";
        fingerprint_ = engine::data_fingerprint(matcher_->fingerprint(), malware_version);
        cache_ = std::make_unique<scan::LayerCache>(&fleet_.store(), malware_ ? malware_->version() : "");
        cache_->share_across_processes(&claims_);
        scan_id_ = fleet_.store().begin_scan(options.run.project, "fleet:" + options.worker_id, "worker",
                                             util::now_utc());
    }

    ExitCode run() {
        heartbeat();
        spdlog::info("Worker {} ready on {} ({} images at once, lease {}s, at most {} attempts per image)",
                     options_.worker_id, fleet_.describe(), options_.run.concurrency,
                     std::chrono::duration_cast<std::chrono::seconds>(options_.lease).count(), options_.max_attempts);
        if (!options_.run.credentials.empty() && options_.credentials_origin.empty())
            spdlog::warn("This worker's own credentials ({}) are sent to every registry its queue names: give "
                         "--credentials-for URL to keep them to theirs",
                         options_.run.credentials.source);
        std::thread beat([&] { heartbeat_loop(); });
        std::vector<std::thread> threads;
        for (size_t i = 0; i < options_.run.concurrency; ++i) threads.emplace_back([&] { job_loop(); });

        // Wait for the job threads; on a stop signal, give the images in
        // flight the grace, then release what is left and leave.
        std::unique_lock lock(mutex_);
        while (ended_threads_ < threads.size() && !stop_) done_.wait_for(lock, std::chrono::milliseconds(200));
        if (stop_) {
            spdlog::info("Worker {} stopping: {} images in flight may finish within {}s", options_.worker_id,
                         in_flight_.size(), options_.shutdown_grace.count());
            auto give_up = std::chrono::steady_clock::now() + options_.shutdown_grace;
            while (ended_threads_ < threads.size() && std::chrono::steady_clock::now() < give_up)
                done_.wait_for(lock, std::chrono::milliseconds(200));
            if (ended_threads_ < threads.size()) {
                for (auto& [id, item] : in_flight_) {
                    try {
                        fleet_.queue().release(item);
                        spdlog::info("Released queue row {} ({}:{}) for another worker", id, item.work.repository,
                                     item.work.tag);
                    } catch (const std::exception& e) {
                        spdlog::warn("Could not release queue row {}: {} (its lease will expire)", id, e.what());
                    }
                }
                try {
                    fleet_.queue().remove_worker(options_.worker_id);
                } catch (...) {
                }
                spdlog::info("Worker {} stopped with {} images released", options_.worker_id, in_flight_.size());
                spdlog::default_logger()->flush();
                // The threads still scanning hold the engine: leave without
                // destroying it; their writes will find the lease released.
                std::_Exit(0);
            }
        }
        lock.unlock();
        for (auto& thread : threads) thread.join();
        finished_ = true;
        beat.join();
        try {
            fleet_.queue().remove_worker(options_.worker_id);
            fleet_.store().finish_scan(scan_id_, util::now_utc(),
                                       nlohmann::json{{"images", images_done_.load()}}.dump());
        } catch (const std::exception& e) {
            spdlog::warn("Could not record the end of worker {}: {}", options_.worker_id, e.what());
        }
        spdlog::info("Worker {} done: {} images ({} failed attempts, {} results dropped after a lost lease)",
                     options_.worker_id, images_done_.load(), images_failed_.load(), images_dropped_.load());
        return ExitCode::ok;
    }

private:
    void heartbeat() {
        try {
            fleet_.queue().heartbeat(options_.worker_id, host_name(), getpid());
        } catch (const std::exception& e) {
            spdlog::warn("Worker heartbeat failed: {}", e.what());
        }
    }

    void heartbeat_loop() {
        const auto every = std::max(std::chrono::milliseconds(100), options_.lease / 3);
        auto next = std::chrono::steady_clock::now() + every;
        while (!finished_) {
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
            if (std::chrono::steady_clock::now() < next) continue;
            next = std::chrono::steady_clock::now() + every;
            heartbeat();
            std::vector<state::WorkItem> items;
            {
                std::lock_guard lock(mutex_);
                for (const auto& [id, item] : in_flight_) items.push_back(item);
            }
            for (const auto& item : items) {
                try {
                    if (!fleet_.queue().renew(item))
                        spdlog::warn("Lost the lease on queue row {} ({}:{}): its result will be dropped", item.id,
                                     item.work.repository, item.work.tag);
                } catch (const std::exception& e) {
                    spdlog::warn("Could not renew the lease on queue row {}: {}", item.id, e.what());
                }
            }
            try {
                claims_.renew_held();
            } catch (const std::exception& e) {
                spdlog::warn("Could not renew layer claims: {}", e.what());
            }
        }
    }

    void job_loop() {
        while (!stop_) {
            std::optional<state::WorkItem> item;
            bool unreachable = false;
            try {
                item = fleet_.queue().claim(options_.worker_id);
                if (!item && options_.exit_when_idle && fleet_.queue().pending() == 0) break;
            } catch (const std::exception& e) {
                spdlog::warn("Could not claim work: {}", e.what());
                unreachable = true;
            }
            if (!item) {
                // A bounded poll of the queue, cut short by a stop. A state past
                // its reconnect timeout fails each claim at once: look again
                // every 10 s then, not every --poll, so an outage is not a
                // warning a second.
                auto pause = unreachable ? std::max<std::chrono::milliseconds>(options_.idle_poll,
                                                                               std::chrono::seconds(10))
                                         : options_.idle_poll;
                auto until = std::chrono::steady_clock::now() + pause;
                while (!stop_ && std::chrono::steady_clock::now() < until)
                    std::this_thread::sleep_for(std::chrono::milliseconds(50));
                continue;
            }
            {
                std::lock_guard lock(mutex_);
                in_flight_[item->id] = *item;
            }
            try {
                process(*item);
            } catch (const RowRefused& e) {
                spdlog::error("Queue row {} refused: {}", item->id, e.what());
                try {
                    // Read by the enqueuing process, which does not know this worker's tokens.
                    fleet_.queue().fail(*item, log::redact(e.what()));
                } catch (...) {
                }
            } catch (const std::exception& e) {
                spdlog::error("Queue row {} failed: {}", item->id, e.what());
                try {
                    fleet_.queue().fail_attempt(*item, log::redact(e.what()));
                } catch (...) {
                }
            }
            std::lock_guard lock(mutex_);
            in_flight_.erase(item->id);
        }
        std::lock_guard lock(mutex_);
        ++ended_threads_;
        done_.notify_all();
    }

    // How a job reaches its registry: as its connector's import does (its
    // credentials and plugin options, unsealed here, in memory only), or
    // with the worker's own (none). Read for every image, so that an edit in
    // serve (a rotated password) reaches the next one. The row decides
    // nothing alone: a connector's only for a row whose grant serve sealed
    // for its destination, the worker's own only for a row pulling from its
    // registry's host (fleet/job_grant).
    std::optional<serve::ConnectorAccess> access_for(const state::WorkItem& item, const nlohmann::json& job) {
        int64_t connector_id = job.value("connector", int64_t{0});
        if (!connector_id || options_.connector_key.empty()) {
            if (connector_id) {
                std::lock_guard lock(access_mutex_);
                if (warned_.insert(connector_id).second)
                    spdlog::warn("The jobs of connector {} are scanned with this worker's own credentials and "
                                 "plugin options: give --connector-key (serve's serve-secret.key) to use the "
                                 "connector's",
                                 connector_id);
            }
            // The worker's own credentials are chosen by the origin this URL names to regscan's checks.
            if (auto unclear = http::curl_reads_differently(item.work.registry_url))
                throw RowRefused("the queue row's registry URL is refused: " + *unclear);
            refused_unless([&] { check_pull_base(item.work.registry_url, job.value("pull_base", std::string())); });
            return std::nullopt;
        }
        std::lock_guard lock(access_mutex_);
        if (!secrets_)
            secrets_ = std::make_unique<serve::SecretBox>(serve::SecretBox::from_key_file(options_.connector_key));
        refused_unless([&] {
            check_grant(connector_id, {item.work.project, item.work.registry_url, item.work.registry_type}, job,
                        *secrets_);
        });
        if (!connectors_) connectors_ = std::make_unique<state::ServiceStore>(fleet_.store().database());
        auto connector = connectors_->connector(connector_id);
        if (!connector) throw RowRefused("connector " + std::to_string(connector_id) + " was removed");
        // Edited since the row was queued to point elsewhere (serve then asks
        // for its password again): that password is not for this row.
        if (!serve::still_names(*connector, item.work.registry_url, job.value("type", std::string())))
            throw RowRefused("connector " + std::to_string(connector_id) +
                             " now names another registry or type than when this image was queued: its credentials "
                             "are not used for it");
        return serve::connector_access(*connector, *secrets_);
    }

    // The worker's own credentials where they belong (--credentials-for),
    // none elsewhere.
    [[nodiscard]] auth::Credentials own_credentials(const std::string& registry_url) const {
        if (options_.credentials_origin.empty() || http::origin_of(registry_url) == options_.credentials_origin)
            return options_.run.credentials;
        return {};
    }

    // A job's registry, as the previous jobs of that registry left it (its
    // plugin session, its tokens), unless what reaches it changed: the
    // connector's credentials or plugin options (edited in serve), or
    // docker's credentials, looked up again past --docker-refresh (a credential
    // helper's short-lived token). Images in flight keep the Registry they
    // started with. Only the images of the same registry wait while a new
    // Registry (a probe, a plugin session) is made.
    std::shared_ptr<Registry> registry_for(const state::WorkItem& item, const nlohmann::json& job) {
        const std::string platform = job.value("platform", options_.run.platform);
        const bool platform_given = job.value("platform_given", false);
        const auto given = access_for(item, job);
        const auth::Credentials own = own_credentials(item.work.registry_url);
        const bool without_credentials = (given ? given->credentials : own).empty();
        // Docker's credentials, for a connector's row without credentials of
        // its own (--connector-key or not), only where serve's rule lets them
        // go: this row's pull base included (the connector's options may
        // have changed since serve listed it).
        const auto docker_withheld =
            without_credentials && job.value("connector", int64_t{0}) != 0
                ? serve::docker_credentials_withheld(item.work.registry_url,
                                                     given ? given->plugin_options
                                                           : std::map<std::string, std::string>{},
                                                     job.value("pull_base", std::string()))
                : std::nullopt;
        const std::string key = item.work.registry_url + '\n' + item.work.registry_type + '\n' +
                                job.value("type", std::string()) + '\n' + platform +
                                (platform_given ? "!" : "") + '\n' +
                                std::to_string(job.value("connector", int64_t{0})) + (docker_withheld ? "\n-" : "");
        std::shared_ptr<RegistrySlot> slot;
        {
            std::lock_guard lock(registries_mutex_);
            auto& entry = registries_[key];
            if (!entry) entry = std::make_shared<RegistrySlot>();
            slot = entry;
        }
        // The images of one registry wait for its Registry to be made once;
        // those of other registries go on.
        std::lock_guard building(slot->building);
        const std::shared_ptr<Registry> current = slot->registry;
        if (current && current->given == given &&
            (!without_credentials ||
             std::chrono::steady_clock::now() - current->checked < options_.docker_refresh))
            return current;
        engine::RunOptions run = options_.run;
        if (given) given->apply_to(run);
        else run.credentials = own;
        // Neither the worker nor the job's connector has credentials:
        // docker's for this registry, as `regscan registry` finds them (the
        // worker's own were looked up before any registry was known).
        const bool from_docker =
            !docker_withheld &&
            auth::docker_credentials_unless_given(run.credentials, item.work.registry_url, options_.environment);
        // Docker's unchanged, or none found now (a credential helper failing
        // for a moment): the Registry keeps what it has.
        if (current && current->given == given &&
            (!from_docker || current->run.credentials.same_as(run.credentials))) {
            current->checked = std::chrono::steady_clock::now();
            return current;
        }
        if (docker_withheld)
            spdlog::warn("No docker credentials for connector {}'s images of {}: {}",
                         job.value("connector", int64_t{0}), item.work.registry_url, *docker_withheld);
        if (current)
            spdlog::info("The credentials or plugin options for {} changed: a new session with them",
                         item.work.registry_url);
        else if (from_docker)
            spdlog::info("Credentials for {} from {}", item.work.registry_url, run.credentials.source);
        const std::string type = job.value("type", std::string());
        auto fresh = std::make_shared<Registry>(std::move(run), item.work.registry_url,
                                                type.empty() ? item.work.registry_type : type, platform, plugins_,
                                                *cache_, matcher_.get(), counters_, malware_setup_);
        // As the enqueuing run: --platform given, a single-platform image of another platform is refused.
        fresh->inspector.require_platform(platform_given);
        fresh->given = given;
        slot->registry = fresh;
        return fresh;
    }

    void process(const state::WorkItem& item) {
        auto job = nlohmann::json::parse(item.work.options, nullptr, false);
        if (!job.is_object()) job = nlohmann::json::object();
        const std::shared_ptr<Registry> held = registry_for(item, job);
        Registry& registry = *held;

        engine::ImageRecord image;
        image.repository.name = item.work.repository;
        image.repository.pull_base = job.value("pull_base", std::string());
        image.repository.pull_name = job.value("pull_name", std::string());
        image.repository.reference = job.value("reference", std::string());
        image.tag = item.work.tag;
        image.digest = item.work.digest;
        const std::string reference = image.reference(registry.authority);

        engine::ScanEnvironment env;
        env.inspector = &registry.inspector;
        env.scanner = &registry.scanner;
        env.store = &fleet_.store();
        env.project = item.work.project;
        env.registry = registry.authority;
        env.data_fingerprint = fingerprint_;
        env.platform = job.value("platform", options_.run.platform);
        env.platform_given = job.value("platform_given", false);
        env.scan_id = scan_id_;
        // The run's --image-timeout, within the worker's own (the shorter wins).
        env.image_timeout = std::min(
            options_.run.image_timeout,
            std::chrono::seconds(job.value("image_timeout", int64_t{options_.run.image_timeout.count()})));
        env.concurrency = 1;
        bool committed = false, lost = false;
        env.in_commit = [&](bool complete) {
            committed = false;  // the body may run again after a reconnect
            if (!complete) return;
            try {
                fleet_.queue().complete(item, fingerprint_);
            } catch (const state::LeaseLost&) {
                lost = true;
                throw;
            }
            committed = true;
        };
        std::vector<engine::ImageRecord> images{image};
        engine::ImageOutcome outcome;
        engine::run_scan_phase(images, env, [&](const engine::ImageRecord&, engine::ImageOutcome done) {
            outcome = std::move(done);
        });
        if (lost) {
            ++images_dropped_;
            spdlog::warn("Dropped the results of image={}: the lease on queue row {} was lost to another worker",
                         reference, item.id);
            return;
        }
        if ((committed || lost) && outcome.is_new) {
            try {
                if (committed) fleet_.queue().mark_new(item);
            } catch (const std::exception& e) {
                spdlog::warn("Could not note queue row {} as new: {}", item.id, e.what());
            }
        }
        if (committed) {
            ++images_done_;
            spdlog::info("Done image={} (queue row {})", reference, item.id);
            return;
        }
        // Nothing was committed with the row: the tag's stored results were
        // reused, or the image failed.
        std::string error = images[0].error;
        bool failed = !error.empty() || outcome.results.empty();
        for (const auto& result : outcome.results)
            if (result.status == scan::ScanStatus::scan_failed) {
                failed = true;
                if (error.empty()) error = result.error;
            }
        if (!failed) {
            try {
                fleet_.db().transaction([&] { fleet_.queue().complete(item, fingerprint_); });
                ++images_done_;
                spdlog::info("Done image={} (queue row {}, stored results reused)", reference, item.id);
            } catch (const state::LeaseLost& e) {
                ++images_dropped_;
                spdlog::warn("image={}: {}", reference, e.what());
            }
            return;
        }
        if (error.empty()) error = "no result";
        ++images_failed_;
        if (!fleet_.queue().fail_attempt(item, error))
            spdlog::warn("image={} failed, and the lease on queue row {} was lost meanwhile", reference, item.id);
        else
            spdlog::warn("image={} failed on attempt {} of {}: {}", reference, item.attempts, options_.max_attempts,
                         error);
    }

    const WorkerOptions& options_;
    const plugin::PluginSet& plugins_;
    const std::atomic<bool>& stop_;
    FleetState fleet_;
    state::LayerClaims claims_;
    std::unique_ptr<scan::VulnerabilityMatcher> matcher_;
    std::unique_ptr<malware::MalwareScanner> malware_;
    engine::MalwareSetup malware_setup_;
    std::string fingerprint_;
    std::unique_ptr<scan::LayerCache> cache_;
    engine::ScanCounters counters_;
    int64_t scan_id_ = 0;

    std::mutex access_mutex_;  // guards the three below
    std::unique_ptr<serve::SecretBox> secrets_;
    std::unique_ptr<state::ServiceStore> connectors_;
    std::set<int64_t> warned_;  // connectors whose jobs were said to run without their credentials
    // One registry's current Registry, replaced (never changed) when what
    // reaches it changes; `building` guards it and its `checked`.
    struct RegistrySlot {
        std::mutex building;
        std::shared_ptr<Registry> registry;
    };
    std::mutex registries_mutex_;  // guards the map, not the slots
    std::map<std::string, std::shared_ptr<RegistrySlot>> registries_;

    std::mutex mutex_;
    std::condition_variable done_;
    size_t ended_threads_ = 0;  // guarded by mutex_
    std::map<int64_t, state::WorkItem> in_flight_;
    std::atomic<bool> finished_{false};
    std::atomic<size_t> images_done_{0}, images_failed_{0}, images_dropped_{0};
};

}  // namespace

app::ExitCode run_worker(const WorkerOptions& options, const plugin::PluginSet& plugins, const std::atomic<bool>& stop) {
    if (options.run.concurrency == 0) throw Fatal(ExitCode::bad_arguments, "--concurrency must be positive");
    Worker worker(options, plugins, stop);
    return worker.run();
}

}  // namespace regscan::fleet
