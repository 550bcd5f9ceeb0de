#include "catalog/rpm_header.hpp"

#include <cstdint>
#include <stdexcept>

#include "catalog/file_budget.hpp"

namespace regscan::catalog::rpm {

namespace {

enum Tag : uint32_t { name = 1000, version = 1001, release = 1002, epoch = 1003, license = 1014, arch = 1022, sourcerpm = 1044 };
enum Type : uint32_t { int32 = 4, string = 6, i18nstring = 9 };

uint32_t be32(std::string_view bytes, size_t at) {
    auto b = [&](size_t i) { return static_cast<uint32_t>(static_cast<unsigned char>(bytes[at + i])); };
    return b(0) << 24 | b(1) << 16 | b(2) << 8 | b(3);
}

// rpm's own limits (header_internal.h) keep a corrupt count from running away.
constexpr uint32_t max_entries = 0xffff;
constexpr uint32_t max_data = 256u * 1024 * 1024;

}  // namespace

HeaderInfo read_header_blob(std::string_view blob) {
    if (blob.size() < 8) throw std::runtime_error("rpm header blob shorter than 8 bytes");
    uint32_t entries = be32(blob, 0);
    uint32_t data_length = be32(blob, 4);
    if (entries == 0 || entries > max_entries || data_length > max_data) {
        throw std::runtime_error("rpm header blob with " + std::to_string(entries) + " entries and " +
                                 std::to_string(data_length) + " data bytes");
    }
    size_t data_start = 8 + size_t{16} * entries;
    if (data_start + data_length > blob.size()) throw std::runtime_error("rpm header blob truncated");
    std::string_view data = blob.substr(data_start, data_length);

    HeaderInfo header;
    // Where each string is (the last entry of a tag wins); read once at the
    // end, since 65535 entries could each point at megabytes of data.
    std::optional<uint32_t> name_at, version_at, release_at, arch_at, sourcerpm_at, license_at;
    for (uint32_t i = 0; i < entries; ++i) {
        size_t at = 8 + size_t{16} * i;
        uint32_t tag = be32(blob, at), type = be32(blob, at + 4), offset = be32(blob, at + 8), count = be32(blob, at + 12);
        if (tag < Tag::name || offset >= data.size()) continue;
        if (type == Type::string || type == Type::i18nstring) {
            switch (tag) {
                case Tag::name: name_at = offset; break;
                case Tag::version: version_at = offset; break;
                case Tag::release: release_at = offset; break;
                case Tag::arch: arch_at = offset; break;
                case Tag::sourcerpm: sourcerpm_at = offset; break;
                case Tag::license: license_at = offset; break;
                default: break;
            }
        } else if (type == Type::int32 && tag == Tag::epoch && count >= 1 && offset + 4 <= data.size()) {
            header.epoch = be32(data, offset);
        }
    }
    auto string_at = [&](std::optional<uint32_t> offset) -> std::string_view {
        if (!offset) return {};
        std::string_view rest = data.substr(*offset);
        return rest.substr(0, rest.find('\0'));
    };
    // Past max_package_field, no real package's field: the header is not read.
    auto field_at = [&](std::optional<uint32_t> offset) {
        auto value = string_at(offset);
        if (value.size() > max_package_field)
            throw std::runtime_error("rpm header string longer than " + std::to_string(max_package_field) + " bytes");
        return std::string(value);
    };
    header.name = field_at(name_at);
    header.version = field_at(version_at);
    header.release = field_at(release_at);
    header.arch = field_at(arch_at);
    header.source_rpm = field_at(sourcerpm_at);
    header.license = std::string(string_at(license_at).substr(0, 1000));
    if (header.name.empty() || header.version.empty()) throw std::runtime_error("rpm header without NAME or VERSION");
    return header;
}

std::string evr(const HeaderInfo& header) {
    std::string out;
    if (header.epoch && *header.epoch != 0) out = std::to_string(*header.epoch) + ":";
    out += header.version;
    if (!header.release.empty()) out += "-" + header.release;
    return out;
}

std::optional<SourceRpm> parse_source_rpm(std::string_view file_name) {
    for (std::string_view suffix : {".src.rpm", ".nosrc.rpm"}) {
        if (!file_name.ends_with(suffix)) continue;
        std::string_view nvr = file_name.substr(0, file_name.size() - suffix.size());
        size_t release_dash = nvr.rfind('-');
        if (release_dash == std::string_view::npos || release_dash == 0) return std::nullopt;
        size_t version_dash = nvr.rfind('-', release_dash - 1);
        if (version_dash == std::string_view::npos || version_dash == 0) return std::nullopt;
        return SourceRpm{std::string(nvr.substr(0, version_dash)), std::string(nvr.substr(version_dash + 1))};
    }
    return std::nullopt;
}

}  // namespace regscan::catalog::rpm
