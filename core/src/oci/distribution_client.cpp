#include "oci/distribution_client.hpp"

#include "oci/manifest.hpp"
#include "oci/reference_grammar.hpp"
#include "regscan/error.hpp"
#include "util/crypto.hpp"
#include "regscan/digest.hpp"

namespace regscan::oci {
namespace {

void expect_ok(const http::Response& response, const std::string& what) {
    if (!response.ok()) throw sdk::Error(sdk::status_of(response), what + ": " + response.describe());
}

void expect_sha256(const std::string& digest, const std::string& what) {
    if (digest.rfind("sha256:", 0) != 0 || !sdk::valid_digest(digest))
        throw sdk::Error(REGSCAN_ERROR, what + ": unsupported or malformed digest");
}

}  // namespace

FetchedManifest DistributionClient::manifest(const std::string& base, const std::string& name,
                                             const std::string& reference, size_t max_size,
                                             std::optional<std::chrono::steady_clock::time_point> deadline) const {
    const bool by_digest = reference.find(':') != std::string::npos;
    const std::string what = "manifest " + name + (by_digest ? "@" : ":") + reference;
    if (!valid_repository_name(name) || !(by_digest ? sdk::valid_digest(reference) : valid_tag(reference)))
        throw sdk::Error(REGSCAN_ERROR, "invalid repository, tag or digest: not requested");
    http::Request request;
    request.url = base + "/v2/" + name + "/manifests/" + reference;
    request.headers.emplace_back("Accept", manifest_accept_header());
    request.max_body = max_size;
    request.deadline = deadline;
    auto response = auth_.send(request);
    expect_ok(response, what);

    FetchedManifest fetched;
    fetched.body = std::move(response.body);
    fetched.content_type = response.header("Content-Type").value_or("");
    fetched.digest = "sha256:" + util::sha256_hex(fetched.body);
    std::string claimed = reference.rfind("sha256:", 0) == 0 ? reference
                                                              : response.header("Docker-Content-Digest").value_or("");
    if (claimed.rfind("sha256:", 0) == 0 && claimed != fetched.digest)
        throw sdk::Error(REGSCAN_ERROR, what + ": digest mismatch (expected " + claimed + ", content is " +
                                            fetched.digest + ")");
    return fetched;
}

std::string DistributionClient::manifest_digest(const std::string& base, const std::string& name,
                                                const std::string& reference,
                                                std::optional<std::chrono::steady_clock::time_point> deadline) const {
    http::Request request;
    request.method = "HEAD";
    request.deadline = deadline;
    request.url = base + "/v2/" + name + "/manifests/" + reference;
    request.headers.emplace_back("Accept", manifest_accept_header());
    auto response = auth_.send(request);
    if (!response.ok()) return {};
    auto digest = response.header("Docker-Content-Digest").value_or("");
    return digest.rfind("sha256:", 0) == 0 && sdk::valid_digest(digest) ? digest : std::string{};
}

std::string DistributionClient::blob(const std::string& base, const std::string& name, const std::string& digest,
                                     size_t max_size,
                                     std::optional<std::chrono::steady_clock::time_point> deadline) const {
    std::string data;
    const std::string what = "blob " + name + "@" + digest;
    stream_blob(base, name, digest, [&](const char* bytes, size_t size) {
        if (data.size() + size > max_size)
            throw sdk::Error(REGSCAN_ERROR, what + ": larger than " + std::to_string(max_size) + " bytes");
        data.append(bytes, size);
    }, deadline);
    return data;
}

void DistributionClient::stream_blob(const std::string& base, const std::string& name, const std::string& digest,
                                     const std::function<void(const char*, size_t)>& consumer,
                                     std::optional<std::chrono::steady_clock::time_point> deadline) const {
    const std::string what = "blob " + name + "@" + digest;
    expect_sha256(digest, what);
    if (!valid_repository_name(name)) throw sdk::Error(REGSCAN_ERROR, what + ": invalid repository name");
    util::Sha256 sha;
    std::exception_ptr consumer_error;
    http::Request request;
    request.url = base + "/v2/" + name + "/blobs/" + digest;
    request.deadline = deadline;
    request.on_body = [&](const char* bytes, size_t size) {
        sha.update(bytes, size);
        try {
            consumer(bytes, size);
        } catch (...) {
            consumer_error = std::current_exception();
            return false;
        }
        return true;
    };
    auto response = auth_.send(request);
    if (consumer_error) std::rethrow_exception(consumer_error);
    if (response.status == 0) throw sdk::Error(REGSCAN_UNREACHABLE, what + ": " + response.describe());
    expect_ok(response, what);
    std::string actual = "sha256:" + sha.hex_digest();
    if (actual != digest)
        throw sdk::Error(REGSCAN_ERROR, what + ": digest mismatch (content is " + actual + ")");
}

}  // namespace regscan::oci
