#include "engine/registry_probe.hpp"

#include <cctype>

#include "app/exit_codes.hpp"
#include "util/text.hpp"

namespace regscan::engine {

sdk::Probe probe_registry(http::HttpClient& client, const std::string& url) {
    sdk::Probe probe;
    probe.url = url;
    probe.parsed = sdk::parse_url(url);
    http::Request request;
    request.url = sdk::registry_base(url) + "/v2/";
    auto response = client.send(request);
    if (response.status == 0) {
        // OpenSSL's word for a server that answered a TLS hello in plain HTTP.
        bool plain_http = probe.parsed.scheme == "https" && response.error.find("wrong version number") != std::string::npos;
        throw app::Fatal(app::ExitCode::unreachable,
                         "cannot reach registry " + url + ": " + response.error +
                             (plain_http ? "; the server seems to speak plain HTTP: if you trust this network, use http://" +
                                               probe.parsed.authority()
                                         : ""));
    }
    probe.ping_status = response.status;
    for (const auto& [name, value] : response.headers) {
        probe.ping_headers[util::ascii_lower(name)] = value;
    }
    return probe;
}

}  // namespace regscan::engine
