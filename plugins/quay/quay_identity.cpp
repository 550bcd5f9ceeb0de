#include "quay_identity.hpp"

#include <nlohmann/json.hpp>

#include "quay_config.hpp"
#include "regscan/url.hpp"

namespace regscan::quay {

bool is_quay_discovery(const sdk::HttpResponse& response) {
    if (response.status != 200) return false;
    auto body = nlohmann::json::parse(response.body, nullptr, false);
    if (!body.is_object() || !body.contains("swagger")) return false;
    auto info = body.find("info");
    if (info == body.end() || !info->is_object()) return false;
    auto title = info->find("title");
    return title != info->end() && title->is_string() && title->get<std::string>().find("Quay") != std::string::npos;
}

int identify_score(const sdk::Host& host, const sdk::Probe& probe) {
    if (is_quay_io_host(probe.parsed.host)) return url_score;
    if (!probe.may_request) return 0;
    sdk::HttpRequest request;
    request.url = probe.parsed.origin() + "/api/v1/discovery";
    request.headers.emplace_back("Accept", "application/json");
    request.retry = false;
    auto response = host.http(request);
    if (!is_quay_discovery(response)) {
        host.debug("Not Quay: GET " + request.url + ": " + response.describe().substr(0, 80));
        return 0;
    }
    return probe_score;
}

}  // namespace regscan::quay
