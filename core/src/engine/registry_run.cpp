#include "engine/registry_run.hpp"

#include <atomic>
#include <iostream>
#include <memory>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "app/exit_codes.hpp"
#include "engine/discovery.hpp"
#include "engine/image_inspector.hpp"
#include "filter/pattern_filter.hpp"
#include "log/secrets.hpp"
#include "oci/distribution_client.hpp"
#include "plugin/loaded_plugin.hpp"
#include "plugin/registry_session.hpp"
#include "report/inventory_csv.hpp"
#include "util/parallel.hpp"
#include "util/time.hpp"

namespace regscan::engine {
namespace {

using app::ExitCode;
using app::Fatal;

// One unauthenticated GET /v2/: what identification is based on.
sdk::Probe probe_registry(http::HttpClient& client, const std::string& url) {
    sdk::Probe probe;
    probe.url = url;
    probe.parsed = sdk::parse_url(url);
    http::Request request;
    request.url = sdk::registry_base(url) + "/v2/";
    auto response = client.send(request);
    probe.ping_status = response.status;
    probe.ping_error = response.error;
    for (const auto& [name, value] : response.headers) {
        std::string lower = name;
        for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        probe.ping_headers[lower] = value;
    }
    return probe;
}

std::string installed_types(const plugin::PluginSet& plugins) {
    std::string types;
    for (const auto& p : plugins.plugins)
        for (const auto& t : p->registry_types()) types += (types.empty() ? "" : ", ") + t;
    return types.empty() ? "none" : types;
}

void apply_filters(std::vector<ImageRecord>& images, const RunOptions& options, const std::string& authority) {
    filter::PatternFilter patterns(filter::split_patterns(options.allow), filter::split_patterns(options.deny));
    size_t kept = 0;
    for (auto& image : images) {
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
}

nlohmann::json image_json(const ImageRecord& image, const std::string& authority) {
    return {{"registry", authority},
            {"repository", image.repository.name},
            {"reference_repository", authority + "/" + image.repository.name},
            {"tag", image.tag},
            {"digest", image.digest},
            {"media_type", image.media_type},
            {"platforms", image.platforms},
            {"build_time", image.build_time},
            {"pushed", image.pushed},
            {"skipped", image.skipped},
            {"skip_reason", image.skip_reason},
            {"error", image.error}};
}

}  // namespace

app::ExitCode run_registry(const RunOptions& options, const plugin::PluginSet& plugins) {
    for (const auto& refusal : plugins.refused)
        spdlog::warn("Plugin refused path={} reason={}", refusal.path.string(), refusal.reason);

    http::HttpClient client(options.http);
    const std::string authority = sdk::parse_url(options.url).authority();
    const std::string base = sdk::registry_base(options.url);

    auto probe = probe_registry(client, options.url);
    if (probe.ping_status == 0)
        throw Fatal(ExitCode::unreachable, "cannot reach registry " + options.url + ": " + probe.ping_error);

    auto identified = plugin::identify_registry(plugins, client, probe, options.type);
    if (!identified.plugin)
        throw Fatal(ExitCode::no_plugin, "no plugin for this registry: " + options.url +
                                             (options.type.empty() ? "" : " (type " + options.type + ")") +
                                             "; installed registry types: " + installed_types(plugins));
    spdlog::info("Identified registry as: {}", identified.type);

    auth::RegistryAuth auth(client, options.credentials);
    sdk::SessionConfig config{options.url, identified.type, options.credentials.username,
                              options.credentials.password, options.plugin_options};
    std::unique_ptr<plugin::RegistrySession> session;
    try {
        session = std::make_unique<plugin::RegistrySession>(identified.plugin, client, auth, config);
    } catch (const sdk::Error& e) {
        throw Fatal(e.status() == REGSCAN_ERROR ? ExitCode::no_plugin : app::exit_code_for(e.status()), e.what());
    }

    spdlog::info("Beginning discovery of registry: {}", options.url);
    Discovery discovery;
    try {
        discovery = discover(*session, options.concurrency);
    } catch (const sdk::Error& e) {
        throw Fatal(app::exit_code_for(e.status()), "discovery of " + options.url + " failed: " + e.what());
    }

    apply_filters(discovery.images, options, authority);
    for (const auto& image : discovery.images)
        if (image.skipped)
            spdlog::info("Skipping image image={}/{} reason={}", authority, image.name(), image.skip_reason);

    oci::DistributionClient distribution(auth);
    ImageInspector inspector(distribution, base, oci::PlatformSelector::parse(options.platform));
    std::atomic<size_t> failed_images{0};
    util::parallel_for(discovery.images.size(), options.concurrency, [&](size_t i) {
        auto& image = discovery.images[i];
        if (image.skipped) return;
        try {
            inspector.inspect(image);
            if (image.skipped)
                spdlog::info("Skipping image image={}/{} reason={}", authority, image.name(), image.skip_reason);
            else
                spdlog::info("Fetched image discovery details image={}/{}", authority, image.name());
        } catch (const std::exception& e) {
            image.error = e.what();
            ++failed_images;
            spdlog::error("Failed to fetch image details image={}/{} error={}", authority, image.name(), e.what());
        }
    });

    size_t skipped = 0;
    for (const auto& image : discovery.images) skipped += image.skipped ? 1 : 0;

    sdk::ReportRun run{options.url, options.mode == Mode::dry_run ? "dry-run" : "scan", options.output_dir,
                       util::now_utc()};
    report::InventoryCsv inventory(run);
    for (const auto& image : discovery.images) inventory.image(image_json(image, authority));
    nlohmann::json summary = {{"images", discovery.images.size()},
                              {"skipped", skipped},
                              {"failed_repositories", discovery.failures.size()},
                              {"failed_images", failed_images.load()}};
    auto paths = inventory.finish(summary);
    spdlog::info("Output report: {}", inventory.path().filename().string());

    std::cout << "Registry Summary:\n"
              << fmt::format("    {:<22}: {}\n", "Total images found", discovery.images.size())
              << fmt::format("    {:<22}: {}\n", "Images skipped", skipped)
              << fmt::format("    {:<22}: {}\n", "Repositories failed", discovery.failures.size())
              << fmt::format("    {:<22}: {}\n", "Images failed", failed_images.load())
              << fmt::format("    {:<22}: {}\n", "Inventory report", log::redact(paths.front()));
    std::cout.flush();

    if (options.mode == Mode::scan)
        throw Fatal(ExitCode::bad_arguments,
                    "--mode=scan is not available in this build yet; the inventory above was written as in "
                    "--mode=dry-run");
    return discovery.failures.empty() && failed_images == 0 ? ExitCode::ok : ExitCode::partial_failure;
}

}  // namespace regscan::engine
