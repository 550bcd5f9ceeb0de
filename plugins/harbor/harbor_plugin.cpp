// Harbor: projects, repositories and artifacts come from Harbor's REST API
// (/api/v2.0, Basic credentials: a user or a robot account); images are read
// through /v2/ with tokens from Harbor's token service (the core's standard
// Bearer flow, same credentials).
#include <memory>

#include "harbor_config.hpp"
#include "harbor_identity.hpp"
#include "harbor_session.hpp"
#include "regscan/plugin.hpp"

namespace {

using namespace regscan::sdk;

struct HarborRegistry {
    static constexpr const char* types = "HARBOR";
    static constexpr const char* options = R"json([
        {"name": "harbor-project",
         "help": "Harbor project to walk (repeatable, or comma-separated); default: every project the account can list"},
        {"name": "harbor-page-size",
         "help": "items per page of Harbor API listings, 1 to 100 (default 100, Harbor's maximum)"}
    ])json";

    static Identification identify(const Host& host, const Probe& probe) {
        return regscan::harbor::identify(host, probe);
    }

    static std::unique_ptr<Session> open(const Host& host, const SessionConfig& config) {
        return std::make_unique<regscan::harbor::HarborSession>(host, regscan::harbor::harbor_config(config),
                                                                config.max_repositories, config.max_tags);
    }
};

}  // namespace

REGSCAN_PLUGIN("harbor", "1.0.0", "Harbor (project API discovery, token-service pulls)",
               regscan::sdk::registry_table<HarborRegistry>(), nullptr, nullptr)
