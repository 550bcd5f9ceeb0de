#include "report/spilled_entries.hpp"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <stdexcept>
#include <system_error>

#include "report/report_file.hpp"

namespace regscan::report {
namespace {

// Array elements of a top-level key sit four spaces in, as dump_json puts them.
constexpr const char* element_indent = "    ";

std::string indented(const std::string& text) {
    std::string out = element_indent;
    out.reserve(text.size() + text.size() / 16);
    for (char c : text) {
        out += c;
        if (c == '\n') out += element_indent;
    }
    return out;
}

}  // namespace

std::string entry_text(const nlohmann::json& value) {
    return indented(value.dump(2, ' ', false, nlohmann::json::error_handler_t::replace));
}

SpilledEntries::SpilledEntries(const std::filesystem::path& report_path) {
    auto directory = report_path.parent_path().empty() ? std::filesystem::path(".") : report_path.parent_path();
    std::error_code ec;
    std::filesystem::create_directories(directory, ec);
    if (ec) throw std::runtime_error("cannot create " + directory.string() + ": " + ec.message());
    scratch_ = std::make_unique<ExclusiveFile>(directory, report_path.filename().string(), "entries");
    path_ = scratch_->path();
    file_.open(scratch_->open_path(), std::ios::in | std::ios::out | std::ios::binary | std::ios::trunc);
    if (!file_) throw std::runtime_error("cannot create the scratch file " + path_.string());
}

SpilledEntries::~SpilledEntries() {
    file_.close();
    std::error_code ec;
    std::filesystem::remove(path_, ec);
}

void SpilledEntries::add_text(const SortKey& key, std::string_view text) {
    file_.seekp(end_);
    if (!file_.write(text.data(), static_cast<std::streamsize>(text.size())))
        throw std::runtime_error("cannot write the scratch file " + path_.string());
    index_.push_back({key, end_, text.size()});
    end_ += static_cast<std::streamoff>(text.size());
}

void SpilledEntries::write_document(std::ostream& out, nlohmann::json document, const std::string& array_key) {
    document[array_key] = nlohmann::json::array();
    auto text = dump_json(document);
    const std::string marker = "\n  \"" + array_key + "\": []";
    auto at = text.find(marker);
    if (at == std::string::npos || index_.empty()) {
        out << text;
        return;
    }
    std::stable_sort(index_.begin(), index_.end(), [](const Entry& a, const Entry& b) { return a.key < b.key; });
    if (!file_.flush()) throw std::runtime_error("cannot write the scratch file " + path_.string());
    out.write(text.data(), static_cast<std::streamsize>(at));
    out << "\n  \"" << array_key << "\": [\n";
    std::string buffer;
    for (size_t i = 0; i < index_.size(); ++i) {
        buffer.resize(index_[i].length);
        file_.seekg(index_[i].offset);
        if (!file_.read(buffer.data(), static_cast<std::streamsize>(buffer.size())))
            throw std::runtime_error("cannot read the scratch file " + path_.string());
        out << buffer << (i + 1 < index_.size() ? ",\n" : "\n");
    }
    out << "  ]";
    out << std::string_view(text).substr(at + marker.size());
}

}  // namespace regscan::report
