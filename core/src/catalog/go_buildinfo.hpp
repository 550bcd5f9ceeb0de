// The build information the Go linker embeds in every binary (since Go 1.13),
// as Go's debug/buildinfo reads it: a 32-byte header at a 16-byte aligned
// offset starting "\xff Go buildinf:", then pointer size and a flags byte.
// Go 1.18+ (flag 2) follows it with two varint-length strings, the Go
// version and the module info; older binaries hold two pointers to Go string
// headers instead, resolved through the ELF segments.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace regscan::catalog::go {

struct BuildInfo {
    std::string go_version;  // "go1.21.5"
    std::string modinfo;     // the module lines, sentinels stripped; "" for GOPATH builds
};

// nullopt when `binary` is not an ELF file carrying Go build information.
std::optional<BuildInfo> read_build_info(std::string_view binary);

struct Module {
    std::string path, version;
};
struct ModuleInfo {
    std::optional<Module> main;
    std::vector<Module> deps;  // with "=>" replacements applied
};

// The "path", "mod", "dep" and "=>" lines of runtime/debug.BuildInfo's text.
// A replacement by a module takes its path and version; one by a local
// directory ("=> ./x", "(devel)") keeps the required path, version "(devel)".
ModuleInfo parse_module_info(std::string_view modinfo);

// "go1.21.5" -> "1.21.5", "go1.21" -> "1.21.0", "go1.21rc2" -> "1.21.0-rc.2"
// (as golang/vulndb turns tags into the versions OSV's stdlib records use);
// anything after a space ("go1.22.0 X:boringcrypto") is dropped; "" when it
// is not a release ("devel go1.22-abcdef").
std::string toolchain_version(std::string_view go_version);

}  // namespace regscan::catalog::go
