#include "jfrog_identify.hpp"

namespace regscan::jfrog {
namespace {

bool ends_with(const std::string& text, const std::string& suffix) {
    return text.size() > suffix.size() && text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

bool is_jfrog_cloud_host(const std::string& host) { return ends_with(host, ".jfrog.io"); }

bool has_vendor_header(const sdk::Probe& probe) {
    return !probe.ping_header("x-jfrog-version").empty() || !probe.ping_header("x-artifactory-id").empty();
}

bool has_vendor_header(const sdk::HttpResponse& response) {
    auto nonempty = [&](const char* name) {
        auto value = response.header(name);
        return value && !sdk::trim(*value).empty();
    };
    return nonempty("X-JFrog-Version") || nonempty("X-Artifactory-Id");
}

int score_without_requests(const sdk::Probe& probe) {
    if (is_jfrog_cloud_host(probe.parsed.host)) return 100;
    if (probe.ping_status != 0 && has_vendor_header(probe)) return 90;
    return 0;
}

int score_of_system_ping(const sdk::HttpResponse& response) {
    if (response.status == 0) return 0;
    if (has_vendor_header(response)) return 90;
    // Anonymous access off: 401 with Artifactory's own realm.
    auto challenge = response.header("WWW-Authenticate");
    if (response.status == 401 && challenge && challenge->find("Artifactory Realm") != std::string::npos) return 90;
    if (response.status == 200 && sdk::trim(response.body) == "OK") {
        auto type = response.header("Content-Type").value_or("text/plain");
        if (type.rfind("text/plain", 0) == 0) return 90;
    }
    return 0;
}

std::string system_ping_url(const sdk::Probe& probe) {
    return probe.parsed.origin() + "/artifactory/api/system/ping";
}

sdk::Identification identify(const sdk::Host& host, const sdk::Probe& probe) {
    int score = score_without_requests(probe);
    if (score > 0 || !probe.may_request) return {score, registry_type};
    // One unauthenticated request: the type is not known yet, so no
    // credentials may go anywhere.
    sdk::HttpRequest request;
    request.url = system_ping_url(probe);
    request.retry = false;
    request.headers.emplace_back("Accept", "text/plain");
    auto response = host.http(request);
    score = score_of_system_ping(response);
    host.debug("JFrog Artifactory probe GET " + request.url + ": " +
               (response.status == 0 ? "no answer" : "HTTP " + std::to_string(response.status)) +
               (score ? " (an Artifactory)" : " (not an Artifactory)"));
    return {score, registry_type};
}

}  // namespace regscan::jfrog
