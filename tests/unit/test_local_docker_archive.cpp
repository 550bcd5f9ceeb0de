#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <string>

#include <archive.h>
#include <archive_entry.h>
#include <nlohmann/json.hpp>

#include "local/docker_archive.hpp"
#include "regscan/error.hpp"
#include "temp_dir.hpp"

using namespace regscan;
using regscan::test::TempDir;

namespace {

// A tar of `members` (name -> bytes) at `path`.
void write_tar(const std::filesystem::path& path, const std::map<std::string, std::string>& members) {
    std::unique_ptr<archive, decltype(&archive_write_free)> writer(archive_write_new(), archive_write_free);
    archive_write_set_format_pax_restricted(writer.get());
    REQUIRE(archive_write_open_filename(writer.get(), path.c_str()) == ARCHIVE_OK);
    for (const auto& [name, data] : members) {
        std::unique_ptr<archive_entry, decltype(&archive_entry_free)> entry(archive_entry_new(), archive_entry_free);
        archive_entry_set_pathname(entry.get(), name.c_str());
        archive_entry_set_filetype(entry.get(), AE_IFREG);
        archive_entry_set_perm(entry.get(), 0644);
        archive_entry_set_size(entry.get(), static_cast<la_int64_t>(data.size()));
        REQUIRE(archive_write_header(writer.get(), entry.get()) == ARCHIVE_OK);
        archive_write_data(writer.get(), data.data(), data.size());
    }
    archive_write_close(writer.get());
}

// The config of the i-th image: the same JSON, told apart by trailing spaces.
std::string config_text(size_t i) {
    return R"({"architecture":"amd64","os":"linux","rootfs":{"type":"layers"}})" + std::string(i, ' ');
}

// `docker save a b`: one manifest.json entry per image, each with its config and one layer.
std::filesystem::path several_images(const TempDir& dir, const nlohmann::json& tags_per_image) {
    std::map<std::string, std::string> members;
    nlohmann::json manifest = nlohmann::json::array();
    for (size_t i = 0; i < tags_per_image.size(); ++i) {
        const std::string n = std::to_string(i);
        members["config-" + n + ".json"] = config_text(i);
        members["layer-" + n + "/layer.tar"] = "layer bytes " + n;
        manifest.push_back({{"Config", "config-" + n + ".json"},
                            {"RepoTags", tags_per_image[i]},
                            {"Layers", {"layer-" + n + "/layer.tar"}}});
    }
    members["manifest.json"] = manifest.dump();
    auto path = dir.path / "images.tar";
    write_tar(path, members);
    return path;
}

std::string error_of(const std::string& source, const std::filesystem::path& scratch) {
    try {
        local::unpack_docker_archive(source, scratch, limits::Limits{});
    } catch (const sdk::Error& e) {
        return e.what();
    }
    return "";
}

// The config digest of the image the layout's index points at.
std::string chosen_config(const std::filesystem::path& layout) {
    std::ifstream index_file(layout / "index.json");
    auto index = nlohmann::json::parse(index_file);
    std::string manifest_digest = index["manifests"][0]["digest"];
    std::ifstream manifest_file(layout / "blobs" / "sha256" / manifest_digest.substr(7));
    auto manifest = nlohmann::json::parse(manifest_file);
    std::string config_digest = manifest["config"]["digest"];
    std::ifstream config(layout / "blobs" / "sha256" / config_digest.substr(7));
    return std::string(std::istreambuf_iterator<char>(config), {});
}

}  // namespace

TEST_SUITE_BEGIN("local");

