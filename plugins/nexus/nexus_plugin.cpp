// Sonatype Nexus Repository 3: repositories and their images come from the
// REST API (/service/rest/v1), images are read through each repository's
// connector port or its path-based /repository/<name>/v2/ route.
#include <memory>

#include "nexus_config.hpp"
#include "nexus_identify.hpp"
#include "nexus_session.hpp"
#include "regscan/plugin.hpp"

namespace {

using namespace regscan::sdk;

struct NexusRegistry {
    static constexpr const char* types = "NEXUS";
    static constexpr const char* options = R"json([
        {"name": "nexus-repository",
         "help": "Nexus repository to walk (repeatable, or comma-separated); default: every docker hosted and proxy repository (groups only when named)",
         "env": "REGSCAN_NEXUS_REPOSITORY"},
        {"name": "nexus-pull",
         "help": "where images are read: auto (a repository's connector port when Nexus tells it, else /repository/<name>/v2/), connector, or path",
         "env": "REGSCAN_NEXUS_PULL"}
    ])json";

    static Identification identify(const Host& host, const Probe& probe) {
        return regscan::nexus::identify(host, probe, types);
    }

    static std::unique_ptr<Session> open(const Host& host, const SessionConfig& config) {
        auto session = std::make_unique<regscan::nexus::NexusSession>(host, regscan::nexus::nexus_config(config),
                                                                      config.max_repositories, config.max_tags);
        session->sign_in();
        return session;
    }
};

}  // namespace

REGSCAN_PLUGIN("nexus", "1.0.0", "Sonatype Nexus Repository 3 (REST API discovery, connector or path-based pulls)",
               regscan::sdk::registry_table<NexusRegistry>(), nullptr, nullptr)
