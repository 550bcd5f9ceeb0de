#include "harbor_identity.hpp"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "harbor_config.hpp"
#include "regscan/challenge.hpp"

namespace regscan::harbor {
namespace {

bool ends_with(const std::string& text, const std::string& suffix) {
    return text.size() >= suffix.size() && text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

int url_score(const sdk::Url& url) {
    const std::string path = url.path.substr(0, url.path.find_first_of("?#"));
    if (path == "/harbor" || path.rfind("/harbor/", 0) == 0) return 100;
    if (url.host == "goharbor.io" || ends_with(url.host, ".goharbor.io")) return 100;
    const std::string first_label = url.host.substr(0, url.host.find('.'));
    if (first_label == "harbor" || first_label.rfind("harbor-", 0) == 0) return 60;
    return 0;
}

int challenge_score(const std::string& www_authenticate) {
    for (const auto& challenge : sdk::parse_challenges(www_authenticate)) {
        if (!sdk::iequals(challenge.scheme, "Bearer")) continue;
        auto service = challenge.params.find("service");
        auto realm = challenge.params.find("realm");
        if (service == challenge.params.end() || service->second != "harbor-registry") continue;
        if (realm == challenge.params.end()) continue;
        std::string realm_path = sdk::parse_url(realm->second).path;
        if (ends_with(realm_path.substr(0, realm_path.find('?')), "/service/token")) return 90;
    }
    return 0;
}

bool is_systeminfo(const sdk::HttpResponse& response) {
    if (response.status != 200) return false;
    auto body = nlohmann::json::parse(response.body, nullptr, false);
    if (!body.is_object()) return false;
    auto auth_mode = body.find("auth_mode");
    if (auth_mode == body.end() || !auth_mode->is_string()) return false;
    for (const char* field : {"harbor_version", "primary_auth_mode", "self_registration"})
        if (body.contains(field)) return true;
    return false;
}

sdk::Identification identify(const sdk::Host& host, const sdk::Probe& probe) {
    int score = std::max(url_score(probe.parsed), challenge_score(probe.ping_header("www-authenticate")));
    if (score > 0 || !probe.may_request) return {score, registry_type};
    // One anonymous request, never with credentials: the type is not known yet.
    sdk::HttpRequest request;
    request.url = api_base(probe.url) + "/api/v2.0/systeminfo";
    request.headers.emplace_back("Accept", "application/json");
    request.registry_auth = false;
    request.retry = false;
    auto response = host.http(request);
    if (is_systeminfo(response)) {
        host.debug("GET " + request.url + " answered as Harbor's systeminfo");
        return {90, registry_type};
    }
    host.debug("GET " + request.url + ": not Harbor (" + response.describe() + ")");
    return {0, registry_type};
}

}  // namespace regscan::harbor
