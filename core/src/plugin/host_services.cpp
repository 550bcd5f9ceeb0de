#include "plugin/host_services.hpp"

#include <spdlog/spdlog.h>

#include "log/secrets.hpp"

namespace regscan::plugin {
namespace {

// Keeps a response and its header text alive until http_release.
struct HeldResponse {
    http::Response response;
    std::string header_text;
};

}  // namespace

HostServices::HostServices(http::HttpClient& client, std::string plugin_id)
    : client_(client), plugin_id_(std::move(plugin_id)) {
    api_.struct_size = sizeof api_;
    api_.abi_major = REGSCAN_ABI_MAJOR;
    api_.abi_minor = REGSCAN_ABI_MINOR;
    api_.ctx = this;
    api_.log = &HostServices::log;
    api_.http = &HostServices::http;
    api_.http_release = &HostServices::http_release;
    api_.out_write = &HostServices::out_write;
    api_.add_secret = &HostServices::add_secret;
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

regscan_status HostServices::http(void* ctx, const regscan_http_request* raw, regscan_http_response* out) {
    auto* self = static_cast<HostServices*>(ctx);
    auto held = std::make_unique<HeldResponse>();
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
        auto* auth = self->auth_.load();
        held->response = (raw->flags & REGSCAN_HTTP_REGISTRY_AUTH) && auth ? auth->send(request)
                                                                           : self->client_.send(request);
    } catch (const std::exception& e) {
        held->response = {};
        held->response.error = e.what();
    }
    for (const auto& [name, value] : held->response.headers) held->header_text += name + ": " + value + "\r\n";
    out->status = held->response.status;
    out->headers = held->header_text.c_str();
    out->headers_size = held->header_text.size();
    out->body = held->response.body.data();
    out->body_size = held->response.body.size();
    out->error = held->response.status == 0 ? held->response.error.c_str() : nullptr;
    out->host_data = held.release();
    return out->status ? REGSCAN_OK : REGSCAN_UNREACHABLE;
}

void HostServices::http_release(void*, regscan_http_response* response) {
    delete static_cast<HeldResponse*>(response->host_data);
    response->host_data = nullptr;
}

void HostServices::out_write(regscan_out* out, const char* data, size_t size) {
    if (out && data) out->data.append(data, size);
}

void HostServices::add_secret(void*, const char* value) {
    if (value) log::add_secret(value);
}

}  // namespace regscan::plugin
