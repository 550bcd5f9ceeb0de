// The SDK's JSON boundary: what the core reads back from a registry plugin
// (plugin/registry_session.cpp: the repository and tag lists, the identify
// and authorize answers, then discovery's grammar checks), what a plugin
// reads from the core (regscan/registry.hpp from_json), the HTTP header
// blocks both sides parse (regscan/host.hpp, plugin/response_export.hpp), and
// an image config as the scan checks it (scan/config_checks.hpp).
// Input: byte 0 chooses which, the rest is the JSON (or header block).
#include <cstddef>
#include <cstdint>
#include <exception>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "http/http_client.hpp"
#include "oci/manifest.hpp"
#include "oci/reference_grammar.hpp"
#include "plugin/response_export.hpp"
#include "regscan/host.hpp"
#include "regscan/registry.hpp"
#include "scan/config_checks.hpp"
#include "regscan/json_fields.hpp"
#include "util/text.hpp"
#include "regscan/digest.hpp"

using namespace regscan;
using nlohmann::json;

namespace {

void repositories(const std::string& text) {
    for (const auto& repository : json::parse(text).get<std::vector<sdk::Repository>>()) {
        (void)oci::valid_repository_name(repository.name);
        (void)oci::valid_repository_name(repository.pull_name);
        (void)util::escape_control(repository.name);
        (void)json(repository).dump(-1, ' ', false, json::error_handler_t::replace);  // back to list_tags
    }
}

void tags(const std::string& text) {
    for (const auto& tag : json::parse(text).get<std::vector<sdk::TagInfo>>()) {
        (void)oci::valid_tag(tag.tag);
        (void)sdk::valid_digest(tag.digest);
        (void)util::escape_control(tag.tag);
        for (const auto& platform : tag.platforms) {
            (void)sdk::valid_digest(platform.digest);
            (void)oci::Platform::parse(platform.platform);
        }
    }
}

void answers(const std::string& text) {
    auto answer = json::parse(text);
    (void)sdk::json_integer(answer, "score", 0);  // identify, as registry_session reads it
    (void)answer.value("type", "");
    (void)answer.value("authorization", "");     // authorize
}

void plugin_side(const std::string& text) {
    auto j = json::parse(text);
    (void)j.get<sdk::SessionConfig>();
    (void)j.get<sdk::Probe>();
    (void)j.get<sdk::AuthRequest>();
    (void)j.get<sdk::Repository>();
}

// A response handed across the ABI and read back by the plugin's Host::http.
void headers(std::string_view text) {
    auto held = std::make_unique<plugin::HeldResponse<http::Response>>();
    held->response.status = text.empty() ? 0 : 200;
    held->response.headers = sdk::parse_header_lines(text);  // a plugin's request headers, as the core reads them
    held->response.body = std::string(text.substr(0, 64));
    regscan_http_response out{};
    out.struct_size = sizeof out;
    plugin::export_response(std::move(held), &out);
    sdk::HttpResponse response;
    response.status = out.status;
    if (out.error) response.error = out.error;
    if (out.headers) response.headers = sdk::parse_header_lines({out.headers, out.headers_size});
    if (out.body) response.body.assign(out.body, out.body_size);
    plugin::release_response<http::Response>(&out);
    (void)response.header("link");
    (void)response.header("WWW-Authenticate");
    (void)response.describe();
}

void image_config(const std::string& text) {
    auto config = json::parse(text, nullptr, false);  // as ImageInspector reads it
    if (config.is_object()) (void)scan::check_image_config(config);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size == 0) return 0;
    std::string text(reinterpret_cast<const char*>(data + 1), size - 1);
    try {
        switch (data[0] % 6) {
            case 0: repositories(text); break;
            case 1: tags(text); break;
            case 2: answers(text); break;
            case 3: plugin_side(text); break;
            case 4: headers(text); break;
            default: image_config(text); break;
        }
    } catch (const std::exception&) {
        // Malformed JSON from a plugin fails that listing (sdk::Error or a
        // json exception, both caught at the repository boundary).
    }
    return 0;
}
