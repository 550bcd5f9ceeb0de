// The generic registry: any Docker Registry HTTP API V2 / OCI distribution
// server, discovered through /v2/_catalog and /v2/<name>/tags/list.
#include <memory>
#include <string>

#include "regscan/pagination.hpp"
#include "regscan/plugin.hpp"

namespace {

using namespace regscan::sdk;

class V2Session final : public Session {
public:
    V2Session(const Host& host, std::string base, size_t max_repositories, size_t max_tags)
        : host_(host), base_(std::move(base)), max_repositories_(max_repositories), max_tags_(max_tags) {}

    std::vector<Repository> repositories() override {
        std::vector<Repository> repositories;
        for (auto& name : v2_catalog(host_, base_, max_repositories_)) repositories.push_back({std::move(name), {}, {}});
        return repositories;
    }

    std::vector<TagInfo> tags(const Repository& repository) override {
        std::vector<TagInfo> tags;
        for (auto& tag : v2_tags(host_, base_, repository.name, max_tags_)) {
            TagInfo info;
            info.tag = std::move(tag);
            tags.push_back(std::move(info));
        }
        return tags;
    }

private:
    Host host_;
    std::string base_;
    size_t max_repositories_;
    size_t max_tags_;
};

bool ends_with(const std::string& s, const std::string& suffix) {
    return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

std::string vendor_type(const std::string& host) {
    if (host.find(".dkr.ecr.") != std::string::npos) return "ECR";
    if (ends_with(host, ".azurecr.io") || ends_with(host, ".azurecr.cn") || ends_with(host, ".azurecr.us"))
        return "ACR";
    if (host == "hub.docker.com" || host == "docker.io" || host == "registry-1.docker.io" ||
        host == "index.docker.io")
        return "DOCKERHUB";
    return {};
}

struct V2Registry {
    static constexpr const char* types = "DEFAULT_V2";

    // Low scores on purpose: this plugin is the fallback, and any vendor
    // plugin that recognises the registry should win.
    static Identification identify(const Host&, const Probe& probe) {
        // Vendor registries whose discovery or auth the generic API cannot do:
        // without their plugin, say so rather than half-work.
        if (auto vendor = vendor_type(probe.parsed.host); !vendor.empty()) return {-1, vendor};
        if (!probe.ping_header("docker-distribution-api-version").empty()) return {10, types};
        if (probe.ping_status == 200 || probe.ping_status == 401) return {5, types};
        return {0, types};
    }

    static std::unique_ptr<Session> open(const Host& host, const SessionConfig& config) {
        return std::make_unique<V2Session>(host, registry_base(config.url), config.max_repositories, config.max_tags);
    }
};

}  // namespace

REGSCAN_PLUGIN("v2", "1.0.0", "Docker Registry HTTP API V2 / OCI distribution (catalog discovery)",
               regscan::sdk::registry_table<V2Registry>(), nullptr, nullptr)
