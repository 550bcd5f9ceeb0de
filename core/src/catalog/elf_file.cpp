#include "catalog/elf_file.hpp"

namespace regscan::catalog {

std::optional<ElfFile> ElfFile::open(std::string_view bytes) {
    if (bytes.size() < 52 || bytes.substr(0, 4) != "\x7f" "ELF") return std::nullopt;
    ElfFile elf(bytes);
    if (bytes[4] != 1 && bytes[4] != 2) return std::nullopt;
    if (bytes[5] != 1 && bytes[5] != 2) return std::nullopt;
    elf.is64_ = bytes[4] == 2;
    elf.big_endian_ = bytes[5] == 2;
    if (elf.is64_ && bytes.size() < 64) return std::nullopt;
    if (elf.is64_) {
        elf.program_offset_ = elf.read(32, 8);
        elf.section_offset_ = elf.read(40, 8);
        elf.program_entry_size_ = elf.read(54, 2);
        elf.program_count_ = elf.read(56, 2);
        elf.section_entry_size_ = elf.read(58, 2);
        elf.section_count_ = elf.read(60, 2);
        elf.section_names_index_ = elf.read(62, 2);
    } else {
        elf.program_offset_ = elf.read(28, 4);
        elf.section_offset_ = elf.read(32, 4);
        elf.program_entry_size_ = elf.read(42, 2);
        elf.program_count_ = elf.read(44, 2);
        elf.section_entry_size_ = elf.read(46, 2);
        elf.section_count_ = elf.read(48, 2);
        elf.section_names_index_ = elf.read(50, 2);
    }
    uint64_t minimum_section_entry = elf.is64_ ? 64 : 40;
    if (elf.section_offset_ == 0 || elf.section_entry_size_ < minimum_section_entry ||
        elf.section_offset_ + elf.section_count_ * elf.section_entry_size_ > bytes.size() ||
        elf.section_names_index_ >= elf.section_count_) {
        elf.section_count_ = 0;
    }
    uint64_t minimum_program_entry = elf.is64_ ? 56 : 32;
    if (elf.program_entry_size_ < minimum_program_entry ||
        elf.program_offset_ + elf.program_count_ * elf.program_entry_size_ > bytes.size()) {
        elf.program_count_ = 0;
    }
    return elf;
}

uint64_t ElfFile::read(size_t offset, size_t width) const {
    if (offset + width > bytes_.size() || offset + width < offset) return 0;
    uint64_t value = 0;
    for (size_t i = 0; i < width; ++i) {
        size_t index = big_endian_ ? offset + i : offset + width - 1 - i;
        value = value << 8 | static_cast<unsigned char>(bytes_[index]);
    }
    return value;
}

std::optional<std::string_view> ElfFile::section(std::string_view name) const {
    if (section_count_ == 0) return std::nullopt;
    auto header = [&](uint64_t index) { return static_cast<size_t>(section_offset_ + index * section_entry_size_); };
    size_t offset_field = is64_ ? 24 : 16, size_field = is64_ ? 32 : 20;
    uint64_t names_offset = word(header(section_names_index_) + offset_field);
    uint64_t names_size = word(header(section_names_index_) + size_field);
    if (names_offset > bytes_.size() || names_size > bytes_.size() - names_offset) return std::nullopt;
    std::string_view names = bytes_.substr(names_offset, names_size);
    for (uint64_t i = 0; i < section_count_; ++i) {
        uint64_t name_at = read(header(i), 4);
        if (name_at >= names.size()) continue;
        std::string_view candidate = names.substr(name_at);
        candidate = candidate.substr(0, candidate.find('\0'));
        if (candidate != name) continue;
        uint64_t offset = word(header(i) + offset_field);
        uint64_t size = word(header(i) + size_field);
        if (offset > bytes_.size() || size > bytes_.size() - offset) return std::nullopt;
        return bytes_.substr(offset, size);
    }
    return std::nullopt;
}

std::optional<std::string_view> ElfFile::at_address(uint64_t address) const {
    constexpr uint32_t pt_load = 1;
    for (uint64_t i = 0; i < program_count_; ++i) {
        auto header = static_cast<size_t>(program_offset_ + i * program_entry_size_);
        if (read(header, 4) != pt_load) continue;
        uint64_t offset = word(header + (is64_ ? 8 : 4));
        uint64_t vaddr = word(header + (is64_ ? 16 : 8));
        uint64_t file_size = word(header + (is64_ ? 32 : 16));
        if (address < vaddr || address - vaddr >= file_size) continue;
        uint64_t at = offset + (address - vaddr);
        if (at >= bytes_.size()) return std::nullopt;
        uint64_t end = offset + file_size;
        if (end > bytes_.size()) end = bytes_.size();
        return bytes_.substr(at, end - at);
    }
    return std::nullopt;
}

}  // namespace regscan::catalog
