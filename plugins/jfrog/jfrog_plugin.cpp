// JFrog Artifactory: Docker repositories from the REST API
// (/artifactory/api/repositories), images and tags from each repository's
// Docker listings (/artifactory/api/docker/{repoKey}/v2/...), images read by
// the core at each repository's Docker access address.
#include <memory>

#include "jfrog_config.hpp"
#include "jfrog_identify.hpp"
#include "jfrog_session.hpp"
#include "regscan/plugin.hpp"

namespace {

using namespace regscan::sdk;

struct JfrogRegistry {
    static constexpr const char* types = "JFROG";
    static constexpr const char* options = R"json([
        {"name": "jfrog-repository",
         "help": "Artifactory Docker repository key to walk, whatever its type (repeatable, or comma-separated); default: every readable repository of the --jfrog-repository-type types"},
        {"name": "jfrog-repository-type",
         "help": "repository types walked when no key is named: local, federated, remote, virtual (repeatable, or comma-separated); default local,federated (a remote repository is a cache, a virtual one repeats its members)"},
        {"name": "jfrog-docker-access",
         "help": "how Docker clients reach the repositories: repository-path (https://<host>/v2/<key>/<image>, default), subdomain (https://<key>.<host>/v2/<image>), port (--jfrog-repository-port), api (https://<host>/artifactory/api/docker/<key>/v2/<image>)",
         "env": "REGSCAN_JFROG_DOCKER_ACCESS"},
        {"name": "jfrog-repository-port",
         "help": "KEY=PORT: the port serving repository KEY with --jfrog-docker-access=port (repeatable, or comma-separated)"},
        {"name": "jfrog-api",
         "help": "Artifactory base URL of the REST API (default https://<host of the URL>/artifactory)",
         "env": "REGSCAN_JFROG_API"}
    ])json";

    static Identification identify(const Host& host, const Probe& probe) { return regscan::jfrog::identify(host, probe); }

    static std::unique_ptr<Session> open(const Host& host, const SessionConfig& config) {
        return std::make_unique<regscan::jfrog::JfrogSession>(host, regscan::jfrog::jfrog_config(config),
                                                              config.max_repositories, config.max_tags);
    }
};

}  // namespace

REGSCAN_PLUGIN("jfrog", "1.0.0", "JFrog Artifactory (REST API discovery, every Docker access method)",
               regscan::sdk::registry_table<JfrogRegistry>(), nullptr, nullptr)
