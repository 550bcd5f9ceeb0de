#include "plugin/host_services.hpp"

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <optional>

#include <spdlog/spdlog.h>

#include "limits/limits.hpp"
#include "log/secrets.hpp"
#include "plugin/listing_budget.hpp"
#include "plugin/response_export.hpp"
#include "regscan/paging.hpp"
#include "util/text.hpp"

namespace regscan::plugin {

std::optional<std::chrono::steady_clock::time_point> request_deadline(const regscan_http_request& request,
                                                                      unsigned plugin_abi_minor,
                                                                      std::chrono::steady_clock::time_point now) {
    constexpr size_t needed = offsetof(regscan_http_request, timeout_ms) + sizeof request.timeout_ms;
    if (plugin_abi_minor < 4 || request.struct_size < needed || request.timeout_ms == 0) return std::nullopt;
    return now + std::chrono::milliseconds(request.timeout_ms);
}

HostServices::HostServices(http::HttpClient& client, std::string plugin_id, unsigned plugin_abi_minor)
    : client_(client), plugin_id_(std::move(plugin_id)), plugin_abi_minor_(plugin_abi_minor) {
    api_.struct_size = sizeof api_;
    api_.abi_major = REGSCAN_ABI_MAJOR;
    api_.abi_minor = REGSCAN_ABI_MINOR;
    api_.ctx = this;
    api_.log = &HostServices::log;
    api_.http = &HostServices::http;
    api_.http_release = &HostServices::http_release;
    api_.out_write = &HostServices::out_write;
    api_.add_secret = &HostServices::add_secret;
    api_.note = &HostServices::note;
}

std::vector<std::string> HostServices::notes() const {
    std::lock_guard lock(notes_mutex_);
    return notes_;
}

void HostServices::note(void* ctx, const char* message) {
    auto* self = static_cast<HostServices*>(ctx);
    if (!message) return;
    // A plugin repeating itself on every page must not grow the summary without bound.
    constexpr size_t max_notes = 100;
    constexpr size_t max_note_size = 1024;
    std::string text = util::valid_utf8(std::string_view(message, std::min(std::strlen(message), max_note_size)));
    spdlog::warn("{} plugin={}", text, self->plugin_id_);
    std::lock_guard lock(self->notes_mutex_);
    if (self->notes_.size() < max_notes && std::find(self->notes_.begin(), self->notes_.end(), text) == self->notes_.end())
        self->notes_.push_back(std::move(text));
}

void HostServices::log(void* ctx, regscan_log_level level, const char* message) {
    auto* self = static_cast<HostServices*>(ctx);
    static constexpr spdlog::level::level_enum levels[] = {spdlog::level::trace, spdlog::level::debug,
                                                           spdlog::level::info, spdlog::level::warn,
                                                           spdlog::level::err};
    auto index = static_cast<unsigned>(level);
    spdlog::log(index < 5 ? levels[index] : spdlog::level::info, "{} plugin={}", message ? message : "",
                self->plugin_id_);
}

namespace {

// Spends the calling thread's listing budget on one request; the reason when
// the request must not go out.
std::string spend_listing_budget(ListingBudget& budget, http::Request& request) {
    if (budget.exceeded.empty() && std::chrono::steady_clock::now() >= budget.deadline)
        budget.exceeded = budget.deadline_reason;
    if (budget.exceeded.empty() && budget.pages >= budget.max_pages)
        budget.exceeded = "more than " + std::to_string(budget.max_pages) + " requests (--max-listing-pages)";
    if (budget.exceeded.empty() && budget.bytes >= budget.max_bytes)
        budget.exceeded = "larger than " + std::to_string(budget.max_bytes) + " bytes (--max-listing-size)";
    if (!budget.exceeded.empty()) return budget.exceeded;
    ++budget.pages;
    request.deadline = request.deadline ? std::min(*request.deadline, budget.deadline) : budget.deadline;
    request.max_body = budget.max_bytes - budget.bytes;
    return {};
}

void account_listing_response(ListingBudget& budget, const http::Response& response) {
    budget.bytes += response.body.size();
    if (response.status != 0) return;
    if (response.error.rfind("response body larger than", 0) == 0)
        budget.exceeded = "larger than " + std::to_string(budget.max_bytes) + " bytes (--max-listing-size)";
    else if (std::chrono::steady_clock::now() >= budget.deadline)
        budget.exceeded = budget.deadline_reason;
}

// A plugin parses the JSON it is answered (listing pages, vendor APIs):
// one past the bounds of registry JSON never reaches it. A body that is not
// JSON starts with another byte than '{' or '[' (after a UTF-8 byte order
// mark, which nlohmann skips); whatever its Content-Type says, that is all a
// JSON parser would accept.
std::optional<std::string> json_answer_problem(const http::Response& response) {
    const auto& body = response.body;
    const auto first = body.find_first_not_of(" \t\r\n", body.starts_with("\xEF\xBB\xBF") ? 3 : 0);
    if (response.status == 0 || first == std::string::npos || (body[first] != '{' && body[first] != '['))
        return std::nullopt;
    return limits::registry_json_problem(body);
}

}  // namespace

regscan_status HostServices::http(void* ctx, const regscan_http_request* raw, regscan_http_response* out) {
    auto* self = static_cast<HostServices*>(ctx);
    auto held = std::make_unique<HeldResponse<http::Response>>();
    try {
        http::Request request;
        request.method = raw->method ? raw->method : "GET";
        request.url = raw->url ? raw->url : "";
        for (size_t i = 0; i < raw->header_count; ++i) {
            auto parsed = sdk::parse_header_lines(raw->headers[i]);
            request.headers.insert(request.headers.end(), parsed.begin(), parsed.end());
        }
        if (raw->body) request.body.assign(raw->body, raw->body_size);
        request.retry = !(raw->flags & REGSCAN_HTTP_NO_RETRY);
        // The client keeps retries, their waits and the token request of
        // registry auth inside the deadline.
        request.deadline = request_deadline(*raw, self->plugin_abi_minor_, std::chrono::steady_clock::now());
        auto* budget = ListingScope::current();
        if (budget) {
            if (auto refused = spend_listing_budget(*budget, request); !refused.empty()) {
                held->response.error = std::string(sdk::listing_limit_marker) + refused;
                return export_response(std::move(held), out);
            }
        }
        auto* auth = self->auth_.load();
        held->response = (raw->flags & REGSCAN_HTTP_REGISTRY_AUTH) && auth ? auth->send(request)
                                                                           : self->client_.send(request);
        if (budget) {
            account_listing_response(*budget, held->response);
            // A 401 whose sign-in the bounds refused meanwhile (the plugin's
            // authorize() on this thread) is the listing's cut, not the
            // registry's refusal: the plugin keeps the pages it read.
            if (held->response.status == 401 && !budget->exceeded.empty()) held->response = {};
            if (!budget->exceeded.empty() && held->response.status == 0)
                held->response.error = std::string(sdk::listing_limit_marker) + budget->exceeded;
        }
        if (auto problem = json_answer_problem(held->response)) {
            held->response = {};
            held->response.error = "the answer: " + *problem;
            // A listing cut here is reported cut, whichever page it was.
            if (budget) {
                if (budget->exceeded.empty()) budget->exceeded = held->response.error;
                held->response.error = std::string(sdk::listing_limit_marker) + held->response.error;
            }
        }
    } catch (const std::exception& e) {
        held->response = {};
        held->response.error = e.what();
    }
    return export_response(std::move(held), out);
}

void HostServices::http_release(void*, regscan_http_response* response) { release_response<http::Response>(response); }

void HostServices::out_write(regscan_out* out, const char* data, size_t size) {
    if (out && data) out->data.append(data, size);
}

void HostServices::add_secret(void*, const char* value) {
    if (value) log::add_secret(value);
}

}  // namespace regscan::plugin