TEST_CASE("local::parse_docker_archive_source reads FILE[:REF|:@N] as skopeo does") {
    auto plain = local::parse_docker_archive_source("/tmp/app.tar");
    CHECK(plain.file == "/tmp/app.tar");
    CHECK(plain.reference.empty());
    CHECK_FALSE(plain.index);
    auto tagged = local::parse_docker_archive_source("/tmp/app.tar:localhost:5000/team/app:1.0");
    CHECK(tagged.file == "/tmp/app.tar");
    CHECK(tagged.reference == "localhost:5000/team/app:1.0");
    auto numbered = local::parse_docker_archive_source("app.tar:@2");
    CHECK(numbered.file == "app.tar");
    CHECK(numbered.index == 2u);
    CHECK_THROWS_AS(local::parse_docker_archive_source("app.tar:@"), sdk::Error);
    CHECK_THROWS_AS(local::parse_docker_archive_source("app.tar:@1x"), sdk::Error);
    CHECK_THROWS_AS(local::parse_docker_archive_source("app.tar:@99999999999"), sdk::Error);
    CHECK_THROWS_AS(local::parse_docker_archive_source("app.tar:"), sdk::Error);
    CHECK_THROWS_AS(local::parse_docker_archive_source(":alpine"), sdk::Error);
    // An existing file whose name has a ':' is the file.
    TempDir dir;
    auto odd = dir.path / "a:b.tar";
    std::ofstream(odd) << "x";
    CHECK(local::parse_docker_archive_source(odd.string()).file == odd);
}

TEST_CASE("local::unpack_docker_archive picks one of several images by RepoTags entry or @N") {
    TempDir dir;
    auto tar = several_images(dir, nlohmann::json::array({{"alpine:3.19"}, {"localhost:5000/team/app:1.0", "app:2"}}));
    auto scratch = [&](const std::string& name) {
        auto path = dir.path / name;
        std::filesystem::create_directories(path);
        return path;
    };
    auto first = local::unpack_docker_archive(tar.string() + ":docker.io/library/alpine:3.19", scratch("a"), {});
    CHECK(first.ref == "3.19");
    CHECK(chosen_config(first.layout) == config_text(0));
    auto second = local::unpack_docker_archive(tar.string() + ":app:2", scratch("b"), {});
    CHECK(second.ref == "2");
    CHECK(chosen_config(second.layout) == config_text(1));
    auto by_index = local::unpack_docker_archive(tar.string() + ":@1", scratch("c"), {});
    CHECK(by_index.ref == "1.0");
    CHECK(chosen_config(by_index.layout) == config_text(1));

    auto none = error_of(tar.string(), scratch("d"));
    CHECK(none.find("holds 2 images (alpine:3.19, localhost:5000/team/app:1.0, app:2): name one as "
                    "docker-archive:FILE:REF") != std::string::npos);
    auto unknown = error_of(tar.string() + ":alpine", scratch("e"));  // alpine:latest is not there
    CHECK(unknown.find("has no image tagged 'alpine' (it has: alpine:3.19, ") != std::string::npos);
    CHECK(error_of(tar.string() + ":@2", scratch("f")).find("@2 is not one of them") != std::string::npos);
}

// The message holds the RepoTags as they are, each cut at 200 bytes, at most
// 20: the log sink escapes them, once (test_log_logging.cpp).
TEST_CASE("local::unpack_docker_archive bounds the RepoTags it lists and leaves escaping to the log") {
    TempDir dir;
    nlohmann::json tags = nlohmann::json::array();
    tags.push_back({"evil\x1b[31m:1\nforged line"});
    tags.push_back({"long/" + std::string(300, 'x') + ":1"});
    for (int i = 0; i < 30; ++i) tags.push_back({"app:" + std::to_string(i)});
    tags.push_back(nlohmann::json::array());  // untagged
    auto tar = several_images(dir, tags);
    auto message = error_of(tar.string(), dir.path / "scratch");
    const std::string cut = "long/" + std::string(192, 'x') + "...";
    CHECK(message.find("holds 33 images (evil\x1b[31m:1\nforged line, " + cut + ", app:0, ") != std::string::npos);
    CHECK(message.find("\\e") == std::string::npos);
    CHECK(message.find("app:17, and 13 more)") != std::string::npos);  // 20 shown of 33
    // A RepoTags entry that does not end in a valid tag is refused, not shown in reports.
    auto bad = several_images(dir, nlohmann::json::array({{"app:bad\x01tag"}}));
    CHECK(error_of(bad.string(), dir.path / "scratch2").find("does not end in a valid tag") != std::string::npos);
}

TEST_SUITE_END();
