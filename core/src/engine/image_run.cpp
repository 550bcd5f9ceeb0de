#include "engine/image_run.hpp"

#include <memory>

#include <spdlog/spdlog.h>

#include "app/plugin_options.hpp"
#include "engine/registry_probe.hpp"
#include "engine/run_pipeline.hpp"
#include "plugin/registry_session.hpp"

namespace regscan::engine {

using app::ExitCode;
using app::Fatal;

namespace {

// As docker reads a reference: the first component names a registry only
// when it has a '.' or a ':' or is "localhost"; otherwise the image is on
// Docker Hub, and a name of one component is an official ("library/") image.
bool names_a_registry(std::string_view component) {
    return component.find_first_of(".:") != std::string_view::npos || component == "localhost";
}

constexpr const char* docker_hub_registry = "https://registry-1.docker.io";

}  // namespace

ImageReference parse_image_reference(const std::string& text) {
    std::string rest = text;
    std::string scheme;
    if (auto sep = rest.find("://"); sep != std::string::npos) {
        scheme = rest.substr(0, sep);
        rest = rest.substr(sep + 3);
        if (scheme != "https" && scheme != "http")
            throw Fatal(ExitCode::bad_arguments, "unsupported URL scheme '" + scheme +
                                                     "': a registry is reached over https:// (or http://)");
    }
    if (rest.empty() || rest.front() == '/' || rest.back() == '/')
        throw Fatal(ExitCode::bad_arguments, "image reference must be [host[:port]/]repository[:tag|@digest]: " + text);
    ImageReference ref;
    auto slash = rest.find('/');
    std::string name;
    if (scheme.empty() && (slash == std::string::npos || !names_a_registry(rest.substr(0, slash)))) {
        ref.registry_url = docker_hub_registry;
        name = slash == std::string::npos ? "library/" + rest : rest;
    } else {
        if (slash == std::string::npos)
            throw Fatal(ExitCode::bad_arguments,
                        "image reference must be host[:port]/repository[:tag|@digest]: " + text);
        ref.registry_url = (scheme.empty() ? "https" : scheme) + "://" + rest.substr(0, slash);
        name = rest.substr(slash + 1);
    }
    if (auto at = name.find('@'); at != std::string::npos) {
        ref.digest = name.substr(at + 1);
        name = name.substr(0, at);
        if (ref.digest.rfind("sha256:", 0) != 0)
            throw Fatal(ExitCode::bad_arguments, "image digest must be sha256:<hex>: " + text);
    } else if (auto colon = name.rfind(':'); colon != std::string::npos && name.find('/', colon) == std::string::npos) {
        ref.tag = name.substr(colon + 1);
        name = name.substr(0, colon);
    } else {
        ref.tag = "latest";
    }
    if (name.empty()) throw Fatal(ExitCode::bad_arguments, "image reference has no repository: " + text);
    ref.repository = name;
    return ref;
}

app::ExitCode run_image(RunOptions options, const std::string& reference, const plugin::PluginSet& plugins) {
    auto ref = parse_image_reference(reference);
    options.url = ref.registry_url;
    RunPipeline pipeline(options);

    // A vendor plugin may need to authorise pulls (ECR, ACR): open one
    // session for its authorize(); discovery is not needed.
    std::unique_ptr<plugin::RegistrySession> session;
    auto probe = probe_registry(pipeline.client(), options.url);
    auto identified = plugin::identify_registry(plugins, pipeline.client(), probe, options.type);
    if (identified.plugin) {
        spdlog::info("Identified registry as: {}", identified.type);
        app::check_plugin_options(options.given_plugin_options, plugins, *identified.plugin, identified.type,
                                  !options.type.empty());
        try {
            session = std::make_unique<plugin::RegistrySession>(
                identified.plugin, pipeline.client(), pipeline.auth(),
                sdk::SessionConfig{options.url, identified.type, options.credentials.username,
                                   options.credentials.password, options.plugin_options});
        } catch (const sdk::Error& e) {
            spdlog::warn("Plugin {} could not open a session ({}); pulling with standard registry auth",
                         identified.plugin->id(), e.what());
        }
    }

    std::vector<ImageRecord> images(1);
    images[0].repository.name = ref.repository;
    images[0].tag = ref.tag;
    images[0].digest = ref.digest;
    auto code = pipeline.run(images, {});
    // The one image a registry would not show us: an authentication
    // failure (exit 4), as for a registry run, not "some images failed".
    if (images[0].auth_refused)
        throw Fatal(ExitCode::auth_failed, "the registry refused access to " + reference + ": " +
                                               auth::credentials_hint(options.credentials));
    return code;
}

}  // namespace regscan::engine
