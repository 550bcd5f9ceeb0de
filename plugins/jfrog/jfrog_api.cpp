#include "jfrog_api.hpp"

#include <algorithm>

#include "regscan/base64.hpp"
#include "regscan/json_fields.hpp"
#include "regscan/error.hpp"
#include "regscan/url.hpp"

namespace regscan::jfrog {
namespace {

using nlohmann::json;

std::string one_line(std::string text, size_t most) {
    if (text.size() > most) text.resize(most);
    std::replace_if(text.begin(), text.end(), [](char c) { return c == '\n' || c == '\r'; }, ' ');
    return text;
}

}  // namespace

std::string authorization_for(const std::string& username, const std::string& secret) {
    if (secret.empty()) return {};
    if (username.empty()) return "Bearer " + secret;
    return "Basic " + sdk::base64_encode(username + ":" + secret);
}

std::string error_text(const std::string& body) {
    auto parsed = json::parse(body, nullptr, false);
    if (parsed.is_object()) {
        auto errors = parsed.find("errors");
        if (errors != parsed.end() && errors->is_array() && !errors->empty() && (*errors)[0].is_object()) {
            const auto& first = (*errors)[0];
            auto code = sdk::json_string(first, "code");
            auto message = sdk::json_string(first, "message");
            if (!code.empty() || !message.empty())
                return one_line(code.empty() ? message : message.empty() ? code : code + ": " + message, 300);
        }
        auto message = sdk::json_string(parsed, "message");
        if (!message.empty()) return one_line(message, 300);
    }
    return one_line(body, 200);
}

ArtifactoryApi::ArtifactoryApi(const sdk::Host& host, const JfrogConfig& config)
    : host_(host), base_(config.api), authorization_(authorization_for(config.username, config.secret)) {
    host_.add_secret(config.secret);
    host_.add_secret(authorization_);
    if (!config.username.empty() && !config.secret.empty())
        host_.add_secret(sdk::base64_encode(config.username + ":" + config.secret));
}

sdk::HttpRequest ArtifactoryApi::request(const std::string& url) const {
    sdk::HttpRequest request;
    request.url = url;
    request.headers.emplace_back("Accept", "application/json");
    if (!authorization_.empty()) request.headers.emplace_back("Authorization", authorization_);
    return request;
}

void ArtifactoryApi::refuse(const std::string& url, const sdk::HttpResponse& response) const {
    if (response.status == 0) throw sdk::Error(REGSCAN_UNREACHABLE, "GET " + url + ": " + response.error);
    std::string answer = "GET " + url + ": HTTP " + std::to_string(response.status) + ": " + error_text(response.body);
    if (response.status == 401)
        answer += anonymous() ? " (no credentials given, and this Artifactory allows no anonymous access)"
                              : " (Artifactory refused the credentials)";
    throw sdk::Error(sdk::status_of(response), answer);
}

json ArtifactoryApi::get_json(const std::string& url) const {
    auto response = host_.http(request(url));
    if (!response.ok()) refuse(url, response);
    auto body = json::parse(response.body, nullptr, false);
    if (body.is_discarded()) throw sdk::Error(REGSCAN_ERROR, "GET " + url + ": the answer is not JSON");
    return body;
}

bool ArtifactoryApi::each_page(const std::string& url, const sdk::NextPage& next,
                               const std::function<void(const sdk::Page&)>& page) const {
    return sdk::for_each_page(host_, request(url), next, page);
}

}  // namespace regscan::jfrog
