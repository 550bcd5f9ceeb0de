#include "nexus_identify.hpp"

#include <cctype>

#include "regscan/url.hpp"

namespace regscan::nexus {

bool is_nexus_server(const std::string& server_header) {
    auto value = sdk::trim(server_header);
    if (value.size() < 8) return false;
    return sdk::iequals(value.substr(0, 6), "Nexus/") && value[6] == '3' && value[7] == '.';
}

bool is_nexus_status(const sdk::HttpResponse& response) {
    if (auto server = response.header("Server"); server && is_nexus_server(*server)) return true;
    if (response.status != 200) return false;
    auto body = sdk::trim(response.body);
    if (body.empty()) return true;
    auto type = response.header("Content-Type").value_or("");
    return body.front() != '<' && type.find("html") == std::string::npos;
}

sdk::Identification identify(const sdk::Host& host, const sdk::Probe& probe, const char* type) {
    if (is_nexus_server(probe.ping_header("server"))) return {certain_by_evidence, type};
    if (!probe.may_request) return {0, type};
    sdk::HttpRequest request;
    request.url = sdk::registry_base(probe.url) + "/service/rest/v1/status";
    request.retry = false;
    auto response = host.http(request);
    host.debug("Nexus probe GET " + request.url + ": " + response.describe());
    return {is_nexus_status(response) ? certain_by_evidence : 0, type};
}

}  // namespace regscan::nexus
