#include "local/docker_archive.hpp"

#include <fstream>
#include <sstream>
#include <memory>
#include <optional>
#include <vector>

#include <archive.h>
#include <archive_entry.h>
#include <nlohmann/json.hpp>

#include "oci/manifest.hpp"
#include "oci/reference_grammar.hpp"
#include "regscan/error.hpp"
#include "util/crypto.hpp"

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
    const std::string shown = archive_path.string();
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
            fail("docker-archive:" + shown + ": " +
                 (archive_error_string(reader.get()) ? archive_error_string(reader.get()) : "broken tar"));
        if (++members > max_members)
            fail("docker-archive:" + shown + " has more than " + std::to_string(max_members) + " members");
        if (archive_entry_filetype(entry) != AE_IFREG) continue;  // directories are made; links are not followed
        const char* name = archive_entry_pathname(entry);
        auto relative = safe_relative(name ? name : "");
        if (relative.empty())
            fail("docker-archive:" + shown + ": member '" + (name ? name : "") +
                 "' is not a relative path inside the archive: refused");
        auto target = into / relative;
        std::filesystem::create_directories(target.parent_path());
        std::ofstream out(target, std::ios::binary | std::ios::trunc);
        while (true) {
            auto got = archive_read_data(reader.get(), buffer.data(), buffer.size());
            if (got < 0) fail("docker-archive:" + shown + ": broken member " + name);
            if (got == 0) break;
            bytes += static_cast<uint64_t>(got);
            if (bytes > max_unpacked_bytes) fail("docker-archive:" + shown + " unpacks to more than 64 GiB");
            out.write(buffer.data(), got);
        }
        if (!out) fail(std::string("docker-archive: cannot write the unpacked ") + name);
    }
}


// A RepoTags entry or a REF in the long form docker means by it:
// "alpine" is "docker.io/library/alpine:latest", "team/app:1" is
// "docker.io/team/app:1"; a name whose first component has a '.' or ':' or is
// "localhost" names its registry.
std::string long_reference(std::string name) {
    auto slash = name.find('/');
    const std::string first = slash == std::string::npos ? "" : name.substr(0, slash);
    if (first == "index.docker.io") name = "docker.io" + name.substr(slash);
    else if (slash == std::string::npos || (first.find_first_of(".:") == std::string::npos && first != "localhost"))
        name = "docker.io/" + name;
    if (name.rfind("docker.io/", 0) == 0 && name.find('/', 10) == std::string::npos) name.insert(10, "library/");
    auto last_slash = name.rfind('/');
    if (name.find('@') == std::string::npos && name.find(':', last_slash) == std::string::npos) name += ":latest";
    return name;
}

std::vector<std::string> repo_tags(const nlohmann::json& image) {
    std::vector<std::string> tags;
    if (image.is_object() && image.contains("RepoTags") && image["RepoTags"].is_array())
        for (const auto& tag : image["RepoTags"])
            if (tag.is_string()) tags.push_back(tag.get<std::string>());
    return tags;
}

// The images of manifest.json for a message: their RepoTags (cut; the log escapes them),
// "@N" for an untagged one; at most 20 shown.
std::string listed_images(const nlohmann::json& manifest) {
    constexpr size_t shown_at_most = 20;
    std::string listed;
    size_t shown = 0, total = 0;
    for (size_t i = 0; i < manifest.size(); ++i) {
        auto tags = repo_tags(manifest[i]);
        if (tags.empty()) tags.push_back("@" + std::to_string(i) + " (untagged)");
        for (const auto& tag : tags) {
            ++total;
            if (shown == shown_at_most) continue;
            std::string text = tag;
            if (text.size() > 200) text = text.substr(0, 197) + "...";
            listed += (shown++ ? ", " : "") + text;
        }
    }
    if (total > shown) listed += ", and " + std::to_string(total - shown) + " more";
    return listed;
}

// The tag part of a RepoTags entry ("1.0" of "team/app:1.0"), "latest" when it has none.
std::string tag_of(const std::string& tagged) {
    auto colon = tagged.rfind(':');
    auto slash = tagged.rfind('/');
    std::string tag = colon != std::string::npos && (slash == std::string::npos || colon > slash)
                          ? tagged.substr(colon + 1)
                          : std::string();
    return tag.empty() ? "latest" : tag;
}

}  // namespace

