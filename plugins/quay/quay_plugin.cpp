// Quay: recognised from its URL; discovery through the vendor API is
// not implemented yet, so opening a session says so plainly.
#include <memory>
#include <string>

#include "regscan/plugin.hpp"

namespace {

using namespace regscan::sdk;

bool host_matches(const std::string& host, const std::string& pattern) {
    if (pattern.front() == '.') return host.find(pattern) != std::string::npos;
    return host == pattern;
}

struct Registry {
    static constexpr const char* types = "QUAY";

    static Identification identify(const Host&, const Probe& probe) {
        return {(host_matches(probe.parsed.host, "quay.io")) ? 90 : 0, types};
    }

    static std::unique_ptr<Session> open(const Host&, const SessionConfig&) {
        throw Error(REGSCAN_UNSUPPORTED,
                    "the quay plugin recognises Quay URLs but cannot discover them yet; "
                    "use --type DEFAULT_V2 to list it through /v2/_catalog");
    }
};

}  // namespace

REGSCAN_PLUGIN("quay", "0.1.0", "Quay (identification only)", regscan::sdk::registry_table<Registry>(),
               nullptr, nullptr)
