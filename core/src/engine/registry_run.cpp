#include "engine/registry_run.hpp"

#include <future>
#include <memory>
#include <optional>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "app/exit_codes.hpp"
#include "app/plugin_options.hpp"
#include "auth/session_credentials.hpp"
#include "engine/digest_prefetch.hpp"
#include "engine/discovery.hpp"
#include "engine/registry_probe.hpp"
#include "engine/run_observer.hpp"
#include "engine/run_pipeline.hpp"
#include "filter/pattern_filter.hpp"
#include "fleet/enqueue.hpp"
#include "plugin/registry_session.hpp"
#include "util/time.hpp"

namespace regscan::engine {
namespace {

using app::ExitCode;
using app::Fatal;

std::string installed_types(const plugin::PluginSet& plugins) {
    std::string types;
    for (const auto& p : plugins.plugins)
        for (const auto& t : p->registry_types()) types += (types.empty() ? "" : ", ") + t;
    return types.empty() ? "none" : types;
}

// Per repository, newest first by push time: keep --max-tags-per-repo, drop
// what is older than --max-tag-age. Tags without a push time are kept.
void limit_tags(std::vector<ImageRecord>& images, const RunOptions& options) {
    if (!options.max_tags_per_repo && !options.max_tag_age_days) return;
    auto now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
    std::map<std::string, std::vector<ImageRecord*>> by_repository;
    for (auto& image : images) by_repository[image.repository.name].push_back(&image);
    for (auto& [name, list] : by_repository) {
        std::stable_sort(list.begin(), list.end(), [](const ImageRecord* a, const ImageRecord* b) {
            auto ta = util::parse_rfc3339(a->pushed), tb = util::parse_rfc3339(b->pushed);
            if (ta && tb) return *ta > *tb;
            return ta.has_value() && !tb.has_value();
        });
        size_t kept = 0;
        for (auto* image : list) {
            auto pushed = util::parse_rfc3339(image->pushed);
            if (options.max_tag_age_days && pushed && now - *pushed > std::chrono::days(options.max_tag_age_days)) {
                image->skipped = true;
                image->skip_reason = fmt::format("pushed {}, older than --max-tag-age {} days", image->pushed,
                                                 options.max_tag_age_days);
            } else if (options.max_tags_per_repo && pushed && kept >= options.max_tags_per_repo) {
                image->skipped = true;
                image->skip_reason = fmt::format("beyond the newest {} tags of the repository (--max-tags-per-repo)",
                                                 options.max_tags_per_repo);
            } else if (pushed) {
                ++kept;
            }
        }
    }
}

void apply_filters(std::vector<ImageRecord>& images, const RunOptions& options, const std::string& authority) {
    limit_tags(images, options);
    filter::PatternFilter patterns(filter::split_patterns(options.allow), filter::split_patterns(options.deny));
    size_t kept = 0;
    for (auto& image : images) {
        if (image.skipped) continue;
        if (auto reason = patterns.skip_reason({authority, image.repository.name, image.tag, image.digest})) {
            image.skipped = true;
            image.skip_reason = *reason;
        } else if (options.max_images && kept >= options.max_images) {
            image.skipped = true;
            image.skip_reason = fmt::format("beyond --max-images {}", options.max_images);
        } else {
            ++kept;
        }
    }
    for (const auto& image : images)
        if (image.skipped)
            spdlog::info("Skipping image image={} reason={}", image.reference(authority), image.skip_reason);
}

}  // namespace

app::ExitCode run_registry(const RunOptions& options, const plugin::PluginSet& plugins) {
    for (const auto& refusal : plugins.refused)
        spdlog::warn("Plugin refused path={} reason={}", refusal.path.string(), refusal.reason);

    RunPipeline pipeline(options);
    // The state, the vulnerability data and the signatures open while the
    // registry is identified and listed; their errors are raised after
    // discovery, where they were before. A fleet's queue needs none of them.
    std::shared_future<void> prepared;
    if (!options.enqueue && !options.wait)
        prepared = std::async(std::launch::async, [&pipeline] { pipeline.prepare(); }).share();
    auto& client = pipeline.client();
    auto probe = probe_registry(client, options.url);

    auto identified = plugin::identify_registry(plugins, client, probe, options.type);
    if (!identified.plugin)
        throw Fatal(ExitCode::no_plugin,
                    "no plugin for this registry: " + options.url +
                        (!options.type.empty() ? " (type " + options.type + ")"
                         : !identified.type.empty() ? " looks like " + identified.type +
                                                          ", whose plugin is not installed"
                                                    : "") +
                        "; installed registry types: " + installed_types(plugins) +
                        " (--type DEFAULT_V2 forces the generic V2 plugin)");
    spdlog::info("Identified registry as: {}", identified.type);
    if (options.observer) options.observer->identified(identified.type);
    app::check_plugin_options(options.given_plugin_options, plugins, *identified.plugin, identified.type,
                              !options.type.empty());

    sdk::SessionConfig config =
        auth::session_config(options.url, identified.type, options.credentials, options.plugin_options);
    config.max_repositories = options.limits.max_repositories;
    config.max_tags = options.limits.max_listed_tags;
    std::unique_ptr<plugin::RegistrySession> session;
    try {
        session = std::make_unique<plugin::RegistrySession>(identified.plugin, client, pipeline.auth(), config);
    } catch (const sdk::Error& e) {
        throw Fatal(e.status() == REGSCAN_ERROR ? ExitCode::no_plugin : app::exit_code_for(e.status()), e.what());
    }

    spdlog::info("Beginning discovery of registry: {}", options.url);
    Discovery discovery;
    try {
        std::optional<DigestPrefetch> prefetch;
        if (prepared.valid() && DigestPrefetch::applies(options)) prefetch.emplace(options, pipeline, prepared);
        discovery = discover(*session, options.concurrency, options.limits,
                             prefetch ? [&prefetch](std::vector<ImageRecord>& images) { (*prefetch)(images); }
                                      : std::function<void(std::vector<ImageRecord>&)>(),
                             [&options] { return options.observer && options.observer->cancelled(); });
    } catch (const sdk::Error& e) {
        throw Fatal(app::exit_code_for(e.status()),
                    "discovery of " + options.url + " failed: " + e.what() +
                        (e.status() == REGSCAN_AUTH_FAILED ? "; " + auth::credentials_hint(options.credentials) : ""));
    }
    apply_filters(discovery.images, options, pipeline.authority());
    if (options.enqueue || options.wait) return fleet::enqueue_registry(options, identified.type, discovery);
    prepared.get();  // rethrows what opening the state or the data threw
    return pipeline.run(discovery.images, discovery.listing);
}

}  // namespace regscan::engine
