// AWS Signature Version 4, header form: what the ECR and STS calls are signed
// with. Checked case by case against AWS's own suite (aws-c-auth's
// aws-signing-test-suite/v4) in tests/unit/test_plugin_ecr_sigv4.cpp.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "regscan/host.hpp"

namespace regscan::ecr::sigv4 {

struct Credentials {
    std::string access_key_id;
    std::string secret_access_key;
    std::string session_token;  // empty for long-term keys
};

struct Request {
    std::string method;
    std::string path = "/";  // decoded, as the suite writes it: "/example space/"
    std::string query;       // without "?"; may hold percent-escapes
    std::vector<sdk::Header> headers;  // must include Host
    std::string body;
};

struct Options {
    std::string region;
    std::string service;  // "ecr", "sts"
    // Remove "." and ".." segments and empty segments: every service but S3.
    bool normalize_path = true;
    // Also send and sign x-amz-content-sha256 (S3-style services).
    bool add_content_sha256 = false;
    // Add X-Amz-Security-Token after signing instead of signing it (a few
    // services want that); by default the token is signed like the SDKs do.
    bool omit_session_token = false;
};

struct Signature {
    std::string canonical_request;
    std::string string_to_sign;
    std::string signature;      // lowercase hex
    std::string authorization;  // the Authorization header value
};

// Adds X-Amz-Date (and X-Amz-Security-Token, x-amz-content-sha256 when they
// apply) and then Authorization to request.headers.
Signature sign(Request& request, const Credentials& credentials, const Options& options,
               std::chrono::system_clock::time_point when);

// The pieces, exposed for tests and for the emulator-facing error messages.
std::string uri_encode(std::string_view text, bool keep_slash);
std::string canonical_path(std::string_view path, bool normalize);
std::string canonical_query(std::string_view query);
// "host:example.amazonaws.com\n..." and "host;x-amz-date".
std::pair<std::string, std::string> canonical_headers(const std::vector<sdk::Header>& headers);
// kSigning = HMAC chain over date, region, service, "aws4_request".
std::string signing_key(std::string_view secret, std::string_view date, std::string_view region,
                        std::string_view service);

}  // namespace regscan::ecr::sigv4
