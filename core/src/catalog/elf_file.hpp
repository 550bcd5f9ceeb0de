// Just enough of ELF (32/64-bit, either byte order) to find a named
// section's bytes and to turn a virtual address into a file offset.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace regscan::catalog {

class ElfFile {
public:
    // nullopt when `bytes` is not an ELF file with a readable header.
    static std::optional<ElfFile> open(std::string_view bytes);

    // The file bytes of a section, nullopt when there is no such section (or
    // no section table).
    [[nodiscard]] std::optional<std::string_view> section(std::string_view name) const;
    [[nodiscard]] bool has_section_table() const { return section_count_ > 0; }
    // The file bytes from virtual address `address` to the end of its loaded
    // segment, nullopt when no PT_LOAD segment holds it.
    [[nodiscard]] std::optional<std::string_view> at_address(uint64_t address) const;
    [[nodiscard]] bool big_endian() const { return big_endian_; }

private:
    explicit ElfFile(std::string_view bytes) : bytes_(bytes) {}
    [[nodiscard]] uint64_t read(size_t offset, size_t width) const;  // 0 past the end
    [[nodiscard]] uint64_t word(size_t offset) const { return read(offset, is64_ ? 8 : 4); }

    std::string_view bytes_;
    bool is64_ = false;
    bool big_endian_ = false;
    uint64_t program_offset_ = 0, section_offset_ = 0;
    uint64_t program_entry_size_ = 0, program_count_ = 0;
    uint64_t section_entry_size_ = 0, section_count_ = 0, section_names_index_ = 0;
};

}  // namespace regscan::catalog
