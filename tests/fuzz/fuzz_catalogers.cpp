// Every cataloger of catalog::all_catalogers() on a file it wants, plus the
// readers below them on their own (rpm header blobs, Go module info, ELF), so
// the fuzzer need not build a whole rpmdb or ELF to reach them.
// Input: byte 0 chooses the cataloger (or reader), byte 1 the path, the rest
// is the file's content.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "catalog/cataloger.hpp"
#include "catalog/elf_file.hpp"
#include "catalog/go_buildinfo.hpp"
#include "catalog/rpm_header.hpp"

using namespace regscan::catalog;

namespace {

// Paths each cataloger wants, by its name(); a renamed or new cataloger
// without paths here stops the harness at start-up.
const std::map<std::string, std::vector<std::string>> wanted_paths = {
    {"os-release", {"/etc/os-release", "/usr/lib/os-release"}},
    {"dpkg", {"/var/lib/dpkg/status", "/var/lib/dpkg/status.d/base-files"}},
    {"apk", {"/lib/apk/db/installed", "/usr/lib/apk/db/installed"}},
    {"rpm", {"/var/lib/rpm/rpmdb.sqlite", "/var/lib/rpm/Packages", "/usr/lib/sysimage/rpm/Packages.db"}},
    {"npm", {"/app/package-lock.json", "/app/node_modules/left-pad/package.json",
             "/app/node_modules/@scope/pkg/package.json"}},
    {"python", {"/usr/lib/python3/dist-packages/pkg-1.0.dist-info/METADATA",
                "/usr/local/lib/python3.11/site-packages/pkg-1.0.egg-info/PKG-INFO",
                "/usr/lib/python3/dist-packages/pkg-1.0.egg-info"}},
    {"java-archive", {"/app/lib/app.jar", "/srv/app.war", "/srv/app.ear"}},
    // wants() also needs 64 KiB, more than a fuzz input: analyse() is called anyway.
    {"go-binary", {"/usr/local/bin/app"}},
};

const std::vector<std::unique_ptr<Cataloger>>& catalogers() {
    static const auto all = [] {
        auto list = all_catalogers();
        for (const auto& cataloger : list) {
            auto paths = wanted_paths.find(cataloger->name());
            if (paths == wanted_paths.end()) {
                std::fprintf(stderr, "fuzz_catalogers: no paths for cataloger %s\n", cataloger->name().c_str());
                std::abort();
            }
            for (const auto& path : paths->second)
                if (cataloger->name() != "go-binary" && !cataloger->wants(FileInfo{path, 100, 0100644})) {
                    std::fprintf(stderr, "fuzz_catalogers: %s does not want %s\n", cataloger->name().c_str(),
                                 path.c_str());
                    std::abort();
                }
        }
        return list;
    }();
    return all;
}

void read_directly(size_t reader, std::string_view content) {
    switch (reader) {
        case 0: {
            auto header = rpm::read_header_blob(content);
            (void)rpm::evr(header);
            (void)rpm::parse_source_rpm(header.source_rpm);
            break;
        }
        case 1: {
            auto modules = go::parse_module_info(content);
            (void)modules;
            (void)go::toolchain_version(content);
            break;
        }
        default: {
            auto elf = ElfFile::open(content);
            if (!elf) break;
            for (const char* name : {".go.buildinfo", ".data", ".text", ""}) (void)elf->section(name);
            if (content.size() >= 8) {
                uint64_t address = 0;
                std::memcpy(&address, content.data() + content.size() - 8, sizeof address);
                (void)elf->at_address(address);
            }
            (void)go::read_build_info(content);
        }
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size < 2) return 0;
    const auto& list = catalogers();
    const size_t choice = data[0] % (list.size() + 3);
    std::string_view content(reinterpret_cast<const char*>(data + 2), size - 2);
    try {
        if (choice >= list.size()) {
            read_directly(choice - list.size(), content);
            return 0;
        }
        const auto& cataloger = *list[choice];
        const auto& paths = wanted_paths.at(cataloger.name());
        FileInfo file{paths[data[1] % paths.size()], content.size(), data[1] & 0x80 ? 0100755u : 0100644u};
        FileFacts facts;
        cataloger.analyse(file, content, facts);
    } catch (const std::exception&) {
        // A malformed file: LayerAnalyzer records a note and goes on.
    }
    return 0;
}
