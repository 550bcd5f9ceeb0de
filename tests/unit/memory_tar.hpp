// A tar of regular files built in memory by libarchive, pax (names of any
// length), optionally compressed by one of libarchive's own filters: the
// layers the unit tests hand to the layer readers.
#pragma once

#include <archive.h>
#include <archive_entry.h>

#include <string>
#include <vector>

namespace regscan::test {

struct TarFile {
    std::string path;
    std::string content;
};

inline std::string memory_tar(const std::vector<TarFile>& files, int filter = ARCHIVE_FILTER_NONE) {
    std::string out;
    archive* writer = archive_write_new();
    archive_write_set_format_pax_restricted(writer);
    if (filter == ARCHIVE_FILTER_GZIP) archive_write_add_filter_gzip(writer);
    if (filter == ARCHIVE_FILTER_ZSTD) archive_write_add_filter_zstd(writer);
    if (filter == ARCHIVE_FILTER_XZ) archive_write_add_filter_xz(writer);
    if (filter == ARCHIVE_FILTER_LZMA) archive_write_add_filter_lzma(writer);
    if (filter == ARCHIVE_FILTER_BZIP2) archive_write_add_filter_bzip2(writer);
    archive_write_set_bytes_in_last_block(writer, 1);
    archive_write_open(writer, &out, nullptr,
                       [](archive*, void* data, const void* buffer, size_t size) -> la_ssize_t {
                           static_cast<std::string*>(data)->append(static_cast<const char*>(buffer), size);
                           return static_cast<la_ssize_t>(size);
                       },
                       nullptr);
    for (const auto& file : files) {
        archive_entry* entry = archive_entry_new();
        archive_entry_set_pathname(entry, file.path.c_str());
        archive_entry_set_filetype(entry, AE_IFREG);
        archive_entry_set_perm(entry, 0644);
        archive_entry_set_size(entry, static_cast<la_int64_t>(file.content.size()));
        archive_write_header(writer, entry);
        archive_write_data(writer, file.content.data(), file.content.size());
        archive_entry_free(entry);
    }
    archive_write_close(writer);
    archive_write_free(writer);
    return out;
}

}  // namespace regscan::test
