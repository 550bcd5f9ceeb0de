#include "local/oci_layout.hpp"

#include <fstream>

#include <nlohmann/json.hpp>

#include "regscan/error.hpp"
#include "util/crypto.hpp"

namespace regscan::local {
namespace {

constexpr const char* ref_annotation = "org.opencontainers.image.ref.name";
constexpr size_t chunk_size = 1024 * 1024;

[[noreturn]] void fail(const std::string& why) { throw sdk::Error(REGSCAN_ERROR, why); }

bool is_sha256_digest(const std::string& digest) {
    if (digest.size() != 7 + 64 || digest.rfind("sha256:", 0) != 0) return false;
    for (size_t i = 7; i < digest.size(); ++i) {
        char c = digest[i];
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
    }
    return true;
}

// A regular file (not a symlink) of at most `max_size` bytes.
std::string read_bounded(const std::filesystem::path& path, size_t max_size, const std::string& what) {
    std::error_code error;
    auto status = std::filesystem::symlink_status(path, error);
    if (error || !std::filesystem::is_regular_file(status)) fail(what + ": not a regular file in the layout");
    auto size = std::filesystem::file_size(path, error);
    if (error) fail(what + ": cannot be read");
    if (size > max_size) fail(what + " is " + std::to_string(size) + " bytes, more than the limit of " +
                              std::to_string(max_size));
    std::ifstream in(path, std::ios::binary);
    std::string text(size, '\0');
    in.read(text.data(), static_cast<std::streamsize>(size));
    if (static_cast<size_t>(in.gcount()) != size) fail(what + ": cannot be read");
    return text;
}

bool past(const std::optional<std::chrono::steady_clock::time_point>& deadline) {
    return deadline && std::chrono::steady_clock::now() > *deadline;
}

}  // namespace

std::pair<std::string, std::string> split_oci_reference(const std::string& after_prefix) {
    std::error_code error;
    if (std::filesystem::is_directory(after_prefix, error)) return {after_prefix, ""};
    auto colon = after_prefix.rfind(':');
    if (colon == std::string::npos || after_prefix.find('/', colon) != std::string::npos) return {after_prefix, ""};
    return {after_prefix.substr(0, colon), after_prefix.substr(colon + 1)};
}

OciLayout::OciLayout(auth::RegistryAuth& auth, std::filesystem::path directory, const std::string& ref,
                     const limits::Limits& limits)
    : oci::DistributionClient(auth), directory_(std::move(directory)), limits_(limits) {
    const std::string shown = directory_.string();
    std::error_code error;
    if (!std::filesystem::is_directory(directory_, error)) fail("oci:" + shown + ": no such directory");
    if (!std::filesystem::exists(directory_ / "oci-layout", error))
        fail("oci:" + shown + " is not an OCI image layout (no oci-layout file)");
    auto text = read_bounded(directory_ / "index.json", limits_.max_manifest_size, "oci:" + shown + "/index.json");
    auto index = nlohmann::json::parse(text, nullptr, false);
    if (!index.is_object() || !index.contains("manifests") || !index["manifests"].is_array())
        fail("oci:" + shown + "/index.json is not an OCI index");
    const auto& entries = index["manifests"];
    if (entries.size() > limits_.max_index_entries)
        fail("oci:" + shown + "/index.json lists " + std::to_string(entries.size()) + " manifests, more than " +
             std::to_string(limits_.max_index_entries));
    std::vector<const nlohmann::json*> matching;
    std::string names;
    for (const auto& entry : entries) {
        if (!entry.is_object() || !entry.contains("digest") || !entry["digest"].is_string()) continue;
        std::string name;
        if (entry.contains("annotations") && entry["annotations"].is_object() &&
            entry["annotations"].contains(ref_annotation) && entry["annotations"][ref_annotation].is_string())
            name = entry["annotations"][ref_annotation].get<std::string>();
        names += (names.empty() ? "" : ", ") + (name.empty() ? std::string("(unnamed)") : name);
        if (ref.empty() || name == ref) matching.push_back(&entry);
    }
    if (matching.empty())
        fail("oci:" + shown + " has no image named '" + ref + "' (it has: " +
             (names.empty() ? std::string("none") : names) + ")");
    if (matching.size() > 1)
        fail("oci:" + shown + " holds several images (" + names + "): name one, oci:" + shown + ":REF");
    const auto& chosen = *matching.front();
    digest_ = chosen["digest"].get<std::string>();
    if (!is_sha256_digest(digest_)) fail("oci:" + shown + "/index.json: unsupported or malformed digest");
    media_type_ = chosen.contains("mediaType") && chosen["mediaType"].is_string()
                      ? chosen["mediaType"].get<std::string>()
                      : std::string();
    tag_ = ref.empty() ? "latest" : ref;
}

std::filesystem::path OciLayout::blob_path(const std::string& digest) const {
    if (!is_sha256_digest(digest)) fail("blob " + digest + ": unsupported or malformed digest");
    return directory_ / "blobs" / "sha256" / digest.substr(7);
}

oci::FetchedManifest OciLayout::manifest(const std::string&, const std::string&, const std::string& reference,
                                         size_t max_size,
                                         std::optional<std::chrono::steady_clock::time_point>) const {
    const std::string digest = reference == tag_ ? digest_ : reference;
    oci::FetchedManifest fetched;
    fetched.body = read_bounded(blob_path(digest), max_size, "manifest " + digest);
    fetched.digest = "sha256:" + util::sha256_hex(fetched.body);
    if (fetched.digest != digest) fail("manifest " + digest + " has the digest " + fetched.digest + " (digest mismatch)");
    fetched.content_type = digest == digest_ ? media_type_ : std::string();
    return fetched;
}

std::string OciLayout::manifest_digest(const std::string&, const std::string&, const std::string& reference,
                                       std::optional<std::chrono::steady_clock::time_point>) const {
    return reference == tag_ || reference == digest_ ? digest_ : std::string();
}

std::string OciLayout::blob(const std::string&, const std::string&, const std::string& digest, size_t max_size,
                            std::optional<std::chrono::steady_clock::time_point>) const {
    auto body = read_bounded(blob_path(digest), max_size, "blob " + digest);
    if ("sha256:" + util::sha256_hex(body) != digest) fail("blob " + digest + ": digest mismatch");
    return body;
}

void OciLayout::stream_blob(const std::string&, const std::string&, const std::string& digest,
                            const std::function<void(const char*, size_t)>& consumer,
                            std::optional<std::chrono::steady_clock::time_point> deadline) const {
    auto path = blob_path(digest);
    std::error_code error;
    if (!std::filesystem::is_regular_file(std::filesystem::symlink_status(path, error)))
        fail("blob " + digest + ": not a regular file in the layout");
    std::ifstream in(path, std::ios::binary);
    if (!in) fail("blob " + digest + ": cannot be read");
    util::Sha256 hash;
    std::vector<char> buffer(chunk_size);
    while (in) {
        if (past(deadline)) fail("blob " + digest + ": timed out");
        in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
        auto got = static_cast<size_t>(in.gcount());
        if (got == 0) break;
        hash.update(buffer.data(), got);
        consumer(buffer.data(), got);
    }
    if ("sha256:" + hash.hex_digest() != digest) fail("blob " + digest + ": digest mismatch");
}

}  // namespace regscan::local
