#include "local/docker_archive.hpp"

#include <fstream>
#include <sstream>
#include <memory>

#include <archive.h>
#include <archive_entry.h>
#include <nlohmann/json.hpp>

#include "oci/manifest.hpp"
#include "regscan/error.hpp"
#include "util/crypto.hpp"
#include "util/text.hpp"

namespace regscan::local {
namespace {

// An archive of more members or bytes than this is not one image's `docker save`.
constexpr uint64_t max_unpacked_bytes = 64ULL * 1024 * 1024 * 1024;

[[noreturn]] void fail(const std::string& why) { throw sdk::Error(REGSCAN_ERROR, why); }

// A relative path without '..', '.' only as a leading "./"; "" when refused.
std::filesystem::path safe_relative(std::string name) {
    while (name.rfind("./", 0) == 0) name = name.substr(2);
    if (name.empty() || name.front() == '/') return {};
    std::filesystem::path path(name);
    for (const auto& part : path)
        if (part == ".." || part == ".") return {};
    return path;
}

std::string read_small(const std::filesystem::path& path, size_t max_size, const std::string& what) {
    std::error_code error;
    if (!std::filesystem::is_regular_file(std::filesystem::symlink_status(path, error)))
        fail("docker archive: " + what + " is missing");
    if (std::filesystem::file_size(path, error) > max_size) fail("docker archive: " + what + " is too large");
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

std::string file_sha256(const std::filesystem::path& path, std::string& first_bytes) {
    std::ifstream in(path, std::ios::binary);
    util::Sha256 hash;
    std::vector<char> buffer(1024 * 1024);
    while (in) {
        in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
        auto got = static_cast<size_t>(in.gcount());
        if (got == 0) break;
        if (first_bytes.size() < 4) first_bytes.append(buffer.data(), std::min<size_t>(4, got));
        hash.update(buffer.data(), got);
    }
    return "sha256:" + hash.hex_digest();
}

// Moves `file` to blobs/sha256/<its digest> of `layout`; returns the digest.
std::string add_blob(const std::filesystem::path& layout, const std::filesystem::path& file, std::string& first_bytes) {
    auto digest = file_sha256(file, first_bytes);
    auto target = layout / "blobs" / "sha256" / digest.substr(7);
    std::error_code error;
    if (!std::filesystem::exists(target, error)) std::filesystem::copy_file(file, target);
    return digest;
}

std::string add_blob(const std::filesystem::path& layout, const std::string& data) {
    auto digest = "sha256:" + util::sha256_hex(data);
    std::ofstream(layout / "blobs" / "sha256" / digest.substr(7), std::ios::binary) << data;
    return digest;
}

void unpack(const std::filesystem::path& archive_path, const std::filesystem::path& into, const limits::Limits& limits) {
    std::unique_ptr<archive, decltype(&archive_read_free)> reader(archive_read_new(), archive_read_free);
    archive_read_support_filter_all(reader.get());
    archive_read_support_format_tar(reader.get());
    archive_read_support_format_gnutar(reader.get());
    const std::string shown = util::escape_control(archive_path.string());
    if (archive_read_open_filename(reader.get(), archive_path.c_str(), 1024 * 1024) != ARCHIVE_OK)
        fail("docker-archive:" + shown + ": cannot be read as a tar archive");
    const size_t max_members = 4 * limits.max_layers + 64;
    size_t members = 0;
    uint64_t bytes = 0;
    archive_entry* entry = nullptr;
    std::vector<char> buffer(1024 * 1024);
    while (true) {
        int status = archive_read_next_header(reader.get(), &entry);
        if (status == ARCHIVE_EOF) break;
        if (status != ARCHIVE_OK && status != ARCHIVE_WARN)
            fail("docker-archive:" + shown + ": " + util::escape_control(archive_error_string(reader.get())
                                                                              ? archive_error_string(reader.get())
                                                                              : "broken tar"));
        if (++members > max_members)
            fail("docker-archive:" + shown + " has more than " + std::to_string(max_members) + " members");
        if (archive_entry_filetype(entry) != AE_IFREG) continue;  // directories are made; links are not followed
        const char* name = archive_entry_pathname(entry);
        auto relative = safe_relative(name ? name : "");
        if (relative.empty())
            fail("docker-archive:" + shown + ": member '" + util::escape_control(name ? name : "") +
                 "' is not a relative path inside the archive: refused");
        auto target = into / relative;
        std::filesystem::create_directories(target.parent_path());
        std::ofstream out(target, std::ios::binary | std::ios::trunc);
        while (true) {
            auto got = archive_read_data(reader.get(), buffer.data(), buffer.size());
            if (got < 0) fail("docker-archive:" + shown + ": broken member " + util::escape_control(name));
            if (got == 0) break;
            bytes += static_cast<uint64_t>(got);
            if (bytes > max_unpacked_bytes) fail("docker-archive:" + shown + " unpacks to more than 64 GiB");
            out.write(buffer.data(), got);
        }
        if (!out) fail("docker-archive: cannot write the unpacked " + util::escape_control(name));
    }
}

}  // namespace

UnpackedArchive unpack_docker_archive(const std::filesystem::path& archive_path, const std::filesystem::path& scratch,
                                      const limits::Limits& limits) {
    const std::string shown = util::escape_control(archive_path.string());
    std::error_code error;
    if (!std::filesystem::is_regular_file(archive_path, error)) fail("docker-archive:" + shown + ": no such file");
    auto unpacked = scratch / "unpacked";
    std::filesystem::create_directories(unpacked);
    unpack(archive_path, unpacked, limits);

    auto manifest_text = read_small(unpacked / "manifest.json", limits.max_manifest_size, "manifest.json");
    auto manifest = nlohmann::json::parse(manifest_text, nullptr, false);
    if (!manifest.is_array() || manifest.empty()) fail("docker-archive:" + shown + ": manifest.json lists no image");
    if (manifest.size() > 1) {
        std::string tags;
        for (const auto& image : manifest)
            if (image.is_object() && image.contains("RepoTags") && image["RepoTags"].is_array())
                for (const auto& tag : image["RepoTags"])
                    if (tag.is_string()) tags += (tags.empty() ? "" : ", ") + util::escape_control(tag.get<std::string>());
        fail("docker-archive:" + shown + " holds " + std::to_string(manifest.size()) + " images (" + tags +
             "): save one image per archive");
    }
    const auto& image = manifest.front();
    if (!image.is_object() || !image.contains("Config") || !image["Config"].is_string() || !image.contains("Layers") ||
        !image["Layers"].is_array())
        fail("docker-archive:" + shown + ": manifest.json has no Config and Layers");
    if (image["Layers"].size() > limits.max_layers)
        fail("docker-archive:" + shown + ": more than " + std::to_string(limits.max_layers) + " layers");

    auto layout = scratch / "layout";
    std::filesystem::create_directories(layout / "blobs" / "sha256");
    std::ofstream(layout / "oci-layout") << R"({"imageLayoutVersion":"1.0.0"})";

    auto member = [&](const nlohmann::json& name, const char* what) {
        auto relative = safe_relative(name.is_string() ? name.get<std::string>() : "");
        if (relative.empty()) fail("docker-archive:" + shown + ": " + what + " is not a path inside the archive");
        return unpacked / relative;
    };
    auto config_path = member(image["Config"], "Config");
    auto config_text = read_small(config_path, limits.max_config_size, "the config");
    auto config_digest = add_blob(layout, config_text);
    // Legacy archives name the config by its digest ("<hex>.json", or
    // blobs/sha256/<hex> in OCI-style ones): it must be that digest.
    auto stem = config_path.filename().string();
    if (stem.size() > 5 && stem.compare(stem.size() - 5, 5, ".json") == 0) stem.resize(stem.size() - 5);
    if (stem.size() == 64 && stem.find_first_not_of("0123456789abcdef") == std::string::npos &&
        config_digest != "sha256:" + stem)
        fail("docker-archive:" + shown + ": the config named " + stem + " has the digest " + config_digest +
             " (digest mismatch)");

    nlohmann::json layers = nlohmann::json::array();
    for (const auto& name : image["Layers"]) {
        auto path = member(name, "a layer");
        if (!std::filesystem::is_regular_file(std::filesystem::symlink_status(path, error)))
            fail("docker-archive:" + shown + ": layer " + util::escape_control(name.dump()) + " is missing");
        std::string magic;
        auto digest = add_blob(layout, path, magic);
        std::string media_type = "application/vnd.oci.image.layer.v1.tar";
        if (magic.size() >= 2 && static_cast<unsigned char>(magic[0]) == 0x1f &&
            static_cast<unsigned char>(magic[1]) == 0x8b)
            media_type += "+gzip";
        else if (magic.size() >= 4 && magic.compare(0, 4, std::string("\x28\xb5\x2f\xfd", 4)) == 0)
            media_type += "+zstd";
        layers.push_back({{"mediaType", media_type},
                          {"digest", digest},
                          {"size", static_cast<uint64_t>(std::filesystem::file_size(path))}});
    }
    nlohmann::json oci_manifest = {
        {"schemaVersion", 2},
        {"mediaType", oci::media::oci_manifest},
        {"config", {{"mediaType", oci::media::oci_config}, {"digest", config_digest}, {"size", config_text.size()}}},
        {"layers", layers}};
    auto body = oci_manifest.dump();
    auto manifest_digest = add_blob(layout, body);
    std::string ref = "latest";
    if (image.contains("RepoTags") && image["RepoTags"].is_array() && !image["RepoTags"].empty() &&
        image["RepoTags"][0].is_string()) {
        std::string tagged = image["RepoTags"][0].get<std::string>();
        auto colon = tagged.rfind(':');
        auto slash = tagged.rfind('/');
        ref = colon != std::string::npos && (slash == std::string::npos || colon > slash) ? tagged.substr(colon + 1)
                                                                                          : std::string();
        if (ref.empty()) ref = "latest";
    }
    nlohmann::json index = {{"schemaVersion", 2},
                            {"mediaType", oci::media::oci_index},
                            {"manifests",
                             {{{"mediaType", oci::media::oci_manifest},
                               {"digest", manifest_digest},
                               {"size", body.size()},
                               {"annotations", {{"org.opencontainers.image.ref.name", ref}}}}}}};
    std::ofstream(layout / "index.json") << index.dump();
    return {layout, ref};
}

}  // namespace regscan::local
