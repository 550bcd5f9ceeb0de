// Quay (quay.io and self-hosted): repositories and tags from Quay's API with
// an OAuth application token, or from /v2/_catalog with a robot account;
// images are read through /v2/ with the robot (or the OAuth token).
#include <memory>

#include "quay_config.hpp"
#include "quay_identity.hpp"
#include "quay_session.hpp"
#include "regscan/plugin.hpp"

namespace {

using namespace regscan::sdk;

struct QuayRegistry {
    static constexpr const char* types = "QUAY";
    static constexpr const char* options = R"json([
        {"name": "namespace",
         "help": "Quay organisation or user whose repositories are listed (repeatable, or comma-separated); default: the robot's organisation"},
        {"name": "quay-token",
         "help": "Quay OAuth application token (Bearer) for the Quay API, which lists repositories and tags; robots cannot hold one",
         "env": "REGSCAN_QUAY_TOKEN",
         "secret": true}
    ])json";

    static Identification identify(const Host& host, const Probe& probe) {
        return {regscan::quay::identify_score(host, probe), types};
    }

    static std::unique_ptr<Session> open(const Host& host, const SessionConfig& config) {
        auto quay = regscan::quay::quay_config(config);
        host.add_secret(quay.token);
        auto session = std::make_unique<regscan::quay::QuaySession>(host, std::move(quay), config.max_repositories,
                                                                    config.max_tags);
        session->start();
        return session;
    }
};

}  // namespace

REGSCAN_PLUGIN("quay", "1.0.0", "Quay (API discovery with an OAuth token, /v2/_catalog with a robot)",
               regscan::sdk::registry_table<QuayRegistry>(), nullptr, nullptr)
