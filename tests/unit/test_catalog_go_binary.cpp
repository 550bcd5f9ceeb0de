#include <doctest/doctest.h>

#include <cstdint>
#include <vector>

#include "../fixtures/catalog/support.hpp"
#include "catalog/go_binary_cataloger.hpp"
#include "catalog/go_buildinfo.hpp"

using namespace regscan::catalog;
using namespace regscan::catalog::testing;

namespace {

std::string summary(const regscan::scan::Package& p) {
    return p.type + " " + p.name + " " + p.version + " " + p.ecosystem + " " + p.purl;
}

// An ELF file laid out as a Go linker before 1.18 did it: the buildinfo
// header holds two pointers to Go string headers {data, length} elsewhere in
// the loaded segment. Layout (file offset = vaddr - base): ELF header,
// program header, buildinfo at 0x100, string headers at 0x120, strings at 0x140.
class PointerFormatElf {
public:
    PointerFormatElf(bool is64, bool big_endian) : is64_(is64), big_(big_endian), width_(is64 ? 8 : 4) {}

    std::string build(const std::string& go_version, const std::string& modinfo) {
        const uint64_t base = 0x400000;
        std::string strings = go_version + modinfo;
        bytes_.assign(0x140 + strings.size(), '\0');
        // ELF header
        bytes_.replace(0, 4, "\x7f" "ELF");
        bytes_[4] = is64_ ? 2 : 1;
        bytes_[5] = big_ ? 2 : 1;
        bytes_[6] = 1;
        put(16, 2, 2);   // ET_EXEC
        put(18, 2, 62);  // x86-64
        put(20, 4, 1);
        if (is64_) {
            put(32, 8, 64);  // e_phoff
            put(52, 2, 64);
            put(54, 2, 56);
            put(56, 2, 1);
            put(58, 2, 64);
        } else {
            put(28, 4, 52);
            put(40, 2, 52);
            put(42, 2, 32);
            put(44, 2, 1);
            put(46, 2, 40);
        }
        // One PT_LOAD segment mapping the whole file at `base`.
        size_t ph = is64_ ? 64 : 52;
        put(ph, 4, 1);
        if (is64_) {
            put(ph + 8, 8, 0);
            put(ph + 16, 8, base);
            put(ph + 32, 8, bytes_.size());
            put(ph + 40, 8, bytes_.size());
        } else {
            put(ph + 4, 4, 0);
            put(ph + 8, 4, base);
            put(ph + 16, 4, bytes_.size());
            put(ph + 20, 4, bytes_.size());
        }
        // Buildinfo header: magic, pointer size, flags (bit 0: big-endian), two pointers.
        bytes_.replace(0x100, 14, "\xff Go buildinf:");
        bytes_[0x100 + 14] = static_cast<char>(width_);
        bytes_[0x100 + 15] = big_ ? 1 : 0;
        put(0x110, width_, base + 0x120);
        put(0x110 + width_, width_, base + 0x120 + 2 * width_);
        // String headers, then the strings.
        put(0x120, width_, base + 0x140);
        put(0x120 + width_, width_, go_version.size());
        put(0x120 + 2 * width_, width_, base + 0x140 + go_version.size());
        put(0x120 + 3 * width_, width_, modinfo.size());
        bytes_.replace(0x140, strings.size(), strings);
        return bytes_;
    }

private:
    void put(size_t at, size_t width, uint64_t value) {
        for (size_t i = 0; i < width; ++i) {
            size_t index = big_ ? at + width - 1 - i : at + i;
            bytes_[index] = static_cast<char>(value >> (8 * i) & 0xff);
        }
    }

    bool is64_, big_;
    size_t width_;
    std::string bytes_;
};

// cmd/go's 16-byte sentinels around the module lines.
const std::string framed_modinfo = std::string(16, '0') +
                                   "path\texample.com/old\n"
                                   "mod\texample.com/old\tv0.3.1\th1:abc=\n"
                                   "dep\tgolang.org/x/text\tv0.3.7\th1:def=\n" +
                                   std::string(16, '1');

}  // namespace

TEST_SUITE_BEGIN("catalog");