DockerArchiveSource parse_docker_archive_source(const std::string& text) {
    DockerArchiveSource source;
    std::error_code error;
    auto colon = text.find(':');
    if (colon == std::string::npos || std::filesystem::is_regular_file(text, error)) {
        source.file = text;
    } else {
        source.file = text.substr(0, colon);
        const std::string rest = text.substr(colon + 1);
        if (!rest.empty() && rest.front() == '@') {
            const std::string digits = rest.substr(1);
            if (digits.empty() || digits.size() > 9 || digits.find_first_not_of("0123456789") != std::string::npos)
                fail("docker-archive:" + text + ": @N must be the number of an image in the archive (from 0)");
            source.index = static_cast<size_t>(std::stoul(digits));
        } else {
            source.reference = rest;
            if (rest.empty())
                fail("docker-archive:" + text + ": empty reference after ':' (FILE[:REF|:@N])");
        }
    }
    if (source.file.empty()) fail("docker-archive: needs a file: docker-archive:FILE[:REF|:@N]");
    return source;
}

UnpackedArchive unpack_docker_archive(const std::string& text, const std::filesystem::path& scratch,
                                      const limits::Limits& limits) {
    const auto source = parse_docker_archive_source(text);
    const auto& archive_path = source.file;
    const std::string shown = archive_path.string();
    std::error_code error;
    if (!std::filesystem::is_regular_file(archive_path, error)) fail("docker-archive:" + shown + ": no such file");
    auto unpacked = scratch / "unpacked";
    std::filesystem::create_directories(unpacked);
    unpack(archive_path, unpacked, limits);

    auto manifest_text = read_small(unpacked / "manifest.json", limits.max_manifest_size, "manifest.json");
    auto manifest = nlohmann::json::parse(manifest_text, nullptr, false);
    if (!manifest.is_array() || manifest.empty()) fail("docker-archive:" + shown + ": manifest.json lists no image");
    if (manifest.size() > max_archive_images)
        fail("docker-archive:" + shown + ": manifest.json lists more than " + std::to_string(max_archive_images) +
             " images");
    // Which image: @N, the one tagged REF, or the only one.
    size_t chosen = 0;
    std::string chosen_tag;
    if (source.index) {
        if (*source.index >= manifest.size())
            fail("docker-archive:" + shown + " has " + std::to_string(manifest.size()) + " image(s): @" +
                 std::to_string(*source.index) + " is not one of them (from @0)");
        chosen = *source.index;
    } else if (!source.reference.empty()) {
        const auto wanted = long_reference(source.reference);
        std::optional<size_t> found;
        for (size_t i = 0; i < manifest.size(); ++i)
            for (const auto& tag : repo_tags(manifest[i]))
                if (tag == source.reference || long_reference(tag) == wanted) {
                    if (found && *found != i)
                        fail("docker-archive:" + shown + ": several images are tagged '" + source.reference +
                             "': name one as @N");
                    found = i;
                    if (chosen_tag.empty()) chosen_tag = tag;
                }
        if (!found)
            fail("docker-archive:" + shown + " has no image tagged '" + source.reference +
                 "' (it has: " + listed_images(manifest) + ")");
        chosen = *found;
    } else if (manifest.size() > 1) {
        fail("docker-archive:" + shown + " holds " + std::to_string(manifest.size()) + " images (" +
             listed_images(manifest) + "): name one as docker-archive:FILE:REF (a RepoTags entry) or "
             "docker-archive:FILE:@N (from 0)");
    }
    const auto& image = manifest[chosen];
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
            fail("docker-archive:" + shown + ": layer " + (name.is_string() ? name.get<std::string>() : name.dump()) +
                 " is missing");
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
    // The tag reports show: of the RepoTags entry asked for, else the image's first.
    if (chosen_tag.empty()) {
        auto tags = repo_tags(image);
        if (!tags.empty()) chosen_tag = tags.front();
    }
    const std::string ref = chosen_tag.empty() ? "latest" : tag_of(chosen_tag);
    if (!oci::valid_tag(ref))
        fail("docker-archive:" + shown + ": the RepoTags entry '" + chosen_tag + "' does not end in a valid tag");
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
