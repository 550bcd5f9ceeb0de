// rpm's own "ndb" package database (Packages.db, SUSE): a 32-byte header,
// pages of 16-byte slots (magic, package index, block offset, block count),
// then blobs at block offsets (16-byte blocks), each with a 16-byte head
// (magic, package index, generation, length). Little-endian, as rpm writes
// it on the machines that build these images. Layout from rpm's lib/backend/ndb/rpmpkg.c.
#include <cstdint>
#include <stdexcept>
#include <string>

#include "catalog/rpmdb.hpp"

namespace regscan::catalog::rpm {

namespace {

constexpr uint32_t fourcc(char a, char b, char c, char d) {
    return static_cast<uint32_t>(a) | static_cast<uint32_t>(b) << 8 | static_cast<uint32_t>(c) << 16 |
           static_cast<uint32_t>(d) << 24;
}
constexpr uint32_t header_magic = fourcc('R', 'p', 'm', 'P');
constexpr uint32_t slot_magic = fourcc('S', 'l', 'o', 't');
constexpr uint32_t blob_magic = fourcc('B', 'l', 'b', 'S');
constexpr size_t header_size = 32, slot_size = 16, block_size = 16, page_size = 4096, blob_head_size = 16;

uint32_t le32(std::string_view bytes, size_t at) {
    if (at + 4 > bytes.size()) throw std::runtime_error("ndb rpmdb truncated at byte " + std::to_string(at));
    uint32_t v = 0;
    for (int i = 3; i >= 0; --i) v = v << 8 | static_cast<unsigned char>(bytes[at + static_cast<size_t>(i)]);
    return v;
}

}  // namespace

void for_each_ndb_blob(std::string_view database, const BlobSink& sink) {
    if (le32(database, 0) != header_magic) throw std::runtime_error("not an ndb rpmdb (no RpmP magic)");
    if (le32(database, 4) != 0) throw std::runtime_error("ndb rpmdb version " + std::to_string(le32(database, 4)));
    uint32_t slot_pages = le32(database, 12);
    size_t slots_end = size_t{slot_pages} * page_size;
    if (slot_pages == 0 || slots_end > database.size()) throw std::runtime_error("ndb rpmdb slot pages past the end");
    BlobBudget budget(database);
    for (size_t at = header_size; at < slots_end; at += slot_size) {
        if (le32(database, at) != slot_magic) throw std::runtime_error("ndb rpmdb slot without its magic");
        uint32_t package = le32(database, at + 4);
        if (package == 0) continue;  // a free slot
        size_t blob = size_t{le32(database, at + 8)} * block_size;
        if (le32(database, blob) != blob_magic || le32(database, blob + 4) != package) {
            throw std::runtime_error("ndb rpmdb blob of package " + std::to_string(package) + " not where its slot says");
        }
        uint32_t length = le32(database, blob + 12);
        if (blob + blob_head_size + length > database.size()) throw std::runtime_error("ndb rpmdb blob past the end");
        budget.spend(length);
        sink(database.substr(blob + blob_head_size, length));
    }
}

}  // namespace regscan::catalog::rpm
