#include "triage/input.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>

namespace regscan::triage {

std::string read_bounded_file(const std::string& path, size_t max_size) {
    std::error_code error;
    if (!std::filesystem::is_regular_file(path, error)) throw InputError(path + ": not a readable file");
    std::ifstream in(path, std::ios::binary);
    if (!in) throw InputError(path + ": cannot be read");
    std::string text;
    text.resize(max_size + 1);
    in.read(text.data(), static_cast<std::streamsize>(text.size()));
    text.resize(static_cast<size_t>(in.gcount()));
    if (text.size() > max_size)
        throw InputError(path + ": larger than " + std::to_string(max_size >> 10) + " KiB");
    return text;
}

size_t line_of(std::string_view text, size_t offset) {
    offset = std::min(offset, text.size());
    return 1 + static_cast<size_t>(std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(offset), '\n'));
}

}  // namespace regscan::triage
