#include <doctest/doctest.h>

#include <archive.h>
#include <archive_entry.h>
#include <lzma.h>

#include <cstdio>
#include <cstring>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "memory_tar.hpp"
#include "scan/byte_pipe.hpp"
#include "scan/layer_reader.hpp"
#include "util/crypto.hpp"

using namespace regscan::scan;

namespace {

using regscan::test::TarFile;

std::string make_tar(const std::vector<TarFile>& files, int filter = ARCHIVE_FILTER_NONE) {
    return regscan::test::memory_tar(files, filter);
}

std::string sha256_of(const std::string& data) { return "sha256:" + regscan::util::sha256_hex(data); }

// Feeds `bytes` through a real BytePipe from another thread, in small chunks.
std::string read_all(const std::string& bytes, std::vector<std::string>* paths = nullptr) {
    BytePipe pipe(64 * 1024);
    std::thread producer([&] {
        for (size_t at = 0; at < bytes.size(); at += 1000)
            if (!pipe.push(bytes.data() + at, std::min<size_t>(1000, bytes.size() - at))) break;
        pipe.close();
    });
    try {
        auto diff_id = read_layer(pipe, [&](const LayerEntry& entry, const ContentReader&) {
            if (paths) paths->push_back(entry.path);
        });
        producer.join();
        return diff_id;
    } catch (...) {
        pipe.abort();
        producer.join();
        throw;
    }
}

// `data` gzip-compressed once more, by libarchive.
std::string gzipped(const std::string& data) {
    std::string out;
    archive* writer = archive_write_new();
    archive_write_set_format_raw(writer);
    archive_write_add_filter_gzip(writer);
    archive_write_open(writer, &out, nullptr,
                       [](archive*, void* sink, const void* buffer, size_t size) -> la_ssize_t {
                           static_cast<std::string*>(sink)->append(static_cast<const char*>(buffer), size);
                           return static_cast<la_ssize_t>(size);
                       },
                       nullptr);
    archive_entry* entry = archive_entry_new();
    archive_entry_set_filetype(entry, AE_IFREG);
    archive_write_header(writer, entry);
    archive_write_data(writer, data.data(), data.size());
    archive_entry_free(entry);
    archive_write_close(writer);
    archive_write_free(writer);
    return out;
}

}  // namespace

TEST_SUITE_BEGIN("scan");

TEST_CASE("scan::read_layer returns the sha256 of the uncompressed tar for plain, gzip, zstd and xz layers") {
    std::vector<TarFile> entries{{"etc/os-release", "ID=debian\n"}, {"usr/bin/x", std::string(300000, 'x')}};
    const std::string tar = make_tar(entries);
    for (int filter : {ARCHIVE_FILTER_NONE, ARCHIVE_FILTER_GZIP, ARCHIVE_FILTER_ZSTD, ARCHIVE_FILTER_XZ}) {
        std::vector<std::string> paths;
        CHECK(read_all(make_tar(entries, filter), &paths) == sha256_of(tar));
        CHECK(paths == std::vector<std::string>{"/etc/os-release", "/usr/bin/x"});
    }
}

TEST_CASE("scan::read_layer fails a tar cut inside an entry, even in a complete gzip stream") {
    const std::string tar = make_tar({{"a", std::string(100000, 'a')}, {"b", "b"}});
    const std::string half = tar.substr(0, tar.size() / 2);
    // The cut tar as a complete gzip stream.
    CHECK_THROWS_AS(read_all(gzipped(half)), std::runtime_error);
    CHECK_THROWS_AS(read_all(half), std::runtime_error);
}

TEST_CASE("scan::read_layer fails an entry claiming more bytes than the layer holds") {
    std::string tar = make_tar({{"big", "x"}});
    // Rewrite the size field of the first header (offset 124, 12 octal
    // digits) to 100 GB, then fix the header checksum.
    std::string header = tar.substr(0, 512);
    size_t pax = header.find("ustar");
    REQUIRE(pax != std::string::npos);
    // pax_restricted writes a plain ustar header for a short name.
    snprintf(tar.data() + 124, 12, "%011llo", 100ull * 1000 * 1000 * 1000);
    std::memset(tar.data() + 148, ' ', 8);
    unsigned sum = 0;
    for (int i = 0; i < 512; ++i) sum += static_cast<unsigned char>(tar[i]);
    snprintf(tar.data() + 148, 8, "%06o", sum);
    CHECK_THROWS_AS(read_all(tar), std::runtime_error);
}

TEST_CASE("scan::read_layer fails a gzip stream cut short or corrupt") {
    const std::string gz = make_tar({{"a", std::string(100000, 'a')}}, ARCHIVE_FILTER_GZIP);
    CHECK_THROWS_AS(read_all(gz.substr(0, gz.size() - 20)), std::runtime_error);
    std::string corrupt = gz;
    for (size_t i = 20; i < 60; ++i) corrupt[i] = static_cast<char>(~corrupt[i]);
    CHECK_THROWS_AS(read_all(corrupt), std::runtime_error);
    const std::string zst = make_tar({{"a", std::string(100000, 'a')}}, ARCHIVE_FILTER_ZSTD);
    CHECK_THROWS_AS(read_all(zst.substr(0, zst.size() - 5)), std::runtime_error);
}

