// Docker Hub: repositories and tags come from the Hub API (hub.docker.com),
// images are read from registry-1.docker.io with tokens from auth.docker.io.
#include <memory>

#include "hub_config.hpp"
#include "hub_session.hpp"
#include "regscan/plugin.hpp"

namespace {

using namespace regscan::sdk;

struct DockerHubRegistry {
    static constexpr const char* types = "DOCKERHUB";
    static constexpr const char* options = R"json([
        {"name": "namespace",
         "help": "Docker Hub account or organisation whose repositories are listed (repeatable, or comma-separated; 'library' for the official images); default: the username"},
        {"name": "hub-api",
         "help": "Docker Hub API base URL (default https://hub.docker.com)",
         "env": "REGSCAN_DOCKERHUB_API"},
        {"name": "hub-registry",
         "help": "registry that Docker Hub images are read from (default https://registry-1.docker.io)",
         "env": "REGSCAN_DOCKERHUB_REGISTRY"},
        {"name": "pull-limit-timeout",
         "help": "seconds to wait for Docker Hub's pull-limit probe as the session opens (default 5; 0: none)"}
    ])json";

    // Known host names only: Docker Hub answers /v2/ like any registry, so
    // the probe cannot tell it apart.
    static Identification identify(const Host&, const Probe& probe) {
        return {regscan::dockerhub::is_docker_hub_host(probe.parsed.host) ? 90 : 0, types};
    }

    static std::unique_ptr<Session> open(const Host& host, const SessionConfig& config) {
        auto session = std::make_unique<regscan::dockerhub::HubSession>(host, regscan::dockerhub::hub_config(config));
        session->log_in();
        session->log_pull_quota();
        return session;
    }
};

}  // namespace

REGSCAN_PLUGIN("dockerhub", "1.0.0", "Docker Hub (Hub API discovery, registry-1.docker.io pulls)",
               regscan::sdk::registry_table<DockerHubRegistry>(), nullptr, nullptr)
