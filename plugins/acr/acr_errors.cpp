#include "acr_errors.hpp"

#include "regscan/json_fields.hpp"
#include "regscan/paging.hpp"

#include <nlohmann/json.hpp>

namespace regscan::acr {
namespace {

constexpr size_t max_message = 300;

std::string first_line(std::string text) {
    for (const char* end : {"\r", "\n", " Trace ID:"})
        if (auto at = text.find(end); at != std::string::npos) text.resize(at);
    if (text.size() > max_message) text = text.substr(0, max_message) + "...";
    return text;
}

}  // namespace

void throw_if_listing_cut(const sdk::HttpResponse& response, const std::string& request) {
    if (sdk::listing_cut(response)) throw ListingCut(request + ": " + response.error);
}

std::string acr_error_text(const sdk::HttpResponse& response) {
    if (response.status == 0) return response.describe();
    auto body = nlohmann::json::parse(response.body, nullptr, false);
    if (body.is_object() && body.contains("errors") && body["errors"].is_array() && !body["errors"].empty() &&
        body["errors"][0].is_object()) {
        const auto& error = body["errors"][0];
        std::string code = sdk::json_string(error, "code");
        std::string message = first_line(sdk::json_string(error, "message"));
        return "HTTP " + std::to_string(response.status) + (code.empty() ? "" : " " + code) +
               (message.empty() ? "" : ": " + message);
    }
    return response.describe();
}

std::string entra_error_text(const sdk::HttpResponse& response) {
    if (response.status == 0) return response.describe();
    auto body = nlohmann::json::parse(response.body, nullptr, false);
    if (body.is_object() && body.contains("error")) {
        std::string code = sdk::json_string(body, "error");
        std::string description = first_line(sdk::json_string(body, "error_description"));
        return "HTTP " + std::to_string(response.status) + " " + code +
               (description.empty() ? "" : ": " + description);
    }
    return response.describe();
}

}  // namespace regscan::acr
