// The host side of handing an HTTP response across the ABI: the host keeps
// the response (with the header block it points into) alive until the plugin
// calls http_release. The core's host services use this very code, so the
// test host (fake_host.hpp) hands responses over exactly as the real one.
#pragma once

#include <memory>
#include <string>

#include "regscan/plugin_abi.h"

namespace regscan::sdk::testing {

// `Response` has status, headers (name/value pairs), body and error.
template <class Response>
struct HeldResponse {
    Response response;
    std::string header_text;
};

template <class Response>
regscan_status export_response(std::unique_ptr<HeldResponse<Response>> held, regscan_http_response* out) {
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

template <class Response>
void release_response(regscan_http_response* response) {
    delete static_cast<HeldResponse<Response>*>(response->host_data);
    response->host_data = nullptr;
}

}  // namespace regscan::sdk::testing
