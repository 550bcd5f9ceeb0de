#include <doctest/doctest.h>

#include <algorithm>

#include "scan/image_fold.hpp"

using namespace regscan::scan;

namespace {

LayerFacts dpkg_layer() {
    LayerFacts layer;
    Package package;
    package.type = "deb";
    package.name = "libvulnerable";
    package.version = "1.0";
    layer.files["/var/lib/dpkg/status"].packages.push_back(package);
    layer.files["/usr/lib/os-release"].os = OsRelease{"debian", "12", "bookworm", "", "Debian 12"};
    return layer;
}

bool mentions(const FoldedImage& image, const std::string& text) {
    return std::any_of(image.notes.begin(), image.notes.end(),
                       [&](const auto& note) { return note.find(text) != std::string::npos; });
}

}  // namespace

TEST_SUITE_BEGIN("scan");

TEST_CASE("scan::fold_layers: an upper layer that replaces a package database hides the lower one's packages") {
    auto lower = dpkg_layer();
    CHECK(fold_layers({&lower}).packages.size() == 1);

    LayerFacts unreadable;  // a directory, or a file over the size limit
    unreadable.files["/var/lib/dpkg/status"].unreadable = true;
    unreadable.files["/var/lib/dpkg/status"].notes.push_back("/var/lib/dpkg/status is a directory (incomplete)");
    auto folded = fold_layers({&lower, &unreadable});
    CHECK(folded.packages.empty());
    CHECK(mentions(folded, "/var/lib/dpkg/status"));

    LayerFacts dangling;  // a symlink to nowhere, or a hard link to an unread file
    dangling.files["/var/lib/dpkg/status"].link = "/nonexistent";
    folded = fold_layers({&lower, &dangling});
    CHECK(folded.packages.empty());
    CHECK(mentions(folded, "/var/lib/dpkg/status is a link to /nonexistent"));
}

TEST_CASE("scan::fold_layers follows links to files the image holds, counting their packages once") {
    auto lower = dpkg_layer();
    LayerFacts upper;
    upper.files["/etc/os-release"].link = "/usr/lib/os-release";
    upper.files["/var/lib/dpkg/status"].link = "/var/lib/dpkg/status.real";
    upper.files["/var/lib/dpkg/status.real"] = lower.files["/var/lib/dpkg/status"];
    auto folded = fold_layers({&lower, &upper});
    REQUIRE(folded.os);
    CHECK(folded.os->id == "debian");
    CHECK(folded.packages.size() == 1);
    CHECK(!mentions(folded, "link"));

    LayerFacts loop;
    loop.files["/etc/os-release"].link = "/etc/os-release";
    folded = fold_layers({&loop});
    CHECK(!folded.os);
    CHECK(mentions(folded, "/etc/os-release is a link"));
}

TEST_CASE("scan::fold_layers: a whiteout removes the path and what is under it, never its neighbours") {
    auto package_at = [](LayerFacts& layer, const std::string& path) {
        Package package;
        package.type = "npm";
        package.name = path;
        package.version = "1.0";
        layer.files[path].packages.push_back(package);
    };
    LayerFacts lower;
    for (const char* path : {"/a", "/a/b", "/a/b/c", "/a-b", "/a.b", "/a0", "/ab", "/a/", "/b/a", "/z"})
        package_at(lower, path);
    auto names = [](const FoldedImage& image) {
        std::vector<std::string> out;
        for (const auto& package : image.packages) out.push_back(package.name);
        std::sort(out.begin(), out.end());
        return out;
    };
    LayerFacts deleted;
    deleted.deleted.push_back("/a");
    CHECK(names(fold_layers({&lower, &deleted})) ==
          std::vector<std::string>{"/a-b", "/a.b", "/a0", "/ab", "/b/a", "/z"});
    LayerFacts opaque;
    opaque.opaque_dirs.push_back("/a");
    CHECK(names(fold_layers({&lower, &opaque})) ==
          std::vector<std::string>{"/a", "/a-b", "/a.b", "/a0", "/ab", "/b/a", "/z"});
    LayerFacts everything;
    everything.opaque_dirs.push_back("/");
    CHECK(names(fold_layers({&lower, &everything})).empty());
    // Many whiteouts over many files: each found by lookup (this took minutes as a walk per whiteout).
    LayerFacts many, gone;
    for (int i = 0; i < 50000; ++i) {
        many.files["/d/f" + std::to_string(i)];
        gone.deleted.push_back("/d/f" + std::to_string(i));
    }
    package_at(many, "/kept");
    CHECK(names(fold_layers({&many, &gone})) == std::vector<std::string>{"/kept"});
}

TEST_SUITE_END();
