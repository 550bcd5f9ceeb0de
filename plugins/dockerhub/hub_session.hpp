// Discovery of Docker Hub namespaces through the Hub API; pulls go to the
// registry (registry-1.docker.io) with the core's standard Bearer flow, whose
// challenge points at auth.docker.io.
#pragma once

#include <atomic>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "hub_config.hpp"
#include "hub_login.hpp"
#include "rate_limit.hpp"
#include "regscan/registry.hpp"

namespace regscan::dockerhub {

class HubSession final : public sdk::Session {
public:
    HubSession(const sdk::Host& host, HubConfig config);

    // Logs in now (when credentials were given), so refused credentials end
    // the run before discovery starts.
    void log_in();
    // Logs how many pulls are left, from Docker's documented probe: a HEAD of
    // ratelimitpreview/test:latest, free of pull cost. Called when the session
    // opens, outside every listing, so it spends no listing's budget and its
    // failure cuts nothing; it is informational only. Takes at most
    // `pull_limit_timeout` (the host ends the request there, token request
    // included); not sent when pulls go to a mirror, nor through a core too
    // old to bound it (SDK 1.3).
    void log_pull_quota();

    std::vector<sdk::Repository> repositories() override;
    std::vector<sdk::TagInfo> tags(const sdk::Repository& repository) override;

private:
    sdk::HttpResponse get(const std::string& url);
    // GETs `url` and every page its `next` leads to; `page` returns the `next`
    // it read. False when the host cut the listing at its bounds (pages read
    // so far were handed over).
    bool each_page(const std::string& url, const std::function<std::string(const nlohmann::json&, const std::string&)>& page);
    // Adds the namespace's repository names to `names`; false when the listing was cut.
    bool namespace_repositories(const std::string& name, std::vector<std::string>& names);

    sdk::Host host_;
    HubConfig config_;
    HubLogin login_;
    RateLimitLog limits_;
    // Set when the API lacks /v2/namespaces/{ns}/repositories (older deployments).
    std::atomic<bool> legacy_routes_{false};
};

}  // namespace regscan::dockerhub
