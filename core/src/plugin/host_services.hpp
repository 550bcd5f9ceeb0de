// The regscan_host_api table the core hands to plugins: logging, HTTP on the
// core's client (and registry auth when asked), secret registration.
#pragma once

#include <atomic>
#include <chrono>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "auth/registry_auth.hpp"
#include "http/http_client.hpp"
#include "regscan/plugin_abi.h"

// The opaque output buffer of plugin_abi.h.
struct regscan_out {
    std::string data;
};

namespace regscan::plugin {

// (SDK 1.4) Where a plugin's request must end by its own timeout_ms, or
// nullopt (0, or a plugin that cannot have set it). Read only from a plugin
// built with 1.4 or newer, and only when struct_size reaches the field: a 1.3
// struct is just as large (timeout_ms sits in what was its tail padding, which
// a 1.3 plugin never set), so its size alone cannot tell.
std::optional<std::chrono::steady_clock::time_point> request_deadline(const regscan_http_request& request,
                                                                      unsigned plugin_abi_minor,
                                                                      std::chrono::steady_clock::time_point now);

class HostServices {
public:
    // `plugin_abi_minor`: the SDK minor the plugin was built with (its descriptor's).
    HostServices(http::HttpClient& client, std::string plugin_id, unsigned plugin_abi_minor);
    HostServices(const HostServices&) = delete;
    HostServices& operator=(const HostServices&) = delete;

    // Requests flagged REGSCAN_HTTP_REGISTRY_AUTH go through `auth`.
    void set_registry_auth(auth::RegistryAuth* auth) { auth_.store(auth); }
    [[nodiscard]] const regscan_host_api* api() const { return &api_; }
    // What the plugin noted for the run summary (SDK 1.2 host.discovery_note).
    [[nodiscard]] std::vector<std::string> notes() const;

private:
    static void log(void* ctx, regscan_log_level level, const char* message);
    static regscan_status http(void* ctx, const regscan_http_request* request, regscan_http_response* response);
    static void http_release(void* ctx, regscan_http_response* response);
    static void out_write(regscan_out* out, const char* data, size_t size);
    static void add_secret(void* ctx, const char* value);
    static void note(void* ctx, const char* message);

    http::HttpClient& client_;
    std::string plugin_id_;
    unsigned plugin_abi_minor_;
    std::atomic<auth::RegistryAuth*> auth_{nullptr};
    regscan_host_api api_{};
    mutable std::mutex notes_mutex_;
    std::vector<std::string> notes_;
};

}  // namespace regscan::plugin