// An xz stream of `raw`, or a copy of `xz` whose block header claims
// another dictionary (liblzma's property byte: 39 is 3 GiB).
std::string xz_of(const std::string& raw) {
    std::string out(lzma_stream_buffer_bound(raw.size()), '\0');
    size_t used = 0;
    REQUIRE(lzma_easy_buffer_encode(1, LZMA_CHECK_CRC64, nullptr, reinterpret_cast<const uint8_t*>(raw.data()),
                                    raw.size(), reinterpret_cast<uint8_t*>(out.data()), &used, out.size()) == LZMA_OK);
    out.resize(used);
    return out;
}
std::string with_dictionary_claim(std::string xz, uint8_t code) {
    // The block header after the 12-byte stream header: its size, flags, the
    // sizes the flags announce (varints), LZMA2's id, one property byte.
    const size_t header = 12, header_size = (static_cast<uint8_t>(xz[header]) + 1) * 4;
    const auto flags = static_cast<uint8_t>(xz[header + 1]);
    size_t at = header + 2;
    for (uint8_t present : {0x40, 0x80})
        if (flags & present)
            while (static_cast<uint8_t>(xz[at++]) & 0x80) {}
    REQUIRE(xz.substr(at, 2) == std::string("\x21\x01", 2));
    xz[at + 2] = static_cast<char>(code);
    const size_t crc_at = header + header_size - 4;
    uint32_t crc = lzma_crc32(reinterpret_cast<const uint8_t*>(xz.data() + header), crc_at - header, 0);
    for (int i = 0; i < 4; ++i) xz[crc_at + i] = static_cast<char>(crc >> (8 * i));
    return xz;
}

TEST_CASE("scan::read_layer reads concatenated xz streams as one tar and bounds the dictionary a stream claims") {
    const std::string tar = make_tar({{"a", std::string(100000, 'a')}, {"b", "b"}});
    std::vector<std::string> paths;
    CHECK(read_all(xz_of(tar.substr(0, 7000)) + xz_of(tar.substr(7000)), &paths) == sha256_of(tar));
    CHECK(paths == std::vector<std::string>{"/a", "/b"});
    const std::string xz = xz_of(tar);
    CHECK(read_all(with_dictionary_claim(xz, 29)) == sha256_of(tar));  // 96 MiB (xz -9's is 64)
    // 128 MiB: the dictionary and liblzma's own state pass the bound.
    CHECK_THROWS_WITH(read_all(with_dictionary_claim(xz, 30)),
                      doctest::Contains("xz stream needs more memory to decode than 128 MiB"));
    CHECK_THROWS_WITH(read_all(with_dictionary_claim(xz, 39)), doctest::Contains("xz stream needs more memory"));
    CHECK_THROWS_WITH(read_all(xz.substr(0, xz.size() - 30)), doctest::Contains("xz stream is cut short"));
    std::string corrupt = xz;
    for (size_t i = 40; i < 80; ++i) corrupt[i] = static_cast<char>(~corrupt[i]);
    CHECK_THROWS_WITH(read_all(corrupt), doctest::Contains("xz stream is corrupt"));
}

TEST_CASE("scan::read_layer decodes gzip, zstd and xz once, and leaves libarchive none of its decoders") {
    std::vector<TarFile> entries{{"etc/os-release", "ID=debian\n"}};
    // bzip2 (its decoder would see compressed bytes where header bytes are
    // counted), lzma (liblzma without a memory limit), and chains.
    for (const auto& layer :
         {make_tar(entries, ARCHIVE_FILTER_BZIP2), make_tar(entries, ARCHIVE_FILTER_LZMA),
          gzipped(make_tar(entries, ARCHIVE_FILTER_GZIP)),
          gzipped(make_tar(entries, ARCHIVE_FILTER_BZIP2))})
        CHECK_THROWS_WITH(read_all(layer), doctest::Contains("layer is not a readable tar stream"));
}

TEST_CASE("scan::read_layer stops with what its check throws, as it is, before and inside an entry's data") {
    struct Deadline {};
    const std::string tar = make_tar({{"a", std::string(300000, 'a')}}, ARCHIVE_FILTER_GZIP);
    for (int allowed : {0, 3, 6}) {
        BytePipe pipe(64 * 1024);
        std::thread producer([&] {
            for (size_t at = 0; at < tar.size(); at += 1000)
                if (!pipe.push(tar.data() + at, std::min<size_t>(1000, tar.size() - at))) break;
            pipe.close();
        });
        int calls = 0;
        auto check = [&] {
            if (calls++ >= allowed) throw Deadline{};
        };
        auto visit = [](const LayerEntry&, const ContentReader& read) { read(1 << 20); };
        CHECK_THROWS_AS(read_layer(pipe, visit, check), Deadline);
        pipe.abort();
        producer.join();
    }
}

TEST_CASE("scan::normalise_layer_path keeps \"..\" at the root, where containerd extracts it") {
    CHECK(normalise_layer_path("./usr//lib/../bin/x") == "/usr/bin/x");
    CHECK(normalise_layer_path("../../var/lib/dpkg/status") == "/var/lib/dpkg/status");
    CHECK(normalise_layer_path("a/../../b") == "/b");
    CHECK(normalise_layer_path("..") == "/");
    CHECK(normalise_layer_path("") == "/");
}

TEST_SUITE_END();