TEST_CASE("catalog::go_binary reads a real Go 1.19 binary as `go version -m` does") {
    std::string dir = fixture_dir + "/go/";
    // hello-go.expected is the Go toolchain's own reading of hello-go.
    std::string expected = read_file(dir + "hello-go.expected");
    REQUIRE(expected.starts_with("hello-go: go1.19.8\n"));
    REQUIRE(expected.find("\tdep\texample.com/old\tv1.0.0\n\t=>\texample.com/new\tv1.0.1\t\n") != std::string::npos);

    FileFacts facts = analyse(GoBinaryCataloger(), "/usr/local/bin/hello", read_file(dir + "hello-go"), 0100755);
    std::vector<std::string> found;
    for (const auto& p : facts.packages) found.push_back(summary(p));
    CHECK(found == std::vector<std::string>{
                       "go-module example.com/hello (devel) Go pkg:golang/example.com/hello@%28devel%29",
                       "go-module example.com/greeting v1.4.2 Go pkg:golang/example.com/greeting@v1.4.2",
                       "go-module example.com/local (devel) Go pkg:golang/example.com/local@%28devel%29",
                       "go-module example.com/new v1.0.1 Go pkg:golang/example.com/new@v1.0.1",
                       "go-stdlib stdlib 1.19.8 Go pkg:golang/stdlib@1.19.8",
                   });
    CHECK(facts.packages.front().location == "/usr/local/bin/hello");
    CHECK(facts.notes.empty());
}

TEST_CASE("catalog::go_binary reads the pre-1.18 pointer format, 64-bit little-endian") {
    std::string elf = PointerFormatElf(true, false).build("go1.16.15", framed_modinfo);
    auto info = go::read_build_info(elf);
    REQUIRE(info);
    CHECK(info->go_version == "go1.16.15");
    CHECK(info->modinfo ==
          "path\texample.com/old\nmod\texample.com/old\tv0.3.1\th1:abc=\ndep\tgolang.org/x/text\tv0.3.7\th1:def=\n");
}

TEST_CASE("catalog::go_binary reads the pre-1.18 pointer format, 32-bit big-endian") {
    std::string elf = PointerFormatElf(false, true).build("go1.12.17", framed_modinfo);
    elf.resize(GoBinaryCataloger::min_size, '\0');
    FileFacts facts = analyse(GoBinaryCataloger(), "/bin/old", elf, 0100755);
    std::vector<std::string> found;
    for (const auto& p : facts.packages) found.push_back(summary(p));
    CHECK(found == std::vector<std::string>{
                       "go-module example.com/old v0.3.1 Go pkg:golang/example.com/old@v0.3.1",
                       "go-module golang.org/x/text v0.3.7 Go pkg:golang/golang.org/x/text@v0.3.7",
                       "go-stdlib stdlib 1.12.17 Go pkg:golang/stdlib@1.12.17",
                   });
}

TEST_CASE("catalog::go_binary finds nothing in a C program or a script") {
    FileFacts facts = analyse(GoBinaryCataloger(), "/bin/ls", read_file("/bin/ls"), 0100755);
    CHECK(facts.packages.empty());
    CHECK(facts.notes.empty());
    std::string script = "#!/bin/sh\necho hi\n" + std::string(GoBinaryCataloger::min_size, '#');
    CHECK(analyse(GoBinaryCataloger(), "/bin/hi", script, 0100755).packages.empty());
}

TEST_CASE("catalog::go_binary wants executables of a Go program's size only") {
    GoBinaryCataloger cataloger;
    CHECK(cataloger.wants({"/usr/bin/app", 2'000'000, 0100755}));
    CHECK(cataloger.wants({"/app", 2'000'000, 0100700}));
    CHECK_FALSE(cataloger.wants({"/usr/bin/app", 2'000'000, 0100644}));
    CHECK_FALSE(cataloger.wants({"/usr/bin/script", 300, 0100755}));
}

TEST_CASE("catalog::go_binary applies module replacements") {
    go::ModuleInfo info = go::parse_module_info(
        "path\tx/cmd\nmod\tx\t(devel)\t\n"
        "dep\ta\tv1.0.0\th1:x=\n=>\tb\tv2.0.0\th1:y=\n"
        "dep\tc\tv0.1.0\n=>\t../c\t(devel)\t\n"
        "dep\td\tv0.2.0\th1:z=\n"
        "build\t-compiler=gc\n");
    REQUIRE(info.main);
    CHECK(info.main->path == "x");
    REQUIRE(info.deps.size() == 3);
    CHECK(info.deps[0].path == "b");
    CHECK(info.deps[0].version == "v2.0.0");
    CHECK(info.deps[1].path == "c");
    CHECK(info.deps[1].version == "(devel)");
    CHECK(info.deps[2].path == "d");
    CHECK(info.deps[2].version == "v0.2.0");
}

TEST_CASE("catalog::go_binary turns toolchain tags into OSV stdlib versions") {
    CHECK(go::toolchain_version("go1.21.5") == "1.21.5");
    CHECK(go::toolchain_version("go1.21") == "1.21.0");
    CHECK(go::toolchain_version("go1.21rc2") == "1.21.0-rc.2");
    CHECK(go::toolchain_version("go1.20beta1") == "1.20.0-beta.1");
    CHECK(go::toolchain_version("go1.22.0 X:boringcrypto") == "1.22.0");
    CHECK(go::toolchain_version("devel go1.22-abcdef") == "");
    CHECK(go::toolchain_version("go1.x") == "");
}

TEST_SUITE_END();
