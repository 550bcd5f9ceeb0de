#include "catalog/go_buildinfo.hpp"

#include <cstdint>
#include <cstring>

#include "catalog/elf_file.hpp"

namespace regscan::catalog::go {

namespace {

constexpr std::string_view magic = "\xff Go buildinf:";
constexpr size_t header_size = 32, alignment = 16;
constexpr uint8_t flag_big_endian = 1, flag_inline_strings = 2;
constexpr uint64_t max_string = 1 << 20;  // Go's own limit in debug/buildinfo

// The 16-byte aligned header within `data`, or an empty view.
std::string_view find_header(std::string_view data) {
    size_t from = 0;
    while (from + header_size <= data.size()) {
        const void* hit = memmem(data.data() + from, data.size() - from, magic.data(), magic.size());
        if (!hit) break;
        auto at = static_cast<size_t>(static_cast<const char*>(hit) - data.data());
        if (at % alignment == 0 && at + header_size <= data.size()) return data.substr(at);
        from = at + 1;
    }
    return {};
}

std::optional<std::string_view> take_varint_string(std::string_view& data) {
    uint64_t length = 0;
    int shift = 0;
    size_t i = 0;
    for (;; ++i) {
        if (i >= data.size() || shift > 63) return std::nullopt;
        auto byte = static_cast<unsigned char>(data[i]);
        length |= uint64_t{byte & 0x7fu} << shift;
        shift += 7;
        if ((byte & 0x80) == 0) break;
    }
    ++i;
    if (length > max_string || length > data.size() - i) return std::nullopt;
    std::string_view value = data.substr(i, length);
    data.remove_prefix(i + length);
    return value;
}

uint64_t read_pointer(std::string_view bytes, size_t size, bool big_endian) {
    uint64_t value = 0;
    for (size_t i = 0; i < size; ++i) {
        size_t index = big_endian ? i : size - 1 - i;
        value = value << 8 | static_cast<unsigned char>(bytes[index]);
    }
    return value;
}

// A Go string header {data pointer, length} at `address`, and its bytes.
std::string pointed_string(const ElfFile& elf, uint64_t address, size_t pointer_size, bool big_endian) {
    auto header = elf.at_address(address);
    if (!header || header->size() < 2 * pointer_size) return {};
    uint64_t data = read_pointer(*header, pointer_size, big_endian);
    uint64_t length = read_pointer(header->substr(pointer_size), pointer_size, big_endian);
    if (length > max_string) return {};
    auto bytes = elf.at_address(data);
    if (!bytes || bytes->size() < length) return {};
    return std::string(bytes->substr(0, length));
}

// cmd/go frames the module info with 16-byte sentinels.
std::string strip_sentinels(std::string_view modinfo) {
    if (modinfo.size() >= 33 && modinfo[modinfo.size() - 17] == '\n') {
        return std::string(modinfo.substr(16, modinfo.size() - 32));
    }
    return {};
}

std::vector<std::string_view> split_tabs(std::string_view line) {
    std::vector<std::string_view> fields;
    while (true) {
        size_t tab = line.find('\t');
        fields.push_back(line.substr(0, tab));
        if (tab == std::string_view::npos) break;
        line.remove_prefix(tab + 1);
    }
    return fields;
}

}  // namespace

std::optional<BuildInfo> read_build_info(std::string_view binary) {
    // Linux images run ELF; other formats (PE, Mach-O) are not looked into.
    auto elf = ElfFile::open(binary);
    if (!elf) return std::nullopt;
    std::string_view search = binary;
    if (elf->has_section_table()) {
        if (auto section = elf->section(".go.buildinfo")) {
            search = *section;
        } else if (!elf->section(".gopclntab") && !elf->section(".note.go.buildid")) {
            return std::nullopt;  // an ELF file with no Go sections at all
        }
    }
    std::string_view header = find_header(search);
    if (header.empty()) return std::nullopt;

    auto pointer_size = static_cast<size_t>(static_cast<unsigned char>(header[14]));
    auto flags = static_cast<uint8_t>(header[15]);
    BuildInfo info;
    std::string raw_modinfo;
    if (flags & flag_inline_strings) {
        std::string_view rest = header.substr(header_size);
        auto version = take_varint_string(rest);
        auto modinfo = version ? take_varint_string(rest) : std::nullopt;
        if (!version || !modinfo) return std::nullopt;
        info.go_version = *version;
        raw_modinfo = *modinfo;
    } else {
        if (pointer_size != 4 && pointer_size != 8) return std::nullopt;
        bool big_endian = (flags & flag_big_endian) != 0;
        uint64_t version_address = read_pointer(header.substr(16), pointer_size, big_endian);
        uint64_t modinfo_address = read_pointer(header.substr(16 + pointer_size), pointer_size, big_endian);
        info.go_version = pointed_string(*elf, version_address, pointer_size, big_endian);
        raw_modinfo = pointed_string(*elf, modinfo_address, pointer_size, big_endian);
    }
    if (info.go_version.empty()) return std::nullopt;
    info.modinfo = strip_sentinels(raw_modinfo);
    return info;
}

ModuleInfo parse_module_info(std::string_view modinfo) {
    ModuleInfo info;
    Module* last = nullptr;
    while (!modinfo.empty()) {
        size_t newline = modinfo.find('\n');
        std::string_view line = modinfo.substr(0, newline);
        modinfo = newline == std::string_view::npos ? std::string_view() : modinfo.substr(newline + 1);
        std::vector<std::string_view> fields = split_tabs(line);
        if (fields.size() < 2) continue;
        std::string_view kind = fields[0];
        Module module{std::string(fields[1]), fields.size() > 2 ? std::string(fields[2]) : std::string()};
        if (kind == "mod") {
            info.main = std::move(module);
            last = &*info.main;
        } else if (kind == "dep") {
            info.deps.push_back(std::move(module));
            last = &info.deps.back();
        } else if (kind == "=>" && last) {
            // A local directory ("./x", "../x", "/x") has no version of its own.
            bool local = module.path.starts_with('.') || module.path.starts_with('/');
            if (local) last->version = "(devel)";
            else *last = std::move(module);
            last = nullptr;
        }
    }
    return info;
}

std::string toolchain_version(std::string_view go_version) {
    go_version = go_version.substr(0, go_version.find(' '));
    if (!go_version.starts_with("go")) return {};
    std::string_view rest = go_version.substr(2);
    auto digits = [&](std::string_view& s) {
        size_t n = 0;
        while (n < s.size() && s[n] >= '0' && s[n] <= '9') ++n;
        std::string_view number = s.substr(0, n);
        s.remove_prefix(n);
        return number;
    };
    std::string_view major = digits(rest);
    if (major.empty()) return {};
    std::string out(major);
    int parts = 1;
    while (parts < 3 && rest.starts_with('.')) {
        rest.remove_prefix(1);
        std::string_view number = digits(rest);
        if (number.empty()) return {};
        out += '.';
        out += number;
        ++parts;
    }
    for (; parts < 3; ++parts) out += ".0";
    if (rest.empty()) return out;
    for (std::string_view pre : {"rc", "beta"}) {
        if (!rest.starts_with(pre)) continue;
        rest.remove_prefix(pre.size());
        std::string_view number = digits(rest);
        if (number.empty() || !rest.empty()) return {};
        return out + "-" + std::string(pre) + "." + std::string(number);
    }
    return {};
}

}  // namespace regscan::catalog::go
