#include "report/json_report.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <stdexcept>
#include <utility>

#include <fmt/format.h>

#include "report/report_file.hpp"
#include "scan/model_json.hpp"
#include "util/background_close.hpp"

namespace regscan::report {
namespace {

constexpr std::string_view ref_tag = "json1";

// Changes whenever the file is replaced or written: another inode, size or
// time. A reused inode number comes with later times.
std::string file_identity(const struct stat& st) {
    return fmt::format("{}:{}:{}:{}.{}:{}.{}", static_cast<unsigned long long>(st.st_dev),
                       static_cast<unsigned long long>(st.st_ino), static_cast<long long>(st.st_size),
                       static_cast<long long>(st.st_mtim.tv_sec), static_cast<long>(st.st_mtim.tv_nsec),
                       static_cast<long long>(st.st_ctim.tv_sec), static_cast<long>(st.st_ctim.tv_nsec));
}

template <typename T>
bool parse_number(std::string_view text, T& value) {
    auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    return error == std::errc() && end == text.data() + text.size();
}

std::vector<std::string_view> split(std::string_view text, char separator) {
    std::vector<std::string_view> parts;
    for (size_t start = 0;;) {
        size_t end = text.find(separator, start);
        parts.push_back(text.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
        if (end == std::string_view::npos) return parts;
        start = end + 1;
    }
}

bool read_exactly(int fd, off_t offset, std::string& buffer) {
    size_t done = 0;
    while (done < buffer.size()) {
        ssize_t got = ::pread(fd, buffer.data() + done, buffer.size() - done, offset + static_cast<off_t>(done));
        if (got < 0 && errno == EINTR) continue;
        if (got <= 0) return false;
        done += static_cast<size_t>(got);
    }
    return true;
}

}  // namespace

std::string format_entries_ref(const ReportEntriesRef& ref) {
    std::string text = fmt::format("{} {} {}", ref_tag, ref.identity, ref.entries.size());
    for (const auto& e : ref.entries)
        text += fmt::format(" {}:{}:{}:{}", static_cast<long long>(e.offset), e.length,
                            static_cast<long long>(e.status_at), e.status_length);
    return text;
}

std::optional<ReportEntriesRef> parse_entries_ref(std::string_view text) {
    auto words = split(text, ' ');
    size_t count = 0;
    if (words.size() < 3 || words[0] != ref_tag || words[1].empty() || !parse_number(words[2], count) ||
        words.size() != 3 + count || count == 0)
        return std::nullopt;
    ReportEntriesRef ref{std::string(words[1]), {}};
    for (size_t i = 0; i < count; ++i) {
        auto fields = split(words[3 + i], ':');
        EntryLocation e;
        if (fields.size() != 4 || !parse_number(fields[0], e.offset) || !parse_number(fields[1], e.length) ||
            !parse_number(fields[2], e.status_at) || !parse_number(fields[3], e.status_length))
            return std::nullopt;
        // The status inside the entry, the entry at a non-negative offset.
        if (e.offset < 0 || e.status_at < e.offset ||
            static_cast<size_t>(e.status_at - e.offset) + e.status_length > e.length)
            return std::nullopt;
        ref.entries.push_back(e);
    }
    return ref;
}

JsonReport::JsonReport(const sdk::ReportRun& run)
    : run_(run), path_(report_path(run, "-report.json")), images_(path_) {
    // The report this run will replace: a rescan copies unchanged entries
    // from it. Held open, so the copy reads this very file whatever happens
    // to the path meanwhile.
    // O_NONBLOCK: a FIFO planted at the path must not block the run (only a
    // regular file is kept).
    int fd = ::open(path_.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
    struct stat st {};
    if (fd >= 0 && ::fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
        previous_fd_ = fd;
        previous_identity_ = file_identity(st);
        previous_size_ = st.st_size;
    } else if (fd >= 0) {
        ::close(fd);
    }
}

JsonReport::~JsonReport() {
    if (previous_fd_ >= 0) ::close(previous_fd_);
}

bool JsonReport::needs_entry_text(const std::string& report_ref) const {
    if (previous_fd_ < 0) return true;
    auto ref = parse_entries_ref(report_ref);
    if (!ref || ref->identity != previous_identity_) return true;
    // The identity already says the file is the one written; the bytes
    // around each status are checked as well, for they are cheap to read.
    std::string around;
    for (const auto& e : ref->entries) {
        if (e.offset + static_cast<off_t>(e.length) > previous_size_) return true;
        constexpr std::string_view key = "\"status\": \"";
        if (e.status_at - e.offset < static_cast<off_t>(key.size())) return true;
        around.resize(key.size() + e.status_length + 1);
        if (!read_exactly(previous_fd_, e.status_at - static_cast<off_t>(key.size()), around)) return true;
        if (std::string_view(around).substr(0, key.size()) != key || around.back() != '"') return true;
        std::string first(1, '\0');
        if (!read_exactly(previous_fd_, e.offset + static_cast<off_t>(e.length) - 1, first) || first[0] != '}')
            return true;
    }
    return false;
}

void JsonReport::result(const scan::ImageResult& image) {
    // Through the model, so the report holds exactly the documented fields.
    images_.add(image_sort_key(image), nlohmann::json(image));
}

void JsonReport::stored_result(const scan::ImageResult& image, const StoredRendering& stored) {
    const std::string status = scan::to_string(image.status);
    size_t id = 0;
    size_t status_offset = 0;
    bool located = true;
    if (stored.json_entry.empty()) {
        // Left in the previous report (needs_entry_text said so).
        auto ref = parse_entries_ref(stored.report_ref);
        if (!ref || ref->identity != previous_identity_ || stored.index_in_tag >= ref->entries.size())
            throw std::logic_error("a stored JSON entry is neither given nor in the previous report");
        const auto& e = ref->entries[stored.index_in_tag];
        const off_t status_end = e.status_at + static_cast<off_t>(e.status_length);
        id = images_.add_pieces(image_sort_key(image),
                                {SpilledEntries::Piece(previous_fd_, e.offset, static_cast<size_t>(e.status_at - e.offset)),
                                 std::string_view(status),
                                 SpilledEntries::Piece(previous_fd_, status_end,
                                                       static_cast<size_t>(e.offset + static_cast<off_t>(e.length) -
                                                                           status_end))});
        status_offset = static_cast<size_t>(e.status_at - e.offset);
    } else {
        auto pieces = json_entry_pieces_with_status(stored.json_entry, status);
        id = images_.add_pieces(image_sort_key(image), {pieces[0], pieces[1], pieces[2]});
        located = !(pieces[1].empty() && pieces[2].empty());  // no status found: nothing to refer to
        status_offset = pieces[0].size();
    }
    if (stored.tag_digest.empty() || stored.entries_in_tag == 0 || stored.index_in_tag >= stored.entries_in_tag)
        return;
    const std::string key = image.repository + '\n' + image.tag + '\n' + std::string(stored.tag_digest);
    auto& tag = tags_[key];
    if (tag.slots.empty()) {
        tag = {image.repository, image.tag, std::string(stored.tag_digest), std::string(stored.report_ref), true, {}};
        tag.slots.resize(stored.entries_in_tag);
    }
    if (!located || tag.slots.size() != stored.entries_in_tag) {
        tag.referable = false;
        return;
    }
    tag.slots[stored.index_in_tag] = {true, id, status_offset, status.size()};
}

std::vector<std::string> JsonReport::finish(const nlohmann::json& summary) {
    nlohmann::json document = {
        {"schema_version", json_report_schema_version},
        {"tool", {{"name", tool_name}, {"version", tool_version()}}},
        {"run",
         {{"registry", registry_without_credentials(run_.registry)}, {"mode", run_.mode}, {"started", run_.started}}},
        {"summary", summary.is_object() ? summary : nlohmann::json::object()}};
    images_.write_document_to(path_, std::move(document), "images");
    // The replaced report is gone from the path; its last descriptor frees
    // it, beside the rest of the run.
    util::close_in_background(std::exchange(previous_fd_, -1));

    // Where the entries now are, for the next run; only when the file at the
    // path is the one just written.
    struct stat st {};
    if (tags_.empty() || ::stat(path_.c_str(), &st) != 0 || !S_ISREG(st.st_mode) ||
        st.st_ino != images_.written_inode())
        return {path_.string()};
    const std::string identity = file_identity(st);
    for (const auto& [key, tag] : tags_) {
        if (!tag.referable) continue;
        ReportEntriesRef ref{identity, {}};
        for (const auto& slot : tag.slots) {
            if (!slot.filled) break;
            auto [offset, length] = images_.written(slot.id);
            ref.entries.push_back({offset, length, offset + static_cast<off_t>(slot.status_offset), slot.status_length});
        }
        if (ref.entries.size() == tag.slots.size())
            refs_.push_back({tag.repository, tag.tag, tag.digest, tag.old_ref, format_entries_ref(ref)});
    }
    return {path_.string()};
}

}  // namespace regscan::report
